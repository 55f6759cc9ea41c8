# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""The whole inventory of a fleet, checked before any host is touched.

:func:`check_fleet` takes a plain model of the inventory and returns every
problem it finds, not only the first, each naming the domain or node (or
``fleet`` for a fleet-wide setting), the field and what is wrong. The rules
of names, selectors, SPF and DMARC are those of the record filters, reused
from ``_names``, ``_spf``, ``_dmarc`` and ``_dns``.

The model is a dict with these keys; a value of ``None`` means that the
inventory does not set it::

    {
        # mailfleet_domains, as in the inventory: dicts with name, streams,
        # mailboxes and optionally spf, dmarc, mx.
        "domains": [{"name": "example.com", "streams": ["bulk"], "mailboxes": ["alice"]}],
        "dkim_selector": "s2026",         # mailfleet_dkim_selector
        "dmarc": {"p": "none"},           # mailfleet_dmarc
        # One dict per host of group fleet: the inventory name, its
        # group_names, its mailfleet_ipv4 and, for relays, relay_mx.
        "nodes": [{"name": "mx1.example.com", "groups": ["fleet", "relay"],
                   "ipv4": "203.0.113.11", "relay_mx": "primary"}],
        "secrets": {
            "mailbox_passwords": {"alice@example.com": "..."},
            "transactional_apps": [{"login": "shop", "password": "...", "domains": ["example.com"]}],
            "filter_controller_password": "...",
            "filter_redis_password": "...",
        },
    }

Secrets are only tested for presence and non-emptiness; no message ever
holds a secret's value.
"""

from __future__ import annotations

import inspect
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from ansible_collections.mailfleet.stack.plugins.module_utils._dmarc import (
    DmarcError,
    normalize_tags,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    is_within,
    normalize_domain,
    normalize_ip,
    validate_selector,
)
from ansible_collections.mailfleet.stack.plugins.plugin_utils._dns import (
    NODE_ROLES,
    STREAM_ROLES,
    RecordError,
    build_spf,
    fleet_records,
)

__all__ = ["FLEET", "FleetModelError", "Problem", "check_fleet"]

FLEET = "fleet"
"""What a problem names when the fault is in a fleet-wide setting."""

SEPARATE_ROLES = ("transactional", "bulk")
"""Roles that never share a node: they must not share an IP or a queue."""

RELAY_MODES = ("primary", "backup")

# The SPF options of a domain are the keyword options of build_spf; the
# addresses come from the nodes, never from the domain.
SPF_OPTIONS = tuple(
    name
    for name, parameter in inspect.signature(build_spf).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name != "ips"
)

_SECRET_FIELDS = {
    "filter_controller_password": "mailfleet_filter_controller_password",
    "filter_redis_password": "mailfleet_filter_redis_password",
}


class FleetModelError(ValueError):
    """A model that the caller, not the inventory, got wrong: a missing key or a wrong type."""


@dataclass(frozen=True)
class Problem:
    """One fault of the inventory.

    ``where`` is the domain or the node at fault, or :data:`FLEET`;
    ``field`` is the inventory variable or domain key, e.g. ``streams``,
    ``mailfleet_ipv4`` or ``mailfleet_dmarc.p``.
    """

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


def _unset(value: object) -> bool:
    return value is None or value == ""


def _type(value: object) -> str:
    return type(value).__name__


def _list(value: object) -> list | None:
    """The value as a list, or ``None`` when it is not one (a string is not)."""
    if isinstance(value, list | tuple):
        return list(value)
    return None


@dataclass
class _Domain:
    name: str
    entry: Mapping
    streams: list[str]


@dataclass
class _Domains:
    """The domains fit for further checks; the names of the others, "" for one without a name."""

    checked: list[_Domain]
    rejected: set[str]

    @property
    def names(self) -> list[str]:
        return [domain.name for domain in self.checked]


def _check_domains(raw: object, problems: list[Problem]) -> _Domains:
    """Check the names and streams of mailfleet_domains."""
    found = _Domains([], set())
    if raw is None:
        problems.append(Problem(FLEET, "mailfleet_domains", "is not set"))
        return found
    entries = _list(raw)
    if entries is None:
        problems.append(
            Problem(
                FLEET,
                "mailfleet_domains",
                f"must be a list of domains; got {_type(raw)}",
            )
        )
        return found
    if not entries:
        problems.append(
            Problem(
                FLEET,
                "mailfleet_domains",
                "is empty; the fleet needs at least one domain",
            )
        )
    for index, entry in enumerate(entries):
        slot = f"mailfleet_domains[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                Problem(
                    slot, "domain", f"must be a dict with a name; got {_type(entry)}"
                )
            )
            found.rejected.add("")
            continue
        raw_name = entry.get("name")
        if _unset(raw_name):
            problems.append(Problem(slot, "name", "is not set"))
            found.rejected.add("")
            continue
        if not isinstance(raw_name, str):
            problems.append(
                Problem(
                    slot,
                    "name",
                    f"must be a domain name as a string; got {_type(raw_name)}",
                )
            )
            found.rejected.add("")
            continue
        try:
            name = normalize_domain(raw_name)
        except DnsNameError as exc:
            problems.append(Problem(raw_name.strip(), "name", f"{raw_name!r} {exc}"))
            found.rejected.add(raw_name.strip().rstrip(".").lower())
            continue
        if name in found.names:
            problems.append(
                Problem(name, "name", "is listed twice in mailfleet_domains")
            )
            found.rejected.add(name)
            continue
        streams = _check_streams(name, entry.get("streams"), problems)
        found.checked.append(_Domain(name, entry, streams))
    return found


def _check_streams(name: str, raw: object, problems: list[Problem]) -> list[str]:
    """The domain's known streams; each unknown one is a problem."""
    if raw is None:
        return []
    streams = _list(raw)
    if streams is None:
        problems.append(
            Problem(name, "streams", f"must be a list of streams; got {_type(raw)}")
        )
        return []
    unknown = [stream for stream in streams if stream not in STREAM_ROLES]
    for stream in unknown:
        problems.append(
            Problem(
                name,
                "streams",
                f"has the unknown stream {stream!r}; expected some of {', '.join(STREAM_ROLES)}",
            )
        )
    return [str(stream) for stream in streams if stream in STREAM_ROLES]


