# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import NamedTuple

import pytest
from bulk_reports import (
    SECRET,
    arf_fields,
    campaign_message,
    delivery_status,
    feedback_report,
    original_headers,
    recipient_block,
    return_path,
)
from mailfleet_bulk.bounces import Event, classify, parse
from mailfleet_bulk.verp import VerpError

JANE = "jane@example.com"
GMAIL_USER = "j.doe@gmail.com"
OUTLOOK_USER = "kim@contoso.example"

GMAIL_NO_SUCH_USER = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please check "
    "550-5.1.1 the address for typos. "
    "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a1b2c3d4e5 - gsmtp"
)
MICROSOFT_BLOCK = (
    "550 5.7.1 Messages from [198.51.100.7] weren't sent: part of their network is "
    "on our block list (S3150). [AM0EUR02FT012.eop-EUR02.prod.protection.outlook.com]"
)
SPAMHAUS = (
    "554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using "
    "zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7"
)
MAILBOX_FULL = (
    "452-4.2.2 The recipient's inbox is out of storage space. "
    "452 4.2.2 https://support.google.com/mail/?p=OverQuotaTemp f6g7h8 - gsmtp"
)


def postfix_dsn(
    recipient: str,
    *,
    status: str,
    diagnostic: str,
    remote_mta: str | None,
    action: str = "failed",
    campaign: str | None = "spring26",
) -> bytes:
    sender = return_path(recipient, campaign)
    block = recipient_block(
        recipient,
        status=status,
        diagnostic=diagnostic,
        remote_mta=remote_mta,
        action=action,
    )
    if action == "delayed":
        block["Will-Retry-Until"] = "Mon, 6 Apr 2026 09:30:00 +0000 (UTC)"
    human = (
        f"This is the mail system at host bulk1.acme.example.\n\n"
        f"<{recipient}>: host {remote_mta} said: {diagnostic} (in reply to RCPT TO command)\n"
    )
    return delivery_status(
        [block],
        sender=sender,
        human=human,
        headers=original_headers(recipient, sender),
    )


# (name, recipient, status, diagnostic, remote MTA, action, expected kind, expected status)
class Case(NamedTuple):
    name: str
    recipient: str
    status: str
    diagnostic: str
    remote_mta: str | None
    action: str
    kind: str
    decided: str
    """The status that decided, as the event carries it."""


POSTFIX_CASES: list[Case] = [
    Case(
        "postfix user unknown",
        JANE,
        "5.1.1",
        "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
        "mx.example.com",
        "failed",
        "hard",
        "5.1.1",
    ),
    Case(
        "gmail 550-5.1.1",
        GMAIL_USER,
        "5.1.1",
        GMAIL_NO_SUCH_USER,
        "gmail-smtp-in.l.google.com",
        "failed",
        "hard",
        "5.1.1",
    ),
    Case(
        "microsoft block list",
        OUTLOOK_USER,
        "5.7.1",
        MICROSOFT_BLOCK,
        "contoso-example.mail.protection.outlook.com",
        "failed",
        "sender_problem",
        "5.7.1",
    ),
    Case(
        "spamhaus",
        JANE,
        "5.7.1",
        SPAMHAUS,
        "mx.example.com",
        "failed",
        "sender_problem",
        "5.7.1",
    ),
    Case(
        "mailbox full, expired in the queue",
        GMAIL_USER,
        "4.2.2",
        MAILBOX_FULL,
        "gmail-smtp-in.l.google.com",
        "failed",
        "soft",
        "4.2.2",
    ),
    Case(
        "mailbox full, delay warning",
        GMAIL_USER,
        "4.2.2",
        MAILBOX_FULL,
        "gmail-smtp-in.l.google.com",
        "delayed",
        "soft",
        "4.2.2",
    ),
    Case(
        "dmarc 5.7.26",
        GMAIL_USER,
        "5.7.26",
        "550-5.7.26 Unauthenticated email from acme.example is not accepted due to domain's DMARC policy.",
        "gmail-smtp-in.l.google.com",
        "failed",
        "sender_problem",
        "5.7.26",
    ),
    Case(
        "spf 5.7.27",
        GMAIL_USER,
        "5.7.27",
        "550-5.7.27 The sender's domain does not pass SPF for the sending address.",
        "gmail-smtp-in.l.google.com",
        "failed",
        "sender_problem",
        "5.7.27",
    ),
    Case(
        "microsoft 5.7.350",
        OUTLOOK_USER,
        "5.7.350",
        "550 5.7.350 Remote server returned message detected as spam",
        "contoso-example.mail.protection.outlook.com",
        "failed",
        "sender_problem",
        "5.7.350",
    ),
    Case(
        "poor reputation",
        JANE,
        "5.7.1",
        "550 5.7.1 Message rejected due to poor reputation of the sending IP",
        "mx.example.com",
        "failed",
        "sender_problem",
        "5.7.1",
    ),
    Case(
        "no mx for the recipient domain",
        "ann@gone.example",
        "5.4.4",
        "Host or domain name not found. Name service error for name=gone.example type=A: Host not found",
        None,
        "failed",
        "soft",
        "5.4.4",
    ),
    Case(
        "postfix generic status, code in the text",
        JANE,
        "5.0.0",
        "550 5.2.1 <jane@example.com>: mailbox disabled",
        "mx.example.com",
        "failed",
        "hard",
        "5.2.1",
    ),
]


