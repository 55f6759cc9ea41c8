#!/usr/bin/python3
"""Log in over IMAPS and count the messages with a subject per mailbox.

Prints JSON: the login outcome, the TLS version and, per mailbox, how
many messages carry the subject.
"""

import argparse
import imaplib
import json
import ssl


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("--cafile", default="/etc/mailfleet/tls/ca.crt")
    parser.add_argument("--subject", default="")
    parser.add_argument("--mailbox", action="append", default=[])
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.cafile)
    result = {"login": None, "found": {}}
    try:
        with imaplib.IMAP4_SSL(
            args.host, args.port, ssl_context=context, timeout=30
        ) as imap:
            result["tls"] = imap.sock.version()
            try:
                imap.login(args.user, args.password)
            except imaplib.IMAP4.error as exc:
                result["login"] = "refused"
                result["error"] = str(exc)
            else:
                result["login"] = "ok"
                for mailbox in args.mailbox:
                    status, _ = imap.select(mailbox, readonly=True)
                    if status != "OK":
                        result["found"][mailbox] = None
                        continue
                    # imaplib sends arguments as they are: quote the phrase.
                    phrase = (
                        '"'
                        + args.subject.replace("\\", "\\\\").replace('"', '\\"')
                        + '"'
                    )
                    _, data = imap.search(None, "HEADER", "Subject", phrase)
                    result["found"][mailbox] = len(data[0].split())
                imap.logout()
    except (OSError, ssl.SSLError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
