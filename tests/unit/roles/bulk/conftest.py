# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the bulk node's package mailfleet_bulk importable, as it is on the node."""

from __future__ import annotations

import sys
from pathlib import Path

FILES = Path(__file__).resolve().parents[4] / "roles" / "bulk" / "files"

if str(FILES) not in sys.path:
    sys.path.insert(0, str(FILES))
