# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import pytest

from ansible_collections.mailfleet.stack.plugins.module_utils._dmarc import (
    DmarcError,
    format_record,
    is_dmarc_record,
    normalize_tags,
    parse_record,
    report_domains,
)

RECORDS: list[tuple[dict[str, object], str]] = [
    ({"p": "none"}, "v=DMARC1; p=none"),
    (
        {"rua": ["dmarc@example.com"], "p": "Reject", "adkim": "s"},
        "v=DMARC1; p=reject; adkim=s; rua=mailto:dmarc@example.com",
    ),
    (
        {"t": "y", "psd": "n", "np": "reject", "sp": "quarantine", "p": "quarantine"},
        "v=DMARC1; p=quarantine; sp=quarantine; np=reject; psd=n; t=y",
    ),
    (
        {"p": "none", "fo": "1:D", "rua": "mailto:a@example.com,b@example.net"},
        "v=DMARC1; p=none; fo=1:d; rua=mailto:a@example.com,mailto:b@example.net",
    ),
]

ERRORS: list[tuple[dict[str, object], str, str]] = [
    ({}, "p", "is required (RFC 7489 §6.3)"),
    ({"p": "block"}, "p", "must be one of none, quarantine, reject; got 'block'"),
    ({"p": "none", "adkim": "x"}, "adkim", "must be one of r, s; got 'x'"),
    ({"p": "none", "pct": 101}, "pct", "must be a whole number from 0 to 100; got 101"),
    (
        {"p": "none", "pct": "half"},
        "pct",
        "must be a whole number from 0 to 100; got 'half'",
    ),
    (
        {"p": "none", "ri": -1},
        "ri",
        "must be a whole number from 0 to 4294967295; got -1",
    ),
    (
        {"p": "none", "fo": "1:x"},
        "fo",
        "must be a ':'-separated list of 0, 1, d and s; got '1:x'",
    ),
    (
        {"p": "none", "rua": ["https://example.com/report"]},
        "rua",
        "must hold mailto: URIs; 'https://example.com/report' uses another scheme, which receivers need not support",
    ),
    ({"p": "none", "rua": ["nobody"]}, "rua", "must hold mail addresses; got 'nobody'"),
    (
        {"p": "none", "ruf": ["a,b@example.com"]},
        "ruf",
        "has an address whose local part needs escaping ('a,b@example.com'); use a plain address",
    ),
    (
        {"p": "none", "rua": ["a@*"]},
        "rua",
        "has an address whose domain '*' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        {"p": "none", "x": "1"},
        "x",
        "is not a DMARC tag; known tags are v, p, sp, np, adkim, aspf, pct, fo, rf, ri, rua, ruf, psd, t",
    ),
]


@pytest.mark.parametrize("tags, expected", RECORDS)
def test_records_in_stable_order(tags: dict[str, object], expected: str) -> None:
    checked, _warnings = normalize_tags(tags)
    assert format_record(checked) == expected


@pytest.mark.parametrize("tags, field, error", ERRORS)
def test_refused_tags_name_the_field(
    tags: dict[str, object], field: str, error: str
) -> None:
    with pytest.raises(DmarcError, match=f"^{re.escape(error)}$") as caught:
        normalize_tags(tags)
    assert caught.value.field == field


@pytest.mark.parametrize("tag, value", [("pct", 50), ("rf", "afrf"), ("ri", 86400)])
def test_removed_tags_warn(tag: str, value: object) -> None:
    _checked, warnings = normalize_tags({"p": "none", tag: value})
    assert warnings == [
        f"{tag}: the tag was removed by DMARCbis (RFC 9989); newer receivers ignore it"
    ]


def test_parse_round_trip_and_unknown_tags_ignored() -> None:
    tags, _warnings = parse_record(
        "v=DMARC1 ;p = quarantine; future=1; rua=mailto:d@example.com"
    )
    assert format_record(tags) == "v=DMARC1; p=quarantine; rua=mailto:d@example.com"


@pytest.mark.parametrize(
    "value", ["p=none; v=DMARC1", "v=DMARC2; p=none", "v=spf1 -all"]
)
def test_parse_refuses_non_dmarc(value: str) -> None:
    assert not is_dmarc_record(value)
    with pytest.raises(
        DmarcError, match=r"^must come first and be DMARC1 \(RFC 7489 §6\.4\)$"
    ):
        parse_record(value)


def test_report_domains() -> None:
    tags, _warnings = normalize_tags(
        {
            "p": "none",
            "rua": ["a@example.com", "b@example.net"],
            "ruf": ["c@example.net"],
        }
    )
    assert report_domains(tags) == ["example.com", "example.net"]