def _check_spf(
    domain: _Domain, senders: dict[str, list[str]], problems: list[Problem]
) -> None:
    """Build the domain's SPF as the record filter would, from the addresses of its senders."""
    spf = domain.entry.get("spf")
    if spf is None:
        spf = {}
    if not isinstance(spf, Mapping):
        problems.append(
            Problem(
                domain.name, "spf", f"must be a dict of SPF options; got {_type(spf)}"
            )
        )
        return
    unknown = sorted(str(key) for key in spf if key not in SPF_OPTIONS)
    if unknown:
        problems.append(
            Problem(
                domain.name,
                "spf",
                f"has unknown options {', '.join(unknown)}; expected some of {', '.join(SPF_OPTIONS)}",
            )
        )
        return
    ips: list[str] = []
    for stream in domain.streams:
        ips += [ip for ip in senders.get(STREAM_ROLES[stream], []) if ip not in ips]
    try:
        build_spf(domain.name, ips=ips, **{key: spf[key] for key in spf})
    except RecordError as exc:
        field = "spf" if exc.field in ("ips", "domain") else f"spf.{exc.field}"
        problems.append(Problem(domain.name, field, str(exc)))


def _check_dmarc(where: str, field: str, tags: object, problems: list[Problem]) -> None:
    if tags is None:
        problems.append(Problem(where, field, "is not set"))
        return
    if not isinstance(tags, Mapping):
        problems.append(
            Problem(where, field, f"must be a dict of DMARC tags; got {_type(tags)}")
        )
        return
    try:
        normalize_tags(dict(tags))
    except DmarcError as exc:
        problems.append(Problem(where, f"{field}.{exc.field}", str(exc)))


@dataclass
class _Node:
    name: str
    groups: list[str]
    ipv4: str | None
    relay_mx: str


def _model_nodes(raw: object) -> list[_Node]:
    entries = _list(raw)
    if entries is None:
        raise FleetModelError(f"nodes must be a list of dicts; got {_type(raw)}")
    nodes = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise FleetModelError(f"nodes[{index}] must be a dict with a name")
        groups = _list(entry.get("groups"))
        if groups is None:
            raise FleetModelError(f"nodes[{index}] groups must be a list")
        nodes.append(
            _Node(
                entry["name"],
                [str(group) for group in groups],
                entry.get("ipv4"),
                entry.get("relay_mx") or "primary",
            )
        )
    return nodes


