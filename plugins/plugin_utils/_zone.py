# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""Records rendered for people and tools: a master zone file and a provider table."""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    is_within,
    normalize_owner,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._txt import (
    join_strings,
    quote_string,
    split_strings,
)

__all__ = [
    "RECORD_TYPES",
    "TABLE_COLUMNS",
    "Record",
    "ZoneError",
    "check_record",
    "render_csv",
    "render_zone",
    "rrsets",
    "table_rows",
]

RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "TXT")
TABLE_COLUMNS = ("name", "host", "type", "ttl", "priority", "value")
_TARGET_TYPES = ("CNAME", "NS", "PTR")
_MAX_TTL = 2**31 - 1


class ZoneError(ValueError):
    """A record that cannot be rendered; ``name`` and ``field`` say where."""

    def __init__(self, name: str, field: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.field = field


@dataclass(frozen=True)
class Record:
    """One checked record: names without a trailing dot, TXT as strings."""

    name: str
    type: str
    ttl: int
    priority: int | None
    target: str
    strings: tuple[str, ...]

    @property
    def value(self) -> str:
        """The value as a provider's form wants it: raw TXT text, the target of an MX."""
        if self.type == "TXT":
            return "".join(self.strings)
        return self.target


def _target(name: str, value: str, field: str) -> str:
    if value == ".":
        return "."
    try:
        return normalize_owner(value)
    except DnsNameError as exc:
        raise ZoneError(name, field, f"{value!r} {exc}") from None


def check_record(record: object, *, default_ttl: int) -> Record:
    """Check one record dict as made by ``mail_dns_records`` and return it in a fixed shape.

    ``name`` and ``type`` are required; ``ttl`` defaults to ``default_ttl``.
    ``value`` is an address for A/AAAA (RFC 1035 §3.4.1, RFC 3596 §2.2), a
    name for CNAME/NS/PTR, ``<priority> <host>`` for MX (RFC 1035 §3.3.9,
    where ``0 .`` is the null MX of RFC 7505), and the text for TXT; a TXT
    record may give ``strings`` instead, or both when they join to the value.

    :raises ZoneError: naming the record and the field at fault.
    """
    if not isinstance(record, Mapping):
        raise ZoneError(
            "?",
            "record",
            f"must be a dict with name, type and value; got {type(record).__name__}",
        )
    raw_name = record.get("name")
    if not isinstance(raw_name, str):
        raise ZoneError(str(raw_name), "name", "must be a domain name as a string")
    try:
        name = normalize_owner(raw_name)
    except DnsNameError as exc:
        raise ZoneError(raw_name, "name", f"{raw_name!r} {exc}") from None
    rtype = str(record.get("type", "")).upper()
    if rtype not in RECORD_TYPES:
        raise ZoneError(
            name,
            "type",
            f"must be one of {', '.join(RECORD_TYPES)}; got {record.get('type')!r}",
        )
    ttl = record.get("ttl", default_ttl)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= _MAX_TTL:
        raise ZoneError(
            name,
            "ttl",
            f"must be a whole number of seconds from 0 to {_MAX_TTL} (RFC 2181 §8); got {ttl!r}",
        )
    if rtype == "TXT":
        return Record(name, rtype, ttl, None, "", _txt_strings(name, record))
    return _plain(name, rtype, ttl, record.get("value"))


def _txt_strings(name: str, record: Mapping) -> tuple[str, ...]:
    value = record.get("value")
    strings = record.get("strings")
    if strings is not None and (
        not isinstance(strings, list | tuple)
        or not all(isinstance(item, str) for item in strings)
    ):
        raise ZoneError(name, "strings", "must be a list of strings")
    if value is None and strings is None:
        raise ZoneError(name, "value", "is required")
    if (
        value is not None
        and strings is not None
        and join_strings(strings) != str(value)
    ):
        raise ZoneError(
            name,
            "strings",
            "do not join to value; give one of them, or both in agreement",
        )
    try:
        parts = tuple(split_strings(str(value))) if strings is None else tuple(strings)
    except ValueError as exc:
        raise ZoneError(name, "value", str(exc)) from None
    if any(len(part.encode()) > 255 for part in parts):
        raise ZoneError(
            name, "strings", "hold a string longer than 255 octets (RFC 1035 §3.3.14)"
        )
    return parts


def _plain(name: str, rtype: str, ttl: int, value: object) -> Record:
    if not isinstance(value, str) or not value.strip():
        raise ZoneError(name, "value", f"must be a non-empty string; got {value!r}")
    value = value.strip()
    if rtype in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise ZoneError(name, "value", f"{value!r} is not an address") from None
        if (address.version == 4) != (rtype == "A"):
            kind = "IPv4" if rtype == "A" else "IPv6"
            raise ZoneError(name, "value", f"{value!r} is not an {kind} address")
        return Record(name, rtype, ttl, None, str(address), ())
    if rtype == "MX":
        head, _sep, host = value.partition(" ")
        if not head.isdigit() or int(head) > 65535 or not host.strip():
            raise ZoneError(
                name, "value", f"must be '<priority> <host>' for MX; got {value!r}"
            )
        return Record(
            name, rtype, ttl, int(head), _target(name, host.strip(), "value"), ()
        )
    return Record(name, rtype, ttl, None, _target(name, value, "value"), ())


def _absolute(name: str) -> str:
    return "." if name == "." else f"{name}."


def _rdata(record: Record) -> str:
    if record.type == "TXT":
        return " ".join(quote_string(part) for part in record.strings)
    if record.type == "MX":
        return f"{record.priority} {_absolute(record.target)}"
    if record.type in _TARGET_TYPES:
        return _absolute(record.target)
    return record.target


def _soa(origin: str, ns: list[str], soa: Mapping[str, object], ttl: int) -> str:
    mname = normalize_owner(str(soa.get("mname") or ns[0]))
    rname = str(soa.get("rname") or f"hostmaster.{origin}")
    if "@" in rname:
        local, _sep, domain = rname.partition("@")
        rname = f"{local.replace('.', chr(92) + '.')}.{domain}"
    numbers = [
        soa.get(key, default)
        for key, default in (
            ("serial", 1),
            ("refresh", 7200),
            ("retry", 3600),
            ("expire", 1209600),
            ("minimum", 3600),
        )
    ]
    if not all(
        isinstance(number, int)
        and not isinstance(number, bool)
        and 0 <= number <= 2**32 - 1
        for number in numbers
    ):
        raise ZoneError(
            origin,
            "soa",
            "serial, refresh, retry, expire and minimum must be 32-bit whole numbers (RFC 1035 §3.3.13)",
        )
    return f"{_absolute(origin)} {ttl} IN SOA {_absolute(mname)} {_absolute(rname.rstrip('.'))} {' '.join(str(number) for number in numbers)}"


def render_zone(
    records: list[object],
    *,
    origin: str,
    ns: list[str] | None = None,
    soa: Mapping[str, object] | None = None,
    ttl: int = 3600,
    fragment: bool = False,
) -> str:
    """Render records as a master file (RFC 1035 §5) for the zone ``origin``.

    Every owner and target name is written absolute, with one trailing dot,
    so nothing depends on ``$ORIGIN``. TXT data is written as quoted
    character-strings of at most 255 octets with ``"`` and ``\\`` escaped.
    Records whose name is outside ``origin`` are left out, since a fleet's
    records span several zones. Unless ``fragment`` is set, the file starts
    with ``$ORIGIN``, ``$TTL``, an SOA and the NS records of ``ns``.

    :raises ZoneError: for a record that cannot be rendered, or no ``ns``.
    """
    try:
        zone = normalize_owner(origin)
    except DnsNameError as exc:
        raise ZoneError(str(origin), "origin", f"{origin!r} {exc}") from None
    lines: list[str] = []
    if not fragment:
        servers = [_target(zone, str(server), "ns") for server in ns or []]
        if not servers:
            raise ZoneError(
                zone, "ns", "must name at least one name server, or set fragment"
            )
        lines += [
            f"$ORIGIN {_absolute(zone)}",
            f"$TTL {ttl}",
            _soa(zone, servers, soa or {}, ttl),
        ]
        lines += [
            f"{_absolute(zone)} {ttl} IN NS {_absolute(server)}" for server in servers
        ]
    checked = [check_record(record, default_ttl=ttl) for record in records]
    for record in checked:
        if is_within(record.name, zone):
            lines.append(
                f"{_absolute(record.name)} {record.ttl} IN {record.type} {_rdata(record)}"
            )
    return "\n".join(lines) + "\n"


def table_rows(
    records: list[object],
    *,
    zone: str | None = None,
    ttl: int = 3600,
    with_strings: bool = False,
) -> list[dict[str, object]]:
    """Return one row per record for a DNS provider's web form or API.

    ``value`` is raw: TXT text unquoted and whole, MX and CNAME targets
    without a trailing dot, the MX priority in its own column. With
    ``zone``, records outside it are left out and ``host`` is the name
    relative to the zone (``@`` for the apex); without it ``host`` is the
    full name. ``with_strings`` adds the TXT strings for APIs that take a
    list of them.

    :raises ZoneError: for a record that cannot be rendered.
    """
    origin = None
    if zone is not None:
        try:
            origin = normalize_owner(zone)
        except DnsNameError as exc:
            raise ZoneError(str(zone), "zone", f"{zone!r} {exc}") from None
    rows = []
    for record in (check_record(item, default_ttl=ttl) for item in records):
        if origin is not None and not is_within(record.name, origin):
            continue
        host = record.name
        if origin is not None:
            host = "@" if record.name == origin else record.name[: -len(origin) - 1]
        row: dict[str, object] = {
            "name": record.name,
            "host": host,
            "type": record.type,
            "ttl": record.ttl,
            "priority": record.priority,
            "value": record.value,
        }
        if with_strings and record.type == "TXT":
            row["strings"] = list(record.strings)
        rows.append(row)
    return rows


def render_csv(rows: list[dict[str, object]]) -> str:
    """Write rows as CSV with a header line (RFC 4180), empty cells for no priority."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(TABLE_COLUMNS), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {key: "" if row.get(key) is None else row.get(key) for key in TABLE_COLUMNS}
        )
    return out.getvalue()


def rrsets(records: list[object], *, default_ttl: int) -> list[dict[str, object]]:
    """Group records into RRsets ready for an RFC 2136 update.

    An update replaces a whole RRset (RFC 2136 section 2.5), so the records
    of one name and type travel together. Owner names and targets are
    absolute, and TXT data is quoted strings, as in master files
    (RFC 1035 section 5.1), so that no update can double the origin.
    """
    sets: dict[tuple[str, str], dict[str, object]] = {}
    for record in (check_record(item, default_ttl=default_ttl) for item in records):
        key = (record.name, record.type)
        found = sets.setdefault(
            key,
            {
                "name": _absolute(record.name),
                "type": record.type,
                "ttl": record.ttl,
                "values": [],
            },
        )
        if record.ttl != found["ttl"]:
            raise ZoneError(
                record.name,
                "ttl",
                f"the {record.type} records at this name have different TTLs ({found['ttl']} and {record.ttl}); an RRset has one",
            )
        value = _rdata(record)
        if value not in found["values"]:
            found["values"].append(value)
    return list(sets.values())
