#!/usr/bin/python3
"""Run one SMTP session step by step and report every reply as JSON.

Usage: session_probe.py HOST PORT [--starttls | --tls-on-connect]
       [--user LOGIN] [--from ADDR] [--to ADDR] [--subject TEXT]
       [--quit-after {ehlo,auth,mail,rcpt}]

The password of --user comes from the environment variable PROBE_PASSWORD,
so that it never shows in a process list. The session stops at the first
reply that is not a success. Certificates are not checked here: the verify
step checks them separately with openssl.
"""

import argparse
import base64
import json
import os
import smtplib
import ssl
import sys


def reply(code: int, text: bytes) -> dict:
    return {"code": code, "text": text.decode(errors="replace")}


def run(args: argparse.Namespace) -> dict:
    out: dict = {}
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if args.tls_on_connect:
        smtp = smtplib.SMTP_SSL(
            args.host, args.port, local_hostname=args.helo, timeout=60, context=context
        )
    else:
        smtp = smtplib.SMTP(args.host, args.port, local_hostname=args.helo, timeout=60)
    with smtp:
        out["ehlo"] = reply(*smtp.ehlo())
        out["features"] = sorted(smtp.esmtp_features)
        out["auth_offered"] = smtp.esmtp_features.get("auth", "").strip()
        if args.starttls:
            out["starttls"] = reply(*smtp.starttls(context=context))
            smtp.ehlo()
            out["features_tls"] = sorted(smtp.esmtp_features)
            out["auth_offered_tls"] = smtp.esmtp_features.get("auth", "").strip()
        if isinstance(smtp.sock, ssl.SSLSocket):
            out["tls_version"] = smtp.sock.version()
        if args.quit_after == "ehlo":
            return out
        if args.user:
            secret = f"\0{args.user}\0{os.environ['PROBE_PASSWORD']}".encode()
            out["auth"] = reply(
                *smtp.docmd("AUTH", "PLAIN " + base64.b64encode(secret).decode())
            )
            if out["auth"]["code"] != 235 or args.quit_after == "auth":
                return out
        out["mail"] = reply(*smtp.docmd(f"MAIL FROM:<{args.sender}>"))
        if out["mail"]["code"] != 250 or args.quit_after == "mail":
            return out
        out["rcpt"] = reply(*smtp.docmd(f"RCPT TO:<{args.to}>"))
        if out["rcpt"]["code"] not in (250, 251) or args.quit_after == "rcpt":
            return out
        out["data"] = reply(*smtp.docmd("DATA"))
        if out["data"]["code"] != 354:
            return out
        message = (
            f"From: <{args.sender}>\r\nTo: <{args.to}>\r\n"
            f"Subject: {args.subject}\r\n\r\nA test message.\r\n.\r\n"
        )
        smtp.send(message.encode())
        out["end_of_data"] = reply(*smtp.getreply())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--helo", default="outside.lab.test")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--tls-on-connect", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--from", dest="sender", default="")
    parser.add_argument("--to", default="")
    parser.add_argument("--subject", default="probe")
    parser.add_argument("--quit-after", choices=["ehlo", "auth", "mail", "rcpt"])
    json.dump(run(parser.parse_args(sys.argv[1:])), sys.stdout)


if __name__ == "__main__":
    main()
