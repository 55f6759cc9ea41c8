# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/validate.yml on small bad inventories: it stops before any host is touched.

Each inventory is a copy of a minimal valid fleet with some faults, in
``tmp_path``; the test runs ``ansible-playbook playbooks/validate.yml`` on it. The
nodes are reached over SSH at 127.0.0.1 port 9 (discard, closed), so a task
that did touch a node would fail loudly, and nothing leaves this machine.
Since the check lists every problem, one inventory holds several faults,
and all runs start at once: each ansible-playbook start costs seconds.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "validate.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
PREFIX = "mailfleet.stack.site: "
# A value that must never appear in the output.
CANARY = "vault-Canary-7781"

HOSTS: dict = {
    "relay": {
        "mx1.example.com": {"relay_mx": "primary", "mailfleet_ipv4": "203.0.113.11"},
        "mx2.example.com": {"relay_mx": "backup", "mailfleet_ipv4": "203.0.113.12"},
    },
    "transactional": {"tx1.example.com": {"mailfleet_ipv4": "203.0.113.21"}},
    "bulk": {"bulk1.example.com": {"mailfleet_ipv4": "203.0.113.31"}},
    "imap": {"imap1.example.com": {"mailfleet_ipv4": "203.0.113.41"}},
    "filter": {"filter1.example.com": {"mailfleet_ipv4": "203.0.113.51"}},
}

FLEET_VARS: dict = {
    "mailfleet_domains": [
        {
            "name": "example.com",
            "streams": ["transactional", "bulk", "submission"],
            "mailboxes": ["alice", "postmaster"],
        },
        {"name": "example.net", "streams": ["bulk"], "mailboxes": ["postmaster"]},
    ],
    "mailfleet_dkim_selector": "s2026",
    "mailfleet_dmarc": {"p": "none", "rua": "mailto:dmarc@example.com"},
    "mailfleet_transactional_apps": [
        {
            "login": "shop",
            "password": "{{ vault_shop_password }}",
            "domains": ["example.com"],
        }
    ],
}

VAULT: dict = {
    "mailfleet_mailbox_passwords": {
        "alice@example.com": CANARY,
        "postmaster@example.com": CANARY,
        "postmaster@example.net": CANARY,
    },
    "vault_shop_password": CANARY,
    "mailfleet_filter_controller_password": CANARY,
    "mailfleet_filter_redis_password": CANARY,
}

# Used only if a task touched a node: SSH to a closed port on loopback.
CONNECTION = {
    "ansible_connection": "ssh",
    "ansible_host": "127.0.0.1",
    "ansible_port": 9,
}

Inventory = dict[str, dict]
Mutation = Callable[[Inventory], None]


def _includes(count: int) -> list[str]:
    return [f"_spf{n}.provider.example" for n in range(count)]


def _add_domain(entry: dict) -> Mutation:
    return lambda inv: inv["fleet"]["mailfleet_domains"].append(entry)


def _domain(index: int, **keys: object) -> Mutation:
    return lambda inv: inv["fleet"]["mailfleet_domains"][index].update(keys)


def _dmarc(**tags: object) -> Mutation:
    return lambda inv: inv["fleet"]["mailfleet_dmarc"].update(tags)


def _join(host: str, group: str, source: str) -> Mutation:
    return lambda inv: inv["hosts"][group].update({host: inv["hosts"][source][host]})


def _ip(group: str, host: str, value: str) -> Mutation:
    return lambda inv: inv["hosts"][group][host].update(mailfleet_ipv4=value)


def _drop_secret(name: str) -> Mutation:
    return lambda inv: inv["vault"].pop(name)


def _drop_mailbox_password(address: str) -> Mutation:
    return lambda inv: inv["vault"]["mailfleet_mailbox_passwords"].pop(address)


# id, the inventory it goes into, the fault, the start of its line in the
# message. The check reports every problem, so one inventory holds several
# faults that do not touch each other: fewer ansible-playbook starts.
CASES: list[tuple[str, str, Mutation, str]] = [
    (
        "invalid-domain",
        "one",
        _add_domain({"name": "bad_name.example"}),
        "bad_name.example: name: 'bad_name.example' has a label with a character other than",
    ),
    (
        "selector",
        "one",
        lambda inv: inv["fleet"].update(mailfleet_dkim_selector="-s2026"),
        "fleet: mailfleet_dkim_selector: '-s2026' has a label that starts or ends with a hyphen",
    ),
    (
        "ip-not-an-address",
        "one",
        _ip("imap", "imap1.example.com", "203.0.113"),
        "imap1.example.com: mailfleet_ipv4: '203.0.113' is not an IPv4 or IPv6 address",
    ),
    (
        "mailbox-password",
        "one",
        _drop_mailbox_password("postmaster@example.net"),
        "example.net: mailfleet_mailbox_passwords: has no password for postmaster@example.net",
    ),
    (
        "duplicate-domain",
        "two",
        _add_domain({"name": "Example.NET"}),
        "example.net: name: is listed twice in mailfleet_domains",
    ),
    (
        "dmarc-policy",
        "two",
        _dmarc(p="monitor"),
        "fleet: mailfleet_dmarc.p: must be one of none, quarantine, reject; got 'monitor'",
    ),
    (
        "same-address",
        "two",
        _ip("filter", "filter1.example.com", "203.0.113.41"),
        "filter1.example.com: mailfleet_ipv4: 203.0.113.41 is also the address of imap1.example.com",
    ),
    (
        "app-password-undefined",
        "two",
        _drop_secret("vault_shop_password"),
        "fleet: mailfleet_transactional_apps[0].password: login 'shop' has no password",
    ),
    (
        "domain-star",
        "three",
        _add_domain({"name": "*"}),
        "*: name: '*' is a wildcard; list each domain by name",
    ),
    (
        "dmarc-range",
        "three",
        _dmarc(pct=101),
        "fleet: mailfleet_dmarc.pct: must be a whole number from 0 to 100; got 101",
    ),
    (
        "transactional-and-bulk",
        "three",
        _join("tx1.example.com", "bulk", "transactional"),
        "tx1.example.com: groups: is in both transactional and bulk",
    ),
    (
        "controller-password-undefined",
        "three",
        _drop_secret("mailfleet_filter_controller_password"),
        "fleet: mailfleet_filter_controller_password: is not set",
    ),
    (
        "spf-lookups",
        "four",
        _domain(1, spf={"includes": _includes(11)}),
        "example.net: spf.includes: needs 11 DNS lookups, over the limit of 10",
    ),
    (
        "stream",
        "four",
        _domain(1, streams=["bulk", "marketing"]),
        "example.net: streams: has the unknown stream 'marketing'",
    ),
    (
        "wildcard-domain",
        "four",
        _add_domain({"name": "*.example.org", "streams": ["bulk"]}),
        "*.example.org: name: '*.example.org' is a wildcard",
    ),
]
INVENTORIES = sorted({case[1] for case in CASES})


