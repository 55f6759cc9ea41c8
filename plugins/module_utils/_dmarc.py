# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""DMARC policy records: checking tags, writing them in one order, parsing them."""

from __future__ import annotations

import re

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    normalize_domain,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._txt import (
    TagListError,
    parse_tag_list,
)

__all__ = [
    "REMOVED_TAGS",
    "TAG_ORDER",
    "DmarcError",
    "format_record",
    "is_dmarc_record",
    "normalize_tags",
    "parse_record",
    "report_domains",
]

TAG_ORDER = (
    "v",
    "p",
    "sp",
    "np",
    "adkim",
    "aspf",
    "pct",
    "fo",
    "rf",
    "ri",
    "rua",
    "ruf",
    "psd",
    "t",
)
"""Order of tags in a written record: ``v`` and ``p`` first, as RFC 7489 §6.4 requires."""

REMOVED_TAGS = ("pct", "rf", "ri")
"""RFC 7489 tags that DMARCbis (RFC 9989) removed; receivers may ignore them."""

_POLICIES = ("none", "quarantine", "reject")
_MODES = ("r", "s")
_FO_OPTIONS = ("0", "1", "d", "s")
_MAX_INTERVAL = 2**32 - 1
_SIZE = re.compile(r"^[0-9]+[kmgt]?$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$")


