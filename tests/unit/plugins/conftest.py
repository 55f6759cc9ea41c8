# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the plugin tests: a loopback-only network and keys made once."""

from __future__ import annotations

import ipaddress
import socket

import pytest
import spf
from mail_fleets import fleet_for

from ansible.plugins.loader import lookup_loader


def _loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket path
    try:
        return ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection or datagram to an address outside loopback."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def connect(self, address):
        if not _loopback(address):
            raise AssertionError(f"test tried to reach {address!r} outside loopback")
        return original_connect(self, address)

    def connect_ex(self, address):
        if not _loopback(address):
            raise AssertionError(f"test tried to reach {address!r} outside loopback")
        return original_connect_ex(self, address)

    def sendto(self, data, *args):
        if not _loopback(args[-1]):
            raise AssertionError(f"test tried to send to {args[-1]!r} outside loopback")
        return original_sendto(self, data, *args)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)


@pytest.fixture(scope="session")
def key_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A key store with an RSA 2048 key and an Ed25519 key for example.com, made once per session."""
    inventory = tmp_path_factory.mktemp("inventory")
    lookup = lookup_loader.get("mailfleet.stack.dkim_key")
    variables = {"inventory_dir": str(inventory)}
    rsa = lookup.run(["example.com"], variables=variables, selector="mail")[0]
    ed = lookup.run(
        ["example.com"], variables=variables, selector="ed", key_type="ed25519"
    )[0]
    return {"inventory": inventory, "rsa": rsa, "ed25519": ed}


@pytest.fixture
def pyspf_check(monkeypatch: pytest.MonkeyPatch):
    """Evaluate SPF with pyspf, which did not write the records, against a zone held in a dict.

    The zone maps a name to ``{"TXT": [value, ...], "A": [...], "AAAA": [...], "MX": [(pref, host)]}``.
    ``check(zone, domain, ip)`` returns pyspf's ``(result, code, explanation)``.
    """

    def check(
        zone: dict[str, dict[str, list]], domain: str, ip: str
    ) -> tuple[str, int, str]:
        def lookup(name, qtype, *_args, **_kwargs):
            answers = zone.get(name.lower().rstrip("."), {}).get(qtype, [])
            if qtype == "TXT":
                return [
                    ((name, qtype), [chunk.encode() for chunk in _chunks(value)])
                    for value in answers
                ]
            return [((name, qtype), value) for value in answers]

        monkeypatch.setattr(spf, "DNSLookup", lookup)
        return spf.query(i=ip, s=f"postmaster@{domain}", h=f"helo.{domain}").check()

    return check


def _chunks(value: str) -> list[str]:
    return [value[start : start + 255] for start in range(0, len(value), 255)] or [""]


@pytest.fixture
def example_fleet(key_store) -> dict:
    """The example.com fleet with the session's keys: RSA for example.com, Ed25519 for news."""
    return fleet_for(
        "example.com",
        "192.0.2",
        main_key=key_store["rsa"],
        news_key=key_store["ed25519"],
    )
