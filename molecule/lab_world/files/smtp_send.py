#!/usr/bin/python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Walk one SMTP session as a sending MTA would and report each reply.

Reads a JSON object on stdin: host, port, helo, and optionally source (the
local address to connect from), starttls (true or false), sender,
recipients (a list) and message (the raw message, base64). Prints a JSON
object with the code and text of each step that was tried, or the error
that ended the session; a refused connection is reported as "connect".
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import ssl
import sys


def reply(code: int, text: bytes | str) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return {"code": code, "text": text}


def session(spec: dict, out: dict) -> None:
    source = (spec["source"], 0) if spec.get("source") else None
    try:
        client = smtplib.SMTP(timeout=30, source_address=source)
        # smtplib names the TLS peer after the host given to the
        # constructor, which would also connect before the banner is kept.
        client._host = spec["host"]
        out["banner"] = reply(*client.connect(spec["host"], spec.get("port", 25)))
    except OSError as exc:
        out["connect"] = type(exc).__name__
        return
    try:
        out["ehlo"] = reply(*client.ehlo(spec["helo"]))
        if spec.get("starttls"):
            context = ssl.create_default_context(cafile="/etc/mailfleet/tls/ca.crt")
            context.check_hostname = False
            out["starttls"] = reply(*client.starttls(context=context))
            client.ehlo(spec["helo"])
        if not spec.get("sender"):
            return
        out["mail"] = reply(*client.mail(spec["sender"]))
        if out["mail"]["code"] >= 400:
            return
        out["rcpt"] = [reply(*client.rcpt(rcpt)) for rcpt in spec["recipients"]]
        if not any(r["code"] < 400 for r in out["rcpt"]) or not spec.get("message"):
            return
        try:
            out["data"] = reply(*client.data(base64.b64decode(spec["message"])))
        except smtplib.SMTPResponseException as exc:
            out["data"] = reply(exc.smtp_code, exc.smtp_error)
    except smtplib.SMTPServerDisconnected as exc:
        out["disconnected"] = str(exc)
    except smtplib.SMTPException as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()


def main() -> int:
    out: dict = {}
    session(json.load(sys.stdin), out)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
