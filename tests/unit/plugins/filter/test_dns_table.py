# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.dns_table"


@pytest.fixture
def dns_table():
    return filter_loader.get(FQCN).j2_function


@pytest.fixture
def fleet_records(example_fleet):
    return filter_loader.get("mailfleet.stack.mail_dns_records").j2_function(
        example_fleet
    )


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_fc02_csv_values_are_raw(dns_table, fleet_records, key_store) -> None:
    text = dns_table(fleet_records, zone="example.com")
    assert '" "' not in text
    rows = _csv(text)
    (dkim,) = [row for row in rows if row["host"] == "mail._domainkey"]
    assert dkim == {
        "name": "mail._domainkey.example.com",
        "host": "mail._domainkey",
        "type": "TXT",
        "ttl": "300",
        "priority": "",
        "value": key_store["rsa"]["value"],
    }
    assert len(dkim["value"]) == 410
    assert re.match(r"^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$", dkim["value"])


def test_fc02_every_rendering_for_a_form_lacks_zone_quoting(
    dns_table, fleet_records
) -> None:
    for rendering in (
        dns_table(fleet_records),
        dns_table(fleet_records, format="json"),
    ):
        assert '" "' not in rendering
        assert '\\"' not in rendering
    for row in dns_table(fleet_records, format="list"):
        assert '"' not in str(row["value"])


def test_fc04_hosts_are_relative_and_names_undotted(dns_table, fleet_records) -> None:
    rows = _csv(dns_table(fleet_records, zone="example.com."))
    hosts = {row["host"] for row in rows}
    assert {
        "@",
        "mail._domainkey",
        "_dmarc",
        "news",
        "ed._domainkey.news",
        "_dmarc.news",
    } <= hosts
    assert not any(
        row["name"].endswith(".") or row["host"].endswith(".") for row in rows
    )
    assert {
        row["name"] for row in rows if row["name"].endswith("in-addr.arpa")
    } == set()


def test_mx_priority_has_its_own_column(dns_table, fleet_records) -> None:
    rows = [
        row
        for row in _csv(dns_table(fleet_records, zone="example.com"))
        if row["host"] == "@" and row["type"] == "MX"
    ]
    assert [(row["priority"], row["value"]) for row in rows] == [
        ("10", "mx1.example.com"),
        ("20", "mx2.example.com"),
    ]


def test_json_and_list_agree(dns_table, fleet_records) -> None:
    listed = dns_table(fleet_records, format="list")
    from_json = json.loads(dns_table(fleet_records, format="json"))
    assert [
        {key: value for key, value in row.items() if key != "strings"} for row in listed
    ] == from_json
    for row in listed:
        if row["type"] == "TXT":
            assert "".join(row["strings"]) == row["value"]
            assert all(len(part) <= 255 for part in row["strings"])


def test_refused(dns_table) -> None:
    with pytest.raises(
        AnsibleFilterError,
        match=f"^{re.escape(f'{FQCN}: format must be csv, json or list; got {chr(39)}xml{chr(39)}')}$",
    ):
        dns_table([], format="xml")
