# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import dns.name
import dns.reversename
import pytest

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    is_within,
    normalize_domain,
    normalize_owner,
    reverse_name,
    validate_selector,
)

DOMAINS: list[tuple[str, str]] = [
    ("example.com", "example.com"),
    ("Example.COM.", "example.com"),
    ("  news.example.com  ", "news.example.com"),
    ("Bücher.example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("a-b.example.org", "a-b.example.org"),
]

BAD_DOMAINS: list[tuple[str, str]] = [
    ("", "is empty"),
    (
        "*",
        "is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        "*.example.com",
        "is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    ("example..com", "has an empty label"),
    ("example.com..", "has an empty label"),
    (
        "-a.example.com",
        "has a label that starts or ends with a hyphen ('-a'; RFC 5890 §2.3.1)",
    ),
    (
        "a_b.example.com",
        "has a label with a character other than a letter, digit or hyphen ('a_b'; RFC 5890 §2.3.1)",
    ),
    (
        "ab--cd.example.com",
        "has a label with '--' in the third and fourth positions that is not an A-label ('ab--cd'; RFC 5891 §4.2.3.1)",
    ),
    ("localhost", "is a single label; a fully qualified name is needed"),
    (
        "192.0.2.1",
        "has an all-numeric top-level label; an IP address is not a domain (RFC 3696 §2)",
    ),
    ("dmarc@example.com", "contains '@'; give the domain, not a mail address"),
    ("exa mple.com", "contains white space"),
    (
        f"{'a' * 64}.example.com",
        f"has a label longer than 63 octets ('{'a' * 20}...'; RFC 1035 §2.3.4)",
    ),
    (".".join(["a" * 63] * 4) + ".com", "is longer than 253 octets (RFC 1035 §2.3.4)"),
]

SELECTORS: list[tuple[str, str]] = [
    ("mail", "mail"),
    ("S2026", "s2026"),
    ("s1.rotated", "s1.rotated"),
    ("key-1", "key-1"),
]

BAD_SELECTORS: list[tuple[str, str]] = [
    ("", "is empty"),
    (
        "a_b",
        "contains '_'; RFC 6376 §3.1 allows letters, digits, hyphens and dots only",
    ),
    ("-a", "has a label that starts or ends with a hyphen ('-a'; RFC 6376 §3.1)"),
    ("a.", "has an empty label; dots may only separate labels (RFC 6376 §3.1)"),
    ("a..b", "has an empty label; dots may only separate labels (RFC 6376 §3.1)"),
    (
        "a b",
        "has a label with a character other than a letter, digit or hyphen ('a b'; RFC 6376 §3.1)",
    ),
    (
        "sélecteur",
        "has a character outside ASCII; RFC 6376 §3.1 allows letters, digits, hyphens and dots only",
    ),
    ("a" * 64, "has a label longer than 63 octets (RFC 1035 §2.3.4)"),
]

ADDRESSES = ["192.0.2.1", "198.51.100.20", "2001:db8::1", "2001:db8:20::abcd"]


@pytest.mark.parametrize("value, expected", DOMAINS)
def test_normalize_domain(value: str, expected: str) -> None:
    assert normalize_domain(value) == expected


@pytest.mark.parametrize(
    "value, error", BAD_DOMAINS, ids=[case[0][:30] or "empty" for case in BAD_DOMAINS]
)
def test_normalize_domain_refuses(value: str, error: str) -> None:
    with pytest.raises(DnsNameError, match=f"^{re.escape(error)}$"):
        normalize_domain(value)


def test_idna_matches_dnspython() -> None:
    # dnspython's IDNA 2008 codec is an independent encoder of the same name.
    expected = dns.name.from_unicode(
        "bücher.example", idna_codec=dns.name.IDNA_2008
    ).to_text(omit_final_dot=True)
    assert normalize_domain("BÜCHER.example") == expected


@pytest.mark.parametrize("value, expected", SELECTORS)
def test_validate_selector(value: str, expected: str) -> None:
    assert validate_selector(value) == expected


@pytest.mark.parametrize("value, error", BAD_SELECTORS)
def test_validate_selector_refuses(value: str, error: str) -> None:
    with pytest.raises(DnsNameError, match=f"^{re.escape(error)}$"):
        validate_selector(value)


@pytest.mark.parametrize("address", ADDRESSES)
def test_reverse_name_matches_dnspython(address: str) -> None:
    assert reverse_name(address) == dns.reversename.from_address(address).to_text(
        omit_final_dot=True
    )


def test_reverse_name_refuses_network() -> None:
    with pytest.raises(DnsNameError, match=r"^is not an IPv4 or IPv6 address$"):
        reverse_name("192.0.2.0/24")


@pytest.mark.parametrize(
    "value", ["mail._domainkey.example.com.", "MAIL._domainkey.Example.com"]
)
def test_owner_names_lose_one_dot(value: str) -> None:
    assert normalize_owner(value) == "mail._domainkey.example.com"


def test_owner_name_with_two_dots_is_refused() -> None:
    with pytest.raises(DnsNameError, match=r"^has an empty label$"):
        normalize_owner("example.com..")


def test_is_within() -> None:
    assert is_within("example.com", "example.com")
    assert is_within("mail._domainkey.example.com", "example.com")
    assert not is_within("badexample.com", "example.com")
