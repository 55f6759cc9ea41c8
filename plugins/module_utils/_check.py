# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""Compare expected mail DNS records with what a resolver answers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ansible_collections.mailfleet.stack.plugins.module_utils._dkim_record import (
    DkimRecordError,
    judge_key_rrset,
    parse_key_record,
    public_key_from_private_pem,
    public_key_id,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._dmarc import (
    DmarcError,
    is_dmarc_record,
    parse_record,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    normalize_owner,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._spf import (
    LOOKUP_LIMIT,
    SpfError,
    count_lookups,
    describe_chain,
    heaviest_chain,
    spf_records,
    terms,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._txt import (
    join_strings,
)

__all__ = [
    "CHECKED_TYPES",
    "CheckInputError",
    "LookupFailedError",
    "Result",
    "check_records",
]

CHECKED_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "TXT")

Resolve = Callable[[str, str], list]
"""``resolve(name, type)`` gives the RRset: tuples of bytes for TXT, ``(priority,
host)`` for MX, text for the rest, names in lower case without a trailing dot.
An empty list means no such record; :class:`LookupFailedError` means no answer."""


class LookupFailedError(Exception):
    """The resolver gave no usable answer (time-out, SERVFAIL, REFUSED)."""


class CheckInputError(ValueError):
    """An expected record that cannot be checked, as given."""


@dataclass
class Result:
    """The verdict on one expected record (or RRset, for types other than TXT)."""

    name: str
    type: str
    status: str = "ok"
    problems: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    def fail(self, status: str, problem: str) -> None:
        """Record a problem; the first one sets the status."""
        if self.status == "ok":
            self.status = status
        self.problems.append(problem)

    def as_dict(self) -> dict[str, object]:
        """The result as the module returns it."""
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "problems": self.problems,
            "published": self.published,
        }


def _txt_value(record: Mapping) -> str:
    if record.get("strings") is not None:
        return join_strings(record["strings"])
    return str(record.get("value", ""))


def _normal_tags(value: str) -> str:
    """Drop white space around ``;`` and ``=`` so that tag lists compare by content."""
    return re.sub(r"\s*([;=])\s*", r"\1", value.strip()).rstrip(";")


def _rdata_text(rtype: str, rdata: object) -> str:
    if rtype == "TXT":
        return join_strings(rdata)  # type: ignore[arg-type]
    if rtype == "MX":
        priority, host = rdata  # type: ignore[misc]
        return f"{priority} {host}"
    return str(rdata)


def _expected_plain(rtype: str, value: str, name: str) -> object:
    """Turn an expected value into the shape ``resolve`` gives."""
    try:
        if rtype in ("A", "AAAA"):
            return str(ipaddress.ip_address(value.strip()))
        if rtype == "MX":
            head, _sep, host = value.strip().partition(" ")
            host = host.strip()
            return (int(head), "." if host == "." else normalize_owner(host))
        return normalize_owner(value)
    except (ValueError, DnsNameError):
        raise CheckInputError(
            f"{name} {rtype}: the expected value {value!r} is malformed"
        ) from None


