#!/usr/bin/python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walk one SMTP session as a submitting client would and report each reply.

Reads a JSON object on stdin: host, port, tls ("none", "starttls" or
"implicit"), and optionally helo (by default probe.lab.test), login,
password, sender, recipient, subject, header_from (the From: header, by
default the sender) and body.
Prints a JSON object with the EHLO keywords before and after TLS and the
code and text of each step that was tried. A refused step ends the session.
"""

from __future__ import annotations

import contextlib
import json
import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def reply(code: int, text: bytes | str) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return {"code": code, "text": text}


def main() -> int:
    spec = json.load(sys.stdin)
    out: dict = {}
    context = ssl.create_default_context(cafile="/etc/mailfleet/tls/ca.crt")
    context.check_hostname = False
    if spec.get("tls") == "implicit":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            spec["host"], spec["port"], context=context, timeout=30
        )
    else:
        client = smtplib.SMTP(spec["host"], spec["port"], timeout=30)
    helo = spec.get("helo", "probe.lab.test")
    try:
        client.ehlo(helo)
        out["ehlo"] = sorted(client.esmtp_features)
        if spec.get("tls") == "starttls":
            out["starttls"] = reply(*client.starttls(context=context))
            client.ehlo(helo)
            out["ehlo_tls"] = sorted(client.esmtp_features)
        if spec.get("login"):
            try:
                out["auth"] = reply(*client.login(spec["login"], spec["password"]))
            except smtplib.SMTPResponseException as exc:
                out["auth"] = reply(exc.smtp_code, exc.smtp_error)
                return print_out(out)
        if not spec.get("sender"):
            return print_out(out)
        for step, args in (
            ("mail", ("mail", spec["sender"])),
            ("rcpt", ("rcpt", spec["recipient"])),
        ):
            out[step] = reply(*getattr(client, args[0])(args[1]))
            if out[step]["code"] >= 400:
                return print_out(out)
        message = EmailMessage()
        message["From"] = spec.get("header_from", spec["sender"])
        message["To"] = spec["recipient"]
        message["Subject"] = spec.get("subject", "probe")
        message["Date"] = formatdate()
        message["Message-ID"] = make_msgid(domain=helo)
        message.set_content(
            spec.get("body", f"{spec.get('subject', 'probe')}\nA test body.\n")
        )
        try:
            out["data"] = reply(*client.data(message.as_bytes()))
        except smtplib.SMTPResponseException as exc:
            out["data"] = reply(exc.smtp_code, exc.smtp_error)
    except smtplib.SMTPServerDisconnected as exc:
        out["disconnected"] = str(exc)
    except smtplib.SMTPException as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
    return print_out(out)


def print_out(out: dict) -> int:
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
