#!/usr/bin/python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find a message kept by the lab's world host, and say how it was judged.

Usage: inbox.py MAILDIR MARKER, where MAILDIR is one recipient's Maildir
(.../mail/<domain>/<localpart>) and MARKER a string the message carries.
Prints JSON: how many messages carry the marker and, for the newest, its
Authentication-Results, Received and DKIM-Signature headers (unfolded),
its decoded Subject and From, and its longest line in octets. Exits 1
when no message carries the marker.
"""

from __future__ import annotations

import email
import email.policy
import json
import sys
from pathlib import Path


def unfold(values: list[str] | None) -> list[str]:
    return [" ".join(str(value).split()) for value in values or []]


def main() -> int:
    maildir, marker = Path(sys.argv[1]), sys.argv[2].encode()
    found = sorted(
        (path for path in maildir.glob("new/*") if marker in path.read_bytes()),
        key=lambda path: path.stat().st_mtime,
    )
    out: dict = {"count": len(found)}
    if found:
        raw = found[-1].read_bytes()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        out.update(
            {
                "authentication_results": unfold(
                    message.get_all("Authentication-Results")
                ),
                "received": unfold(message.get_all("Received")),
                "dkim_signature": unfold(message.get_all("DKIM-Signature")),
                "subject": str(message["Subject"]),
                "from": str(message["From"]),
                "return_path": str(message["Return-Path"] or ""),
                "longest_line": max(
                    len(line)
                    for line in raw.split(b"\r\n" if b"\r\n" in raw else b"\n")
                ),
            }
        )
    json.dump(out, sys.stdout)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
