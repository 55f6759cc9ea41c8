# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""The warmup schedule of a sending IP: a daily cap per provider class.

A new sending IP earns its reputation slowly. The bulk node releases no more
mail per day to each provider class than the schedule allows, and keeps the
last day's caps once the schedule ends. The schedule is either computed,
growing geometrically from a first cap to a target, or given as a table.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
import re
from collections.abc import Mapping, Sequence

__all__ = ["DEFAULT", "MAX_DAYS", "PROVIDERS", "WarmupError", "build_schedule"]

DEFAULT = "default"
# The classes that the node's provider classifier knows without configuration.
PROVIDERS = ("google", "microsoft", "yahoo", "apple", DEFAULT)
# A longer warmup is a typo more often than a plan, and every day is a row
# in the file shipped to the node.
MAX_DAYS = 365
_FIELDS = frozenset(("address", "start", "days", "caps", "table"))
_CAP_FIELDS = frozenset(("first", "target"))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A class name becomes part of a Postfix transport name (bulk_<ip>_<class>).
_CLASS = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_NO_ADDRESS = "(no address)"


class WarmupError(ValueError):
    """A warmup that cannot be scheduled; ``ip`` and ``field`` say where."""

    def __init__(self, ip: str, field: str, message: str) -> None:
        super().__init__(message)
        self.ip = ip
        self.field = field

    def __str__(self) -> str:
        return f"{self.ip} {self.field}: {self.args[0]}"


