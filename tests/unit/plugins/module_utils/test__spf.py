# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import pytest

from ansible_collections.mailfleet.stack.plugins.module_utils._spf import (
    SpfError,
    count_lookups,
    describe_chain,
    heaviest_chain,
    is_spf_record,
    split_term,
)

# FC-18, as the field case gives it.
FC18: dict[str, dict[str, list]] = {
    "example.com": {
        "TXT": ["v=spf1 a mx include:s1.example.net include:s2.example.net ~all"],
        "A": ["192.0.2.1"],
        "MX": [(10, "mx.example.com")],
    },
    "mx.example.com": {"A": ["192.0.2.2"]},
    "s1.example.net": {
        "TXT": ["v=spf1 a:h1.example.net a:h2.example.net a:h3.example.net ~all"]
    },
    "s2.example.net": {
        "TXT": ["v=spf1 mx a:h4.example.net include:s3.example.net ~all"],
        "MX": [(10, "mx.s2.example.net")],
    },
    "mx.s2.example.net": {"A": ["192.0.2.3"]},
    "s3.example.net": {"TXT": ["v=spf1 a ~all"], "A": ["192.0.2.4"]},
    **{
        f"h{index}.example.net": {"A": [f"192.0.2.{10 + index}"]}
        for index in range(1, 5)
    },
}
FC18_TEN = {**FC18, "s3.example.net": {"TXT": ["v=spf1 ip4:192.0.2.0/24 ~all"]}}
OUTSIDER = "203.0.113.99"

SPF_VALUES: list[tuple[str, bool]] = [
    ("v=spf1 -all", True),
    ("V=SPF1 mx ~all", True),
    ("v=spf1", True),
    ("v=spf10 -all", False),
    ("v=DMARC1; p=none", False),
    ("google-site-verification=abc", False),
]

TERMS: list[tuple[str, tuple[str, str, str | None, bool]]] = [
    ("-include:a.example", ("-", "include", "a.example", False)),
    ("redirect=b.example", ("", "redirect", "b.example", True)),
    ("ip4:192.0.2.0/24", ("", "ip4", "192.0.2.0/24", False)),
    ("a/24", ("", "a", "/24", False)),
    ("MX", ("", "mx", None, False)),
    ("~all", ("~", "all", None, False)),
]

CHAIN_ERRORS: list[tuple[dict[str, list[str]], str]] = [
    (
        {
            "a.example": ["v=spf1 include:b.example -all"],
            "b.example": ["v=spf1 include:a.example -all"],
        },
        "a.example > include:b.example > include:a.example loops back to a record already on the chain",
    ),
    (
        {"a.example": ["v=spf1 include:b.example -all"], "b.example": ["some token"]},
        "a.example > include:b.example points to b.example, which has no SPF record (RFC 7208 §5.2: permerror)",
    ),
    (
        {
            "a.example": ["v=spf1 include:b.example -all"],
            "b.example": ["v=spf1 -all", "v=spf1 a -all"],
        },
        "a.example > include:b.example points to b.example, which has multiple SPF records (RFC 7208 §4.5: permerror)",
    ),
]


def _fetch(zone: dict[str, dict[str, list]]):
    def fetch(name: str) -> list[str] | None:
        return zone.get(name, {}).get("TXT")

    return fetch


@pytest.mark.parametrize("value, expected", SPF_VALUES)
def test_is_spf_record(value: str, expected: bool) -> None:
    assert is_spf_record(value) is expected


@pytest.mark.parametrize("term, expected", TERMS)
def test_split_term(term: str, expected: tuple) -> None:
    assert split_term(term) == expected


def test_fc18_counts_eleven_and_names_the_chain() -> None:
    tree = count_lookups(
        FC18["example.com"]["TXT"][0], _fetch(FC18), origin="example.com"
    )
    assert tree.total == 11
    assert (
        describe_chain(heaviest_chain(tree))
        == "include:s2.example.net (5) > include:s3.example.net (2)"
    )


def test_fc18_with_ip4_in_s3_counts_ten() -> None:
    tree = count_lookups(
        FC18_TEN["example.com"]["TXT"][0], _fetch(FC18_TEN), origin="example.com"
    )
    assert tree.total == 10


@pytest.mark.parametrize(
    "zone, verdict",
    [(FC18, "permerror"), (FC18_TEN, "softfail")],
    ids=["eleven", "ten"],
)
def test_fc18_verdict_matches_pyspf(pyspf_check, zone: dict, verdict: str) -> None:
    # pyspf evaluates the same records on its own; an address that matches
    # nothing makes it walk every term, so it meets the limit if we do.
    result, _code, explanation = pyspf_check(zone, "example.com", OUTSIDER)
    assert result == verdict, explanation


def test_unknown_include_counts_one_and_is_flagged() -> None:
    tree = count_lookups("v=spf1 include:spf.vendor.example -all", lambda _name: None)
    assert tree.total == 1
    assert tree.children[0].followed is False


def test_macro_targets_are_not_followed() -> None:
    tree = count_lookups(
        "v=spf1 exists:%{i}.spf.example include:%{d}.x.example -all", _fetch({})
    )
    assert tree.total == 2


def test_redirect_counts_with_its_target() -> None:
    zone = {"b.example": {"TXT": ["v=spf1 a mx -all"]}}
    assert count_lookups("v=spf1 redirect=b.example", _fetch(zone)).total == 3


@pytest.mark.parametrize("zone, error", CHAIN_ERRORS, ids=["loop", "no-spf", "two-spf"])
def test_chain_errors(zone: dict[str, list[str]], error: str) -> None:
    with pytest.raises(SpfError, match=f"^{re.escape(error)}$"):
        count_lookups(zone["a.example"][0], zone.get, origin="a.example")
