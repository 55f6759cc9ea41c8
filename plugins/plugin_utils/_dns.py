# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""Record values for mail: SPF, DMARC, PTR names, and every record of a fleet."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ansible_collections.mailfleet.stack.plugins.module_utils._dmarc import (
    DmarcError,
    format_record,
    normalize_tags,
    report_domains,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    is_within,
    normalize_domain,
    normalize_ip,
    normalize_owner,
    reverse_name,
    validate_selector,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._spf import (
    LOOKUP_LIMIT,
    SpfError,
    count_lookups,
    describe_chain,
    heaviest_chain,
    spf_records,
    split_term,
    terms,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._txt import (
    join_strings,
    split_strings,
)

try:
    from publicsuffixlist import PublicSuffixList

    _PSL: PublicSuffixList | None = PublicSuffixList()
except ImportError:  # pragma: no cover - depends on the controller
    _PSL = None

__all__ = [
    "MAX_SPF_LENGTH",
    "NODE_ROLES",
    "SEND_ROLES",
    "STREAM_ROLES",
    "DmarcRecord",
    "RecordError",
    "SpfRecord",
    "build_dmarc",
    "build_spf",
    "fleet_records",
    "organizational_domain",
    "ptr_todo",
]

MAX_SPF_LENGTH = 450
"""Longest SPF value accepted, so that the answer stays within 512 octets (RFC 7208 §3.4)."""

POLICIES = ("-all", "~all", "?all")
NODE_ROLES = ("relay", "transactional", "bulk", "imap", "filter", "common")
STREAM_ROLES = {"transactional": "transactional", "bulk": "bulk", "submission": "relay"}
"""Which node role sends each stream of mail; ``submission`` is people's mail, relayed."""
SEND_ROLES = ("relay", "transactional", "bulk")
MX_PRIORITIES = {"primary": 10, "backup": 20}
_DEFAULT_TTL = 3600
_SPF_OPTIONS = ("includes", "mechanisms", "policy", "existing", "known_records")
_MECHANISM = re.compile(
    r"^[+?~-]?(a|mx|exists|include|ip4|ip6)([:/].*)?$", re.IGNORECASE
)


class RecordError(ValueError):
    """Input that would give a wrong or refused record.

    ``domain`` and ``field`` say where the fault is, so that the plugin can
    name them in its message.
    """

    def __init__(self, domain: str, field: str, message: str) -> None:
        super().__init__(message)
        self.domain = domain
        self.field = field


@dataclass
class SpfRecord:
    """An SPF value with its strings, its lookup count and the records it replaces."""

    value: str
    strings: list[str]
    lookups: int
    replaces: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class DmarcRecord:
    """A DMARC value, its strings, and the authorisation records other domains must publish."""

    name: str
    value: str
    strings: list[str]
    authorizations: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _domain(value: object, domain: str, field_name: str) -> str:
    if not isinstance(value, str):
        raise RecordError(
            domain,
            field_name,
            f"must be a domain name as a string; got {type(value).__name__}",
        )
    try:
        return normalize_domain(value)
    except DnsNameError as exc:
        raise RecordError(domain, field_name, f"{value!r} {exc}") from None


def _spf_target(value: object, domain: str, field_name: str) -> str:
    """A name an SPF term points to; unlike a mail domain it may hold ``_spf``-style labels."""
    if not isinstance(value, str):
        raise RecordError(
            domain,
            field_name,
            f"must be a domain name as a string; got {type(value).__name__}",
        )
    if "*" in value.strip().rstrip(".").split("."):
        return _domain(value, domain, field_name)
    try:
        name = normalize_owner(value)
    except DnsNameError as exc:
        raise RecordError(domain, field_name, f"{value!r} {exc}") from None
    if "." not in name:
        raise RecordError(
            domain,
            field_name,
            f"{value!r} is a single label; a fully qualified name is needed",
        )
    return name


def _as_list(value: object, domain: str, field_name: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise RecordError(
            domain, field_name, f"must be a list; got {type(value).__name__}"
        )
    return list(value)


def _ip_term(value: object, domain: str) -> str:
    """Return ``ip4:`` or ``ip6:`` for an address or network (RFC 7208 §5.6)."""
    if not isinstance(value, str):
        raise RecordError(
            domain, "ips", f"must hold addresses as strings; got {type(value).__name__}"
        )
    try:
        network = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError:
        raise RecordError(
            domain,
            "ips",
            f"{value!r} is a malformed address; expected an IPv4 or IPv6 address or a network without host bits",
        ) from None
    kind = "ip4" if network.version == 4 else "ip6"
    if network.prefixlen == network.max_prefixlen:
        return f"{kind}:{network.network_address}"
    return f"{kind}:{network}"


def _extra_term(value: object, domain: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(
            domain, "mechanisms", f"must hold SPF mechanisms as strings; got {value!r}"
        )
    term = value.strip()
    name = split_term(term)[1]
    if name == "ptr":
        raise RecordError(
            domain,
            "mechanisms",
            "ptr is refused: it is slow and unreliable, and RFC 7208 §5.5 says not to use it",
        )
    if name == "all":
        raise RecordError(
            domain, "mechanisms", "all belongs in policy, not in mechanisms"
        )
    if not _MECHANISM.match(term):
        raise RecordError(
            domain,
            "mechanisms",
            f"{term!r} is not an SPF mechanism this filter writes (a, mx, exists, include, ip4, ip6)",
        )
    return term


def _known_fetch(known: Mapping[str, object]):
    table: dict[str, list[str]] = {}
    for name, value in known.items():
        values = value if isinstance(value, list | tuple) else [value]
        table[str(name).lower().rstrip(".")] = [
            join_strings(item) if isinstance(item, list | tuple) else str(item)
            for item in values
        ]
    return table.get


def _existing_spf(existing: list, domain: str) -> tuple[list[str], list[str]]:
    """Return the SPF values among existing TXT values, and the terms to carry over (RFC 7208 §3.2)."""
    values = [
        join_strings(item) if isinstance(item, list | tuple) else str(item)
        for item in existing
    ]
    found = spf_records(values)
    carried: list[str] = []
    for record in found:
        for term in terms(record):
            name = split_term(term)[1]
            if name == "redirect":
                raise RecordError(
                    domain,
                    "existing",
                    f"the existing record {record!r} uses redirect=; merge it by hand",
                )
            if name in ("all", "exp"):
                continue
            if name == "ptr":
                raise RecordError(
                    domain,
                    "existing",
                    f"the existing record {record!r} uses ptr, which RFC 7208 §5.5 says not to use; remove it first",
                )
            carried.append(term)
    return found, carried


def build_spf(
    domain: str,
    *,
    ips: list | None = None,
    includes: list | None = None,
    mechanisms: list | None = None,
    policy: str = "~all",
    existing: list | None = None,
    known_records: Mapping[str, object] | None = None,
) -> SpfRecord:
    """Write one SPF record (RFC 7208) for a domain.

    Terms come in this order: those carried over from ``existing`` SPF
    records, ``ip4``/``ip6`` for ``ips``, ``include`` for ``includes``, then
    ``mechanisms``, then ``policy``. Repeated terms are written once.
    ``existing`` holds the TXT values already at the name; its SPF records
    are merged into this one and listed in ``replaces``, since a name with
    two SPF records fails evaluation (RFC 7208 §3.2). ``known_records`` maps
    names to their TXT values, so that the lookup count follows includes
    (RFC 7208 §4.6.4); an include not in it counts one lookup.

    :raises RecordError: for ``+all``, ``ptr``, a malformed address, more
        than 10 lookups or a value over :data:`MAX_SPF_LENGTH` octets.
    """
    domain = _domain(domain, str(domain), "domain")
    if policy in ("+all", "all"):
        raise RecordError(
            domain,
            "policy",
            f"{policy} lets every host on the internet send as the domain; expected one of {', '.join(POLICIES)}",
        )
    if policy not in POLICIES:
        raise RecordError(
            domain, "policy", f"must be one of {', '.join(POLICIES)}; got {policy!r}"
        )
    replaces, carried = _existing_spf(_as_list(existing, domain, "existing"), domain)
    own = [_ip_term(item, domain) for item in _as_list(ips, domain, "ips")]
    own += [
        f"include:{_spf_target(item, domain, 'includes')}"
        for item in _as_list(includes, domain, "includes")
    ]
    own += [
        _extra_term(item, domain) for item in _as_list(mechanisms, domain, "mechanisms")
    ]
    seen: set[str] = set()
    chosen: list[str] = []
    for term in [*carried, *own]:
        if term.lower() not in seen:
            seen.add(term.lower())
            chosen.append(term)
    value = " ".join(["v=spf1", *chosen, policy])
    try:
        tree = count_lookups(value, _known_fetch(known_records or {}), origin=domain)
    except SpfError as exc:
        raise RecordError(domain, "includes", str(exc)) from None
    if tree.total > LOOKUP_LIMIT:
        chain = describe_chain(heaviest_chain(tree)) or "none; the record's own terms"
        raise RecordError(
            domain,
            "includes",
            f"needs {tree.total} DNS lookups, over the limit of {LOOKUP_LIMIT} (RFC 7208 §4.6.4); heaviest include chain: {chain}",
        )
    if len(value) > MAX_SPF_LENGTH:
        raise RecordError(
            domain,
            "ips",
            f"gives a value of {len(value)} octets, over {MAX_SPF_LENGTH}; RFC 7208 §3.4 advises keeping the answer small; use networks or an include",
        )
    warnings = []
    unfollowed = [
        node.term
        for node in tree.children
        if split_term(node.term)[1] == "include" and not node.followed
    ]
    if unfollowed:
        warnings.append(
            f"lookups below {', '.join(unfollowed)} are not counted, since known_records does not hold them"
        )
    return SpfRecord(
        value=value,
        strings=split_strings(value),
        lookups=tree.total,
        replaces=replaces,
        warnings=warnings,
    )


def organizational_domain(name: str) -> str | None:
    """Return the organisational domain of a name (RFC 7489 §3.2), or ``None`` without a suffix list."""
    # TODO(#3): the DMARCbis tree walk (RFC 9989 §4.10) is not done - the suffix list, or names alone,
    # may ask for an authorisation record that is not needed but never miss one that is.
    if _PSL is None:
        return None
    return _PSL.privatesuffix(name) or name


def _same_organization(first: str, second: str) -> bool:
    if first == second or is_within(first, second) or is_within(second, first):
        return True
    first_org = organizational_domain(first)
    return first_org is not None and first_org == organizational_domain(second)


def build_dmarc(domain: str, tags: Mapping[str, object]) -> DmarcRecord:
    """Write the DMARC record of a domain at ``_dmarc.<domain>`` (RFC 7489 §6.1).

    Tags are checked and ordered by :func:`normalize_tags`. For every report
    address outside the domain's organisation the result lists the
    authorisation record ``<domain>._report._dmarc.<other>`` with value
    ``v=DMARC1`` that the other domain must publish (RFC 7489 §7.1).
    Organisations are told apart with the Public Suffix List when the
    ``publicsuffixlist`` package is there, and otherwise by name only, which
    may ask for a record that is not needed but never misses one.

    :raises RecordError: naming the tag at fault.
    """
    domain = _domain(domain, str(domain), "domain")
    if not isinstance(tags, Mapping):
        raise RecordError(
            domain, "dmarc", f"must be a dict of DMARC tags; got {type(tags).__name__}"
        )
    try:
        checked, warnings = normalize_tags(dict(tags))
    except DmarcError as exc:
        raise RecordError(domain, exc.field, str(exc)) from None
    value = format_record(checked)
    authorizations: list[dict[str, object]] = []
    for other in report_domains(checked):
        if not _same_organization(domain, other):
            authorizations.append(
                {
                    "name": f"{domain}._report._dmarc.{other}",
                    "type": "TXT",
                    "value": "v=DMARC1",
                    "strings": ["v=DMARC1"],
                }
            )
    return DmarcRecord(
        name=f"_dmarc.{domain}",
        value=value,
        strings=split_strings(value),
        authorizations=authorizations,
        warnings=warnings,
    )


def _txt(name: str, value: str, ttl: int) -> dict[str, object]:
    return {
        "name": name,
        "type": "TXT",
        "ttl": ttl,
        "value": value,
        "strings": split_strings(value),
    }


def _ttl(value: object, domain: str, field_name: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= 2**31 - 1
    ):
        raise RecordError(
            domain,
            field_name,
            f"must be a whole number of seconds from 0 to 2147483647 (RFC 2181 §8); got {value!r}",
        )
    return value


@dataclass
class _Node:
    label: str
    fqdn: str
    roles: list[str]
    addresses: list[str]
    mx: str | None
    priority: int | None
    provider: str
    domains: list[str] | None


def _nodes(raw: object) -> list[_Node]:
    nodes = []
    for index, item in enumerate(_as_list(raw, "nodes", "nodes")):
        where = f"nodes[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(
                where, "node", f"must be a dict; got {type(item).__name__}"
            )
        label = str(item.get("name") or item.get("fqdn") or where)
        if "fqdn" not in item:
            raise RecordError(label, "fqdn", "is required")
        fqdn = _domain(item["fqdn"], label, "fqdn")
        roles = [str(role) for role in _as_list(item.get("roles"), label, "roles")]
        unknown = [role for role in roles if role not in NODE_ROLES]
        if unknown:
            raise RecordError(
                label,
                "roles",
                f"has unknown roles {', '.join(unknown)}; expected some of {', '.join(NODE_ROLES)}",
            )
        addresses = []
        for key in ("ipv4", "ipv6"):
            for address in _as_list(item.get(key), label, key):
                try:
                    ip = normalize_ip(str(address))
                except DnsNameError as exc:
                    raise RecordError(label, key, f"{address!r} {exc}") from None
                if (ipaddress.ip_address(ip).version == 4) != (key == "ipv4"):
                    raise RecordError(
                        label,
                        key,
                        f"{address!r} is not an {'IPv4' if key == 'ipv4' else 'IPv6'} address",
                    )
                addresses.append(ip)
        mx = None
        if "relay" in roles:
            mx = str(item.get("relay_mx", "primary"))
            if mx not in MX_PRIORITIES:
                raise RecordError(
                    label, "relay_mx", f"must be primary or backup; got {mx!r}"
                )
        priority = item.get("mx_priority")
        if priority is not None and (
            isinstance(priority, bool)
            or not isinstance(priority, int)
            or not 0 <= priority <= 65535
        ):
            raise RecordError(
                label,
                "mx_priority",
                f"must be a whole number from 0 to 65535 (RFC 1035 §3.3.9); got {priority!r}",
            )
        served = item.get("domains")
        domains = (
            None
            if served is None
            else [
                _domain(name, label, "domains")
                for name in _as_list(served, label, "domains")
            ]
        )
        nodes.append(
            _Node(
                label,
                fqdn,
                roles,
                addresses,
                mx,
                priority,
                str(item.get("provider") or "unknown"),
                domains,
            )
        )
    return nodes


def _serves(node: _Node, domain: str) -> bool:
    return node.domains is None or domain in node.domains


def _mx_records(domain: str, nodes: list[_Node], ttl: int) -> list[dict[str, object]]:
    relays = [node for node in nodes if node.mx and _serves(node, domain)]
    if not relays:
        raise RecordError(
            domain,
            "mx",
            "the domain receives mail, but no relay node serves it; add a node with the relay role or set mx to false",
        )
    if not any(node.mx == "primary" for node in relays):
        raise RecordError(
            domain,
            "mx",
            "the domain has only backup relays; one relay must be relay_mx primary",
        )
    records = []
    for node in relays:
        priority = (
            node.priority if node.priority is not None else MX_PRIORITIES[str(node.mx)]
        )
        records.append(
            {
                "name": domain,
                "type": "MX",
                "ttl": ttl,
                "priority": priority,
                "value": f"{priority} {node.fqdn}",
            }
        )
    records.sort(key=lambda record: int(str(record["priority"])))
    return records


def _null_mx(name: str, ttl: int) -> dict[str, object]:
    """The null MX of RFC 7505 §3: the name accepts no mail."""
    return {"name": name, "type": "MX", "ttl": ttl, "priority": 0, "value": "0 ."}


def _mta_sts(
    domain: str, config: object, mx: list[dict[str, object]], ttl: int
) -> list[dict[str, object]]:
    """The ``_mta-sts`` TXT (RFC 8461 §3.1) and the policy host's CNAME."""
    if not isinstance(config, Mapping):
        raise RecordError(
            domain, "mta_sts", f"must be a dict; got {type(config).__name__}"
        )
    mode = str(config.get("mode", "testing"))
    if mode not in ("enforce", "testing", "none"):
        raise RecordError(
            domain,
            "mta_sts.mode",
            f"must be enforce, testing or none (RFC 8461 §3.2); got {mode!r}",
        )
    max_age = config.get("max_age", 604800)
    policy_id = config.get("id")
    if policy_id is None:
        # The id must change whenever the policy does (RFC 8461 §3.1), so derive it from the policy.
        hosts = ",".join(str(record["value"]).split()[1] for record in mx)
        policy_id = hashlib.sha256(f"{mode}|{max_age}|{hosts}".encode()).hexdigest()[
            :20
        ]
    policy_id = str(policy_id)
    if not re.match(r"^[A-Za-z0-9]{1,32}$", policy_id):
        raise RecordError(
            domain,
            "mta_sts.id",
            f"must be 1 to 32 letters and digits (RFC 8461 §3.1); got {policy_id!r}",
        )
    records = [_txt(f"_mta-sts.{domain}", f"v=STSv1; id={policy_id}", ttl)]
    if config.get("policy_host"):
        target = _domain(config["policy_host"], domain, "mta_sts.policy_host")
        records.append(
            {"name": f"mta-sts.{domain}", "type": "CNAME", "ttl": ttl, "value": target}
        )
    return records


def _tls_rpt(domain: str, config: object, ttl: int) -> dict[str, object]:
    """The ``_smtp._tls`` TXT of RFC 8460 §3, with ``mailto:`` report addresses."""
    if not isinstance(config, Mapping):
        raise RecordError(
            domain, "tls_rpt", f"must be a dict; got {type(config).__name__}"
        )
    addresses = _as_list(config.get("rua"), domain, "tls_rpt.rua")
    if not addresses:
        raise RecordError(
            domain, "tls_rpt.rua", "must name at least one report address"
        )
    uris = []
    for address in addresses:
        text = str(address)
        if not text.startswith(("mailto:", "https:")):
            text = f"mailto:{text}"
        if "@" not in text and text.startswith("mailto:"):
            raise RecordError(
                domain, "tls_rpt.rua", f"{address!r} is not a mail address or https URI"
            )
        uris.append(text)
    return _txt(f"_smtp._tls.{domain}", f"v=TLSRPTv1; rua={','.join(uris)}", ttl)


def _spf_for(
    domain: str, streams: list[str], nodes: list[_Node], spf: object, ttl: int
) -> dict[str, object]:
    """The domain's SPF: the addresses of the nodes sending its streams, or ``-all``."""
    if not isinstance(spf, Mapping):
        raise RecordError(domain, "spf", f"must be a dict; got {type(spf).__name__}")
    if not streams:
        return _txt(domain, "v=spf1 -all", ttl)
    ips: list[str] = []
    for stream in streams:
        role = STREAM_ROLES[stream]
        senders = [
            node for node in nodes if role in node.roles and _serves(node, domain)
        ]
        if not senders:
            raise RecordError(
                domain,
                "streams",
                f"sends {stream} mail, but no node with the {role} role serves it",
            )
        for node in senders:
            ips += [address for address in node.addresses if address not in ips]
    options = {key: spf[key] for key in _SPF_OPTIONS if key in spf}
    return _txt(domain, build_spf(domain, ips=ips, **options).value, ttl)


def _dkim_records(domain: str, keys: object, ttl: int) -> list[dict[str, object]]:
    records = []
    for index, key in enumerate(_as_list(keys, domain, "dkim")):
        if not isinstance(key, Mapping) or "selector" not in key or "value" not in key:
            raise RecordError(
                domain,
                f"dkim[{index}]",
                "must be a dkim_key lookup result, or a dict with selector and value",
            )
        try:
            selector = validate_selector(str(key["selector"]))
        except DnsNameError as exc:
            raise RecordError(
                domain, f"dkim[{index}].selector", f"{key['selector']!r} {exc}"
            ) from None
        records.append(_txt(f"{selector}._domainkey.{domain}", str(key["value"]), ttl))
    return records


def _bounce_records(
    domain: str, item: Mapping, nodes: list[_Node], ttl: int
) -> list[dict[str, object]]:
    """The bounce domain of a domain's campaigns: MX at its bulk nodes, SPF of their addresses.

    Campaign mail leaves with a return path in the bounce domain, so
    bounces and complaints come back to the bulk nodes, and SPF checks the
    bounce domain; under the domain itself, it aligns for DMARC.
    """
    value = item.get("bounce_domain", f"bounces.{domain}")
    if value is False:
        return []
    bounce = _domain(value, domain, "bounce_domain")
    if bounce == domain or not is_within(bounce, domain):
        raise RecordError(
            domain,
            "bounce_domain",
            f"{bounce!r} must be a subdomain of {domain}, so that the return path aligns with From for DMARC",
        )
    senders = [node for node in nodes if "bulk" in node.roles and _serves(node, domain)]
    ips: list[str] = []
    for node in senders:
        ips += [address for address in node.addresses if address not in ips]
    records = [
        {
            "name": bounce,
            "type": "MX",
            "ttl": ttl,
            "priority": MX_PRIORITIES["primary"],
            "value": f"{MX_PRIORITIES['primary']} {node.fqdn}",
        }
        for node in senders
    ]
    # Only the bulk nodes ever use the name: hard fail for anyone else.
    records.append(_txt(bounce, build_spf(bounce, ips=ips, policy="-all").value, ttl))
    return records


def _domain_records(
    item: Mapping, nodes: list[_Node], ttl: int
) -> tuple[str, list[dict[str, object]]]:
    if "name" not in item:
        raise RecordError("domains", "name", "each domain needs a name")
    domain = _domain(item["name"], str(item["name"]), "name")
    ttl = _ttl(item.get("ttl", ttl), domain, "ttl")
    streams = [
        str(stream) for stream in _as_list(item.get("streams"), domain, "streams")
    ]
    for stream in streams:
        if stream not in STREAM_ROLES:
            raise RecordError(
                domain,
                "streams",
                f"has the unknown stream {stream!r}; expected some of {', '.join(STREAM_ROLES)}",
            )
    receives = bool(item.get("mx", True))
    records: list[dict[str, object]] = []
    mx: list[dict[str, object]] = []
    if receives:
        mx = _mx_records(domain, nodes, ttl)
        records += mx
    elif not streams:
        records.append(_null_mx(domain, ttl))
    records.append(_spf_for(domain, streams, nodes, item.get("spf") or {}, ttl))
    records += _dkim_records(domain, item.get("dkim"), ttl)
    tags = item.get("dmarc") or (
        {"p": "none"}
        if streams or receives
        else {"p": "reject", "sp": "reject", "np": "reject"}
    )
    dmarc = build_dmarc(domain, tags)
    records.append(_txt(dmarc.name, dmarc.value, ttl))
    records += [{**record, "ttl": ttl} for record in dmarc.authorizations]
    if "bulk" in streams:
        records += _bounce_records(domain, item, nodes, ttl)
    if receives and item.get("mta_sts"):
        records += _mta_sts(domain, item["mta_sts"], mx, ttl)
    if receives and item.get("tls_rpt"):
        records.append(_tls_rpt(domain, item["tls_rpt"], ttl))
    return domain, records


def _node_records(node: _Node, ttl: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for address in node.addresses:
        kind = "A" if ipaddress.ip_address(address).version == 4 else "AAAA"
        records.append({"name": node.fqdn, "type": kind, "ttl": ttl, "value": address})
    sends = any(role in SEND_ROLES for role in node.roles)
    if sends:
        # The HELO identity gets its own SPF (RFC 7208 §2.3), listing the node's own addresses.
        terms_ = [_ip_term(address, node.fqdn) for address in node.addresses]
        records.append(_txt(node.fqdn, " ".join(["v=spf1", *terms_, "-all"]), ttl))
    else:
        records.append(_null_mx(node.fqdn, ttl))
        records.append(_txt(node.fqdn, "v=spf1 -all", ttl))
    if sends:
        # TODO(#6): one HELO name per node; a node with pools of its own names (FC-26) is not modelled - every
        # address points back to the node's name, whose A/AAAA records list them all, so FCrDNS holds.
        for address in node.addresses:
            records.append(
                {
                    "name": reverse_name(address),
                    "type": "PTR",
                    "ttl": ttl,
                    "value": node.fqdn,
                    "provider": node.provider,
                }
            )
    return records


def fleet_records(
    fleet: Mapping[str, object], *, ttl: int = _DEFAULT_TTL
) -> list[dict[str, object]]:
    """Return every DNS record that the fleet's domains and nodes need.

    See the ``mail_dns_records`` filter for the input. Records come in a
    stable order: per domain MX, SPF, DKIM, DMARC (and report
    authorisations), the bounce domain's MX and SPF (domains with the bulk
    stream), MTA-STS and TLS-RPT; then per node A/AAAA, SPF or null
    MX, and PTR; then per parked domain its null MX (RFC 7505), ``v=spf1
    -all`` and a rejecting DMARC policy. Names carry no trailing dot.

    :raises RecordError: naming the domain or node and the field at fault.
    """
    if not isinstance(fleet, Mapping):
        raise RecordError(
            "fleet",
            "input",
            f"must be a dict with nodes and domains; got {type(fleet).__name__}",
        )
    ttl = _ttl(fleet.get("ttl", ttl), "fleet", "ttl")
    nodes = _nodes(fleet.get("nodes"))
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    for item in _as_list(fleet.get("domains"), "fleet", "domains"):
        if not isinstance(item, Mapping):
            raise RecordError(
                "domains",
                "domain",
                f"each domain must be a dict; got {type(item).__name__}",
            )
        name, domain_records = _domain_records(item, nodes, ttl)
        if name in seen:
            raise RecordError(name, "name", "is listed twice in domains")
        seen.add(name)
        records += domain_records
    for node in nodes:
        records += _node_records(node, ttl)
    for name in _as_list(fleet.get("parked"), "fleet", "parked"):
        domain = _domain(name, str(name), "parked")
        if domain in seen:
            raise RecordError(domain, "parked", "is also listed in domains")
        seen.add(domain)
        records.append(_null_mx(domain, ttl))
        records.append(_txt(domain, "v=spf1 -all", ttl))
        dmarc = build_dmarc(domain, {"p": "reject", "sp": "reject", "np": "reject"})
        records.append(_txt(dmarc.name, dmarc.value, ttl))
    return records


def ptr_todo(records: list[Mapping[str, object]]) -> dict[str, list[dict[str, str]]]:
    """Group the PTR records by hosting provider: ``{provider: [{ip, name}]}``.

    Reverse zones belong to whoever holds the address block, usually set in
    the hosting provider's panel, so these cannot be pushed like the others.
    """
    todo: dict[str, list[dict[str, str]]] = {}
    for record in records:
        if record.get("type") != "PTR":
            continue
        address = str(ipaddress.ip_address(_from_reverse(str(record["name"]))))
        todo.setdefault(str(record.get("provider") or "unknown"), []).append(
            {"ip": address, "name": str(record["value"])}
        )
    return todo


def _from_reverse(name: str) -> str:
    labels = name.lower().rstrip(".").split(".")
    if labels[-2:] == ["in-addr", "arpa"]:
        return ".".join(reversed(labels[:-2]))
    nibbles = "".join(reversed(labels[:-2]))
    return ":".join(nibbles[index : index + 4] for index in range(0, len(nibbles), 4))
