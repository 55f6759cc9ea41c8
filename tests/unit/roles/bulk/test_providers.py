# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import pytest
from mailfleet_bulk.providers import (
    BUILTIN,
    ProviderError,
    classify,
    load_providers,
    lookup_mx,
)

# (domain, its MX hosts most preferred first, class)
CLASSIFIED: list[tuple[str, list[str], str]] = [
    # FC-29: the class follows the provider, not the domain name.
    ("gmail.com", [], "google"),
    ("googlemail.com", [], "google"),
    ("example.org", ["aspmx.l.google.com", "alt1.aspmx.l.google.com"], "google"),
    ("example.net", ["example-net.mail.protection.outlook.com"], "microsoft"),
    ("Hotmail.COM.", [], "microsoft"),
    ("outlook.com", ["outlook-com.olc.protection.outlook.com."], "microsoft"),
    ("example.com", ["hotmail-com.olc.protection.outlook.com"], "microsoft"),
    ("aol.com", [], "yahoo"),
    ("example.biz", ["mx-biz.mail.am0.yahoodns.net"], "yahoo"),
    ("me.com", [], "apple"),
    ("example.info", ["MX01.Mail.iCloud.com."], "apple"),
    ("example.edu", ["mx1.example.edu"], "default"),
    ("example.test", [], "default"),
    # The name must end with the suffix at a label boundary.
    ("example.co", ["mx.notgoogle.com"], "default"),
    ("example.io", ["icloud.com"], "default"),
    # Mail goes to the first exchanger; a Google backup does not make it Google.
    ("example.de", ["mx1.example.de", "aspmx.l.google.com"], "default"),
    # The domain decides before any MX host.
    ("gmail.com", ["mx.example.com"], "google"),
]


class FakeResolver:
    """Answers MX queries from a dict: name -> MX texts, or an exception to raise."""

    def __init__(self, zone: dict[str, object]) -> None:
        self.zone = zone
        self.asked: list[tuple[str, str]] = []

    def resolve(self, name: str, rdtype: str):
        self.asked.append((name, rdtype))
        answer = self.zone[name]
        if isinstance(answer, Exception):
            raise answer
        return [
            dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.MX, text)
            for text in answer
        ]


@pytest.mark.parametrize("domain, mx_hosts, provider", CLASSIFIED)
def test_builtin_classes(domain: str, mx_hosts: list[str], provider: str) -> None:
    assert classify(domain, mx_hosts) == provider


def test_builtin_lists() -> None:
    assert {name: sorted(entry["domains"]) for name, entry in BUILTIN.items()} == {
        "google": ["gmail.com", "googlemail.com"],
        "microsoft": ["hotmail.com", "live.com", "msn.com", "outlook.com"],
        "yahoo": ["aol.com", "yahoo.com", "ymail.com"],
        "apple": ["icloud.com", "mac.com", "me.com"],
    }


def test_configuration_adds_names_and_classes() -> None:
    providers = load_providers(
        {
            "google": {"domains": ["gmail.example"]},
            "microsoft": {"mx_suffixes": [".olc.protection.outlook.example."]},
            "aol": {"domains": ["AOL.com"], "mx_suffixes": ["mx.aol.com"]},
            "gmx": {"domains": ["gmx.de", "gmx.net"], "mx_suffixes": ["gmx.net"]},
        }
    )
    assert providers.names == (
        "google",
        "microsoft",
        "yahoo",
        "apple",
        "aol",
        "gmx",
        "default",
    )
    assert classify("gmail.example", [], providers=providers) == "google"
    assert classify("gmail.com", [], providers=providers) == "google"
    assert (
        classify("x.test", ["a.olc.protection.outlook.example"], providers=providers)
        == "microsoft"
    )
    assert classify("gmx.net", [], providers=providers) == "gmx"
    assert classify("example.at", ["mx00.emig.gmx.net"], providers=providers) == "gmx"
    # aol.com moves out of the built-in yahoo class.
    assert classify("aol.com", [], providers=providers) == "aol"
    assert classify("ymail.com", [], providers=providers) == "yahoo"
    # The built-in table is not changed by a configuration.
    assert classify("aol.com", []) == "yahoo"
    assert classify("gmx.net", []) == "default"


def test_longest_suffix_wins() -> None:
    providers = load_providers({"o365": {"mx_suffixes": ["protection.outlook.com"]}})
    hosts = ["example-net.mail.protection.outlook.com"]
    assert classify("example.net", hosts, providers=providers) == "o365"
    assert classify("example.net", ["eur.outlook.com"], providers=providers) == (
        "microsoft"
    )


REFUSED: list[tuple[object, str]] = [
    ([], "provider configuration classes: expected a mapping of class names; got list"),
    (
        {"Big-Mail": {}},
        "provider Big-Mail name: expected lowercase letters, digits and _, starting with a letter",
    ),
    (
        {"default": {"domains": ["example.com"]}},
        "provider default name: is what every unlisted domain gets; it takes no names",
    ),
    (
        {"gmx": ["gmx.de"]},
        "provider gmx name: expected a mapping with domains and mx_suffixes; got list",
    ),
    (
        {"gmx": {"domain": ["gmx.de"]}},
        "provider gmx domain: unknown field; a class has domains, mx_suffixes",
    ),
    (
        {"gmx": {"domains": "gmx.de"}},
        "provider gmx domains: expected a list of names; got str",
    ),
    (
        {"gmx": {"domains": ["gmx de"]}},
        "provider gmx domains: 'gmx de' is not a domain name",
    ),
    (
        {"gmx": {"mx_suffixes": [None]}},
        "provider gmx mx_suffixes: None is not a domain name",
    ),
    (
        {"gmx": {"domains": ["gmx.de"]}, "webde": {"domains": ["GMX.de"]}},
        "provider webde domains: gmx.de is already listed for gmx",
    ),
]


@pytest.mark.parametrize("config, error", REFUSED)
def test_refused_configuration(config: object, error: str) -> None:
    with pytest.raises(ProviderError, match=f"^{re.escape(error)}$"):
        load_providers(config)


def test_lookup_mx_sorts_by_preference() -> None:
    resolver = FakeResolver(
        {
            "example.org.": [
                "10 alt3.aspmx.l.google.com.",
                "1 ASPMX.L.GOOGLE.COM.",
                "5 alt2.aspmx.l.google.com.",
                "5 alt1.aspmx.l.google.com.",
            ]
        }
    )
    hosts = lookup_mx("Example.ORG", resolver)
    assert hosts == [
        "aspmx.l.google.com",
        "alt1.aspmx.l.google.com",
        "alt2.aspmx.l.google.com",
        "alt3.aspmx.l.google.com",
    ]
    assert resolver.asked == [("example.org.", "MX")]
    assert classify("example.org", hosts) == "google"


@pytest.mark.parametrize(
    "answer",
    [
        dns.resolver.NXDOMAIN(),
        dns.resolver.NoAnswer(),
        # RFC 7505: a null MX says the domain takes no mail.
        ["0 ."],
    ],
    ids=["nxdomain", "no-answer", "null-mx"],
)
def test_lookup_mx_empty(answer: object) -> None:
    hosts = lookup_mx("example.net", FakeResolver({"example.net.": answer}))
    assert hosts == []
    assert classify("example.net", hosts) == "default"


def test_lookup_mx_raises_other_failures() -> None:
    resolver = FakeResolver({"example.net.": dns.exception.Timeout()})
    with pytest.raises(dns.exception.Timeout):
        lookup_mx("example.net", resolver)
