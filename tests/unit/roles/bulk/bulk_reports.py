# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the bounces and feedback reports that the bulk node's tests read, with Python's email package."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from mailfleet_bulk import verp

SECRET = b"test-secret-for-verp-0123456789"
BOUNCES = "bounces.acme.example"
REPORTING_MTA = "bulk1.acme.example"


def return_path(recipient: str, campaign: str | None = None) -> str:
    return verp.return_path(recipient, BOUNCES, secret=SECRET, campaign=campaign)


def _fields(fields: Mapping[str, str]) -> Message:
    block = Message()
    for name, value in fields.items():
        block[name] = value
    return block


def original_headers(recipient: str, sender: str) -> str:
    return (
        f"Return-Path: <{sender}>\n"
        "Received: by bulk1.acme.example (Postfix, from userid 0)\n"
        "\tid 4QkX1b2C3dz9sTx; Wed,  1 Apr 2026 09:30:00 +0000 (UTC)\n"
        "From: Acme News <news@acme.example>\n"
        f"To: {recipient}\n"
        "Subject: Spring offers\n"
        "Message-ID: <20260401093000.4QkX1b2C3dz9sTx@acme.example>\n"
        "List-Unsubscribe: <mailto:unsubscribe@acme.example>\n"
        "Date: Wed, 1 Apr 2026 09:30:00 +0000\n"
    )


def delivery_status(
    recipients: Sequence[Mapping[str, str]],
    *,
    sender: str,
    human: str = "I'm sorry to have to inform you that your message could not be delivered.\n",
    headers: str | None = None,
    per_message: Mapping[str, str] | None = None,
    status_type: str = "message/delivery-status",
) -> bytes:
    """A DSN as Postfix's bounce daemon lays one out: notification, delivery report, returned header."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = f"MAILER-DAEMON@{REPORTING_MTA} (Mail Delivery System)"
    report["To"] = sender
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Auto-Submitted"] = "auto-replied"
    notification = MIMEText(human)
    notification["Content-Description"] = "Notification"
    report.attach(notification)
    status = Message()
    status["Content-Description"] = "Delivery report"
    status["Content-Type"] = status_type
    first = per_message or {
        "Reporting-MTA": f"dns; {REPORTING_MTA}",
        "X-Postfix-Queue-ID": "4QkX1b2C3dz9sTx",
        "X-Postfix-Sender": f"rfc822; {sender}",
        "Arrival-Date": "Wed,  1 Apr 2026 09:30:00 +0000 (UTC)",
    }
    blocks = [_fields(first), *(_fields(fields) for fields in recipients)]
    utf8: dict[bytes, bytes] = {}
    if status_type == "message/delivery-status":
        status.set_payload(blocks)
    else:
        # RFC 6533 fields are UTF-8 as they stand, not encoded words, and the
        # email package writes no raw UTF-8 in a part: put it in afterwards.
        text = "\n".join(
            "".join(f"{name}: {value}\n" for name, value in fields.items())
            for fields in [first, *recipients]
        )
        placeholder = text.encode("ascii", "backslashreplace")
        status.set_payload(placeholder.decode("ascii"))
        utf8 = {placeholder: text.encode("utf-8")}
    report.attach(status)
    if headers is not None:
        returned = MIMEText(headers, "rfc822-headers")
        returned["Content-Description"] = "Undelivered Message Headers"
        report.attach(returned)
    raw = report.as_bytes()
    for placeholder, octets in utf8.items():
        raw = raw.replace(placeholder, octets)
    return raw


def recipient_block(
    recipient: str,
    *,
    status: str,
    diagnostic: str,
    remote_mta: str | None,
    action: str = "failed",
    original: bool = True,
) -> dict[str, str]:
    fields = {"Final-Recipient": f"rfc822; {recipient}"}
    if original:
        fields["Original-Recipient"] = f"rfc822;{recipient}"
    fields["Action"] = action
    fields["Status"] = status
    if remote_mta is not None:
        fields["Remote-MTA"] = f"dns; {remote_mta}"
    fields["Diagnostic-Code"] = f"smtp; {diagnostic}"
    return fields


def feedback_report(
    fields: Mapping[str, str],
    *,
    original: Message | None,
    headers_only: bool = False,
) -> bytes:
    """An ARF report (RFC 5965): human part, machine-readable fields, the reported message."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "feedback@fbl.mail.example"
    report["To"] = "fbl@acme.example"
    report["Subject"] = "FW: Spring offers"
    report.attach(
        MIMEText(
            "This is an email abuse report for an email message received from IP 198.51.100.7.\n"
        )
    )
    machine = Message()
    machine["Content-Type"] = "message/feedback-report"
    machine.set_payload([_fields(fields)])
    report.attach(machine)
    if original is not None:
        if headers_only:
            text = "".join(f"{name}: {value}\n" for name, value in original.items())
            report.attach(MIMEText(text, "rfc822-headers"))
        else:
            report.attach(MIMEMessage(original))
    return report.as_bytes()


def campaign_message(recipient: str, sender: str | None) -> Message:
    """The campaign message as the receiver stored it, Return-Path included when given."""
    message = MIMEText("Our spring offers are here.\n")
    if sender is not None:
        message["Return-Path"] = f"<{sender}>"
    message["From"] = "Acme News <news@acme.example>"
    message["To"] = recipient
    message["Subject"] = "Spring offers"
    message["Message-ID"] = "<20260401093000.4QkX1b2C3dz9sTx@acme.example>"
    return message


def arf_fields(**extra: str) -> dict[str, str]:
    fields = {
        "Feedback-Type": "abuse",
        "User-Agent": "ExampleFBL/1.0",
        "Version": "1",
        "Source-IP": "198.51.100.7",
        "Arrival-Date": "Wed, 1 Apr 2026 09:31:12 +0000",
        "Reported-Domain": "acme.example",
    }
    fields.update({name.replace("_", "-"): value for name, value in extra.items()})
    return fields