@pytest.mark.parametrize(
    "case", POSTFIX_CASES, ids=[case.name for case in POSTFIX_CASES]
)
def test_postfix_dsn(case: Case) -> None:
    message = postfix_dsn(
        case.recipient,
        status=case.status,
        diagnostic=case.diagnostic,
        remote_mta=case.remote_mta,
        action=case.action,
    )
    delivered_to = return_path(case.recipient, "spring26")
    assert parse(message, delivered_to=delivered_to, secret=SECRET) == [
        Event(
            case.recipient,
            case.kind,
            case.decided,
            case.diagnostic,
            case.remote_mta or "",
            "spring26",
        )
    ]


def test_campaign_comes_from_the_returned_sender_without_delivered_to() -> None:
    message = postfix_dsn(
        JANE,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        remote_mta="mx.example.com",
    )
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind, event.campaign) == (JANE, "hard", "spring26")


def test_without_the_secret_no_token_is_read() -> None:
    message = postfix_dsn(
        JANE,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        remote_mta="mx.example.com",
    )
    (event,) = parse(message, delivered_to=return_path(JANE, "spring26"))
    assert (event.recipient, event.kind, event.campaign) == (JANE, "hard", None)


def test_original_recipient_wins_over_final_recipient() -> None:
    block = recipient_block(
        "jane.forward@elsewhere.example",
        status="5.1.1",
        diagnostic="550 5.1.1 No such user",
        remote_mta="mx.elsewhere.example",
        original=False,
    )
    block["Original-Recipient"] = "rfc822; Jane@Example.com"
    message = delivery_status([block], sender=return_path("Jane@example.com"))
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind) == ("Jane@example.com", "hard")


def test_asynchronous_dsn_from_a_receiver() -> None:
    # A receiver accepted the message, then found no mailbox: its own
    # Reporting-MTA, no Original-Recipient, no Remote-MTA.
    block = {
        "Final-Recipient": "rfc822; ann@example.org",
        "Action": "failed",
        "Status": "5.1.1",
        "Diagnostic-Code": "smtp; 550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
    }
    message = delivery_status(
        [block],
        sender=return_path("ann@example.org", "c7"),
        per_message={"Reporting-MTA": "dns; mail.example.org"},
        headers=original_headers(
            "ann@example.org", return_path("ann@example.org", "c7")
        ),
    )
    delivered_to = return_path("ann@example.org", "c7")
    assert parse(message, delivered_to=delivered_to, secret=SECRET) == [
        Event(
            "ann@example.org",
            "hard",
            "5.1.1",
            "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
            "",
            "c7",
        )
    ]


def test_recipient_falls_back_to_the_delivered_to_token() -> None:
    block = {
        "Action": "failed",
        "Status": "5.1.1",
        "Diagnostic-Code": "smtp; 550 no such user",
    }
    message = delivery_status(
        [block],
        sender="b@bounces.acme.example",
        per_message={"Reporting-MTA": "dns; mx.example.net"},
    )
    delivered_to = return_path("bob@example.net", "c9")
    assert parse(message, delivered_to=delivered_to, secret=SECRET) == [
        Event("bob@example.net", "hard", "5.1.1", "550 no such user", "", "c9")
    ]