def _check_nodes(nodes: list[_Node], problems: list[Problem]) -> dict[str, list[str]]:
    """Check each node; return the valid addresses of the nodes of each role."""
    owners: dict[str, str] = {}
    senders: dict[str, list[str]] = {}
    for node in nodes:
        try:
            normalize_domain(node.name)
        except DnsNameError as exc:
            problems.append(Problem(node.name, "name", f"{node.name!r} {exc}"))
        both = [role for role in SEPARATE_ROLES if role in node.groups]
        if len(both) == len(SEPARATE_ROLES):
            problems.append(
                Problem(
                    node.name,
                    "groups",
                    "is in both transactional and bulk; application mail and campaigns must never share an IP or a queue, "
                    "so give each its own node",
                )
            )
        if "relay" in node.groups and node.relay_mx not in RELAY_MODES:
            problems.append(
                Problem(
                    node.name,
                    "relay_mx",
                    f"must be primary or backup; got {node.relay_mx!r}",
                )
            )
        address = _check_address(node, problems)
        if address is None:
            continue
        if address in owners:
            problems.append(
                Problem(
                    node.name,
                    "mailfleet_ipv4",
                    f"{address} is also the address of {owners[address]}; each node needs its own",
                )
            )
            continue
        owners[address] = node.name
        for role in node.groups:
            senders.setdefault(role, []).append(address)
    return senders


def _check_address(node: _Node, problems: list[Problem]) -> str | None:
    if _unset(node.ipv4):
        problems.append(
            Problem(
                node.name,
                "mailfleet_ipv4",
                "is not set; give the node's public IPv4 address",
            )
        )
        return None
    if not isinstance(node.ipv4, str):
        problems.append(
            Problem(
                node.name,
                "mailfleet_ipv4",
                f"must be one address as a string; got {_type(node.ipv4)}",
            )
        )
        return None
    try:
        address = normalize_ip(node.ipv4)
    except DnsNameError as exc:
        problems.append(Problem(node.name, "mailfleet_ipv4", f"{node.ipv4!r} {exc}"))
        return None
    if ipaddress.ip_address(address).version != 4:
        problems.append(
            Problem(
                node.name, "mailfleet_ipv4", f"{node.ipv4!r} is not an IPv4 address"
            )
        )
        return None
    return address


def _check_roles(
    nodes: list[_Node], domains: list[_Domain], problems: list[Problem]
) -> None:
    """Every stream needs a sender, every MX a primary relay, and the relays their imap and filter nodes."""
    members = {role: [n for n in nodes if role in n.groups] for role in NODE_ROLES}
    for domain in domains:
        for stream in domain.streams:
            role = STREAM_ROLES[stream]
            if not members[role]:
                problems.append(
                    Problem(
                        domain.name,
                        "streams",
                        f"sends {stream} mail, but no node is in group {role}",
                    )
                )
    receiving = [d for d in domains if d.entry.get("mx", True)]
    if receiving and not members["relay"]:
        problems.append(
            Problem(
                FLEET,
                "groups",
                "no node is in group relay; the domains' MX records need a relay_mx primary relay",
            )
        )
    elif receiving and all(n.relay_mx != "primary" for n in members["relay"]):
        problems.append(
            Problem(
                FLEET,
                "relay_mx",
                "no relay is relay_mx primary; the domains' MX records need one",
            )
        )
    for role in ("imap", "filter"):
        if members["relay"] and not members[role]:
            problems.append(
                Problem(
                    FLEET,
                    "groups",
                    f"no node is in group {role}; the relays hand inbound mail to one",
                )
            )


def _check_selector(value: object, problems: list[Problem]) -> None:
    field = "mailfleet_dkim_selector"
    if _unset(value):
        problems.append(Problem(FLEET, field, "is not set"))
    elif not isinstance(value, str):
        problems.append(Problem(FLEET, field, f"must be a string; got {_type(value)}"))
    else:
        try:
            validate_selector(value)
        except DnsNameError as exc:
            problems.append(Problem(FLEET, field, f"{value!r} {exc}"))


