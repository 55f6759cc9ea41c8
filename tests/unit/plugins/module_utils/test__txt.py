# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from ansible_collections.mailfleet.stack.plugins.module_utils._txt import (
    TagListError,
    join_strings,
    parse_tag_list,
    quote_string,
    split_strings,
)

# FC-01: a 2048-bit key gives a 410-character value: 255 + 155.
KEY392 = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A" + "B" * 354 + "IDAQAB"
FC01_VALUE = f"v=DKIM1; k=rsa; p={KEY392}"

SPLITS: list[tuple[int, list[int]]] = [
    (0, [0]),
    (1, [1]),
    (255, [255]),
    (256, [255, 1]),
    (410, [255, 155]),
    (800, [255, 255, 255, 35]),
]

TAG_ERRORS: list[tuple[str, str]] = [
    ("v=DKIM1; k", "has a part without '=' ('k')"),
    ("v=DKIM1; =rsa", "has an invalid tag name ('')"),
    ("p=a; p=b", "has the tag 'p' more than once"),
    ("1x=y", "has an invalid tag name ('1x')"),
]


def test_fc01_value_is_410_characters() -> None:
    assert len(FC01_VALUE) == 410


@pytest.mark.parametrize("length, sizes", SPLITS)
def test_split_strings(length: int, sizes: list[int]) -> None:
    value = ("abcdefghij" * 100)[:length]
    parts = split_strings(value)
    assert [len(part) for part in parts] == sizes
    assert "".join(parts) == value


def test_split_refuses_non_ascii() -> None:
    with pytest.raises(ValueError, match=r"^contains a character outside ASCII$"):
        split_strings("v=spf1 é")


@pytest.mark.parametrize("value", [FC01_VALUE, 'a "quoted" \\ value', "tab\there", ""])
def test_quoted_strings_read_back_with_dnspython(value: str) -> None:
    # dnspython's master-file parser is the oracle for the quoting.
    text = " ".join(
        quote_string(part) for part in split_strings(value.replace("\t", " "))
    )
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, text)
    assert all(len(part) <= 255 for part in rdata.strings)
    assert join_strings(rdata.strings) == value.replace("\t", " ")


def test_quote_escapes_control_octets() -> None:
    assert quote_string("a\tb") == '"a\\009b"'


def test_parse_tag_list() -> None:
    assert parse_tag_list(" v = DKIM1 ;k=rsa;  p=AB CD ; ") == {
        "v": "DKIM1",
        "k": "rsa",
        "p": "AB CD",
    }


@pytest.mark.parametrize("value, error", TAG_ERRORS)
def test_parse_tag_list_refuses(value: str, error: str) -> None:
    with pytest.raises(TagListError, match=f"^{re.escape(error)}$"):
        parse_tag_list(value)


def test_quote_writes_non_ascii_as_utf8_octets() -> None:
    text = quote_string("café")
    assert text == '"caf\\195\\169"'
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, text)
    assert rdata.strings == ("café".encode(),)