def _providers(value: object, ip: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise WarmupError(
            ip, "providers", f"expected a non-empty list of class names; got {value!r}"
        )
    for name in value:
        if not isinstance(name, str) or not _CLASS.match(name):
            raise WarmupError(
                ip,
                "providers",
                f"{name!r} is not a class name (lowercase letters, digits and _, starting with a letter)",
            )
    if len(set(value)) != len(value):
        raise WarmupError(ip, "providers", "a class is listed twice")
    return tuple(value)


def _address(spec: Mapping) -> str:
    if "address" not in spec:
        raise WarmupError(
            _NO_ADDRESS, "address", "missing; a warmup names its sending IP"
        )
    value = spec["address"]
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise WarmupError(
            str(value), "address", "expected an IPv4 or IPv6 host address"
        ) from None


def _start(value: object, ip: str) -> datetime.date:
    # YAML reads an unquoted 2026-03-01 as a date already.
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise WarmupError(ip, "start", f"expected a date as YYYY-MM-DD; got {value!r}")


def _integer(value: object, ip: str, field: str, *, least: int) -> int:
    """An int, or a string of digits as templating makes, of at least ``least``."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isdecimal():
        number = int(value)
    if number is None or number < least:
        kind = "a positive integer" if least == 1 else f"an integer >= {least}"
        raise WarmupError(ip, field, f"expected {kind}; got {value!r}")
    return number


def _known(names: object, providers: tuple[str, ...], ip: str, where: str) -> None:
    for name in names:
        if name not in providers:
            raise WarmupError(
                ip,
                f"{where} {name}",
                f"unknown provider class; expected one of {', '.join(providers)}",
            )


def _fill(
    values: dict[str, int], providers: tuple[str, ...], ip: str, where: str
) -> dict[str, int]:
    """Every class of ``providers``, in that order; missing ones take the default."""
    missing = [name for name in providers if name not in values]
    if missing and DEFAULT not in values:
        raise WarmupError(
            ip, f"{where} {DEFAULT}", f"missing; needed for {', '.join(missing)}"
        )
    return {name: values.get(name, values.get(DEFAULT, 0)) for name in providers}


def _growth(first: int, target: int, days: int) -> list[int]:
    """Caps from ``first`` on day 1 to ``target`` on day ``days``, growing geometrically.

    Day d gets first * (target / first) ** ((d - 1) / (days - 1)), rounded
    half up; the ends are exact and no day is below the day before.
    """
    if days == 1:
        return [target]
    caps = []
    for day in range(1, days + 1):
        exact = first * (target / first) ** ((day - 1) / (days - 1))
        caps.append(max(math.floor(exact + 0.5), caps[-1] if caps else first))
    caps[-1] = target
    return caps


def _computed(spec: Mapping, providers: tuple[str, ...], ip: str) -> list[dict]:
    if "days" not in spec:
        raise WarmupError(ip, "days", "missing; caps grow over this many days")
    days = _integer(spec["days"], ip, "days", least=1)
    if days > MAX_DAYS:
        raise WarmupError(ip, "days", f"at most {MAX_DAYS}; got {days}")
    caps = spec["caps"]
    if not isinstance(caps, Mapping) or not caps:
        raise WarmupError(
            ip, "caps", f"expected a mapping of provider classes; got {caps!r}"
        )
    _known(caps, providers, ip, "caps")
    columns = {}
    for name, cap in caps.items():
        where = f"caps {name}"
        if not isinstance(cap, Mapping):
            raise WarmupError(
                ip, where, f"expected a mapping with first and target; got {cap!r}"
            )
        unknown = sorted(set(cap) - _CAP_FIELDS)
        if unknown:
            raise WarmupError(
                ip, f"{where} {unknown[0]}", "unknown field; a cap has first, target"
            )
        missing = sorted(_CAP_FIELDS - set(cap))
        if missing:
            raise WarmupError(ip, f"{where} {missing[0]}", "missing")
        first = _integer(cap["first"], ip, f"{where} first", least=1)
        target = _integer(cap["target"], ip, f"{where} target", least=1)
        if first > target:
            raise WarmupError(
                ip, f"{where} first", f"{first} is above the target {target}"
            )
        if days == 1 and first != target:
            raise WarmupError(
                ip,
                "days",
                f"1 day leaves no room to grow {name} from {first} to {target}; give days of 2 or more",
            )
        columns[name] = _growth(first, target, days)
    return [
        _fill({name: col[day] for name, col in columns.items()}, providers, ip, "caps")
        for day in range(days)
    ]


def _table(spec: Mapping, providers: tuple[str, ...], ip: str) -> list[dict]:
    table = spec["table"]
    if isinstance(table, str) or not isinstance(table, Sequence) or not table:
        raise WarmupError(
            ip, "table", f"expected a non-empty list of daily caps; got {table!r}"
        )
    if len(table) > MAX_DAYS:
        raise WarmupError(ip, "table", f"at most {MAX_DAYS} days; got {len(table)}")
    rows = []
    for index, row in enumerate(table):
        where = f"table day {index + 1}"
        if not isinstance(row, Mapping) or not row:
            raise WarmupError(
                ip, where, f"expected a mapping of provider classes; got {row!r}"
            )
        _known(row, providers, ip, where)
        values = {
            name: _integer(cap, ip, f"{where} {name}", least=0)
            for name, cap in row.items()
        }
        rows.append(_fill(values, providers, ip, where))
    return rows


def build_schedule(
    spec: Mapping, *, providers: Sequence[str] = PROVIDERS
) -> list[dict[str, object]]:
    """The daily caps of one IP's warmup, one row per day from its start.

    ``spec`` holds ``address``, ``start`` (YYYY-MM-DD) and either ``days``
    with ``caps`` (``{class: {'first': n, 'target': m}}``) or ``table`` (a
    list of ``{class: cap}``, one per day). Each row is ``{'date': 'YYYY-MM-DD',
    'caps': {class: int}}`` with every class of ``providers``; a class that
    the spec leaves out takes the ``default`` class's cap.
    """
    if not isinstance(spec, Mapping):
        raise WarmupError(
            _NO_ADDRESS,
            "warmup",
            f"expected a mapping; got {type(spec).__name__}",
        )
    ip = _address(spec)
    classes = _providers(providers, ip)
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise WarmupError(
            ip,
            str(unknown[0]),
            f"unknown field; a warmup has {', '.join(sorted(_FIELDS))}",
        )
    if "start" not in spec:
        raise WarmupError(ip, "start", "missing; the date of the first day")
    start = _start(spec["start"], ip)
    if "table" in spec and "caps" in spec:
        raise WarmupError(ip, "table", "give caps and days, or a table, not both")
    if "table" in spec:
        if "days" in spec:
            raise WarmupError(ip, "days", "not with a table, whose length is the days")
        rows = _table(spec, classes, ip)
    elif "caps" in spec:
        rows = _computed(spec, classes, ip)
    else:
        raise WarmupError(ip, "caps", "missing; give caps and days, or a table")
    return [
        {"date": (start + datetime.timedelta(days=day)).isoformat(), "caps": caps}
        for day, caps in enumerate(rows)
    ]