def test_without_any_recipient_there_is_no_event() -> None:
    block = {"Action": "failed", "Status": "5.1.1"}
    message = delivery_status(
        [block],
        sender="b@bounces.acme.example",
        per_message={"Reporting-MTA": "dns; mx.example.net"},
    )
    assert parse(message, delivered_to="b@bounces.acme.example", secret=SECRET) == []


def test_only_failed_and_delayed_recipients_give_events() -> None:
    blocks = [
        recipient_block(
            "ok@example.com",
            status="2.0.0",
            diagnostic="250 2.0.0 Ok: queued as 4QkX",
            remote_mta="mx.example.com",
            action="delivered",
        ),
        recipient_block(
            "list@example.com",
            status="2.0.0",
            diagnostic="250 2.0.0 Ok",
            remote_mta="mx.example.com",
            action="relayed",
        ),
        recipient_block(
            "gone@example.com",
            status="5.1.1",
            diagnostic="550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown",
            remote_mta="mx.example.com",
        ),
    ]
    message = delivery_status(blocks, sender="b@bounces.acme.example")
    assert [(e.recipient, e.kind) for e in parse(message, secret=SECRET)] == [
        ("gone@example.com", "hard")
    ]


def test_sender_problem_keeps_the_recipient() -> None:
    message = postfix_dsn(
        OUTLOOK_USER,
        status="5.7.1",
        diagnostic=MICROSOFT_BLOCK,
        remote_mta="contoso-example.mail.protection.outlook.com",
    )
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind) == (OUTLOOK_USER, "sender_problem")


def test_global_delivery_status() -> None:
    block = recipient_block(
        "josé@exemple.fr",
        status="5.1.1",
        diagnostic="550 5.1.1 mailbox unknown",
        remote_mta="mx.exemple.fr",
    )
    block["Final-Recipient"] = "utf-8; josé@exemple.fr"
    block["Original-Recipient"] = "utf-8; josé@exemple.fr"
    message = delivery_status(
        [block],
        sender="b@bounces.acme.example",
        status_type="message/global-delivery-status",
    )
    assert parse(message) == [
        Event(
            "josé@exemple.fr",
            "hard",
            "5.1.1",
            "550 5.1.1 mailbox unknown",
            "mx.exemple.fr",
        )
    ]


def test_forged_delivered_to_raises() -> None:
    message = postfix_dsn(
        JANE,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        remote_mta="mx.example.com",
    )
    forged = return_path(JANE).replace("jane", "john")
    error = f"the VERP token's tag does not match: altered, or made with another secret; got {forged!r}"
    with pytest.raises(VerpError, match=f"^{re.escape(error)}$"):
        parse(message, delivered_to=forged, secret=SECRET)


def test_forged_token_inside_the_report_is_passed_over() -> None:
    forged = return_path(JANE, "spring26").replace("spring26", "summer26")
    block = recipient_block(
        JANE,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        remote_mta="mx.example.com",
    )
    message = delivery_status(
        [block], sender=forged, headers=original_headers(JANE, forged)
    )
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind, event.campaign) == (JANE, "hard", None)


# Feedback reports (ARF)

BOB = "bob@mail.example"


def test_arf_abuse_names_the_verp_recipient() -> None:
    # The provider redacted To:, but the stored message kept its Return-Path.
    original = campaign_message("redacted@mail.example", return_path(BOB, "spring26"))
    message = feedback_report(
        arf_fields(Reporting_MTA="dns; fbl.mail.example"), original=original
    )
    assert parse(message, delivered_to="fbl@acme.example", secret=SECRET) == [
        Event(BOB, "complaint", "", "abuse", "fbl.mail.example", "spring26")
    ]


def test_arf_with_enclosed_headers_only() -> None:
    original = campaign_message(BOB, return_path(BOB, "c3"))
    message = feedback_report(arf_fields(), original=original, headers_only=True)
    assert parse(message, secret=SECRET) == [
        Event(BOB, "complaint", "", "abuse", "", "c3")
    ]


