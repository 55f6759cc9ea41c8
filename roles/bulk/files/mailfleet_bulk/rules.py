# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rules that a campaign message itself must meet at injection.

Gmail and Yahoo ask every bulk sender for one-click unsubscription as RFC
8058 defines it, and check it on each message:

- exactly one ``List-Unsubscribe`` header, holding at least one ``https:``
  URI in angle brackets (RFC 2369 syntax; a ``mailto:`` URI may come too);
- exactly one ``List-Unsubscribe-Post`` header whose value is
  ``List-Unsubscribe=One-Click``.

:func:`problem` names the first rule that a message's headers break, in the
words of the 5xx reply; None means the message meets them. The node's DKIM
signature covers both headers (its OpenDKIM oversigns them).

:func:`from_problem` keeps the From: in the node's signed names: OpenDKIM
signs with the From: domain, so the signature is aligned with it for DMARC
by construction.

:func:`return_path` is the envelope sender that the message leaves with:
a signed VERP address (:mod:`mailfleet_bulk.verp`) in the bounce domain
of the sender's domain, so that each bounce and complaint names its
recipient.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from email.utils import getaddresses

from . import verp
from ._address import canonical, nearest

__all__ = ["FOREIGN_FROM", "ONE_CLICK", "from_problem", "problem", "return_path"]

FOREIGN_FROM = "The From: address must be in a domain that this bulk node signs for"

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


def from_problem(
    headers: Iterable[tuple[str, str]], signed: Collection[str]
) -> str | None:
    """The reply when a From: address is outside ``signed`` (lowercase names), or None.

    OpenDKIM picks its key by the From: domain, so a From: elsewhere would
    leave unsigned, and a second From: could show a name that the signature
    does not cover: every address of every From: header must be in a signed
    name, and there must be one.
    """
    values = [value for name, value in headers if name.strip().lower() == "from"]
    addresses = [address for _, address in getaddresses(values)]
    if not addresses:
        return FOREIGN_FROM + "; this message has no From: address"
    for address in addresses:
        domain = address.rpartition("@")[2].strip().rstrip(".").lower()
        if "@" not in address or domain not in signed:
            return FOREIGN_FROM
    return None


def return_path(
    sender: str,
    recipients: Sequence[str],
    bounce_domains: Mapping[str, str],
    secret: bytes,
) -> str | None:
    """The VERP return path of a campaign message, or None to keep ``sender``.

    ``bounce_domains`` maps each signed name to its bounce domain; a sender
    domain uses its own, else its nearest listed parent's. A message keeps
    its sender when it has no sender (a report), not exactly one recipient,
    or a sender domain without a bounce domain. A recipient too long for a
    token gets the bare ``b@<bounce domain>``.
    """
    if not sender or len(recipients) != 1:
        return None
    bounce = nearest(bounce_domains, canonical(sender).rpartition("@")[2])
    if bounce is None:
        return None
    try:
        return verp.return_path(canonical(recipients[0]), bounce, secret=secret)
    except verp.VerpError:
        return f"b@{bounce}"
