# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The large providers' rules for bulk senders that a message itself must meet.

Gmail and Yahoo ask every bulk sender for one-click unsubscription as RFC
8058 defines it, and check it on each message:

- exactly one ``List-Unsubscribe`` header, holding at least one ``https:``
  URI in angle brackets (RFC 2369 syntax; a ``mailto:`` URI may come too);
- exactly one ``List-Unsubscribe-Post`` header whose value is
  ``List-Unsubscribe=One-Click``.

:func:`problem` names the first rule that a message's headers break, in the
words of the 5xx reply; None means the message meets them. The node's DKIM
signature covers both headers (its OpenDKIM oversigns them), and a From
outside the node's signed domains is refused before this check, so
alignment needs no test here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ONE_CLICK", "problem"]

ONE_CLICK = "List-Unsubscribe=One-Click"
_URI = re.compile(r"<\s*([^>]*?)\s*>")


def problem(headers: Iterable[tuple[str, str]]) -> str | None:
    """The rule that ``headers`` (name and unfolded value, in order) break, or None."""
    unsubscribe: list[str] = []
    post: list[str] = []
    for name, value in headers:
        key = name.strip().lower()
        if key == "list-unsubscribe":
            unsubscribe.append(value)
        elif key == "list-unsubscribe-post":
            post.append(value)
    uris = _URI.findall(unsubscribe[0]) if len(unsubscribe) == 1 else []
    one_click = len(post) == 1 and " ".join(post[0].split()) == ONE_CLICK
    # In order: the first that holds is the reply.
    checks = (
        (
            not unsubscribe,
            "Campaign mail needs a List-Unsubscribe header with an https: URI "
            "(RFC 8058); this message has none",
        ),
        (
            len(unsubscribe) > 1,
            "Campaign mail must have one List-Unsubscribe header; this message has several",
        ),
        (
            not any(uri.lower().startswith("https://") for uri in uris),
            "List-Unsubscribe must hold an https: URI in angle brackets for "
            "one-click unsubscription (RFC 8058)",
        ),
        (
            not post,
            f"Campaign mail needs the header List-Unsubscribe-Post: {ONE_CLICK} "
            "(RFC 8058); this message has none",
        ),
        (
            len(post) > 1,
            "Campaign mail must have one List-Unsubscribe-Post header; "
            "this message has several",
        ),
        (
            not one_click,
            f"List-Unsubscribe-Post must be exactly {ONE_CLICK} (RFC 8058)",
        ),
    )
    return next((reason for broken, reason in checks if broken), None)
