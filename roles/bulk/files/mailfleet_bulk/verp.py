# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Signed VERP return paths: which recipient, and which campaign, a bounce is about.

Each campaign message has one recipient. Its envelope sender carries a token
that names that recipient, and the campaign when there is one, under the
bounce subdomain of the sending domain::

    b+jane.doe=example.com=spring26=6dq3xq7a@bounces.acme.example

The local part is the prefix ``b+`` and then fields joined by ``=``:

1. the recipient's local part, exactly as given;
2. the recipient's domain, lowercased (RFC 5321 §2.4: domains are
   case-insensitive);
3. the campaign, only when there is one;
4. the tag: the first 40 bits of an HMAC-SHA256 (RFC 2104) over the
   recipient and the campaign, as 8 characters of lowercase base32
   (RFC 4648 §6).

A field keeps ``a-z``, ``0-9``, ``-``, ``_``, ``+`` and single dots as they are.
Every other octet of its UTF-8 form, upper-case letters included, is written
as ``~`` and two lowercase hex digits. So a token never holds an upper-case
letter: a receiver that lowercases the local part changes nothing, and
:func:`decode` reads a token that was upper-cased as well. Every token is a
``dot-atom`` (RFC 5322 §3.2.3), so it never needs quoting.

Length: RFC 5321 §4.5.3.1.1 allows 64 octets in a local part. The prefix,
the separators and the tag take 11 of them (12 with a campaign), so a
recipient of up to 53 octets fits when it needs no escapes, less the
campaign's length and one for its separator. No reversible encoding can fit
every address of up to 254 octets into 64, so :func:`encode` raises
:class:`VerpError` instead of making a longer token. The sender then uses the
bare return path ``b@<bounce domain>`` for that message, and its bounces
are matched on the report's recipient fields alone. Keep campaign names short.

Forgery: 40 bits mean that, without the secret, a forged bounce names the
recipient that its tag claims with a chance of one in 2**40; every guess
costs the forger a message to our MX.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import string
from pathlib import Path

from ._address import canonical

__all__ = [
    "MAX_LOCAL_PART",
    "MIN_SECRET",
    "PREFIX",
    "VerpError",
    "decode",
    "encode",
    "is_token",
    "load_secret",
    "return_path",
]

PREFIX = "b+"
"""What every token starts with: the bounce mailbox ``b`` and Postfix's ``recipient_delimiter``."""

MAX_LOCAL_PART = 64
"""Octets allowed in a local part (RFC 5321 §4.5.3.1.1)."""

MIN_SECRET = 16
"""The shortest secret accepted, in octets."""

_TAG_BYTES = 5
_TAG_LENGTH = 8
_TAG_ALPHABET = frozenset(string.ascii_lowercase + "234567")
_LITERAL = frozenset(string.ascii_lowercase + string.digits + "-_+")
_HEX = frozenset("0123456789abcdef")
_SEPARATOR = "="
_ESCAPE = "~"
_CONTEXT = b"mailfleet_bulk.verp 1"


class VerpError(ValueError):
    """A token that is malformed or forged, or a recipient that no token can carry."""


def _escape(text: str) -> str:
    out: list[str] = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in _LITERAL or (char == "." and not (out and out[-1] == ".")):
            out.append(char)
        else:
            out.append(f"{_ESCAPE}{byte:02x}")
    return "".join(out)


def _unescape(field: str) -> str:
    octets = bytearray()
    index = 0
    while index < len(field):
        char = field[index]
        if char == _ESCAPE:
            pair = field[index + 1 : index + 3]
            if len(pair) != 2 or not set(pair) <= _HEX:
                raise VerpError(
                    f"a '~' must be followed by two hex digits; got {field!r}"
                )
            octets.append(int(pair, 16))
            index += 3
            continue
        if char not in _LITERAL and char != ".":
            raise VerpError(f"a token field may not hold {char!r}; got {field!r}")
        octets.append(ord(char))
        index += 1
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError:
        raise VerpError(
            f"a token field must be UTF-8 once unescaped; got {field!r}"
        ) from None


def _tag(secret: bytes, recipient: str, campaign: str | None) -> str:
    fields = [_CONTEXT, recipient.encode("utf-8"), (campaign or "").encode("utf-8")]
    message = b"".join(len(field).to_bytes(4, "big") + field for field in fields)
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:_TAG_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes):
        raise TypeError(f"secret must be bytes; got {type(secret).__name__}")
    if len(secret) < MIN_SECRET:
        raise VerpError(
            f"secret must be at least {MIN_SECRET} octets; got {len(secret)}"
        )