# TODO(#3): answers are not DNSSEC-validated and MTA-STS policy files are not fetched - the check reads
# what the given resolver answers, which is what a receiver using it sees.
class _Checker:
    def __init__(
        self,
        resolve: Resolve,
        *,
        follow_spf: bool,
        fcrdns: bool,
        read_key: Callable[[str], bytes],
    ) -> None:
        self.resolve = resolve
        self.follow_spf = follow_spf
        self.fcrdns = fcrdns
        self.read_key = read_key
        self.cache: dict[tuple[str, str], list] = {}

    def lookup(self, name: str, rtype: str) -> list:
        key = (name, rtype)
        if key not in self.cache:
            self.cache[key] = self.resolve(name, rtype)
        return self.cache[key]

    def txt_values(self, name: str) -> list[str]:
        return [join_strings(rdata) for rdata in self.lookup(name, "TXT")]

    def check_spf(self, result: Result, expected: str) -> None:
        """One SPF record, equal to the expected one, within 10 lookups (RFC 7208 §3.2, §4.6.4)."""
        found = spf_records(self.txt_values(result.name))
        result.published = found
        if not found:
            result.fail("missing", "no SPF record")
            return
        if len(found) > 1:
            result.fail(
                "extra",
                f"multiple SPF records ({len(found)} TXT records start with v=spf1; RFC 7208 §3.2 makes that a permerror)",
            )
            return
        if [term.lower() for term in terms(found[0])] != [
            term.lower() for term in terms(expected)
        ]:
            result.fail(
                "different",
                f"SPF record differs: published {found[0]!r}, expected {expected!r}",
            )
        if not self.follow_spf:
            return
        try:
            tree = count_lookups(found[0], self._spf_fetch, origin=result.name)
        except SpfError as exc:
            result.fail("different", f"SPF evaluation fails: {exc}")
            return
        except LookupFailedError as exc:
            result.fail("error", f"SPF includes could not be followed: {exc}")
            return
        if tree.total > LOOKUP_LIMIT:
            chain = describe_chain(heaviest_chain(tree)) or "none"
            result.fail(
                "different",
                f"SPF needs {tree.total} DNS lookups, over the limit of {LOOKUP_LIMIT} (RFC 7208 §4.6.4: permerror); heaviest include chain: {chain}",
            )

    def _spf_fetch(self, name: str) -> list[str]:
        return self.txt_values(name)

    def check_dkim(self, result: Result, record: Mapping) -> None:
        """Exactly one key record, holding the signer's key (RFC 6376 §3.6.2.2)."""
        rrset = self.lookup(result.name, "TXT")
        result.published = [join_strings(rdata) for rdata in rrset]
        if record.get("key_file"):
            try:
                key_type, expected = public_key_from_private_pem(
                    self.read_key(str(record["key_file"]))
                )
            except (OSError, DkimRecordError) as exc:
                raise CheckInputError(
                    f"{result.name} TXT: the signer's key {record['key_file']} cannot be used: {exc}"
                ) from None
        else:
            try:
                tags = parse_key_record(_txt_value(record))
                key_type, expected = tags["k"], public_key_id(tags["k"], tags["p"])
            except DkimRecordError as exc:
                raise CheckInputError(
                    f"{result.name} TXT: the expected key record {exc}"
                ) from None
        for problem in judge_key_rrset(
            [list(rdata) for rdata in rrset], key_type, expected
        ):
            result.fail("missing" if problem == "missing" else "different", problem)

    def check_dmarc(self, result: Result, expected: str) -> None:
        """One DMARC record whose tags equal the expected ones (RFC 7489 §6.6.3)."""
        found = [
            value for value in self.txt_values(result.name) if is_dmarc_record(value)
        ]
        result.published = found
        try:
            wanted, _warnings = parse_record(expected)
        except DmarcError as exc:
            raise CheckInputError(
                f"{result.name} TXT: the expected DMARC record has {exc.field} that {exc}"
            ) from None
        if not found:
            result.fail("missing", "no DMARC record")
            return
        if len(found) > 1:
            result.fail(
                "extra",
                f"multiple DMARC records ({len(found)}); receivers then apply no policy (RFC 7489 §6.6.3)",
            )
            return
        try:
            tags, _warnings = parse_record(found[0])
        except DmarcError as exc:
            result.fail(
                "different", f"the published DMARC record is invalid: {exc.field} {exc}"
            )
            return
        changed = [
            f"{name}={tags.get(name, '(unset)')} published, {wanted.get(name, '(unset)')} expected"
            for name in dict.fromkeys([*wanted, *tags])
            if tags.get(name) != wanted.get(name)
        ]
        if changed:
            result.fail("different", f"DMARC record differs: {'; '.join(changed)}")

    def check_txt(self, result: Result, expected: str) -> None:
        """The expected value among the TXT records, once, compared by its tags."""
        values = self.txt_values(result.name)
        prefix = _normal_tags(expected).split(";")[0].lower()
        related = [
            value
            for value in values
            if _normal_tags(value).split(";")[0].lower() == prefix
        ]
        result.published = related
        equal = [
            value for value in related if _normal_tags(value) == _normal_tags(expected)
        ]
        if len(related) > 1:
            result.fail(
                "extra", f"multiple records starting with {prefix} ({len(related)})"
            )
        elif not related:
            result.fail("missing", "no such record")
        elif not equal:
            result.fail(
                "different",
                f"record differs: published {related[0]!r}, expected {expected!r}",
            )

    def check_rrset(self, result: Result, expected: list[object]) -> None:
        """The RRset equals the expected set: nothing missing, nothing extra."""
        published = self.lookup(result.name, result.type)
        result.published = [_rdata_text(result.type, rdata) for rdata in published]
        missing = [item for item in expected if item not in published]
        extra = [item for item in published if item not in expected]
        if not published:
            result.fail("missing", f"no {result.type} record")
        elif missing:
            result.fail(
                "different",
                f"missing {', '.join(_rdata_text(result.type, item) for item in missing)}",
            )
        if extra:
            result.fail(
                "extra" if not missing else "different",
                f"extra {', '.join(_rdata_text(result.type, item) for item in extra)}",
            )
        if result.type == "PTR" and self.fcrdns:
            self.check_fcrdns(result, [item for item in published if item in expected])

    def check_fcrdns(self, result: Result, targets: list[object]) -> None:
        """Each PTR target must resolve back to the address: forward-confirmed reverse DNS."""
        address = _address_of(result.name)
        if address is None:
            return
        rtype = "A" if ipaddress.ip_address(address).version == 4 else "AAAA"
        for target in targets:
            forward = self.lookup(str(target), rtype)
            if address not in forward:
                result.fail(
                    "different",
                    f"forward-confirmed reverse DNS fails: {target} has no {rtype} record {address}",
                )

    def check_absent(self, result: Result) -> None:
        published = self.lookup(result.name, result.type)
        result.published = [_rdata_text(result.type, rdata) for rdata in published]
        if published:
            result.fail("extra", f"stale {result.type} record still published")


