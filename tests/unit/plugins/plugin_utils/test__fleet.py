# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory check: one case per kind of bad input, and the lab passes."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.vars.manager import VariableManager

from ansible_collections.mailfleet.stack.plugins.plugin_utils._fleet import (
    FleetModelError,
    Problem,
    check_fleet,
)

LAB = Path(__file__).resolve().parents[4] / "inventories" / "lab"
# A value that must never appear in a message.
CANARY = "s3cret-Value-42"

VALID: dict = {
    "domains": [
        {
            "name": "example.com",
            "streams": ["transactional", "bulk", "submission"],
            "mailboxes": ["alice", "bob"],
        },
        {"name": "example.net", "streams": ["bulk"], "mailboxes": ["postmaster"]},
    ],
    "dkim_selector": "s2026",
    "dmarc": {"p": "none", "rua": "mailto:dmarc@example.com", "adkim": "r"},
    "nodes": [
        {
            "name": "mx1.example.com",
            "groups": ["fleet", "relay"],
            "ipv4": "203.0.113.11",
            "relay_mx": "primary",
        },
        {
            "name": "mx2.example.com",
            "groups": ["fleet", "relay"],
            "ipv4": "203.0.113.12",
            "relay_mx": "backup",
        },
        {
            "name": "tx1.example.com",
            "groups": ["fleet", "transactional"],
            "ipv4": "203.0.113.21",
            "relay_mx": None,
        },
        {
            "name": "bulk1.example.com",
            "groups": ["fleet", "bulk"],
            "ipv4": "203.0.113.31",
            "relay_mx": None,
        },
        {
            "name": "imap1.example.com",
            "groups": ["fleet", "imap"],
            "ipv4": "203.0.113.41",
            "relay_mx": None,
        },
        {
            "name": "filter1.example.com",
            "groups": ["fleet", "filter"],
            "ipv4": "203.0.113.51",
            "relay_mx": None,
        },
    ],
    "secrets": {
        "mailbox_passwords": {
            "alice@example.com": CANARY,
            "bob@example.com": CANARY,
            "postmaster@example.net": CANARY,
        },
        "transactional_apps": [
            {"login": "shop", "password": CANARY, "domains": ["example.com"]}
        ],
        "filter_controller_password": CANARY,
        "filter_redis_password": CANARY,
    },
}


def _includes(count: int) -> list[str]:
    return [f"_spf{n}.provider.example" for n in range(count)]


def _node(model: dict, name: str) -> dict:
    return next(node for node in model["nodes"] if node["name"] == name)


Mutation = Callable[[dict], None]

