# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bounces and complaints: what a message to the bounce address says, one event per recipient.

Two kinds of message are read, both ``multipart/report`` (RFC 6522):

- delivery status notifications (RFC 3464), the ones that this node's
  Postfix makes for a 5xx reply or an expired message and the ones that
  receivers send later: one event per recipient block whose ``Action`` is
  ``failed`` or ``delayed``;
- feedback reports (ARF, RFC 5965) from the providers' feedback loops: one
  ``complaint`` event.

Anything else (an auto-reply, a person answering, a bounce in a home-made
plain-text format) gives no events.

Which recipient an event names:

- DSN: ``Original-Recipient`` (the address as this node sent it), else
  ``Final-Recipient``, else the recipient of the VERP token.
- ARF: the VERP token in the enclosed message's ``Return-Path`` or in
  ``Original-Mail-From``, else ``Original-Rcpt-To`` when it names one address,
  else the enclosed ``To:`` when it names one address, else the VERP token of
  the address that the report was delivered to. ``Original-Rcpt-To`` is
  tried before ``To:`` because it is the envelope, and ``To:`` may be a list
  address or redacted (RFC 6590).
- The campaign comes from whichever token verifies, the delivery address first.

``delivered_to`` that has the form of a token must verify: a bounce to a
token that this node did not make is backscatter or a forgery, and
:func:`parse` raises :class:`~mailfleet_bulk.verp.VerpError` for it. A
token inside the report that does not verify is only passed over.

Classification of one DSN recipient (:func:`classify`), first match wins.
"Sender wording" names our side: a blocklist, reputation, SPF, DKIM, DMARC,
authentication, spam, rate limits, "Sender address rejected", "Client host".
"User-unknown wording" says the mailbox does not exist.

