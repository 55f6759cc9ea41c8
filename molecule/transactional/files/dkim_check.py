#!/usr/bin/env python3
# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify the DKIM signatures of messages against given key records.

Reads a JSON object on stdin: "records", mapping a record name such as
s1._domainkey.example.com to its TXT value, and "messages", a list of
base64 message files as dumped by smtp-sink. dkimpy, which did not make the
signatures, is the oracle. Prints, per message, the d= and s= of each
signature and whether the first one verifies. DNS is never asked.
"""

from __future__ import annotations

import base64
import json
import sys

import dkim


def main() -> int:
    spec = json.load(sys.stdin)
    records = {
        name.rstrip(".").lower(): value for name, value in spec["records"].items()
    }

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes | None:
        value = records.get(name.decode("ascii").rstrip(".").lower())
        return value.encode("ascii") if value is not None else None

    results = []
    for encoded in spec["messages"]:
        raw = base64.b64decode(encoded)
        # smtp-sink puts its X- lines and a Received header before the
        # message; the signed message starts at the first header it kept.
        signatures = []
        for header in dkim.DKIM(raw).headers:
            if header[0].lower() == b"dkim-signature":
                tags = dkim.util.parse_tag_value(b"".join(header[1].split()))
                signatures.append(
                    {
                        "d": tags.get(b"d", b"").decode(),
                        "s": tags.get(b"s", b"").decode(),
                        "c": tags.get(b"c", b"").decode(),
                        "h": tags.get(b"h", b"").decode(),
                    }
                )
        verified = bool(signatures) and dkim.verify(raw, dnsfunc=dnsfunc)
        results.append({"signatures": signatures, "verified": verified})
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