def test_arf_uses_original_mail_from() -> None:
    message = feedback_report(
        arf_fields(Original_Mail_From=f"<{return_path(BOB, 'c4')}>"),
        original=campaign_message("redacted@mail.example", None),
    )
    assert parse(message, secret=SECRET) == [
        Event(BOB, "complaint", "", "abuse", "", "c4")
    ]


def test_arf_falls_back_to_original_rcpt_to() -> None:
    message = feedback_report(
        arf_fields(Original_Rcpt_To="<Bob@Mail.Example>"),
        original=campaign_message("Newsletter readers <news@acme.example>", None),
    )
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind, event.campaign) == (
        "Bob@mail.example",
        "complaint",
        None,
    )


def test_arf_falls_back_to_to() -> None:
    message = feedback_report(
        arf_fields(), original=campaign_message(f"Bob <{BOB}>", None)
    )
    (event,) = parse(message, secret=SECRET)
    assert (event.recipient, event.kind) == (BOB, "complaint")


def test_arf_falls_back_to_the_delivered_to_token() -> None:
    message = feedback_report(arf_fields(), original=None)
    delivered_to = return_path(BOB, "c5")
    assert parse(message, delivered_to=delivered_to, secret=SECRET) == [
        Event(BOB, "complaint", "", "abuse", "", "c5")
    ]


def test_arf_without_a_recipient_gives_nothing() -> None:
    original = campaign_message("a@mail.example, b@mail.example", None)
    assert parse(feedback_report(arf_fields(), original=original), secret=SECRET) == []


@pytest.mark.parametrize(
    ("feedback_type", "kind"),
    [
        ("abuse", "complaint"),
        ("fraud", "complaint"),
        ("virus", "complaint"),
        ("other", "complaint"),
        ("Abuse", "complaint"),
        ("auth-failure", "sender_problem"),
        ("not-spam", None),
    ],
)
def test_arf_feedback_types(feedback_type: str, kind: str | None) -> None:
    original = campaign_message(BOB, return_path(BOB))
    message = feedback_report(
        arf_fields(Feedback_Type=feedback_type), original=original
    )
    assert [event.kind for event in parse(message, secret=SECRET)] == (
        [kind] if kind else []
    )


# Messages that are no report


def _auto_reply() -> bytes:
    reply = MIMEText("I am out of the office until Monday.\n")
    reply["From"] = "jane@example.com"
    reply["To"] = return_path(JANE, "spring26")
    reply["Subject"] = "Out of office: Spring offers"
    reply["Auto-Submitted"] = "auto-replied"
    return reply.as_bytes()


def _human_reply() -> bytes:
    reply = MIMEMultipart("alternative")
    reply["From"] = "Jane <jane@example.com>"
    reply["Subject"] = "Re: Spring offers"
    reply.attach(MIMEText("Please stop: 550 5.1.1 user unknown, ha.\n"))
    reply.attach(MIMEText("<p>Please stop</p>\n", "html"))
    return reply.as_bytes()


def _read_receipt() -> bytes:
    receipt = MIMEMultipart("report", report_type="disposition-notification")
    receipt.attach(MIMEText("Your message was displayed.\n"))
    return receipt.as_bytes()


@pytest.mark.parametrize(
    "message",
    [
        _auto_reply(),
        _human_reply(),
        _read_receipt(),
        b"",
        b"\x00\xff\xfe not a message at all\r\n\r\n\x80",
        b"Content-Type: multipart/report; report-type=delivery-status\n\nno boundary\n",
    ],
    ids=["auto-reply", "human reply", "read receipt", "empty", "binary", "no boundary"],
)
def test_no_report_no_events(message: bytes) -> None:
    assert (
        parse(message, delivered_to=return_path(JANE, "spring26"), secret=SECRET) == []
    )


def test_truncated_reports_never_raise() -> None:
    message = postfix_dsn(
        JANE,
        status="5.1.1",
        diagnostic="550 5.1.1 user unknown",
        remote_mta="mx.example.com",
    )
    for end in range(0, len(message), 37):
        assert isinstance(parse(message[:end], secret=SECRET), list)


