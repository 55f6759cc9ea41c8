# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The DNS check against a real authoritative server (Knot DNS) on 127.0.0.1."""

from __future__ import annotations

import copy
import json

import dns.resolver
import pytest
import spf
from knot_server import KnotServer
from mail_fleets import fleet_for

from ansible.module_utils.testing import patch_module_args
from ansible.plugins.loader import filter_loader

from ansible_collections.mailfleet.stack.plugins.module_utils._check import (
    check_records,
)
from ansible_collections.mailfleet.stack.plugins.modules import dns_check

NS = ["ns.lab.test"]
FC18_ELEVEN = "v=spf1 a mx include:s1.example.net include:s2.example.net ~all"
FC18_TEN = "v=spf1 a mx include:s1.example.net include:t2.example.net ~all"

# What the broken zone gets wrong, and the verdict each fault must get.
BROKEN: list[tuple[str, str, str, str]] = [
    (
        "mail._domainkey.broken.example",
        "TXT",
        "different",
        "key truncated or mismatched",
    ),
    ("broken.example", "MX", "different", "missing 20 mx2.broken.example"),
    (
        "broken.example",
        "TXT",
        "extra",
        "multiple SPF records (2 TXT records start with v=spf1",
    ),
    (
        "_dmarc.broken.example",
        "TXT",
        "different",
        "DMARC record differs: p=none published, quarantine expected",
    ),
    ("_smtp._tls.broken.example", "TXT", "missing", "no such record"),
    ("tx1.broken.example", "A", "different", "missing 198.51.100.10"),
    (
        "10.100.51.198.in-addr.arpa",
        "PTR",
        "different",
        "forward-confirmed reverse DNS fails: tx1.broken.example has no A record 198.51.100.10",
    ),
    ("20.100.51.198.in-addr.arpa", "PTR", "different", "missing bulk1.broken.example"),
]

FC03: list[tuple[str, str | None]] = [
    ("a", None),
    ("b", "multiple key records"),
    ("c", "quote or backslash in data"),
    ("d", "key truncated or mismatched"),
]

FC17: list[tuple[str, str | None]] = [
    ("fc17", "multiple SPF records"),
    ("fc17case", "multiple SPF records"),
    ("fc17ok", None),
]


def _records(fleet: dict) -> list[dict]:
    return filter_loader.get("mailfleet.stack.mail_dns_records").j2_function(fleet)


def _zone(records: list[dict], origin: str) -> str:
    return filter_loader.get("mailfleet.stack.zone_file").j2_function(
        records, origin, ns=NS
    )


def _break(records: list[dict]) -> list[dict]:
    """Publish the broken fleet's records with the faults listed in BROKEN."""
    published = []
    dropped = {
        ("broken.example", "MX", "20 mx2.broken.example"),
        ("_smtp._tls.broken.example", "TXT", None),
    }
    for record in copy.deepcopy(records):
        key = (record["name"], record["type"])
        if (*key, record["value"]) in dropped or (*key, None) in dropped:
            continue
        if key == ("mail._domainkey.broken.example", "TXT"):
            record.pop("strings")
            record["value"] = record["value"][: 18 + 237]
        elif key == ("_dmarc.broken.example", "TXT"):
            record.pop("strings")
            record["value"] = record["value"].replace("p=quarantine", "p=none")
        elif key == ("tx1.broken.example", "A"):
            record["value"] = "198.51.100.11"
        elif key == ("20.100.51.198.in-addr.arpa", "PTR"):
            record["value"] = "mx1.broken.example"
        published.append(record)
    published.append(
        {"name": "broken.example", "type": "TXT", "ttl": 300, "value": "v=spf1 a ~all"}
    )
    return published


def _soa(origin: str) -> str:
    return f"$TTL 300\n{origin}. IN SOA ns.lab.test. hostmaster.lab.test. 1 7200 3600 1209600 300\n{origin}. IN NS ns.lab.test.\n"


