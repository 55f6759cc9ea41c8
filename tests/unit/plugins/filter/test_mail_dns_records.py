# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import re

import dns.reversename
import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.mail_dns_records"

TX_IP, RELAY_IP, BULK_IPS, IMAP_IP = (
    "192.0.2.10",
    "192.0.2.1",
    ["192.0.2.20", "192.0.2.21"],
    "192.0.2.30",
)


def _set(fleet: dict, path: str, value: object) -> dict:
    """A copy of the fleet with one field replaced, e.g. ``domains.0.streams``."""
    changed = copy.deepcopy(fleet)
    target = changed
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return changed


REFUSED: list[tuple[str, object, str]] = [
    (
        "domains.0.name",
        "*",
        "* name: '*' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        "domains.1.streams",
        ["bulk", "newsletters"],
        "news.example.com streams: has the unknown stream 'newsletters'; expected some of transactional, bulk, submission",
    ),
    (
        "nodes.3.roles",
        ["relay"],
        "news.example.com streams: sends bulk mail, but no node with the bulk role serves it",
    ),
    (
        "nodes.0.roles",
        ["smtp"],
        "relay1 roles: has unknown roles smtp; expected some of relay, transactional, bulk, imap, filter, common",
    ),
    (
        "nodes.2.ipv4",
        ["192.0.2.300"],
        "tx1 ipv4: '192.0.2.300' is not an IPv4 or IPv6 address",
    ),
    (
        "nodes.2.ipv4",
        ["2001:db8::10"],
        "tx1 ipv4: '2001:db8::10' is not an IPv4 address",
    ),
    (
        "nodes.1.relay_mx",
        "secondary",
        "relay2 relay_mx: must be primary or backup; got 'secondary'",
    ),
    (
        "nodes.0.relay_mx",
        "backup",
        "example.com mx: the domain has only backup relays; one relay must be relay_mx primary",
    ),
    ("domains.1.name", "example.com", "example.com name: is listed twice in domains"),
    (
        "domains.1.bounce_domain",
        "bounces.example.org",
        "news.example.com bounce_domain: 'bounces.example.org' must be a subdomain of "
        "news.example.com, so that the return path aligns with From for DMARC",
    ),
    (
        "domains.0.dkim",
        [{"selector": "s_1", "value": "v=DKIM1; p="}],
        "example.com dkim[0].selector: 's_1' contains '_'; RFC 6376 §3.1 allows letters, digits, hyphens and dots only",
    ),
    (
        "domains.0.dmarc",
        {"p": "none", "pct": 200},
        "example.com pct: must be a whole number from 0 to 100; got 200",
    ),
    (
        "parked",
        ["news.example.com"],
        "news.example.com parked: is also listed in domains",
    ),
]


@pytest.fixture
def records():
    return filter_loader.get(FQCN).j2_function


def _find(records: list[dict], name: str, rtype: str) -> list[dict]:
    return [
        record
        for record in records
        if record["name"] == name and record["type"] == rtype
    ]


def _zone(records: list[dict]) -> dict[str, dict[str, list]]:
    zone: dict[str, dict[str, list]] = {}
    for record in records:
        value = record["value"]
        if record["type"] == "MX":
            value = (record["priority"], value.split()[1])
        zone.setdefault(record["name"], {}).setdefault(record["type"], []).append(value)
    return zone


def test_mx_points_at_primary_then_backup(records, example_fleet) -> None:
    result = records(example_fleet)
    assert [
        (record["priority"], record["value"])
        for record in _find(result, "example.com", "MX")
    ] == [(10, "10 mx1.example.com"), (20, "20 mx2.example.com")]


@pytest.mark.parametrize(
    "domain, passing, failing",
    [
        ("example.com", [TX_IP, RELAY_IP, "2001:db8:2::1"], [*BULK_IPS, IMAP_IP]),
        ("news.example.com", BULK_IPS, [TX_IP, RELAY_IP, IMAP_IP]),
    ],
)
def test_spf_lists_only_the_senders_of_each_stream(  # noqa: PLR0917 - three fixtures and one case
    records,
    example_fleet,
    pyspf_check,
    domain: str,
    passing: list[str],
    failing: list[str],
) -> None:
    zone = _zone(records(example_fleet))
    assert (
        len([value for value in zone[domain]["TXT"] if value.startswith("v=spf1")]) == 1
    )
    for ip in passing:
        assert pyspf_check(zone, domain, ip)[0] == "pass", ip
    for ip in failing:
        assert pyspf_check(zone, domain, ip)[0] == "softfail", ip


def test_bulk_domains_get_a_bounce_domain_at_the_bulk_nodes(
    records, example_fleet, pyspf_check
) -> None:
    result = records(example_fleet)
    assert [
        (record["priority"], record["value"])
        for record in _find(result, "bounces.news.example.com", "MX")
    ] == [(10, "10 bulk1.example.com")]
    zone = _zone(result)
    for ip in BULK_IPS:
        assert pyspf_check(zone, "bounces.news.example.com", ip)[0] == "pass", ip
    for ip in [TX_IP, RELAY_IP]:
        assert pyspf_check(zone, "bounces.news.example.com", ip)[0] == "fail", ip
    # example.com sends no bulk mail, so it has no bounce domain.
    assert not [record for record in result if record["name"] == "bounces.example.com"]
    named = records(
        _set(example_fleet, "domains.1.bounce_domain", "rp.news.example.com")
    )
    assert _find(named, "bounces.news.example.com", "MX") == []
    assert len(_find(named, "rp.news.example.com", "MX")) == 1
    none = records(_set(example_fleet, "domains.1.bounce_domain", False))
    assert not [record for record in none if record["name"].startswith("bounces.")]


