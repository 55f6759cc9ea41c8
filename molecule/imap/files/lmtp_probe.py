#!/usr/bin/python3
"""Deliver one message over LMTP and print every reply code as JSON.

Usage: lmtp_probe.py HOST PORT RECIPIENT SUBJECT [HEADER:VALUE] [--size N]
"""

import argparse
import json
import smtplib
from email.message import EmailMessage


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("recipient")
    parser.add_argument("subject")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--size", type=int, default=0)
    args = parser.parse_args()

    msg = EmailMessage()
    msg["From"] = "probe@client.lab.test"
    msg["To"] = args.recipient
    msg["Subject"] = args.subject
    for header in args.header:
        name, _, value = header.partition(":")
        msg[name.strip()] = value.strip()
    body = "A probe of the mailfleet imap scenario.\n"
    body += "x" * 72 + "\n" if args.size else ""
    while len(body) < args.size:
        body += "x" * 72 + "\n"
    msg.set_content(body)

    result = {"rcpt": None, "data": None}
    try:
        with smtplib.LMTP(args.host, args.port, timeout=30) as lmtp:
            result["lhlo"] = lmtp.ehlo()[0]
            lmtp.mail("probe@client.lab.test")
            code, text = lmtp.rcpt(args.recipient)
            result["rcpt"] = [code, text.decode()]
            if code == 250:
                code, text = lmtp.data(msg.as_bytes())
                result["data"] = [code, text.decode()]
    except OSError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
