#!/usr/bin/python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send one campaign message shaped like a real newsletter and report.

Reads a JSON object on stdin: host, port, tls ("none" or "starttls"),
sender, recipient, tag (the local part of the Message-ID, by which the
test finds the message again) and optionally login, password, header_from
(the From: address, by default the sender) and unsubscribe (false leaves
out the List-Unsubscribe headers).

The message is multipart/alternative: a plain text part and an HTML part
with an inline image (multipart/related), a UTF-8 subject and display
names, a line close to the 998-octet limit, and the one-click unsubscribe
headers of RFC 8058. Prints a JSON object with the code and text of each
SMTP step that was tried; a refused step ends the session.
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import ssl
import sys
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, localtime

# A 1x1 transparent PNG, the usual tracking-pixel size.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def build(spec: dict) -> EmailMessage:
    sender = spec.get("header_from", spec["sender"])
    local, domain = sender.split("@")
    message = EmailMessage()
    message["From"] = Address("Läden & Co \N{EN DASH} Neuigkeiten", local, domain)
    message["To"] = Address("Zoë Ærøskøbing", *spec["recipient"].split("@"))
    message["Subject"] = (
        "Frühlingsangebote: 20 % Rabatt auf alles ✉ \N{EN DASH} nur diese Woche"
    )
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = f"<{spec['tag']}@{domain}>"
    message["List-Id"] = f"Neuigkeiten <newsletter.{domain}>"
    if spec.get("unsubscribe", True):
        message["List-Unsubscribe"] = (
            f"<https://{domain}/unsubscribe/{spec['tag']}>, "
            f"<mailto:unsubscribe@{domain}?subject={spec['tag']}>"
        )
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # One line of 990 octets (the limit is 998 with CRLF, RFC 5322 2.1.1);
    # the HTML part goes as 8bit, so that it reaches the wire unwrapped.
    items = " · ".join(f"Artikel {n:03d}" for n in range(80))
    long_line = (
        ("<p>Unser Sortiment: " + items).encode()[:986].decode("utf-8", "ignore")
    )
    long_line += "</p>".rjust(990 - len(long_line.encode()))
    message.set_content(
        "Hallo Zoë,\n\n"
        "diese Woche gibt es 20 % Rabatt auf alles.\n\n"
        "Unser Sortiment: 80 Artikel, alle reduziert.\n\n"
        f"Abmelden: https://{domain}/unsubscribe/{spec['tag']}\n"
    )
    message.add_alternative(
        "<!DOCTYPE html><html><body>"
        "<p>Hallo Zoë,</p><p>diese Woche gibt es <b>20 % Rabatt</b> auf alles.</p>"
        '<p><img src="cid:pixel" alt="" width="1" height="1"></p>\n'
        f"{long_line}\n"
        f'<p><a href="https://{domain}/unsubscribe/{spec["tag"]}">Abmelden</a></p>'
        "</body></html>\n",
        subtype="html",
        cte="8bit",
    )
    html = message.get_payload()[1]
    html.add_related(PIXEL, maintype="image", subtype="png", cid="<pixel>")
    return message


def reply(code: int, text: bytes | str) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return {"code": code, "text": text}


def main() -> int:
    spec = json.load(sys.stdin)
    out: dict = {}
    client = smtplib.SMTP(spec["host"], spec["port"], timeout=30)
    try:
        client.ehlo("injector.lab.test")
        out["ehlo"] = sorted(client.esmtp_features)
        if spec.get("tls") == "starttls":
            context = ssl.create_default_context(cafile="/etc/mailfleet/tls/ca.crt")
            context.check_hostname = False
            out["starttls"] = reply(*client.starttls(context=context))
            client.ehlo("injector.lab.test")
        if spec.get("login"):
            out["auth"] = reply(*client.login(spec["login"], spec["password"]))
        for step, arg in (("mail", spec["sender"]), ("rcpt", spec["recipient"])):
            out[step] = reply(*getattr(client, step)(arg))
            if out[step]["code"] >= 400:
                return print_out(out)
        message = build(spec)
        # Headers fold at 998 octets, not 78: Python would otherwise write a
        # long List-Unsubscribe as RFC 2047 encoded words, which no
        # provider reads as a URI, and the node rightly refuses.
        wide = message.policy.clone(max_line_length=998)
        out["data"] = reply(*client.data(message.as_bytes(policy=wide)))
    except smtplib.SMTPResponseException as exc:
        out["refused"] = reply(exc.smtp_code, exc.smtp_error)
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