# id, what to break in VALID, every problem expected (exactly these, in order)
CASES: list[tuple[str, Mutation, list[str]]] = [
    (
        "invalid-domain-name",
        lambda m: m["domains"].append({"name": "exa mple.org", "streams": ["bulk"]}),
        ["exa mple.org: name: 'exa mple.org' contains white space"],
    ),
    (
        "domain-is-an-address",
        lambda m: m["domains"].append({"name": "203.0.113.9"}),
        [
            "203.0.113.9: name: '203.0.113.9' has an all-numeric top-level label; an IP address is not a domain (RFC 3696 §2)"
        ],
    ),
    (
        "domain-star",
        lambda m: m["domains"].append({"name": "*", "streams": ["bulk"]}),
        [
            "*: name: '*' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key"
        ],
    ),
    (
        "domain-wildcard",
        lambda m: m["domains"].append({"name": "*.example.org"}),
        [
            "*.example.org: name: '*.example.org' is a wildcard; list each domain by name, "
            "since one '*' entry would sign or vouch for every domain with the same key"
        ],
    ),
    (
        "domain-without-name",
        lambda m: m["domains"].append({"streams": ["bulk"]}),
        ["mailfleet_domains[2]: name: is not set"],
    ),
    (
        "duplicate-domain",
        lambda m: m["domains"].append({"name": "Example.NET.", "streams": ["bulk"]}),
        ["example.net: name: is listed twice in mailfleet_domains"],
    ),
    (
        "unknown-stream",
        lambda m: m["domains"][1].update(streams=["bulk", "newsletter"]),
        [
            "example.net: streams: has the unknown stream 'newsletter'; expected some of transactional, bulk, submission"
        ],
    ),
    (
        "stream-without-sender",
        lambda m: m["nodes"].pop(3),
        [
            "example.com: streams: sends bulk mail, but no node is in group bulk",
            "example.net: streams: sends bulk mail, but no node is in group bulk",
        ],
    ),
    (
        "spf-over-ten-lookups",
        lambda m: m["domains"][1].update(spf={"includes": _includes(11)}),
        [
            "example.net: spf.includes: needs 11 DNS lookups, over the limit of 10 (RFC 7208 §4.6.4); "
            "heaviest include chain: include:_spf0.provider.example (1)"
        ],
    ),
    (
        "spf-unknown-option",
        lambda m: m["domains"][1].update(spf={"include": ["_spf.provider.example"]}),
        [
            "example.net: spf: has unknown options include; expected some of includes, mechanisms, policy, existing, known_records"
        ],
    ),
    (
        "selector-not-a-label",
        lambda m: m.update(dkim_selector="mail_2026"),
        [
            "fleet: mailfleet_dkim_selector: 'mail_2026' contains '_'; RFC 6376 §3.1 allows letters, digits, hyphens and dots only"
        ],
    ),
    (
        "selector-missing",
        lambda m: m.update(dkim_selector=None),
        ["fleet: mailfleet_dkim_selector: is not set"],
    ),
    (
        "unknown-dmarc-policy",
        lambda m: m["dmarc"].update(p="block"),
        [
            "fleet: mailfleet_dmarc.p: must be one of none, quarantine, reject; got 'block'"
        ],
    ),
    (
        "dmarc-pct-out-of-range",
        lambda m: m["dmarc"].update(pct=150),
        ["fleet: mailfleet_dmarc.pct: must be a whole number from 0 to 100; got 150"],
    ),
    (
        "dmarc-unknown-alignment",
        lambda m: m["dmarc"].update(aspf="strict"),
        ["fleet: mailfleet_dmarc.aspf: must be one of r, s; got 'strict'"],
    ),
    (
        "dmarc-of-a-domain",
        lambda m: m["domains"][1].update(dmarc={"p": "reject", "sp": "drop"}),
        ["example.net: dmarc.sp: must be one of none, quarantine, reject; got 'drop'"],
    ),
    (
        "dmarc-missing",
        lambda m: m.update(dmarc=None),
        ["fleet: mailfleet_dmarc: is not set"],
    ),
    (
        "ip-not-an-address",
        lambda m: _node(m, "tx1.example.com").update(ipv4="203.0.113.300"),
        [
            "tx1.example.com: mailfleet_ipv4: '203.0.113.300' is not an IPv4 or IPv6 address"
        ],
    ),
    (
        "ip-is-ipv6",
        lambda m: _node(m, "tx1.example.com").update(ipv4="2001:db8::21"),
        ["tx1.example.com: mailfleet_ipv4: '2001:db8::21' is not an IPv4 address"],
    ),
    (
        "ip-missing",
        lambda m: _node(m, "imap1.example.com").update(ipv4=None),
        [
            "imap1.example.com: mailfleet_ipv4: is not set; give the node's public IPv4 address"
        ],
    ),
    (
        "same-address",
        lambda m: _node(m, "bulk1.example.com").update(ipv4="203.0.113.21"),
        [
            "bulk1.example.com: mailfleet_ipv4: 203.0.113.21 is also the address of tx1.example.com; each node needs its own"
        ],
    ),
    (
        "transactional-and-bulk",
        lambda m: _node(m, "tx1.example.com")["groups"].append("bulk"),
        [
            "tx1.example.com: groups: is in both transactional and bulk; application mail and campaigns "
            "must never share an IP or a queue, so give each its own node"
        ],
    ),
    (
        "node-not-fully-qualified",
        lambda m: _node(m, "filter1.example.com").update(name="filter1"),
        [
            "filter1: name: 'filter1' is a single label; a fully qualified name is needed"
        ],
    ),
    (
        "unknown-relay-mode",
        lambda m: _node(m, "mx2.example.com").update(relay_mx="secondary"),
        ["mx2.example.com: relay_mx: must be primary or backup; got 'secondary'"],
    ),
    (
        "no-primary-relay",
        lambda m: _node(m, "mx1.example.com").update(relay_mx="backup"),
        [
            "fleet: relay_mx: no relay is relay_mx primary; the domains' MX records need one"
        ],
    ),
    (
        "missing-mailbox-password",
        lambda m: m["secrets"]["mailbox_passwords"].pop("bob@example.com"),
        [
            "example.com: mailfleet_mailbox_passwords: has no password for bob@example.com"
        ],
    ),
    (
        "empty-mailbox-password",
        lambda m: m["secrets"]["mailbox_passwords"].update(
            {"postmaster@example.net": ""}
        ),
        [
            "example.net: mailfleet_mailbox_passwords: has an empty password for postmaster@example.net"
        ],
    ),
    (
        "mailbox-passwords-missing",
        lambda m: m["secrets"].update(mailbox_passwords=None),
        [
            "fleet: mailfleet_mailbox_passwords: is not set; give every mailbox of mailfleet_domains a password"
        ],
    ),
    (
        "password-of-no-mailbox",
        lambda m: m["secrets"]["mailbox_passwords"].update(
            {"carol@example.com": CANARY}
        ),
        [
            "example.com: mailfleet_mailbox_passwords: holds carol@example.com, which is not a mailbox of mailfleet_domains"
        ],
    ),
    (
        "mailbox-not-a-local-part",
        lambda m: m["domains"][1].update(mailboxes=["postmaster", "dave@example.net"]),
        [
            "example.net: mailboxes: 'dave@example.net' is not a local part; give the part before '@', such as 'alice'"
        ],
    ),
    (
        "app-without-password",
        lambda m: m["secrets"]["transactional_apps"][0].pop("password"),
        [
            "fleet: mailfleet_transactional_apps[0].password: login 'shop' has no password"
        ],
    ),
    (
        "app-with-empty-password",
        lambda m: m["secrets"]["transactional_apps"][0].update(password=""),
        [
            "fleet: mailfleet_transactional_apps[0].password: login 'shop' has an empty password"
        ],
    ),
    (
        "app-for-a-bulk-domain",
        lambda m: m["secrets"]["transactional_apps"][0].update(domains=["example.net"]),
        [
            "fleet: mailfleet_transactional_apps[0].domains: 'example.net' is not a domain of mailfleet_domains "
            "that sends transactional mail, nor below one"
        ],
    ),
    (
        "filter-controller-password-undefined",
        lambda m: m["secrets"].pop("filter_controller_password"),
        [
            "fleet: mailfleet_filter_controller_password: is not set; the filter node needs it"
        ],
    ),
    (
        "filter-redis-password-empty",
        lambda m: m["secrets"].update(filter_redis_password=""),
        ["fleet: mailfleet_filter_redis_password: is empty"],
    ),
    (
        "no-imap-node",
        lambda m: m["nodes"].pop(4),
        [
            "fleet: groups: no node is in group imap; the relays hand inbound mail to one"
        ],
    ),
]


