# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.spf_record"

RECORDS: list[tuple[list[str], dict[str, object], str]] = [
    (["198.51.100.20"], {}, "v=spf1 ip4:198.51.100.20 ~all"),
    (
        ["198.51.100.0/24", "2001:DB8:20::/64", "2001:db8::0001"],
        {"policy": "-all"},
        "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:20::/64 ip6:2001:db8::1 -all",
    ),
    (
        ["198.51.100.20", "198.51.100.20"],
        {"includes": ["_spf.vendor.example."]},
        "v=spf1 ip4:198.51.100.20 include:_spf.vendor.example ~all",
    ),
    (
        [],
        {"mechanisms": ["mx", "a:mail.example.com"], "policy": "?all"},
        "v=spf1 mx a:mail.example.com ?all",
    ),
]

LONG = [f"2001:db8::{index:x}" for index in range(1, 30)]
LONG_VALUE = " ".join(["v=spf1", *(f"ip6:{ip}" for ip in LONG), "~all"])

REFUSED: list[tuple[list[str], dict[str, object], str]] = [
    (
        ["198.51.100.20"],
        {"policy": "+all"},
        "example.com policy: +all lets every host on the internet send as the domain; expected one of -all, ~all, ?all",
    ),
    (
        ["198.51.100.20"],
        {"mechanisms": ["ptr"]},
        "example.com mechanisms: ptr is refused: it is slow and unreliable, and RFC 7208 §5.5 says not to use it",
    ),
    (
        ["198.51.100.20"],
        {"mechanisms": ["~ptr:example.com"]},
        "example.com mechanisms: ptr is refused: it is slow and unreliable, and RFC 7208 §5.5 says not to use it",
    ),
    (
        ["198.51.100.300"],
        {},
        "example.com ips: '198.51.100.300' is a malformed address; expected an IPv4 or IPv6 address or a network without host bits",
    ),
    (
        ["198.51.100.20/24"],
        {},
        "example.com ips: '198.51.100.20/24' is a malformed address; expected an IPv4 or IPv6 address or a network without host bits",
    ),
    (
        LONG,
        {},
        f"example.com ips: gives a value of {len(LONG_VALUE)} octets, over 450; RFC 7208 §3.4 advises keeping the answer small; use networks or an include",
    ),
    (
        [],
        {"includes": [f"s{index}.example.net" for index in range(11)]},
        "example.com includes: needs 11 DNS lookups, over the limit of 10 (RFC 7208 §4.6.4); heaviest include chain: include:s0.example.net (1)",
    ),
    (
        [],
        {"includes": ["*.example.net"]},
        "example.com includes: '*.example.net' is a wildcard; list each domain by name, "
        "since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        [],
        {"existing": ["v=spf1 redirect=_spf.example.com"]},
        "example.com existing: the existing record 'v=spf1 redirect=_spf.example.com' uses redirect=; merge it by hand",
    ),
]

# FC-18, written as include records known to the filter.
FC18_KNOWN = {
    "s1.example.net": "v=spf1 a:h1.example.net a:h2.example.net a:h3.example.net ~all",
    "s2.example.net": "v=spf1 mx a:h4.example.net include:s3.example.net ~all",
    "s3.example.net": "v=spf1 a ~all",
}


@pytest.fixture
def spf_record():
    return filter_loader.get(FQCN).j2_function


@pytest.mark.parametrize("ips, options, expected", RECORDS)
def test_records(
    spf_record, pyspf_check, ips: list[str], options: dict[str, object], expected: str
) -> None:
    result = spf_record(ips, "example.com", **options)
    assert result["value"] == expected
    assert "".join(result["strings"]) == expected
    # pyspf, which did not write it, reads the record and passes each listed address.
    zone = {
        "example.com": {"TXT": [result["value"]], "MX": [], "A": []},
        "_spf.vendor.example": {"TXT": ["v=spf1 -all"]},
        "mail.example.com": {"A": []},
    }
    for ip in ips:
        address = ip.split("/")[0]
        assert pyspf_check(zone, "example.com", address)[0] == "pass"


def test_unlisted_address_gets_the_policy(spf_record, pyspf_check) -> None:
    value = spf_record(["198.51.100.20"], "example.com", policy="-all")["value"]
    assert (
        pyspf_check({"example.com": {"TXT": [value]}}, "example.com", "198.51.100.21")[
            0
        ]
        == "fail"
    )


@pytest.mark.parametrize("ips, options, error", REFUSED)
def test_refused(
    spf_record, ips: list[str], options: dict[str, object], error: str
) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(f'{FQCN}: {error}')}$"):
        spf_record(ips, "example.com", **options)


def test_fc17_merges_existing_spf_records_into_one(spf_record, pyspf_check) -> None:
    existing = ["v=spf1 mx ~all", ["v=spf1 a ", "~all"], "google-site-verification=abc"]
    result = spf_record(["198.51.100.20"], "example.com", existing=existing)
    assert result["value"] == "v=spf1 mx a ip4:198.51.100.20 ~all"
    assert result["replaces"] == ["v=spf1 mx ~all", "v=spf1 a ~all"]
    # Published in place of the two, the name holds one SPF record and the token.
    zone = {
        "example.com": {
            "TXT": [result["value"], "google-site-verification=abc"],
            "MX": [(10, "mx.example.com")],
            "A": ["192.0.2.1"],
        },
        "mx.example.com": {"A": ["192.0.2.2"]},
    }
    for ip in ("198.51.100.20", "192.0.2.1", "192.0.2.2"):
        assert pyspf_check(zone, "example.com", ip)[0] == "pass"


def test_fc18_is_refused_with_the_chain(spf_record) -> None:
    error = (
        f"{FQCN}: example.com includes: needs 11 DNS lookups, over the limit of 10 (RFC 7208 §4.6.4); "
        "heaviest include chain: include:s2.example.net (5) > include:s3.example.net (2)"
    )
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(error)}$"):
        spf_record(
            [],
            "example.com",
            mechanisms=["a", "mx"],
            includes=["s1.example.net", "s2.example.net"],
            known_records=FC18_KNOWN,
        )


def test_fc18_at_ten_lookups_is_valid(spf_record) -> None:
    known = {**FC18_KNOWN, "s3.example.net": "v=spf1 ip4:192.0.2.0/24 ~all"}
    result = spf_record(
        [],
        "example.com",
        mechanisms=["a", "mx"],
        includes=["s1.example.net", "s2.example.net"],
        known_records=known,
    )
    assert result["lookups"] == 10


def test_long_value_comes_split() -> None:
    spf_record = filter_loader.get(FQCN).j2_function
    result = spf_record(
        [f"2001:db8::{index:x}" for index in range(1, 22)], "example.com"
    )
    assert len(result["value"]) > 255
    assert [len(part) for part in result["strings"]] == [
        255,
        len(result["value"]) - 255,
    ]


def test_input_must_be_a_list(spf_record) -> None:
    with pytest.raises(
        AnsibleFilterError,
        match=f"^{re.escape(f'{FQCN}: the input must be a list of addresses; got str')}$",
    ):
        spf_record("198.51.100.20", "example.com")