def _mailboxes(domain: _Domain, problems: list[Problem]) -> list[str]:
    """The addresses of a domain's mailboxes, each ``local@domain``."""
    raw = domain.entry.get("mailboxes")
    if raw is None:
        return []
    mailboxes = _list(raw)
    if mailboxes is None:
        problems.append(
            Problem(
                domain.name,
                "mailboxes",
                f"must be a list of local parts; got {_type(raw)}",
            )
        )
        return []
    addresses = []
    for local in mailboxes:
        if (
            not isinstance(local, str)
            or not local.strip()
            or "@" in local
            or any(char.isspace() for char in local)
        ):
            problems.append(
                Problem(
                    domain.name,
                    "mailboxes",
                    f"{local!r} is not a local part; give the part before '@', such as 'alice'",
                )
            )
            continue
        addresses.append(f"{local}@{domain.name}")
    return addresses


def _check_mailbox_passwords(
    wanted: list[tuple[str, str]],
    domains: _Domains,
    passwords: object,
    problems: list[Problem],
) -> None:
    """Every mailbox (domain, address) has a password, and every password a mailbox."""
    field = "mailfleet_mailbox_passwords"
    if passwords is None:
        if wanted:
            problems.append(
                Problem(
                    FLEET,
                    field,
                    "is not set; give every mailbox of mailfleet_domains a password",
                )
            )
        return
    if not isinstance(passwords, Mapping):
        problems.append(
            Problem(
                FLEET,
                field,
                f"must be a dict of mail address: password; got {_type(passwords)}",
            )
        )
        return
    for domain_name, address in wanted:
        if address not in passwords or passwords[address] is None:
            problems.append(
                Problem(domain_name, field, f"has no password for {address}")
            )
        elif not isinstance(passwords[address], str):
            problems.append(
                Problem(
                    domain_name,
                    field,
                    f"has a password for {address} that is not a string; got {_type(passwords[address])}",
                )
            )
        elif not passwords[address]:
            problems.append(
                Problem(domain_name, field, f"has an empty password for {address}")
            )
    if "" in domains.rejected:
        # A domain without a name: its mailboxes cannot be told apart.
        return
    listed = {address for _domain, address in wanted}
    for address in passwords:
        domain_name = str(address).rpartition("@")[2].lower()
        if address in listed or domain_name in domains.rejected:
            continue
        problems.append(
            Problem(
                domain_name if domain_name in domains.names else FLEET,
                field,
                f"holds {address}, which is not a mailbox of mailfleet_domains",
            )
        )


def _check_apps(
    apps: object,
    domains: list[_Domain],
    nodes: list[_Node],
    problems: list[Problem],
) -> None:
    field = "mailfleet_transactional_apps"
    if apps is None:
        if any("transactional" in node.groups for node in nodes):
            problems.append(
                Problem(
                    FLEET,
                    field,
                    "is not set; give [] when no application logs in",
                )
            )
        return
    entries = _list(apps)
    if entries is None:
        problems.append(
            Problem(FLEET, field, f"must be a list of logins; got {_type(apps)}")
        )
        return
    senders = [d.name for d in domains if "transactional" in d.streams]
    for index, app in enumerate(entries):
        slot = f"{field}[{index}]"
        if not isinstance(app, Mapping):
            problems.append(
                Problem(
                    FLEET,
                    slot,
                    f"must be a dict with login, password and domains; got {_type(app)}",
                )
            )
            continue
        login = app.get("login")
        if _unset(login) or not isinstance(login, str):
            problems.append(Problem(FLEET, f"{slot}.login", "is not set"))
            login = f"#{index}"
        password = app.get("password")
        if password is None:
            problems.append(
                Problem(FLEET, f"{slot}.password", f"login {login!r} has no password")
            )
        elif not isinstance(password, str):
            problems.append(
                Problem(
                    FLEET,
                    f"{slot}.password",
                    f"login {login!r}: must be a string; got {_type(password)}",
                )
            )
        elif not password:
            problems.append(
                Problem(
                    FLEET, f"{slot}.password", f"login {login!r} has an empty password"
                )
            )
        _check_app_domains(
            app.get("domains"), f"{slot}.domains", login, senders, problems
        )


