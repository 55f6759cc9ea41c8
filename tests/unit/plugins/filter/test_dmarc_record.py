# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import checkdmarc.dmarc
import dns.resolver
import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader
from ansible.utils.display import Display

FQCN = "mailfleet.stack.dmarc_record"

RECORDS: list[tuple[dict[str, object], str]] = [
    ({"p": "none"}, "v=DMARC1; p=none"),
    (
        {
            "rua": ["dmarc@example.com"],
            "adkim": "s",
            "aspf": "s",
            "p": "reject",
            "sp": "quarantine",
        },
        "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=s; rua=mailto:dmarc@example.com",
    ),
    (
        {
            "p": "quarantine",
            "np": "reject",
            "fo": "1",
            "ruf": ["mailto:forensic@example.com"],
        },
        "v=DMARC1; p=quarantine; np=reject; fo=1; ruf=mailto:forensic@example.com",
    ),
]

REFUSED: list[tuple[dict[str, object], str]] = [
    (
        {"p": "monitor"},
        "example.com p: must be one of none, quarantine, reject; got 'monitor'",
    ),
    (
        {"p": "none", "pct": 150},
        "example.com pct: must be a whole number from 0 to 100; got 150",
    ),
    (
        {"p": "none", "aspf": "relaxed"},
        "example.com aspf: must be one of r, s; got 'relaxed'",
    ),
    (
        {"p": "none", "rua": ["https://reports.example.net/"]},
        "example.com rua: must hold mailto: URIs; 'https://reports.example.net/' uses another scheme, which receivers need not support",
    ),
    ({"sp": "none"}, "example.com p: is required (RFC 7489 §6.3)"),
]


@pytest.fixture
def dmarc_record():
    return filter_loader.get(FQCN).j2_function


@pytest.fixture
def checkdmarc_dns(monkeypatch: pytest.MonkeyPatch):
    """Serve checkdmarc's DNS questions from a dict, so that it never leaves the machine."""
    zone: dict[tuple[str, str], list[str]] = {}

    def query_dns(name, record_type, **_kwargs):
        key = (name.lower().rstrip("."), record_type)
        if key not in zone:
            raise dns.resolver.NXDOMAIN
        return zone[key]

    monkeypatch.setattr(checkdmarc.dmarc, "query_dns", query_dns)
    monkeypatch.setattr(
        checkdmarc.dmarc,
        "get_mx_records",
        lambda *_args, **_kwargs: [{"preference": 10, "hostname": "mx.example.net"}],
    )
    return zone


@pytest.mark.parametrize("tags, expected", RECORDS)
def test_records_parse_with_checkdmarc(
    dmarc_record, checkdmarc_dns, tags: dict[str, object], expected: str
) -> None:
    result = dmarc_record("Example.com.", **tags)
    assert result["name"] == "_dmarc.example.com"
    assert result["value"] == expected
    assert result["authorizations"] == []
    parsed = checkdmarc.dmarc.parse_dmarc_record(result["value"], "example.com")
    explicit = {
        name: tag["value"] for name, tag in parsed["tags"].items() if tag["explicit"]
    }
    for name, value in tags.items():
        written, wanted = explicit[name], value
        if name in ("rua", "ruf"):
            written = [uri["address"] for uri in written]
            wanted = [str(item).removeprefix("mailto:") for item in value]
        elif name == "fo":
            written = ":".join(written)
        assert written == wanted, name


def test_external_report_address_needs_the_authorisation_record(
    dmarc_record, checkdmarc_dns
) -> None:
    result = dmarc_record(
        "example.com", p="reject", rua=["dmarc@example.com", "agg@reports.example.net"]
    )
    assert result["authorizations"] == [
        {
            "name": "example.com._report._dmarc.reports.example.net",
            "type": "TXT",
            "value": "v=DMARC1",
            "strings": ["v=DMARC1"],
        }
    ]

    # Without the record, checkdmarc refuses the destination; with it, it accepts.
    def unverified() -> list[str]:
        warnings = checkdmarc.dmarc.parse_dmarc_record(result["value"], "example.com")[
            "warnings"
        ]
        return [
            warning
            for warning in warnings
            if "does not indicate that it accepts" in warning
        ]

    assert len(unverified()) == 1
    for record in result["authorizations"]:
        checkdmarc_dns[(record["name"], "TXT")] = [record["value"]]
    assert unverified() == []


def test_same_organisation_needs_no_authorisation(dmarc_record) -> None:
    result = dmarc_record(
        "news.example.com", p="none", rua=["dmarc@example.com", "x@reports.example.com"]
    )
    assert result["authorizations"] == []


def test_removed_tags_warn(dmarc_record, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(
        Display, "warning", lambda _self, message, *args, **kwargs: seen.append(message)
    )
    result = dmarc_record("example.com", p="none", pct=50)
    assert result["value"] == "v=DMARC1; p=none; pct=50"
    assert seen == [
        f"{FQCN}: example.com: pct: the tag was removed by DMARCbis (RFC 9989); newer receivers ignore it"
    ]


@pytest.mark.parametrize("tags, error", REFUSED)
def test_refused(dmarc_record, tags: dict[str, object], error: str) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(f'{FQCN}: {error}')}$"):
        dmarc_record("example.com", **tags)