def _address_of(name: str) -> str | None:
    labels = name.split(".")
    try:
        if labels[-2:] == ["in-addr", "arpa"] and len(labels) == 6:
            return str(ipaddress.ip_address(".".join(reversed(labels[:4]))))
        if labels[-2:] == ["ip6", "arpa"] and len(labels) == 34:
            nibbles = "".join(reversed(labels[:32]))
            return str(
                ipaddress.ip_address(
                    ":".join(nibbles[i : i + 4] for i in range(0, 32, 4))
                )
            )
    except ValueError:
        return None
    return None


def _key(record: object) -> tuple[str, str, str]:
    if not isinstance(record, Mapping):
        raise CheckInputError(
            f"each record must be a dict with name, type and value; got {type(record).__name__}"
        )
    try:
        name = normalize_owner(str(record.get("name", "")))
    except DnsNameError as exc:
        raise CheckInputError(f"the record name {record.get('name')!r} {exc}") from None
    rtype = str(record.get("type", "")).upper()
    if rtype not in CHECKED_TYPES:
        raise CheckInputError(
            f"{name}: type must be one of {', '.join(CHECKED_TYPES)}; got {record.get('type')!r}"
        )
    state = str(record.get("state", "present"))
    if state not in ("present", "absent"):
        raise CheckInputError(
            f"{name} {rtype}: state must be present or absent; got {state!r}"
        )
    return name, rtype, state


def _check_one_txt(checker: _Checker, result: Result, record: Mapping) -> None:
    expected = _txt_value(record)
    if spf_records([expected]):
        checker.check_spf(result, expected)
    elif "._domainkey." in f".{result.name}":
        checker.check_dkim(result, record)
    elif result.name.startswith("_dmarc."):
        checker.check_dmarc(result, expected)
    else:
        checker.check_txt(result, expected)


def check_records(
    records: list[object],
    resolve: Resolve,
    *,
    follow_spf: bool = True,
    fcrdns: bool = True,
    read_key: Callable[[str], bytes] | None = None,
) -> list[Result]:
    """Check every expected record against ``resolve`` and return one result each.

    TXT records are checked one by one: SPF, DKIM (by ``._domainkey.`` in the
    name), DMARC (by ``_dmarc.``) and other tag records each by their own
    rules; records of other types are compared as whole RRsets, and PTR
    records also have their target checked back to the address. A record
    with ``state: absent`` must not be published at all. Any failed lookup
    gives the status ``error`` for that record and the others go on.

    :raises CheckInputError: when an expected record is malformed.
    """

    def default_read(path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    checker = _Checker(
        resolve, follow_spf=follow_spf, fcrdns=fcrdns, read_key=read_key or default_read
    )
    groups: dict[tuple[str, str, str], list[Mapping]] = {}
    for record in records:
        groups.setdefault(_key(record), []).append(record)  # type: ignore[arg-type]
    results: list[Result] = []
    for (name, rtype, state), members in groups.items():
        singles = (
            [Result(name, rtype) for _member in members]
            if rtype == "TXT" and state == "present"
            else [Result(name, rtype)]
        )
        try:
            if state == "absent":
                checker.check_absent(singles[0])
            elif rtype == "TXT":
                for result, record in zip(singles, members, strict=True):
                    _check_one_txt(checker, result, record)
            else:
                expected = [
                    _expected_plain(rtype, str(member.get("value", "")), name)
                    for member in members
                ]
                checker.check_rrset(singles[0], expected)
        except LookupFailedError as exc:
            for result in singles:
                result.fail("error", f"lookup failed: {exc}")
        results += singles
    return results
