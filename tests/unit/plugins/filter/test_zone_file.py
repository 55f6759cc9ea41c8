# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import dns.rdatatype
import dns.zone
import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.zone_file"
NAMED_CHECKZONE = "named-checkzone"
NS = ["ns1.example.net", "ns2.example.net"]

REFUSED: list[tuple[list[dict], dict[str, object], str]] = [
    (
        [],
        {"ns": []},
        "example.com ns: must name at least one name server, or set fragment",
    ),
    (
        [{"name": "example.com..", "type": "TXT", "value": "x"}],
        {},
        "example.com.. name: 'example.com..' has an empty label",
    ),
    (
        [{"name": "example.com", "type": "SRV", "value": "x"}],
        {},
        "example.com type: must be one of A, AAAA, CNAME, MX, NS, PTR, TXT; got 'SRV'",
    ),
    (
        [{"name": "example.com", "type": "A", "value": "2001:db8::1"}],
        {},
        "example.com value: '2001:db8::1' is not an IPv4 address",
    ),
    (
        [{"name": "example.com", "type": "MX", "value": "mx1.example.com"}],
        {},
        "example.com value: must be '<priority> <host>' for MX; got 'mx1.example.com'",
    ),
    (
        [{"name": "example.com", "type": "TXT", "value": "ab", "strings": ["a", "c"]}],
        {},
        "example.com strings: do not join to value; give one of them, or both in agreement",
    ),
    (
        [{"name": "example.com", "type": "TXT", "strings": ["x" * 256]}],
        {},
        "example.com strings: hold a string longer than 255 octets (RFC 1035 §3.3.14)",
    ),
    (
        [{"name": "example.com", "type": "TXT", "value": "x", "ttl": -1}],
        {},
        "example.com ttl: must be a whole number of seconds from 0 to 2147483647 (RFC 2181 §8); got -1",
    ),
]


@pytest.fixture
def zone_file():
    return filter_loader.get(FQCN).j2_function


@pytest.fixture
def fleet_records(example_fleet):
    return filter_loader.get("mailfleet.stack.mail_dns_records").j2_function(
        example_fleet
    )


def named_checkzone(
    origin: str, text: str, tmp_path: Path
) -> subprocess.CompletedProcess:
    """Run Debian's zone checker; a missing binary fails the test, it is a declared host package."""
    binary = shutil.which(NAMED_CHECKZONE)
    if binary is None:
        pytest.fail(
            f"{NAMED_CHECKZONE} is missing: install the Debian package bind9-utils (listed in tests/host-packages.txt)"
        )
    path = tmp_path / f"{origin}.zone"
    path.write_text(text)
    return subprocess.run(
        [binary, "-k", "fail", "-i", "full", origin, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_fleet_zone_passes_named_checkzone(
    zone_file, fleet_records, tmp_path: Path
) -> None:
    text = zone_file(
        fleet_records,
        "example.com",
        ns=NS,
        soa={"rname": "hostmaster@example.com", "serial": 2026010101},
    )
    checked = named_checkzone("example.com", text, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "loaded serial 2026010101" in checked.stdout


def test_broken_zone_fails_named_checkzone(tmp_path: Path) -> None:
    # The checker itself must be able to fail, or the test above proves nothing.
    text = (
        '$TTL 300\nexample.com. IN SOA ns1.example.net. h.example.com. 1 2 3 4 5\nexample.com. IN NS ns1.example.net.\nx.example.com. IN TXT "'
        + "a" * 300
        + '"\n'
    )
    assert named_checkzone("example.com", text, tmp_path).returncode != 0


def test_fc01_long_dkim_value_is_split_and_joins_back(
    zone_file, fleet_records, key_store
) -> None:
    text = zone_file(fleet_records, "example.com", ns=NS)
    (line,) = [
        line
        for line in text.splitlines()
        if line.startswith("mail._domainkey.example.com.")
    ]
    assert re.match(
        r'^mail\._domainkey\.example\.com\. 300 IN TXT "[^"]{255}" "[^"]{155}"$', line
    )
    zone = dns.zone.from_text(text, origin="example.com.", relativize=False)
    (rdata,) = zone.find_rdataset("mail._domainkey.example.com.", dns.rdatatype.TXT)
    assert [len(part) for part in rdata.strings] == [255, 155]
    assert b"".join(rdata.strings).decode() == key_store["rsa"]["value"]


@pytest.mark.parametrize("origin", ["example.com", "example.com.", "EXAMPLE.COM."])
def test_fc04_names_are_absolute_once(zone_file, fleet_records, origin: str) -> None:
    dotted = [{**record, "name": f"{record['name']}."} for record in fleet_records]
    text = zone_file(dotted, origin, ns=NS)
    assert ".." not in text.replace('"', "")
    for line in text.splitlines():
        if not line.startswith("$"):
            owner = line.split()[0]
            assert owner.endswith(".") and not owner.endswith(
                "example.com.example.com."
            ), line
    # Loaded without relative names, every owner is exactly where it belongs.
    zone = dns.zone.from_text(text, origin="example.com.", relativize=False)
    names = {name.to_text() for name in zone.nodes}
    assert {
        "mail._domainkey.example.com.",
        "_dmarc.example.com.",
        "example.com.",
    } <= names
    assert not any(name.endswith("example.com.example.com.") for name in names)


def test_records_outside_the_zone_are_left_out(zone_file, fleet_records) -> None:
    reverse = zone_file(fleet_records, "2.0.192.in-addr.arpa", ns=NS)
    zone = dns.zone.from_text(reverse, origin="2.0.192.in-addr.arpa.", relativize=False)
    ptrs = {
        name.to_text(): rdataset
        for name, node in zone.nodes.items()
        for rdataset in node.rdatasets
        if rdataset.rdtype == dns.rdatatype.PTR
    }
    assert sorted(ptrs) == [
        "1.2.0.192.in-addr.arpa.",
        "10.2.0.192.in-addr.arpa.",
        "2.2.0.192.in-addr.arpa.",
        "20.2.0.192.in-addr.arpa.",
        "21.2.0.192.in-addr.arpa.",
    ]
    assert "example.com" not in reverse.replace("example.com.", "")


def test_quotes_and_backslashes_are_escaped(zone_file, tmp_path: Path) -> None:
    value = 'say "hi" \\ bye'
    text = zone_file(
        [{"name": "t.example.com", "type": "TXT", "value": value}], "example.com", ns=NS
    )
    assert named_checkzone("example.com", text, tmp_path).returncode == 0
    zone = dns.zone.from_text(text, origin="example.com.", relativize=False)
    (rdata,) = zone.find_rdataset("t.example.com.", dns.rdatatype.TXT)
    assert b"".join(rdata.strings).decode() == value


def test_fragment_has_records_only(zone_file) -> None:
    text = zone_file(
        [{"name": "example.com", "type": "MX", "value": "0 ."}],
        "example.com",
        fragment=True,
    )
    assert text == "example.com. 3600 IN MX 0 .\n"


@pytest.mark.parametrize("records, options, error", REFUSED)
def test_refused(
    zone_file, records: list[dict], options: dict[str, object], error: str
) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(f'{FQCN}: {error}')}$"):
        zone_file(records, "example.com", **{"ns": NS, **options})
