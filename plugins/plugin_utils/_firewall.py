# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""Rules of the node firewall, checked and rendered as nftables statements.

Every rule accepts new connections to some ports of the node, from anyone or
from a list of addresses and networks. The statements add to the input chain
of the table ``inet mailfleet`` that the common role owns.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["ANY", "FirewallError", "Rule", "parse_rules", "render_rules"]

ANY = "any"
TABLE = "inet mailfleet"
CHAIN = "input"
PROTOCOLS = ("tcp", "udp")
_FIELDS = frozenset(("port", "proto", "sources", "comment"))
_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")
# nft limits a comment to 128 bytes; quotes and backslashes would end it.
_COMMENT = re.compile(r"^[A-Za-z0-9 .,:;/()+_'-]{0,128}$")


class FirewallError(ValueError):
    """A rule that cannot be rendered; ``rule`` and ``field`` say where."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field

    def __str__(self) -> str:
        return f"{self.rule}, {self.field}: {self.args[0]}"


@dataclass(frozen=True)
class Rule:
    """One accepted service: ports, protocol, who may connect, and why."""

    ports: tuple[str, ...]
    proto: str
    # None means anyone; an empty tuple means no one (the rule is closed).
    sources: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None
    comment: str


def _port(value: object, where: str) -> str:
    if isinstance(value, bool):
        raise FirewallError(where, "port", f"expected a port number, got {value!r}")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        number = int(value)
        if not 1 <= number <= 65535:
            raise FirewallError(where, "port", f"{number} is not between 1 and 65535")
        return str(number)
    if isinstance(value, str) and (match := _RANGE.match(value)):
        low, high = int(match.group(1)), int(match.group(2))
        if not 1 <= low < high <= 65535:
            raise FirewallError(
                where, "port", f"range {value} must rise within 1-65535"
            )
        return f"{low}-{high}"
    raise FirewallError(
        where,
        "port",
        f"expected a port, a range such as 1000-2000, or a list; got {value!r}",
    )


def _ports(value: object, where: str) -> tuple[str, ...]:
    values = (
        value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    )
    if not values:
        raise FirewallError(where, "port", "the list of ports is empty")
    ports = [_port(item, where) for item in values]
    return tuple(dict.fromkeys(ports))


def _sources(value: object, where: str):
    if value is None or value == ANY:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise FirewallError(
            where,
            "sources",
            f"expected {ANY!r} or a list of addresses and networks; got {value!r}",
        )
    networks = []
    for item in value:
        try:
            networks.append(ipaddress.ip_network(str(item).strip(), strict=True))
        except ValueError as exc:
            raise FirewallError(
                where, "sources", f"{item!r} is not an address or a network ({exc})"
            ) from None
    return tuple(dict.fromkeys(networks))


def parse_rules(rules: object, owner: str) -> list[Rule]:
    """Check a list of rule mappings; ``owner`` names the list in errors."""
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        raise FirewallError(
            owner, "rules", f"expected a list of rules, got {type(rules).__name__}"
        )
    parsed = []
    for index, rule in enumerate(rules):
        where = f"{owner} rule {index + 1}"
        if not isinstance(rule, Mapping):
            raise FirewallError(
                where, "rule", f"expected a mapping, got {type(rule).__name__}"
            )
        unknown = sorted(set(rule) - _FIELDS)
        if unknown:
            raise FirewallError(
                where,
                unknown[0],
                f"unknown field; a rule has {', '.join(sorted(_FIELDS))}",
            )
        if "port" not in rule:
            raise FirewallError(where, "port", "missing")
        if "sources" not in rule:
            # Open to anyone only when a rule says so.
            raise FirewallError(
                where, "sources", f"missing; write {ANY!r} to open the port to anyone"
            )
        proto = rule.get("proto", "tcp")
        if proto not in PROTOCOLS:
            raise FirewallError(
                where, "proto", f"expected one of {', '.join(PROTOCOLS)}, got {proto!r}"
            )
        comment = str(rule.get("comment", ""))
        if not _COMMENT.match(comment):
            raise FirewallError(
                where,
                "comment",
                "at most 128 letters, digits, spaces and . , : ; / ( ) + _ ' -",
            )
        parsed.append(
            Rule(
                ports=_ports(rule["port"], where),
                proto=proto,
                sources=_sources(rule["sources"], where),
                comment=comment,
            )
        )
    return parsed


def _source(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    # A single host reads as its address.
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def _statement(match: str, rule: Rule) -> str:
    ports = ", ".join(rule.ports)
    text = f"add rule {TABLE} {CHAIN} {match}{rule.proto} dport {{ {ports} }} accept"
    if rule.comment:
        text += f' comment "{rule.comment}"'
    return text


def render_rules(rules: list[Rule], owner: str) -> str:
    """The nftables statements of ``rules``, headed by a comment naming ``owner``."""
    lines = [f"# {owner}"]
    for rule in rules:
        if rule.sources is None:
            lines.append(_statement("", rule))
            continue
        if not rule.sources:
            lines.append(
                f"# closed, no source allowed: {rule.proto} {', '.join(rule.ports)}"
            )
            continue
        for family, version in (("ip", 4), ("ip6", 6)):
            nets = [_source(net) for net in rule.sources if net.version == version]
            if nets:
                lines.append(
                    _statement(f"{family} saddr {{ {', '.join(nets)} }} ", rule)
                )
    return "\n".join(lines) + "\n"
