#!/usr/bin/python3
"""Offer RCPT TO commands to an SMTP server and report each reply.

Usage: rcpt_probe.py HOST PORT HELO MAIL_FROM RCPT...

Each recipient is tried in its own transaction (MAIL, RCPT, RSET), with
the address written verbatim between angle brackets, so that relay tricks
such as source routes or quoted local parts reach the server unchanged.
Prints a JSON list of {"rcpt", "code", "reply"}; never sends DATA.
"""

import json
import smtplib
import sys


def main() -> None:
    host, port, helo, sender, *recipients = sys.argv[1:]
    results = []
    with smtplib.SMTP(host, int(port), local_hostname=helo, timeout=30) as smtp:
        smtp.ehlo()
        for rcpt in recipients:
            code, reply = smtp.docmd(f"MAIL FROM:<{sender}>")
            if code == 250:
                code, reply = smtp.docmd(f"RCPT TO:<{rcpt}>")
            results.append(
                {"rcpt": rcpt, "code": code, "reply": reply.decode(errors="replace")}
            )
            smtp.rset()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
