#!/usr/bin/python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send a report back to the bulk node, as a provider does, and print the replies.

Reads a JSON object on stdin: host, to (the campaign's return path),
recipient (the address the report is about), kind ("dsn" for a delivery
status notification from the null sender, "arf" for a complaint, RFC 5965)
and, for a DSN, status and diagnostic. Prints a JSON object with the code
and text of each SMTP step; a refused step ends the session.
"""

from __future__ import annotations

import json
import smtplib
import sys
from email import policy
from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, localtime

PROVIDER = "mx.provider.lab.test"
# Lines end in CRLF on the wire: the node refuses bare newlines from
# outside its networks.
WIRE = policy.compat32.clone(linesep="\r\n")


def _block(fields: dict[str, str]) -> Message:
    block = Message()
    for name, value in fields.items():
        block[name] = value
    return block


def _report(kind: str, sender: str, to: str, subject: str, text: str) -> MIMEMultipart:
    """A multipart/report (RFC 6522) with its human-readable part."""
    report = MIMEMultipart("report", report_type=kind)
    report["From"] = sender
    report["To"] = to
    report["Subject"] = subject
    report["Date"] = format_datetime(localtime())
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(text))
    return report


def dsn(spec: dict) -> bytes:
    """A DSN (RFC 3464) as a receiving MTA sends one after accepting the message."""
    report = _report(
        "delivery-status",
        f"Mail Delivery System <MAILER-DAEMON@{PROVIDER}>",
        spec["to"],
        "Undelivered Mail Returned to Sender",
        "Your message could not be delivered.\n",
    )
    status = Message()
    status["Content-Type"] = "message/delivery-status"
    status.set_payload(
        [
            _block({"Reporting-MTA": f"dns; {PROVIDER}"}),
            _block(
                {
                    "Final-Recipient": f"rfc822; {spec['recipient']}",
                    "Action": "failed",
                    "Status": spec["status"],
                    "Remote-MTA": f"dns; {PROVIDER}",
                    "Diagnostic-Code": f"smtp; {spec['diagnostic']}",
                }
            ),
        ]
    )
    report.attach(status)
    return report.as_bytes(policy=WIRE)


def arf(spec: dict) -> bytes:
    """A complaint (RFC 5965) with the reported message, as a feedback loop sends it."""
    report = _report(
        "feedback-report",
        f"Feedback Loop <fbl@{PROVIDER}>",
        spec["to"],
        "Complaint about a message",
        "A user of ours reported this message as spam.\n",
    )
    machine = Message()
    machine["Content-Type"] = "message/feedback-report"
    machine.set_payload(
        [
            _block(
                {
                    "Feedback-Type": "abuse",
                    "User-Agent": "LabFBL/1.0",
                    "Version": "1",
                    "Original-Rcpt-To": spec["recipient"],
                }
            )
        ]
    )
    report.attach(machine)
    original = MIMEText("Our spring offers.\n")
    original["Return-Path"] = f"<{spec['to']}>"
    original["From"] = "news@news.example.com"
    original["To"] = spec["recipient"]
    original["Subject"] = "Spring offers"
    report.attach(MIMEMessage(original))
    return report.as_bytes(policy=WIRE)


def main() -> int:
    spec = json.load(sys.stdin)
    message = dsn(spec) if spec["kind"] == "dsn" else arf(spec)
    sender = "" if spec["kind"] == "dsn" else f"fbl@{PROVIDER}"
    out: dict[str, object] = {}
    with smtplib.SMTP(spec["host"], 25, timeout=30) as client:
        client.ehlo(PROVIDER)
        for step, call in (
            ("mail", lambda: client.mail(sender)),
            ("rcpt", lambda: client.rcpt(spec["to"])),
            ("data", lambda: client.data(message)),
        ):
            code, text = call()
            out[step] = {"code": code, "text": text.decode("utf-8", "replace")}
            if code >= 400:
                break
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