def _check_app_domains(
    raw: object, field: str, login: str, senders: list[str], problems: list[Problem]
) -> None:
    listed = _list(raw)
    if not listed:
        problems.append(
            Problem(
                FLEET,
                field,
                f"login {login!r} must list the sender domains it may use",
            )
        )
        return
    for value in listed:
        try:
            name = normalize_domain(value) if isinstance(value, str) else None
        except DnsNameError:
            name = None
        if name is None or not any(is_within(name, sender) for sender in senders):
            problems.append(
                Problem(
                    FLEET,
                    field,
                    f"{value!r} is not a domain of mailfleet_domains that sends transactional mail, nor below one",
                )
            )


def _check_service_secrets(
    secrets: Mapping, nodes: list[_Node], problems: list[Problem]
) -> None:
    if not any("filter" in node.groups for node in nodes):
        return
    for key, field in _SECRET_FIELDS.items():
        value = secrets.get(key)
        if value is None:
            problems.append(
                Problem(FLEET, field, "is not set; the filter node needs it")
            )
        elif not isinstance(value, str):
            problems.append(
                Problem(FLEET, field, f"must be a string; got {_type(value)}")
            )
        elif not value:
            problems.append(Problem(FLEET, field, "is empty"))


def _records_input(
    domains: list[_Domain], nodes: list[_Node], dmarc: object
) -> dict[str, object]:
    """The record filter's input, as playbooks/tasks/fleet_records.yml builds it, without DKIM keys."""
    return {
        "nodes": [
            {
                "name": node.name,
                "fqdn": node.name,
                "roles": [role for role in node.groups if role in NODE_ROLES],
                "ipv4": [node.ipv4],
                "relay_mx": node.relay_mx,
            }
            for node in nodes
        ],
        "domains": [
            {
                key: value
                for key, value in domain.entry.items()
                if key not in ("mailboxes", "dmarc")
            }
            | {"dmarc": domain.entry.get("dmarc") or dmarc}
            for domain in domains
        ],
    }


def check_fleet(model: Mapping[str, object]) -> list[Problem]:
    """Return every problem of a fleet's inventory model, in inventory order.

    Domains come first (name, streams, SPF, DMARC, mailboxes), then nodes
    (name, mailfleet_ipv4, groups, relay_mx), then fleet-wide settings and
    secrets. When nothing else is wrong, the DNS records are built as the
    ``mail_dns_records`` filter would (without DKIM keys), so that a fault
    only the record filter knows still stops the run here.

    :raises FleetModelError: when the model itself is malformed, which is
        the caller's fault rather than the inventory's.
    """
    if not isinstance(model, Mapping):
        raise FleetModelError(f"the model must be a dict; got {_type(model)}")
    secrets = model.get("secrets")
    if secrets is None:
        secrets = {}
    if not isinstance(secrets, Mapping):
        raise FleetModelError(f"secrets must be a dict; got {_type(secrets)}")
    problems: list[Problem] = []
    node_problems: list[Problem] = []
    nodes = _model_nodes(model.get("nodes"))
    found = _check_domains(model.get("domains"), problems)
    domains = found.checked
    # The SPF of a domain needs the nodes' addresses, but its problems are listed with the domain's.
    senders = _check_nodes(nodes, node_problems)
    wanted: list[tuple[str, str]] = []
    for domain in domains:
        _check_spf(domain, senders, problems)
        if domain.entry.get("dmarc") is not None:
            _check_dmarc(domain.name, "dmarc", domain.entry["dmarc"], problems)
        wanted += [(domain.name, address) for address in _mailboxes(domain, problems)]
    problems += node_problems
    _check_roles(nodes, domains, problems)
    _check_selector(model.get("dkim_selector"), problems)
    _check_dmarc(FLEET, "mailfleet_dmarc", model.get("dmarc"), problems)
    _check_mailbox_passwords(wanted, found, secrets.get("mailbox_passwords"), problems)
    _check_apps(secrets.get("transactional_apps"), domains, nodes, problems)
    _check_service_secrets(secrets, nodes, problems)
    if not problems:
        try:
            fleet_records(_records_input(domains, nodes, model.get("dmarc")))
        except RecordError as exc:
            problems.append(Problem(exc.domain, exc.field, str(exc)))
    return problems