def write_inventory(directory: Path, faults: list[Mutation]) -> Path:
    """Write the minimal fleet with the faults, and return its hosts.yml."""
    inventory: Inventory = {
        "hosts": copy.deepcopy(HOSTS),
        "fleet": copy.deepcopy(FLEET_VARS),
        "vault": copy.deepcopy(VAULT),
    }
    for fault in faults:
        fault(inventory)
    groups = {name: {"hosts": hosts} for name, hosts in inventory["hosts"].items()}
    files = {
        "hosts.yml": {"all": {"children": {"fleet": {"children": groups}}}},
        "group_vars/all/fleet.yml": inventory["fleet"],
        "group_vars/all/vault.yml": inventory["vault"],
        "group_vars/fleet/connection.yml": CONNECTION,
    }
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + yaml.safe_dump(content, sort_keys=False))
    return directory / "hosts.yml"


def run_validate(hosts: Path) -> dict:
    """Run validate.yml on an inventory; return rc, the raw output and the JSON callback's report."""
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
        "ANSIBLE_NOCOLOR": "1",
    }
    done = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), str(PLAYBOOK), "-i", str(hosts)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    report = json.loads(done.stdout) if done.stdout.startswith("{") else {}
    return {
        "rc": done.returncode,
        "output": done.stdout + done.stderr,
        "report": report,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each bad inventory, the valid fleet and the lab, run at once."""
    sources = {"valid": write_inventory(tmp_path_factory.mktemp("valid"), [])}
    for name in INVENTORIES:
        faults = [case[2] for case in CASES if case[1] == name]
        sources[name] = write_inventory(tmp_path_factory.mktemp(name), faults)
    sources["lab"] = ROOT / "inventories" / "lab" / "hosts.yml"
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        return dict(zip(sources, pool.map(run_validate, sources.values()), strict=True))


def tasks_run(run: dict) -> list[tuple[str, dict]]:
    """(task name, localhost's result) for every task of every play that ran."""
    plays = run["report"]["plays"]
    return [
        (task["task"]["name"], task["hosts"].get("localhost", {}))
        for play in plays
        for task in play["tasks"]
    ]


def problem_lines(run: dict) -> list[str]:
    """The lines of the failed check's message, without the prefix."""
    name, result = tasks_run(run)[-1]
    if not result.get("failed"):
        return []
    assert name == "Stop when the inventory has a problem"
    lines = result["msg"].splitlines()
    assert all(line.startswith(PREFIX) for line in lines), lines
    return [line.removeprefix(PREFIX) for line in lines]


@pytest.mark.parametrize("inventory", INVENTORIES)
def test_bad_inventory_stops_before_any_host(runs, inventory: str) -> None:
    run = runs[inventory]
    assert run["rc"] != 0, run["output"]
    plays = run["report"]["plays"]
    # Only the check ran: one play, on the controller, and no node was reached.
    assert [play["play"]["name"] for play in plays] == [
        "Check the inventory before touching any host"
    ]
    assert set(run["report"]["stats"]) == {"localhost"}
    # Every fault of the inventory is listed, and nothing else.
    assert len(problem_lines(run)) == len([c for c in CASES if c[1] == inventory])


@pytest.mark.parametrize(
    "inventory, line", [(c[1], c[3]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_message_names_where_and_field(runs, inventory: str, line: str) -> None:
    found = problem_lines(runs[inventory])
    assert any(problem.startswith(line) for problem in found), found


@pytest.mark.parametrize("inventory", ["valid", "lab", *INVENTORIES])
def test_no_secret_in_the_output(runs, inventory: str) -> None:
    assert CANARY not in runs[inventory]["output"]


@pytest.mark.parametrize("inventory", ["valid", "lab"])
def test_sound_inventory_passes(runs, inventory: str) -> None:
    run = runs[inventory]
    assert run["rc"] == 0, run["output"]
    assert problem_lines(run) == []