class DmarcError(ValueError):
    """A DMARC tag or record that RFC 7489 or DMARCbis refuses.

    ``field`` names the tag at fault, so a caller can point at the option.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def is_dmarc_record(value: str) -> bool:
    """Tell whether a joined TXT value is a DMARC record (RFC 7489 §6.6.3: ``v=DMARC1`` first)."""
    return re.match(r"^v\s*=\s*DMARC1\s*(;|$)", value) is not None


def _choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower()
    if text not in choices:
        raise DmarcError(field, f"must be one of {', '.join(choices)}; got {value!r}")
    return text


def _integer(field: str, value: object, low: int, high: int) -> str:
    if isinstance(value, bool) or not re.match(r"^[0-9]+$", str(value).strip()):
        raise DmarcError(
            field, f"must be a whole number from {low} to {high}; got {value!r}"
        )
    number = int(str(value).strip())
    if not low <= number <= high:
        raise DmarcError(
            field, f"must be a whole number from {low} to {high}; got {number}"
        )
    return str(number)


def _uri(field: str, value: object, warnings: list[str]) -> str:
    """Check one report address and return it as a ``mailto:`` URI (RFC 7489 §6.2)."""
    if not isinstance(value, str):
        raise DmarcError(field, f"must hold mail addresses as strings; got {value!r}")
    text = value.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        raise DmarcError(
            field,
            f"must hold mailto: URIs; {value!r} uses another scheme, which receivers need not support",
        )
    address, _sep, size = text.partition("!")
    local, at, domain = address.rpartition("@")
    if not at or not local:
        raise DmarcError(field, f"must hold mail addresses; got {value!r}")
    if not _LOCAL_PART.match(local) or "," in local or "!" in local:
        raise DmarcError(
            field,
            f"has an address whose local part needs escaping ({value!r}); use a plain address",
        )
    try:
        domain = normalize_domain(domain)
    except DnsNameError as exc:
        raise DmarcError(
            field, f"has an address whose domain {domain!r} {exc}"
        ) from None
    uri = f"mailto:{local}@{domain}"
    if size:
        if not _SIZE.match(size.lower()):
            raise DmarcError(
                field,
                f"has a size limit that is not a number with k, m, g or t ({value!r})",
            )
        warnings.append(
            f"{field}: the !size suffix on {uri} was removed by DMARCbis (RFC 9989) and is ignored by newer receivers"
        )
        uri = f"{uri}!{size.lower()}"
    return uri


def _uri_list(field: str, value: object, warnings: list[str]) -> str:
    items = [part for part in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise DmarcError(
            field, f"must be a mail address or a non-empty list of them; got {value!r}"
        )
    return ",".join(_uri(field, item, warnings) for item in items)


def _failure_options(value: object) -> str:
    options = [part.strip().lower() for part in str(value).split(":")]
    if not all(option in _FO_OPTIONS for option in options):
        raise DmarcError(
            "fo", f"must be a ':'-separated list of 0, 1, d and s; got {value!r}"
        )
    return ":".join(options)


_SIMPLE_CHECKS = {
    "p": lambda name, value: _choice(name, value, _POLICIES),
    "sp": lambda name, value: _choice(name, value, _POLICIES),
    "np": lambda name, value: _choice(name, value, _POLICIES),
    "adkim": lambda name, value: _choice(name, value, _MODES),
    "aspf": lambda name, value: _choice(name, value, _MODES),
    "pct": lambda name, value: _integer(name, value, 0, 100),
    "rf": lambda name, value: _choice(name, value, ("afrf",)),
    "ri": lambda name, value: _integer(name, value, 0, _MAX_INTERVAL),
    "psd": lambda name, value: _choice(name, value, ("y", "n", "u")),
    "t": lambda name, value: _choice(name, value, ("y", "n")),
}


def normalize_tags(tags: dict[str, object]) -> tuple[dict[str, str], list[str]]:
    """Check DMARC tags and return them as strings in :data:`TAG_ORDER`, with warnings.

    Values follow RFC 7489 §6.3 and DMARCbis: ``p``, ``sp`` and ``np`` take
    a policy; ``adkim`` and ``aspf`` ``r`` or ``s``; ``pct`` 0 to 100;
    ``fo`` a ``:``-list of ``0``, ``1``, ``d``, ``s``; ``rf`` ``afrf``;
    ``ri`` a 32-bit number of seconds; ``rua`` and ``ruf`` mail addresses,
    written as ``mailto:`` URIs; ``psd`` ``y``, ``n`` or ``u``; ``t`` ``y``
    or ``n``. A warning is returned for each tag that DMARCbis removed.

    :raises DmarcError: naming the tag and what was expected.
    """
    warnings: list[str] = []
    unknown = sorted(set(tags) - set(TAG_ORDER))
    if unknown:
        raise DmarcError(
            unknown[0], f"is not a DMARC tag; known tags are {', '.join(TAG_ORDER)}"
        )
    if tags.get("p") in (None, ""):
        raise DmarcError("p", "is required (RFC 7489 §6.3)")
    if "v" in tags and tags["v"] != "DMARC1":
        raise DmarcError("v", f"must be DMARC1; got {tags['v']!r}")
    out: dict[str, str] = {"v": "DMARC1"}
    for name in TAG_ORDER[1:]:
        value = tags.get(name)
        if value is None:
            continue
        if name in ("rua", "ruf"):
            out[name] = _uri_list(name, value, warnings)
        elif name == "fo":
            out[name] = _failure_options(value)
        else:
            out[name] = _SIMPLE_CHECKS[name](name, value)
        if name in REMOVED_TAGS:
            warnings.append(
                f"{name}: the tag was removed by DMARCbis (RFC 9989); newer receivers ignore it"
            )
    return out, warnings


def format_record(tags: dict[str, str]) -> str:
    """Write checked tags as a record value, ``v=DMARC1; p=...; ...``."""
    return "; ".join(f"{name}={tags[name]}" for name in TAG_ORDER if name in tags)


def parse_record(value: str) -> tuple[dict[str, str], list[str]]:
    """Parse a published DMARC record into checked tags, with warnings.

    :raises DmarcError: when the record is not a DMARC record or a tag is
        out of range (RFC 7489 §6.6.3 then ignores the whole record).
    """
    if not is_dmarc_record(value):
        raise DmarcError("v", "must come first and be DMARC1 (RFC 7489 §6.4)")
    try:
        tags = parse_tag_list(value)
    except TagListError as exc:
        raise DmarcError("record", f"is not a tag list: {exc}") from None
    known = {name: tag for name, tag in tags.items() if name in TAG_ORDER}
    if list(known)[:2] != ["v", "p"] and "p" in known:
        raise DmarcError("p", "must follow v directly (RFC 7489 §6.4)")
    return normalize_tags(known)


def report_domains(tags: dict[str, str]) -> list[str]:
    """Return the domains of the ``rua`` and ``ruf`` addresses, in order, once each."""
    domains: list[str] = []
    for name in ("rua", "ruf"):
        for uri in tags.get(name, "").split(","):
            domain = uri.partition("!")[0].rpartition("@")[2]
            if domain and domain not in domains:
                domains.append(domain)
    return domains
