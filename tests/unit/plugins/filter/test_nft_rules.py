# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nft_rules filter, with nft itself as the oracle.

The rendered statements are loaded by nft into a private network namespace
(``unshare --net``, as root), after the base table that the common role
writes, and the rules read back as JSON. Nothing touches the host's rules.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.nft_rules"
BASE = """
table inet mailfleet {
  chain input {
    type filter hook input priority filter; policy drop;
  }
}
"""


@pytest.fixture
def nft_rules():
    return filter_loader.get(FQCN).j2_function


def load(statements: str, tmp_path) -> list[dict]:
    """Load the base table and the statements; return the rules nft holds."""
    if os.geteuid() != 0 or not shutil.which("nft"):
        pytest.fail(
            "nft as root is needed: ./fleet test installs nftables (tests/host-packages.txt)"
        )
    ruleset = tmp_path / "ruleset.nft"
    ruleset.write_text(BASE + statements)
    done = subprocess.run(
        ["unshare", "--net", "sh", "-c", f"nft -f {ruleset} && nft -j list ruleset"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [
        item["rule"] for item in json.loads(done.stdout)["nftables"] if "rule" in item
    ]


def matches(rule: dict) -> dict:
    """The rule's matches as {field: right-hand side}, e.g. 'ip saddr'."""
    found = {}
    for expr in rule["expr"]:
        match = expr.get("match")
        if not match:
            continue
        left = match["left"]["payload"]
        found[f"{left['protocol']} {left['field']}"] = match["right"]
    return found


def members(right: object) -> set[str]:
    """A set's members as text: addresses, 'net/len' prefixes, ports."""
    items = right["set"] if isinstance(right, dict) and "set" in right else [right]
    out = set()
    for item in items:
        if isinstance(item, dict) and "prefix" in item:
            out.add(f"{item['prefix']['addr']}/{item['prefix']['len']}")
        elif isinstance(item, dict) and "range" in item:
            out.add("-".join(str(x) for x in item["range"]))
        else:
            out.add(str(item))
    return out


def test_rules_load_as_meant(nft_rules, tmp_path) -> None:
    rules = [
        {"port": 25, "sources": "any", "comment": "SMTP from anyone"},
        {
            "port": [24, "24"],
            "sources": ["198.51.100.11", "198.51.100.16/28", "2001:db8::11"],
            "comment": "LMTP from the relays",
        },
        {"port": "53", "proto": "udp", "sources": ["10.0.0.0/8"]},
        {"port": "10000-10100", "sources": ["2001:db8:1::/48"]},
        {"port": 12345, "sources": [], "comment": "SASL for no one"},
    ]
    text = nft_rules(rules, "imap")
    assert text.splitlines()[0] == "# imap"
    loaded = load(text, tmp_path)
    got = [
        (
            {key: members(value) for key, value in matches(rule).items()},
            rule.get("comment"),
        )
        for rule in loaded
    ]
    assert got == [
        ({"tcp dport": {"25"}}, "SMTP from anyone"),
        (
            {"ip saddr": {"198.51.100.11", "198.51.100.16/28"}, "tcp dport": {"24"}},
            "LMTP from the relays",
        ),
        ({"ip6 saddr": {"2001:db8::11"}, "tcp dport": {"24"}}, "LMTP from the relays"),
        ({"ip saddr": {"10.0.0.0/8"}, "udp dport": {"53"}}, None),
        ({"ip6 saddr": {"2001:db8:1::/48"}, "tcp dport": {"10000-10100"}}, None),
    ]
    # Every rule accepts; the SASL port with no source is not opened at all.
    assert all(any("accept" in expr for expr in rule["expr"]) for rule in loaded)
    assert "12345" not in json.dumps(loaded)


REFUSED = [
    ({"port": 0, "sources": "any"}, "rule 1, port: 0 is not between 1 and 65535"),
    (
        {"port": 70000, "sources": "any"},
        "rule 1, port: 70000 is not between 1 and 65535",
    ),
    (
        {"port": "25-10", "sources": "any"},
        "rule 1, port: range 25-10 must rise within 1-65535",
    ),
    (
        {"port": True, "sources": "any"},
        "rule 1, port: expected a port number, got True",
    ),
    ({"port": [], "sources": "any"}, "rule 1, port: the list of ports is empty"),
    ({"port": "smtp", "sources": "any"}, "rule 1, port: expected a port, a range"),
    ({"sources": "any"}, "rule 1, port: missing"),
    ({"port": 25}, "rule 1, sources: missing; write 'any' to open the port to anyone"),
    ({"port": 25, "sources": "everyone"}, "rule 1, sources: expected 'any' or a list"),
    (
        {"port": 25, "sources": ["10.0.0.1/24"]},
        "rule 1, sources: '10.0.0.1/24' is not an address",
    ),
    (
        {"port": 25, "sources": ["relay1.example.com"]},
        "rule 1, sources: 'relay1.example.com' is not",
    ),
    (
        {"port": 25, "sources": "any", "proto": "icmp"},
        "rule 1, proto: expected one of tcp, udp",
    ),
    (
        {"port": 25, "sources": "any", "comment": 'say "hi"'},
        "rule 1, comment: at most 128",
    ),
    ({"port": 25, "sources": "any", "ports": 26}, "rule 1, ports: unknown field"),
]


@pytest.mark.parametrize("rule, error", REFUSED)
def test_refused_with_owner_rule_and_field(nft_rules, rule: dict, error: str) -> None:
    with pytest.raises(
        AnsibleFilterError, match=f"^{re.escape(FQCN)}: relay {re.escape(error)}"
    ):
        nft_rules([rule], "relay")


def test_second_rule_is_named(nft_rules) -> None:
    with pytest.raises(
        AnsibleFilterError, match=r"^mailfleet\.stack\.nft_rules: filter rule 2, port: "
    ):
        nft_rules(
            [
                {"port": 11332, "sources": ["10.0.0.5"]},
                {"port": 99999, "sources": "any"},
            ],
            "filter",
        )


def test_not_a_list(nft_rules) -> None:
    with pytest.raises(
        AnsibleFilterError,
        match=r"^mailfleet\.stack\.nft_rules: bulk, rules: expected a list",
    ):
        nft_rules({"port": 25, "sources": "any"}, "bulk")