def broken(mutation: Mutation) -> dict:
    model = copy.deepcopy(VALID)
    mutation(model)
    return model


def test_valid_model_has_no_problems() -> None:
    assert check_fleet(VALID) == []


@pytest.mark.parametrize(
    "mutation, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(mutation: Mutation, expected: list[str]) -> None:
    problems = check_fleet(broken(mutation))
    assert all(isinstance(problem, Problem) for problem in problems)
    assert [str(problem) for problem in problems] == expected


@pytest.mark.parametrize("mutation", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_no_secret_in_any_message(mutation: Mutation) -> None:
    assert all(CANARY not in str(problem) for problem in check_fleet(broken(mutation)))


def test_every_problem_is_reported() -> None:
    def everything(model: dict) -> None:
        for _name, mutation, _expected in CASES:
            if _name in (
                "duplicate-domain",
                "transactional-and-bulk",
                "selector-not-a-label",
                "missing-mailbox-password",
            ):
                mutation(model)

    wheres = [
        (problem.where, problem.field) for problem in check_fleet(broken(everything))
    ]
    assert wheres == [
        ("example.net", "name"),
        ("tx1.example.com", "groups"),
        ("fleet", "mailfleet_dkim_selector"),
        ("example.com", "mailfleet_mailbox_passwords"),
    ]


def test_record_filter_is_the_last_check() -> None:
    # A fault that only the record filter knows: a TTL out of range.
    model = broken(lambda m: m["domains"][0].update(ttl=-1))
    assert [str(problem) for problem in check_fleet(model)] == [
        "example.com: ttl: must be a whole number of seconds from 0 to 2147483647 (RFC 2181 §8); got -1"
    ]


MALFORMED: list[tuple[object, str]] = [
    ([], "the model must be a dict; got list"),
    ({"nodes": "mx1"}, "nodes must be a list of dicts; got str"),
    ({"nodes": [{"groups": []}]}, "nodes[0] must be a dict with a name"),
    ({"nodes": [], "secrets": []}, "secrets must be a dict; got list"),
]


@pytest.mark.parametrize("model, error", MALFORMED)
def test_malformed_model(model: object, error: str) -> None:
    with pytest.raises(FleetModelError, match=f"^{re.escape(error)}$"):
        check_fleet(model)  # type: ignore[arg-type]


def lab_model() -> dict:
    """The model of the lab inventory, built as playbooks/validate.yml builds it."""
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(LAB / "hosts.yml")])
    manager = VariableManager(loader=loader, inventory=inventory)

    def value(host: str, name: str) -> object:
        variables = manager.get_vars(host=inventory.get_host(host))
        return Templar(loader=loader, variables=variables).template(variables.get(name))

    fleet = [host.name for host in inventory.groups["fleet"].get_hosts()]
    return {
        "domains": value("localhost", "mailfleet_domains"),
        "dkim_selector": value("localhost", "mailfleet_dkim_selector"),
        "dmarc": value("localhost", "mailfleet_dmarc"),
        "nodes": [
            {
                "name": name,
                "groups": [
                    group.name for group in inventory.get_host(name).get_groups()
                ],
                "ipv4": value(name, "mailfleet_ipv4"),
                "relay_mx": value(name, "relay_mx"),
            }
            for name in fleet
        ],
        "secrets": {
            "mailbox_passwords": value("imap1.lab.test", "mailfleet_mailbox_passwords"),
            "transactional_apps": value("tx1.lab.test", "mailfleet_transactional_apps"),
            "filter_controller_password": value(
                "filter1.lab.test", "mailfleet_filter_controller_password"
            ),
            "filter_redis_password": value(
                "filter1.lab.test", "mailfleet_filter_redis_password"
            ),
        },
    }


def test_lab_inventory_has_no_problems() -> None:
    model = lab_model()
    assert len(model["nodes"]) == 6
    assert check_fleet(model) == []
