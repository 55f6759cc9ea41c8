# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a DKIM-signed test message, as a sending domain's signer would.

Reads a JSON object on stdin: key (a PEM private key), domain, selector,
header_from, to, subject and message_id. Prints the signed message, base64.
dkimpy, which the role under test does not use, is the signer; a key that
is not the one the domain publishes makes a signature that fails.
"""

from __future__ import annotations

import base64
import json
import sys
from email.utils import formatdate

import dkim


def main() -> int:
    spec = json.load(sys.stdin)
    head = (
        f"From: Sender News <{spec['header_from']}>\r\n"
        f"To: <{spec['to']}>\r\n"
        f"Subject: {spec['subject']}\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: <{spec['message_id']}>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
    )
    body = (
        "Your parcel left our warehouse this morning and should arrive\r\n"
        "within two working days. Track it from your account page.\r\n"
    )
    message = (head + "\r\n" + body).encode()
    signature = dkim.sign(
        message,
        spec["selector"].encode(),
        spec["domain"].encode(),
        spec["key"].encode(),
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
    )
    sys.stdout.write(base64.b64encode(signature + message).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