==========================================  ================
Action and status                           kind
==========================================  ================
``delivered``, ``relayed``, ``expanded``    no event
sender wording, any action or status        ``sender_problem``
``delayed``                                 ``soft``
x.1.7, x.1.8 (the sender's address)         ``sender_problem``
x.2.3, x.3.4 (message too large)            ``sender_problem``
x.7.23 to x.7.29 (SPF, rDNS, DMARC, flood)  ``sender_problem``
any other 4.x.x (4.2.2 full mailbox too)    ``soft``
5.6.x (content, media)                      ``sender_problem``
other 5.1.x (no such mailbox or domain)     ``hard``
5.2.1 (mailbox disabled)                    ``hard``
5.7.x with user-unknown wording             ``hard``
other 5.7.x (policy, security)              ``sender_problem``
5.0.0, 5.5.x with user-unknown wording      ``hard``
any other 5.x.x (5.2.2, 5.3.x, 5.4.x ...)   ``soft``
==========================================  ================

Why: a hard bounce suppresses the recipient at once, so it needs a reply
that says the mailbox or its domain is gone. 5.3.x (the receiver's system)
and 5.4.x (network and routing: no MX, DNS failure, loops) are often
passing faults, and soft bounces only suppress when they repeat within the
window. A policy refusal (5.7.x) is nearly always about our IP, our domain
or our content; suppressing the recipient for it would empty a provider's
share of the list during a reputation incident, so it goes to the sender
problem report instead. ``delayed`` with sender wording is a sender problem
too: a delay warning caused by a block must not count toward suppression.

When ``Status`` is missing, or is x.0.0, an enhanced code in the
``Diagnostic-Code`` text is used in its place, then the reply code's class.

ARF ``Feedback-Type``: ``not-spam`` gives no event, ``auth-failure``
(RFC 6591) is a ``sender_problem``, every other type (``abuse``, ``fraud``,
``virus``, ``other`` and unknown ones) is a ``complaint``.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, replace
from email.message import Message
from typing import Literal

from . import verp
from ._address import canonical

__all__ = ["KINDS", "Event", "Kind", "classify", "parse"]

Kind = Literal["hard", "soft", "complaint", "sender_problem"]
KINDS: frozenset[str] = frozenset({"hard", "soft", "complaint", "sender_problem"})


@dataclass(frozen=True)
class Event:
    """One recipient's bounce or complaint."""

    recipient: str
    """The address, in the canonical form (domain lowercased)."""
    kind: Kind
    status: str
    """The enhanced status code (RFC 3463), e.g. ``5.1.1``; empty for complaints."""
    diagnostic: str
    """The receiver's reply text, or the feedback type of a complaint."""
    remote_mta: str
    """The host that gave the reply, or the host that made the report; may be empty."""
    campaign: str | None = None


_ENHANCED = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_REPLY = re.compile(r"^\s*([245])\d\d\b")
_TYPE_PREFIX = re.compile(r"^\s*[\w.-]+\s*;\s*")
_SENDER_WORDING = re.compile(
    r"sender address rejected|client host|blocked using|block ?list|black ?list"
    r"|deny ?list|spamhaus|spamcop|barracuda|sorbs|uceprotect|\b(?:rbl|dnsbl)\b"
    r"|reputation|\b(?:spf|dkim|dmarc|ptr|rdns)\b|reverse dns|unauthenticated"
    r"|authentication|\bspam\b|unsolicited|rate limit|too many|complaints"
    r"|unexpected volume",
    re.IGNORECASE,
)
_USER_UNKNOWN = re.compile(
    r"(?:user|recipient|mailbox|address) unknown|unknown (?:user|recipient|mailbox|address)"
    r"|no such (?:user|recipient|mailbox|address|account)"
    r"|(?:user|recipient|mailbox|address) not found|recipnotfound"
    r"|invalid (?:recipient|mailbox|address|user)|doesn't have an? \S+ account"
    r"|(?:account|mailbox) (?:is |has been )?disabled|(?:does not|doesn't) exist",
    re.IGNORECASE,
)
_SENDER_STATUSES = frozenset(
    {"1.7", "1.8", "2.3", "3.4"} | {f"7.{n}" for n in range(23, 30)}
)
_NO_EVENT_ACTIONS = frozenset({"delivered", "relayed", "expanded"})
_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
_ADDRESS_TYPES = frozenset({"rfc822", "utf-8"})
_NOT_A_COMPLAINT = "not-spam"
_AUTH_FAILURE = "auth-failure"


def _refine(status: str, diagnostic: str, action: str) -> str:
    match = _ENHANCED.search(status)
    code = match.group(1) if match else ""
    if not code or code[1:] == ".0.0":
        found = _ENHANCED.search(diagnostic)
        if found and (not code or found.group(1)[0] == code[0]):
            return found.group(1)
    if code:
        return code
    reply = _REPLY.match(diagnostic)
    if reply:
        return f"{reply.group(1)}.0.0"
    return "4.0.0" if action == "delayed" else "5.0.0"


def _classify_failure(status: str, diagnostic: str) -> Kind | None:
    klass, subject, detail = status.split(".")
    key = f"{subject}.{detail}"
    if klass not in ("4", "5"):
        return None
    if key in _SENDER_STATUSES or (klass == "5" and subject == "6"):
        return "sender_problem"
    if klass == "4":
        return "soft"
    if subject == "1" or key == "2.1":
        return "hard"
    if subject in ("0", "5", "7") and _USER_UNKNOWN.search(diagnostic):
        return "hard"
    return "sender_problem" if subject == "7" else "soft"


def classify(action: str, status: str, diagnostic: str) -> tuple[Kind | None, str]:
    """Return ``(kind, status)`` for one DSN recipient block; ``kind`` is ``None`` when there is nothing to record.

    ``action`` and ``status`` are the block's fields (either may be empty),
    ``diagnostic`` the reply text. The status returned is the one that
    decided, taken from the text when the field was missing or generic.
    The table in this module's docstring lists the rules.
    """
    action = (action.split() or [""])[0].lower()
    if action in _NO_EVENT_ACTIONS:
        return None, status.strip()
    code = _refine(status, diagnostic, action)
    if _SENDER_WORDING.search(diagnostic):
        return "sender_problem", code
    if action == "delayed":
        return "soft", code
    return _classify_failure(code, diagnostic), code


def _text(value: object) -> str:
    """A header value as one line: folding undone, runs of space collapsed."""
    return " ".join(str(value).split()) if value is not None else ""


def _untyped(value: object) -> str:
    """The value of a typed field (``dns; host``, ``smtp; 550 ...``) without its type."""
    return _TYPE_PREFIX.sub("", _text(value), count=1)


def _typed_address(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    kind, semicolon, address = text.partition(";")
    if semicolon and kind.strip().lower() not in _ADDRESS_TYPES:
        return None
    try:
        return canonical(address if semicolon else text)
    except ValueError:
        return None


def _single_address(value: object) -> str | None:
    addresses = {
        address for _, address in email.utils.getaddresses([_text(value)]) if address
    }
    if len(addresses) != 1:
        return None
    try:
        return canonical(addresses.pop())
    except ValueError:
        return None


def _blocks_from_text(text: str) -> list[Message]:
    chunks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip())
    return [
        email.message_from_string(chunk + "\n", policy=email.policy.compat32)
        for chunk in chunks
        if chunk.strip()
    ]


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", errors="replace")
    return ""


def _field_blocks(part: Message) -> list[Message]:
    """The blocks of fields in a ``message/*-status`` or ``message/feedback-report`` part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [block for block in payload if isinstance(block, Message)]
        if part.get_content_type() == "message/delivery-status":
            return blocks
        # Python parses other message/* types as one message: the first block
        # became its header, and the other blocks its body.
        return (
            [blocks[0], *_blocks_from_text(_decoded_text(blocks[0]))] if blocks else []
        )
    return _blocks_from_text(_decoded_text(part))


def _enclosed(parts: list[Message]) -> Message | None:
    """The returned or reported message (or just its header)."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if (
                isinstance(payload, list)
                and payload
                and isinstance(payload[0], Message)
            ):
                return payload[0]
        if kind in ("text/rfc822-headers", "message/global-headers"):
            return email.message_from_string(
                _decoded_text(part), policy=email.policy.compat32
            )
    return None


def _first(parts: list[Message], *types: str) -> Message | None:
    return next((part for part in parts if part.get_content_type() in types), None)


def _verified(
    address: str | None, secret: bytes | None
) -> tuple[str, str | None] | None:
    if not address or secret is None or not verp.is_token(address):
        return None
    try:
        return verp.decode(address, secret=secret)
    except verp.VerpError:
        return None


def _envelope(value: object) -> str:
    return email.utils.parseaddr(_untyped(value))[1]


def _delivery_status(
    parts: list[Message], token: tuple[str, str | None] | None, secret: bytes | None
) -> tuple[list[Event], tuple[str, str | None] | None]:
    status_part = _first(parts, *_STATUS_TYPES)
    blocks = _field_blocks(status_part) if status_part is not None else []
    if not blocks:
        return [], token
    per_message = blocks[0]
    enclosed = _enclosed(parts)
    candidates = [_envelope(per_message.get("X-Postfix-Sender"))]
    if enclosed is not None:
        candidates.append(_envelope(enclosed.get("Return-Path")))
    for candidate in candidates:
        token = token or _verified(candidate, secret)
    fallback, campaign = token if token else (None, None)
    events = []
    for block in blocks:
        if not any(
            block.get(name)
            for name in ("Final-Recipient", "Original-Recipient", "Action")
        ):
            continue  # the per-message block
        recipient = (
            _typed_address(block.get("Original-Recipient"))
            or _typed_address(block.get("Final-Recipient"))
            or fallback
        )
        diagnostic = _untyped(block.get("Diagnostic-Code"))
        kind, status = classify(
            _text(block.get("Action")), _text(block.get("Status")), diagnostic
        )
        if kind is None or recipient is None:
            continue
        events.append(
            Event(
                recipient,
                kind,
                status,
                diagnostic,
                _untyped(block.get("Remote-MTA")),
                campaign,
            )
        )
    return events, token


def _feedback(
    parts: list[Message], token: tuple[str, str | None] | None, secret: bytes | None
) -> tuple[list[Event], tuple[str, str | None] | None]:
    report_part = _first(parts, "message/feedback-report")
    blocks = _field_blocks(report_part) if report_part is not None else []
    if not blocks:
        return [], token
    fields = blocks[0]
    feedback_type = (_text(fields.get("Feedback-Type")).lower().split() or ["abuse"])[0]
    if feedback_type == _NOT_A_COMPLAINT:
        return [], token
    enclosed = _enclosed(parts)
    inner = None
    for candidate in (
        _envelope(enclosed.get("Return-Path")) if enclosed is not None else None,
        _envelope(fields.get("Original-Mail-From")),
    ):
        inner = inner or _verified(candidate, secret)
    rcpt_to = {
        _typed_address(value) for value in fields.get_all("Original-Rcpt-To") or []
    } - {None}
    recipient = (
        (inner[0] if inner else None)
        or (rcpt_to.pop() if len(rcpt_to) == 1 else None)
        or (_single_address(enclosed.get("To")) if enclosed is not None else None)
        or (token[0] if token else None)
    )
    if recipient is None:
        return [], token or inner
    campaign = (token or inner or (None, None))[1]
    kind: Kind = "sender_problem" if feedback_type == _AUTH_FAILURE else "complaint"
    event = Event(
        recipient,
        kind,
        "",
        feedback_type,
        _untyped(fields.get("Reporting-MTA")),
        campaign,
    )
    return [event], token or inner


def _vouched(events: list[Event], token: tuple[str, str | None] | None) -> list[Event]:
    """The one event that a verified token names, with the token's recipient and campaign.

    The report's own fields are the sender's words: only the token, signed
    with our secret, says which of our recipients a report is about. The
    event whose recipient the token names wins; a report of one event is
    taken for the token's recipient; anything else names nobody of ours.
    """
    if token is None:
        return []
    recipient, campaign = token
    matching = [e for e in events if e.recipient.lower() == recipient.lower()]
    chosen = matching or (events if len(events) == 1 else [])
    return [
        replace(event, recipient=recipient, campaign=campaign) for event in chosen[:1]
    ]


def parse(
    message: bytes,
    *,
    delivered_to: str | None = None,
    secret: bytes | None = None,
    require_token: bool = False,
) -> list[Event]:
    """Return the events that a message to the bounce address reports; ``[]`` when it is no report.

    ``delivered_to`` is the address the message came to (Postfix's
    ``${original_recipient}``), ``secret`` the VERP secret; without the secret
    no token is read. Raise :class:`~mailfleet_bulk.verp.VerpError` when
    ``delivered_to`` is a token that does not verify. Any other input,
    however broken, gives a list.

    With ``require_token``, as the bounce pipe reads reports from anyone,
    a report counts only for the recipient of a verified token (the address
    it came to, or the return path of the message it returns): at most one
    event, naming that recipient, and none without a token.
    """
    token = None
    if delivered_to and secret is not None and verp.is_token(delivered_to):
        token = verp.decode(delivered_to, secret=secret)
    report = email.message_from_bytes(message, policy=email.policy.compat32)
    if report.get_content_type() != "multipart/report":
        return []
    parts = report.get_payload()
    if not isinstance(parts, list):
        return []
    parts = [part for part in parts if isinstance(part, Message)]
    types = {part.get_content_type() for part in parts}
    if "message/feedback-report" in types:
        events, vouched = _feedback(parts, token, secret)
    elif types.intersection(_STATUS_TYPES):
        events, vouched = _delivery_status(parts, token, secret)
    else:
        return []
    return _vouched(events, vouched) if require_token else events
