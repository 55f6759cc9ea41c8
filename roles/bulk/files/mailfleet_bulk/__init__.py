# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Traffic shaping of the bulk node: provider classes, warmup caps and backoff.

This package runs on the bulk node itself (Debian 12): Python's standard
library and Debian's python3-dnspython only, and nothing from Ansible. The
modules hold pure logic; the policy service and the shaper that use them do
the I/O.
"""
