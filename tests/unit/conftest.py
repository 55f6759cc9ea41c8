# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make this checkout importable as ansible_collections.mailfleet.stack."""

from __future__ import annotations

from pathlib import Path

from ansible.plugins.loader import init_plugin_loader

COLLECTIONS = Path(__file__).resolve().parents[2] / ".collections"

init_plugin_loader([str(COLLECTIONS)])