# classify() on its own: (action, status, diagnostic, kind, status it decided on)
CLASSIFY: list[tuple[str, str, str, str | None, str]] = [
    ("delivered", "2.0.0", "250 ok", None, "2.0.0"),
    ("expanded", "2.0.0", "", None, "2.0.0"),
    (
        "delayed",
        "4.4.1",
        "connect to mx.example.com: Connection timed out",
        "soft",
        "4.4.1",
    ),
    (
        "delayed",
        "4.7.0",
        "421 4.7.0 [TSS04] deferred due to user complaints",
        "sender_problem",
        "4.7.0",
    ),
    ("failed", "4.7.1", "451 4.7.1 Greylisted, come back later", "soft", "4.7.1"),
    (
        "failed",
        "4.1.8",
        "450 4.1.8 <b@bounces>: Domain not found",
        "sender_problem",
        "4.1.8",
    ),
    ("failed", "4.7.28", "421 4.7.28 unusual traffic", "sender_problem", "4.7.28"),
    ("failed", "5.1.2", "550 5.1.2 bad destination system", "hard", "5.1.2"),
    ("failed", "5.1.10", "556 5.1.10 recipient domain has a null MX", "hard", "5.1.10"),
    (
        "failed",
        "5.1.0",
        "550 5.1.0 <b@bounces>: Sender address rejected: undeliverable address",
        "sender_problem",
        "5.1.0",
    ),
    (
        "failed",
        "5.1.8",
        "553 5.1.8 bad sender's system address",
        "sender_problem",
        "5.1.8",
    ),
    ("failed", "5.2.2", "552 5.2.2 mailbox full", "soft", "5.2.2"),
    (
        "failed",
        "5.2.3",
        "552 5.2.3 message size exceeds fixed limit",
        "sender_problem",
        "5.2.3",
    ),
    ("failed", "5.3.0", "554 5.3.0 mail system error", "soft", "5.3.0"),
    (
        "failed",
        "5.4.1",
        "550 5.4.1 Recipient address rejected: Access denied",
        "soft",
        "5.4.1",
    ),
    ("failed", "5.4.6", "554 5.4.6 routing loop", "soft", "5.4.6"),
    (
        "failed",
        "5.5.0",
        "550 5.5.0 Requested action not taken: user unknown",
        "hard",
        "5.5.0",
    ),
    ("failed", "5.5.0", "550 5.5.0 Requested action not taken", "soft", "5.5.0"),
    (
        "failed",
        "5.6.0",
        "554 5.6.0 content conversion failed",
        "sender_problem",
        "5.6.0",
    ),
    (
        "failed",
        "5.7.1",
        "550 5.7.1 <x@example.com>: Recipient address rejected: User unknown",
        "hard",
        "5.7.1",
    ),
    (
        "failed",
        "5.7.1",
        "554 5.7.1 <x@example.com>: Relay access denied",
        "sender_problem",
        "5.7.1",
    ),
    (
        "failed",
        "5.7.25",
        "550 5.7.25 the IP has no PTR record",
        "sender_problem",
        "5.7.25",
    ),
    (
        "failed",
        "5.0.0",
        "554 rejected, see https://www.spamcop.net/bl.shtml?198.51.100.7",
        "sender_problem",
        "5.0.0",
    ),
    (
        "failed",
        "5.0.0",
        "554 delivery error: dd This user doesn't have a yahoo.com account",
        "hard",
        "5.0.0",
    ),
    (
        "failed",
        "5.0.0",
        "550 Requested action not taken: mailbox unavailable",
        "soft",
        "5.0.0",
    ),
    ("failed", "", "550 5.1.1 no such user", "hard", "5.1.1"),
    ("failed", "", "550 no such user here", "hard", "5.0.0"),
    ("failed", "", "", "soft", "5.0.0"),
    ("", "4.2.2", "452 4.2.2 over quota", "soft", "4.2.2"),
    ("failed", "5.0.0", "451 4.3.0 temporary lookup failure", "soft", "5.0.0"),
    ("failed", "5.1.1 (bad mailbox)", "", "hard", "5.1.1"),
]


@pytest.mark.parametrize(
    ("action", "status", "diagnostic", "kind", "decided"),
    CLASSIFY,
    ids=[f"{a or '-'} {s or '-'} {d[:30]}" for a, s, d, _, _ in CLASSIFY],
)
def test_classify(
    action: str, status: str, diagnostic: str, kind: str | None, decided: str
) -> None:
    assert classify(action, status, diagnostic) == (kind, decided)
