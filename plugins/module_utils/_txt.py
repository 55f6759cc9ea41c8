# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""TXT record data: character-strings, zone-file quoting and tag lists."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "MAX_STRING",
    "TagListError",
    "join_strings",
    "parse_tag_list",
    "quote_string",
    "split_strings",
]

MAX_STRING = 255
"""Longest character-string in TXT RDATA, in octets (RFC 1035 §3.3.14)."""

_ASCII_ESCAPES = {
    code: (
        f"\\{chr(code)}"
        if chr(code) in '"\\'
        else chr(code)
        if 0x20 <= code < 0x7F
        else f"\\{code:03d}"
    )
    for code in range(128)
}
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class TagListError(ValueError):
    """A tag list that does not follow RFC 6376 §3.2."""


def split_strings(value: str, *, limit: int = MAX_STRING) -> list[str]:
    """Split a TXT value into character-strings of at most ``limit`` octets.

    A TXT RR holds one or more character-strings of up to 255 octets each
    (RFC 1035 §3.3.14), and DKIM, SPF and DMARC readers join them with no
    separator (RFC 6376 §3.6.2.2, RFC 7208 §3.3). The split points carry no
    meaning; only the joined value does. An empty value gives one empty
    string, since an RR needs at least one.

    :raises ValueError: when the value is not ASCII, since these records are.
    """
    if not value.isascii():
        raise ValueError("contains a character outside ASCII")
    if limit < 1 or limit > MAX_STRING:
        raise ValueError(f"limit must be between 1 and {MAX_STRING}")
    if not value:
        return [""]
    return [value[start : start + limit] for start in range(0, len(value), limit)]


def join_strings(strings: Iterable[str | bytes]) -> str:
    """Join the character-strings of one TXT RR with no separator (RFC 7208 §3.3).

    Bytes are decoded as Latin-1 so that every octet maps to one character
    and nothing is lost, which lets a caller see stray quotes or backslashes.
    """
    return "".join(
        part.decode("latin-1") if isinstance(part, bytes) else part for part in strings
    )


def quote_string(value: str) -> str:
    """Quote one character-string for a master file (RFC 1035 §5.1).

    ``"`` and ``\\`` are escaped with a backslash and any octet outside
    printable ASCII is written as ``\\DDD``.
    """
    if value.isascii():
        return f'"{value.translate(_ASCII_ESCAPES)}"'
    out = []
    for char in value:
        if char.isascii():
            out.append(char.translate(_ASCII_ESCAPES))
        else:
            out.extend(f"\\{octet:03d}" for octet in char.encode("utf-8"))
    return f'"{"".join(out)}"'


def parse_tag_list(value: str) -> dict[str, str]:
    """Parse a ``tag=value; tag=value`` list (RFC 6376 §3.2, reused by RFC 7489 §6.4).

    White space around tags, values and separators is dropped, a trailing
    ``;`` is allowed, tag names are case-sensitive and a repeated tag is an
    error. The order of the returned dict is the order in the record.

    :raises TagListError: with the reason.
    """
    tags: dict[str, str] = {}
    parts = value.split(";")
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    for part in parts:
        name, sep, tag_value = part.partition("=")
        name = name.strip()
        if not sep:
            raise TagListError(f"has a part without '=' ('{part.strip()}')")
        if not _TAG_NAME.match(name):
            raise TagListError(f"has an invalid tag name ('{name}')")
        if name in tags:
            raise TagListError(f"has the tag '{name}' more than once")
        tags[name] = re.sub(r"\s+", " ", tag_value.strip())
    return tags
