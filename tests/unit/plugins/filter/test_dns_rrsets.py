# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.filter.dns_rrsets import dns_rrsets

KEY410 = "v=DKIM1; k=rsa; p=" + "A" * 392

RECORDS = [
    {"name": "example.com", "type": "MX", "value": "10 mx1.example.net"},
    {"name": "example.com.", "type": "MX", "value": "20 mx2.example.net."},
    {"name": "example.com", "type": "TXT", "value": "v=spf1 ip4:192.0.2.10 -all"},
    {"name": "mail._domainkey.example.com", "type": "TXT", "value": KEY410},
    {"name": "mx1.example.net", "type": "A", "value": "192.0.2.10", "ttl": 300},
    {"name": "10.2.0.192.in-addr.arpa", "type": "PTR", "value": "mx1.example.net"},
]


def by_key(sets):
    return {(s["name"], s["type"]): s for s in sets}


def test_records_of_one_name_and_type_travel_together():
    sets = by_key(dns_rrsets(RECORDS))
    assert sets["example.com.", "MX"]["values"] == [
        "10 mx1.example.net.",
        "20 mx2.example.net.",
    ]
    assert len(sets) == 5


def test_names_and_targets_are_absolute_once():
    # FC-04: an input with or without the dot gives exactly one dot.
    for rrset in dns_rrsets(RECORDS):
        assert rrset["name"].endswith(".") and not rrset["name"].endswith("..")
        for value in rrset["values"]:
            assert ".." not in value
    assert by_key(dns_rrsets(RECORDS))["10.2.0.192.in-addr.arpa.", "PTR"]["values"] == [
        "mx1.example.net."
    ]


def test_long_txt_is_one_record_of_short_strings():
    # FC-01: dnspython, which nsupdate hands the value to, reads one record
    # whose strings join back to the 410-character value.
    (value,) = by_key(dns_rrsets(RECORDS))["mail._domainkey.example.com.", "TXT"][
        "values"
    ]
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, value)
    assert all(len(s) <= 255 for s in rdata.strings)
    assert len(rdata.strings) == 2
    assert b"".join(rdata.strings).decode() == KEY410


def test_ttl_default_and_override():
    sets = by_key(dns_rrsets(RECORDS, ttl=600))
    assert sets["mx1.example.net.", "A"]["ttl"] == 300
    assert sets["example.com.", "TXT"]["ttl"] == 600


ERRORS = [
    (
        "not a list",
        "mailfleet.stack.dns_rrsets: the input must be a list of records; got str",
    ),
    (
        [
            {"name": "example.com", "type": "A", "value": "192.0.2.1", "ttl": 60},
            {"name": "example.com", "type": "A", "value": "192.0.2.2", "ttl": 120},
        ],
        "mailfleet.stack.dns_rrsets: example.com ttl: the A records at this name have different TTLs (60 and 120); an RRset has one",
    ),
]


@pytest.mark.parametrize("records, error", ERRORS)
def test_errors(records, error):
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(error)}$"):
        dns_rrsets(records)
