"""Write two DKIM-signed test messages: one intact, one altered after signing.

Usage: dkim_messages.py KEY DOMAIN SELECTOR SENDER RECIPIENT NONCE OUTDIR

dkimpy (the test suite's DKIM oracle) signs with the throwaway key whose
public half the lab DNS serves. The altered copy changes the body, so any
verifier must find that the body hash no longer matches.
"""

from __future__ import annotations

import sys
from email.utils import formatdate
from pathlib import Path

import dkim


def main() -> None:
    key, domain, selector, sender, recipient, nonce, outdir = sys.argv[1:8]
    body = (
        "Your order of three reams of paper has been shipped today.\r\n"
        "The invoice of 100 EUR is attached to your account page, and the\r\n"
        "parcel should arrive within two working days at the front desk.\r\n"
    )
    for name in ("intact", "altered"):
        head = (
            f"From: Shop <{sender}>\r\n"
            f"To: <{recipient}>\r\n"
            f"Subject: Order shipped ({name} {nonce})\r\n"
            f"Date: {formatdate(localtime=False)}\r\n"
            f"Message-ID: <{name}.{nonce}@{domain}>\r\n"
        )
        message = (head + "\r\n" + body).encode()
        signature = dkim.sign(
            message,
            selector.encode(),
            domain.encode(),
            Path(key).read_bytes(),
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
        )
        signed = signature + message
        if name == "altered":
            signed = signed.replace(b"100 EUR", b"900 EUR")
        Path(outdir, f"{name}.eml").write_bytes(signed)


if __name__ == "__main__":
    main()