def test_dkim_records_per_domain_fc11(records, example_fleet, key_store) -> None:
    result = records(example_fleet)
    assert [
        record["value"]
        for record in _find(result, "mail._domainkey.example.com", "TXT")
    ] == [key_store["rsa"]["value"]]
    # FC-11: the subdomain signs with its own d=, so its key lives under its own name.
    assert [
        record["value"]
        for record in _find(result, "ed._domainkey.news.example.com", "TXT")
    ] == [key_store["ed25519"]["value"]]


def test_dmarc_mta_sts_and_tls_rpt(records, example_fleet) -> None:
    result = records(example_fleet)
    assert [
        record["value"] for record in _find(result, "_dmarc.example.com", "TXT")
    ] == ["v=DMARC1; p=quarantine; adkim=r; rua=mailto:dmarc@example.com"]
    assert [
        record["value"] for record in _find(result, "_dmarc.news.example.com", "TXT")
    ] == ["v=DMARC1; p=reject; adkim=s; aspf=s"]
    assert [
        record["value"] for record in _find(result, "_smtp._tls.example.com", "TXT")
    ] == ["v=TLSRPTv1; rua=mailto:tlsrpt@example.com"]
    assert [
        record["value"] for record in _find(result, "mta-sts.example.com", "CNAME")
    ] == ["mx1.example.com"]
    (sts,) = _find(result, "_mta-sts.example.com", "TXT")
    assert re.match(r"^v=STSv1; id=[a-f0-9]{20}$", sts["value"])
    # The id changes when the policy does (RFC 8461 §3.1): here, when the MX set changes.
    moved = _set(example_fleet, "nodes.1.fqdn", "mx3.example.com")
    assert (
        _find(records(moved), "_mta-sts.example.com", "TXT")[0]["value"] != sts["value"]
    )
    assert _find(result, "_mta-sts.news.example.com", "TXT") == []


def test_nodes_get_addresses_helo_spf_and_ptr(records, example_fleet) -> None:
    result = records(example_fleet)
    assert [record["value"] for record in _find(result, "mx1.example.com", "AAAA")] == [
        "2001:db8:2::1"
    ]
    assert [
        record["value"] for record in _find(result, "bulk1.example.com", "A")
    ] == BULK_IPS
    assert [
        record["value"] for record in _find(result, "bulk1.example.com", "TXT")
    ] == ["v=spf1 ip4:192.0.2.20 ip4:192.0.2.21 -all"]
    assert [
        record["value"] for record in _find(result, "20.2.0.192.in-addr.arpa", "PTR")
    ] == ["bulk1.example.com"]
    assert [
        record["value"]
        for record in _find(
            result,
            dns.reversename.from_address("2001:db8:2::1").to_text(omit_final_dot=True),
            "PTR",
        )
    ] == ["mx1.example.com"]
    # The IMAP node never sends mail: null MX and -all, and no PTR is asked for.
    assert [record["value"] for record in _find(result, "imap1.example.com", "MX")] == [
        "0 ."
    ]
    assert [
        record["value"] for record in _find(result, "imap1.example.com", "TXT")
    ] == ["v=spf1 -all"]
    assert _find(result, "30.2.0.192.in-addr.arpa", "PTR") == []


def test_parked_domain_refuses_all_mail(records, example_fleet) -> None:
    result = records(example_fleet)
    assert [
        (record["type"], record["value"])
        for record in result
        if record["name"] in ("parked.example.com", "_dmarc.parked.example.com")
    ] == [
        ("MX", "0 ."),
        ("TXT", "v=spf1 -all"),
        ("TXT", "v=DMARC1; p=reject; sp=reject; np=reject"),
    ]


def test_every_txt_has_strings_that_join_to_its_value(records, example_fleet) -> None:
    for record in records(example_fleet):
        assert record["ttl"] == 300
        if record["type"] == "TXT":
            assert "".join(record["strings"]) == record["value"]
            assert all(len(part) <= 255 for part in record["strings"])
        else:
            assert "strings" not in record


def test_ptr_todo_per_provider(records, example_fleet) -> None:
    assert records(example_fleet, output="ptr_todo") == {
        "hoster-a": [
            {"ip": RELAY_IP, "name": "mx1.example.com"},
            {"ip": "2001:db8:2::1", "name": "mx1.example.com"},
            {"ip": TX_IP, "name": "tx1.example.com"},
        ],
        "hoster-b": [
            {"ip": "192.0.2.2", "name": "mx2.example.com"},
            {"ip": BULK_IPS[0], "name": "bulk1.example.com"},
            {"ip": BULK_IPS[1], "name": "bulk1.example.com"},
        ],
    }


def test_output_is_stable_and_input_untouched(records, example_fleet) -> None:
    before = copy.deepcopy(example_fleet)
    assert records(example_fleet) == records(copy.deepcopy(example_fleet))
    assert example_fleet == before


@pytest.mark.parametrize("path, value, error", REFUSED)
def test_refused(records, example_fleet, path: str, value: object, error: str) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(f'{FQCN}: {error}')}$"):
        records(_set(example_fleet, path, value))