def _quoted(text: str) -> str:
    """Quote a character-string by hand, so the FC zones do not depend on the renderer under test."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fc_zone(dkim_value: str) -> str:
    head, key = dkim_value.split("p=")
    good = f"{_quoted(head + 'p=' + key[:237])} {_quoted(key[237:])}"
    with_quotes = f'{head}p={key[:237]}" "{key[237:]}'
    lines = [
        f"a._domainkey.fc.example. IN TXT {good}",
        f"b._domainkey.fc.example. IN TXT {good}",
        f"b._domainkey.fc.example. IN TXT {_quoted(head + 'p=' + key[:100])}",
        f"c._domainkey.fc.example. IN TXT {_quoted(with_quotes[:255])} {_quoted(with_quotes[255:])}",
        f"d._domainkey.fc.example. IN TXT {_quoted(head + 'p=' + key[:237])}",
        'fc17.fc.example. IN TXT "v=spf1 mx ~all"',
        'fc17.fc.example. IN TXT "v=spf1 a ~all"',
        'fc17.fc.example. IN TXT "example-verification=0123456789"',
        'fc17case.fc.example. IN TXT "v=spf1 mx ~all"',
        'fc17case.fc.example. IN TXT "V=SPF1 a ~all"',
        'fc17ok.fc.example. IN TXT "v=spf1 mx a ~all"',
        'fc17ok.fc.example. IN TXT "example-verification=0123456789"',
    ]
    return _soa("fc.example") + "\n".join(lines) + "\n"


def _fc18_zones() -> dict[str, str]:
    com = [
        f'example.com. IN TXT "{FC18_ELEVEN}"',
        "example.com. IN A 192.0.2.100",
        "example.com. IN MX 10 mx.example.com.",
        "mx.example.com. IN A 192.0.2.101",
        f'ten.example.com. IN TXT "{FC18_TEN}"',
        "ten.example.com. IN A 192.0.2.102",
        "ten.example.com. IN MX 10 mx.example.com.",
    ]
    net = [
        's1.example.net. IN TXT "v=spf1 a:h1.example.net a:h2.example.net a:h3.example.net ~all"',
        's2.example.net. IN TXT "v=spf1 mx a:h4.example.net include:s3.example.net ~all"',
        "s2.example.net. IN MX 10 mx.s2.example.net.",
        "mx.s2.example.net. IN A 192.0.2.103",
        's3.example.net. IN TXT "v=spf1 a ~all"',
        "s3.example.net. IN A 192.0.2.104",
        't2.example.net. IN TXT "v=spf1 mx a:h4.example.net include:t3.example.net ~all"',
        "t2.example.net. IN MX 10 mx.s2.example.net.",
        't3.example.net. IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"',
        *(f"h{index}.example.net. IN A 192.0.2.11{index}" for index in range(1, 5)),
    ]
    return {
        "example.com": _soa("example.com") + "\n".join(com) + "\n",
        "example.net": _soa("example.net") + "\n".join(net) + "\n",
    }


@pytest.fixture(scope="module")
def lab(key_store, tmp_path_factory: pytest.TempPathFactory):
    """Knot serving the good and the broken fleet, their reverse zones, and the field-case zones."""
    good = _records(
        fleet_for(
            "good.example",
            "192.0.2",
            main_key=key_store["rsa"],
            news_key=key_store["ed25519"],
        )
    )
    broken = _records(
        fleet_for(
            "broken.example",
            "198.51.100",
            main_key=key_store["rsa"],
            news_key=key_store["ed25519"],
        )
    )
    published = good + _break(broken)
    zones = {
        "good.example": _zone(good, "good.example"),
        "broken.example": _zone(published, "broken.example"),
        "2.0.192.in-addr.arpa": _zone(published, "2.0.192.in-addr.arpa"),
        "100.51.198.in-addr.arpa": _zone(published, "100.51.198.in-addr.arpa"),
        "8.b.d.0.1.0.0.2.ip6.arpa": _zone(published, "8.b.d.0.1.0.0.2.ip6.arpa"),
        "fc.example": _fc_zone(key_store["rsa"]["value"]),
        **_fc18_zones(),
    }
    server = KnotServer(tmp_path_factory.mktemp("knot"), zones).start()
    try:
        yield {
            "server": server,
            "good": good,
            "broken": broken,
            "resolve": dns_check.make_resolve(["127.0.0.1"], server.port, 2.0),
        }
    finally:
        server.stop()


def _problems(results) -> list[tuple[str, str, str, list[str]]]:
    return [
        (result.name, result.type, result.status, result.problems)
        for result in results
        if result.status != "ok"
    ]


def test_good_fleet_has_no_problems(lab) -> None:
    results = check_records(lab["good"], lab["resolve"])
    assert _problems(results) == []
    assert {result.type for result in results} == {
        "A",
        "AAAA",
        "CNAME",
        "MX",
        "PTR",
        "TXT",
    }


def test_broken_fleet_reports_exactly_the_broken_records(lab) -> None:
    found = _problems(check_records(lab["broken"], lab["resolve"]))
    assert sorted(
        (name, rtype, status) for name, rtype, status, _problems in found
    ) == sorted((name, rtype, status) for name, rtype, status, _start in BROKEN)
    by_key = {(name, rtype): problems for name, rtype, _status, problems in found}
    for name, rtype, _status, start in BROKEN:
        assert any(problem.startswith(start) for problem in by_key[(name, rtype)]), (
            name,
            rtype,
            by_key[(name, rtype)],
        )


@pytest.mark.parametrize("selector, verdict", FC03)
def test_fc03_variants(lab, key_store, selector: str, verdict: str | None) -> None:
    expected = [
        {
            "name": f"{selector}._domainkey.fc.example",
            "type": "TXT",
            "value": key_store["rsa"]["value"],
        }
    ]
    (result,) = check_records(expected, lab["resolve"])
    if verdict is None:
        assert (result.status, result.problems) == ("ok", [])
    else:
        assert len(result.problems) == 1
        assert result.problems[0].startswith(verdict), result.problems


def test_fc03_compares_with_the_signers_key_file(lab, key_store) -> None:
    as_signer = {
        "name": "a._domainkey.fc.example",
        "type": "TXT",
        "key_file": key_store["rsa"]["path"],
    }
    other_signer = {**as_signer, "key_file": key_store["ed25519"]["path"]}
    assert [
        result.problems for result in check_records([as_signer], lab["resolve"])
    ] == [[]]
    (other,) = check_records([other_signer], lab["resolve"])
    assert other.problems == [
        "key truncated or mismatched: k=rsa published, the signer holds a ed25519 key"
    ]


@pytest.mark.parametrize("label, verdict", FC17)
def test_fc17_multiple_spf_records(lab, label: str, verdict: str | None) -> None:
    expected = [
        {"name": f"{label}.fc.example", "type": "TXT", "value": "v=spf1 mx a ~all"}
    ]
    (result,) = check_records(expected, lab["resolve"])
    if verdict is None:
        assert (result.status, result.published) == ("ok", ["v=spf1 mx a ~all"])
    else:
        assert result.status == "extra"
        assert result.problems[0].startswith(verdict)


def test_fc18_eleven_lookups_through_includes(lab) -> None:
    (eleven,) = check_records(
        [{"name": "example.com", "type": "TXT", "value": FC18_ELEVEN}], lab["resolve"]
    )
    assert eleven.problems == [
        "SPF needs 11 DNS lookups, over the limit of 10 (RFC 7208 §4.6.4: permerror); "
        "heaviest include chain: include:s2.example.net (5) > include:s3.example.net (2)"
    ]
    (ten,) = check_records(
        [{"name": "ten.example.com", "type": "TXT", "value": FC18_TEN}], lab["resolve"]
    )
    assert ten.problems == []


@pytest.mark.filterwarnings("ignore:please use dns.resolver.resolve:DeprecationWarning")
@pytest.mark.parametrize(
    "domain, verdict", [("example.com", "permerror"), ("ten.example.com", "softfail")]
)
def test_fc18_pyspf_agrees_on_the_served_zone(
    lab, monkeypatch: pytest.MonkeyPatch, domain: str, verdict: str
) -> None:
    # pyspf walks the same zone through its own dnspython path, pointed at Knot.
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = lab["server"].port
    monkeypatch.setattr(dns.resolver, "default_resolver", resolver)
    result, _code, explanation = spf.query(
        i="203.0.113.99", s=f"postmaster@{domain}", h=f"helo.{domain}"
    ).check()
    assert result == verdict, explanation


def test_stale_selector_is_extra(lab) -> None:
    (result,) = check_records(
        [{"name": "b._domainkey.fc.example", "type": "TXT", "state": "absent"}],
        lab["resolve"],
    )
    assert (result.status, result.problems) == (
        "extra",
        ["stale TXT record still published"],
    )


def test_unreachable_server_is_an_error_not_a_pass() -> None:
    resolve = dns_check.make_resolve(["127.0.0.1"], 9, 0.2)
    (result,) = check_records(
        [{"name": "example.com", "type": "MX", "value": "10 mx.example.com"}], resolve
    )
    assert result.status == "error"


@pytest.mark.parametrize("check_mode", [False, True])
def test_module_fails_with_the_list_of_problems(
    lab, capsys: pytest.CaptureFixture[str], check_mode: bool
) -> None:
    args = {
        "records": lab["broken"],
        "nameservers": ["127.0.0.1"],
        "port": lab["server"].port,
        "timeout": 2,
        "_ansible_check_mode": check_mode,
    }
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        dns_check.main()
    assert exited.value.code == 1
    output = json.loads(capsys.readouterr().out)
    assert output["failed"] is True
    assert output["changed"] is False
    assert output["msg"].startswith(f"{len(output['problems'])} DNS problems found: ")
    assert sorted({problem.split(":")[0] for problem in output["problems"]}) == sorted(
        {f"{name} {rtype}" for name, rtype, _status, _start in BROKEN}
    )


def test_module_passes_a_good_fleet(lab, capsys: pytest.CaptureFixture[str]) -> None:
    with (
        patch_module_args(
            {
                "records": lab["good"],
                "nameservers": ["127.0.0.1"],
                "port": lab["server"].port,
            }
        ),
        pytest.raises(SystemExit) as exited,
    ):
        dns_check.main()
    assert exited.value.code == 0
    output = json.loads(capsys.readouterr().out)
    assert output["problems"] == []
    assert {record["status"] for record in output["records"]} == {"ok"}
