# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This module is private to mailfleet_bulk. It is not part of the package's
# API and may change at any time without notice.

"""The one spelling of an address that VERP tokens, bounces and the suppression list share.

RFC 5321 §2.4: the domain of an address is case-insensitive, the local part
may be case-sensitive, and only the receiving host may decide otherwise. The
canonical form therefore lowercases the domain and keeps the local part as
it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

_T = TypeVar("_T")

__all__ = ["canonical", "nearest"]


def canonical(address: str) -> str:
    """Return ``local@domain`` with the domain lowercased and the local part kept.

    Surrounding whitespace and one pair of angle brackets are dropped. The last
    ``@`` splits the address, since a quoted local part may hold another one.
    Raise ``ValueError`` when either side is empty.
    """
    text = address.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"an address must be local-part@domain; got {address!r}")
    return f"{local}@{domain.lower()}"


def nearest(table: Mapping[str, _T], domain: str) -> _T | None:
    """The value of ``domain`` in ``table``, else of its nearest listed parent.

    Keys are lowercase names without a final dot; a top-level label alone
    never matches.
    """
    labels = domain.strip().rstrip(".").lower().split(".")
    for start in range(len(labels) - 1):
        value = table.get(".".join(labels[start:]))
        if value is not None:
            return value
    return None