def _body(recipient: str, campaign: str | None) -> str:
    local, _, domain = recipient.rpartition("@")
    fields = [local, domain] if campaign is None else [local, domain, campaign]
    return _SEPARATOR.join(_escape(field) for field in fields)


def encode(recipient: str, *, secret: bytes, campaign: str | None = None) -> str:
    """Return the local part ``b+...`` that names ``recipient`` and ``campaign``.

    The recipient's domain is lowercased; its local part is kept exactly. Raise
    :class:`VerpError` when the recipient is not ``local@domain``, when the
    campaign is empty, or when the token would pass 64 octets.
    """
    _check_secret(secret)
    try:
        address = canonical(recipient)
    except ValueError as exc:
        raise VerpError(str(exc)) from None
    if campaign == "":
        raise VerpError("campaign must be a non-empty string or None; got ''")
    try:
        body = _body(address, campaign)
    except UnicodeEncodeError:
        raise VerpError(
            f"recipient and campaign must be encodable as UTF-8; got {recipient!r}"
        ) from None
    token = f"{PREFIX}{body}{_SEPARATOR}{_tag(secret, address, campaign)}"
    if len(token) > MAX_LOCAL_PART:
        raise VerpError(
            f"a VERP token for {address!r} needs {len(token)} octets; a local part may have {MAX_LOCAL_PART}"
        )
    return token


def return_path(
    recipient: str, bounce_domain: str, *, secret: bytes, campaign: str | None = None
) -> str:
    """Return the envelope sender ``b+...@bounce_domain`` for one campaign message."""
    domain = bounce_domain.strip().lower()
    if not domain or "@" in domain:
        raise VerpError(f"bounce_domain must be a domain name; got {bounce_domain!r}")
    return f"{encode(recipient, secret=secret, campaign=campaign)}@{domain}"


def _local_part(address: str) -> str:
    text = address.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return text.rpartition("@")[0] if "@" in text else text


def is_token(address: str) -> bool:
    """Tell whether an address, or a local part alone, has the form of a token (not whether it is genuine)."""
    return _local_part(address).lower().startswith(PREFIX)


def decode(local_part: str, *, secret: bytes) -> tuple[str, str | None]:
    """Return ``(recipient, campaign)`` from a token made by :func:`encode` with ``secret``.

    ``local_part`` may also be a whole address. Case does not matter. Raise
    :class:`VerpError` when it is not a token, or when its tag does not match:
    the token was altered, or made with another secret.
    """
    _check_secret(secret)
    text = _local_part(local_part).lower()
    if not text.isascii():
        raise VerpError(f"a VERP token is ASCII; got {local_part!r}")
    if not text.startswith(PREFIX):
        raise VerpError(f"a VERP token starts with {PREFIX!r}; got {local_part!r}")
    *body, tag = text[len(PREFIX) :].split(_SEPARATOR)
    if (
        len(body) not in (2, 3)
        or len(tag) != _TAG_LENGTH
        or not set(tag) <= _TAG_ALPHABET
    ):
        raise VerpError(
            f"a VERP token is b+local=domain[=campaign]=tag; got {local_part!r}"
        )
    local, domain, *rest = (_unescape(field) for field in body)
    campaign = rest[0] if rest else None
    if not local or not domain or campaign == "":
        raise VerpError(f"a VERP token has no empty fields; got {local_part!r}")
    recipient = f"{local}@{domain}"
    # One spelling per token: a field escaped another way is not one we made.
    if _body(recipient, campaign) != _SEPARATOR.join(body):
        raise VerpError(
            f"a VERP token must be spelled as encode() spells it; got {local_part!r}"
        )
    if not hmac.compare_digest(_tag(secret, recipient, campaign), tag):
        raise VerpError(
            f"the VERP token's tag does not match: altered, or made with another secret; got {local_part!r}"
        )
    return recipient, campaign


def load_secret(path: str | os.PathLike[str]) -> bytes:
    """Read the VERP secret from a file: its content without surrounding whitespace.

    The sender that encodes and the bounce parser that decodes must read the
    secret the same way, so both use this function.
    """
    secret = Path(path).read_bytes().strip()
    if len(secret) < MIN_SECRET:
        raise VerpError(
            f"the secret in {os.fspath(path)} must be at least {MIN_SECRET} octets; got {len(secret)}"
        )
    return secret
