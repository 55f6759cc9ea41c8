# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The embedded lab inventory: the fleet of the design, on reserved names."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.manager import VariableManager

LAB = Path(__file__).resolve().parents[2] / "inventories" / "lab"

# node -> the groups it must be in
NODES = [
    ("mx1.lab.test", {"fleet", "relay"}),
    ("mx2.lab.test", {"fleet", "relay"}),
    ("tx1.lab.test", {"fleet", "transactional"}),
    ("bulk1.lab.test", {"fleet", "bulk"}),
    ("imap1.lab.test", {"fleet", "imap"}),
    ("filter1.lab.test", {"fleet", "filter"}),
    ("ns1.lab.test", {"lab_helpers"}),
    ("world.lab.test", {"lab_helpers"}),
]


@pytest.fixture(scope="module")
def inventory() -> tuple[InventoryManager, VariableManager]:
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(LAB / "hosts.yml")])
    return manager, VariableManager(loader=loader, inventory=manager)


def host_vars(inventory, name: str) -> dict:
    manager, variables = inventory
    return variables.get_vars(host=manager.get_host(name))


@pytest.mark.parametrize("name, groups", NODES, ids=[n for n, _ in NODES])
def test_node_groups(inventory, name, groups):
    host = inventory[0].get_host(name)
    assert host is not None, f"{name} is missing from the lab inventory"
    assert groups <= {g.name for g in host.get_groups()}


def test_no_other_hosts(inventory):
    # localhost is the controller, where keys and records are made.
    expected = {name for name, _ in NODES} | {"localhost"}
    assert {h.name for h in inventory[0].get_hosts()} == expected


def test_relay_modes(inventory):
    assert host_vars(inventory, "mx1.lab.test")["relay_mx"] == "primary"
    assert host_vars(inventory, "mx2.lab.test")["relay_mx"] == "backup"


def test_addresses_unique_and_inside_the_lab_network(inventory):
    subnet = ipaddress.ip_network(host_vars(inventory, "mx1.lab.test")["lab_subnet"])
    addresses = [
        ipaddress.ip_address(host_vars(inventory, n)["lab_ipv4"]) for n, _ in NODES
    ]
    assert len(set(addresses)) == len(addresses)
    assert all(
        a in subnet and a not in (subnet.network_address, subnet.broadcast_address)
        for a in addresses
    )
    # 198.51.100.1 is the bridge on the host; no container may take it.
    assert next(subnet.hosts()) not in addresses


def test_names_are_reserved(inventory):
    # RFC 2606 / RFC 6761: the lab never uses a name that exists outside it.
    for name, _ in NODES:
        assert name.endswith(".test"), name
