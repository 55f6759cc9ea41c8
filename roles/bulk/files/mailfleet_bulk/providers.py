# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Provider classes: which large mailbox provider receives a recipient domain.

Each provider throttles on its own terms, so the bulk node shapes traffic per
(sending IP, provider class). A recipient domain belongs to a class when it is
one of the class's own domains (gmail.com) or when its most preferred MX host
ends with one of the class's MX suffixes: a company domain hosted by Google
Workspace or Microsoft 365 is throttled by Google or Microsoft, not by its
name. Every other domain is in the class ``default``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

try:
    import dns.resolver

    HAVE_DNS = True
except ImportError:  # classify works without it; only lookup_mx needs it
    HAVE_DNS = False

__all__ = [
    "BUILTIN",
    "DEFAULT",
    "ProviderError",
    "Providers",
    "classify",
    "load_providers",
    "lookup_mx",
]

DEFAULT = "default"
_FIELDS = ("domains", "mx_suffixes")
BUILTIN: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "google": {
        "domains": ("gmail.com", "googlemail.com"),
        "mx_suffixes": ("google.com", "googlemail.com"),
    },
    "microsoft": {
        "domains": ("outlook.com", "hotmail.com", "live.com", "msn.com"),
        "mx_suffixes": ("protection.outlook.com", "outlook.com"),
    },
    "yahoo": {
        "domains": ("yahoo.com", "ymail.com", "aol.com"),
        "mx_suffixes": ("yahoodns.net",),
    },
    "apple": {
        "domains": ("icloud.com", "me.com", "mac.com"),
        "mx_suffixes": ("mail.icloud.com",),
    },
}
# A class name becomes part of a Postfix transport name (bulk_<ip>_<class>).
_CLASS = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")


class ProviderError(ValueError):
    """A provider configuration that cannot be used; ``provider`` and ``field`` say where."""

    def __init__(self, provider: str, field: str, message: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.field = field

    def __str__(self) -> str:
        return f"provider {self.provider} {self.field}: {self.args[0]}"


@dataclass(frozen=True)
class Providers:
    """The classes in use: each domain's class and the MX suffixes, longest first."""

    names: tuple[str, ...]
    domains: Mapping[str, str]
    suffixes: tuple[tuple[str, str], ...]


def _name(value: str) -> str:
    """A domain or host name as compared: lowercase, without the final dot."""
    return value.strip().rstrip(".").lower()


def _names(value: object, provider: str, field: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ProviderError(
            provider, field, f"expected a list of names; got {type(value).__name__}"
        )
    names = []
    for item in value:
        name = _name(item).lstrip(".") if isinstance(item, str) else ""
        if not _NAME.match(name):
            raise ProviderError(provider, field, f"{item!r} is not a domain name")
        names.append(name)
    return names


def _merge(config: Mapping) -> dict[str, dict[str, list[str]]]:
    merged = {
        name: {field: list(values) for field, values in entry.items()}
        for name, entry in BUILTIN.items()
    }
    claimed: dict[tuple[str, str], str] = {}
    for provider, entry in config.items():
        if not isinstance(provider, str) or not _CLASS.match(provider):
            raise ProviderError(
                str(provider),
                "name",
                "expected lowercase letters, digits and _, starting with a letter",
            )
        if provider == DEFAULT:
            raise ProviderError(
                provider,
                "name",
                "is what every unlisted domain gets; it takes no names",
            )
        if not isinstance(entry, Mapping):
            raise ProviderError(
                provider,
                "name",
                f"expected a mapping with {' and '.join(_FIELDS)}; got {type(entry).__name__}",
            )
        unknown = sorted(set(entry) - set(_FIELDS))
        if unknown:
            raise ProviderError(
                provider,
                str(unknown[0]),
                f"unknown field; a class has {', '.join(_FIELDS)}",
            )
        merged.setdefault(provider, {field: [] for field in _FIELDS})
        for field in _FIELDS:
            for name in _names(entry.get(field, []), provider, field):
                other = claimed.setdefault((field, name), provider)
                if other != provider:
                    raise ProviderError(
                        provider, field, f"{name} is already listed for {other}"
                    )
                # A name from the configuration moves away from a built-in class.
                for values in merged.values():
                    if name in values[field]:
                        values[field].remove(name)
                merged[provider][field].append(name)
    return merged


def load_providers(config: Mapping | None = None) -> Providers:
    """The built-in classes extended by ``config``.

    ``config`` maps a class name to ``{'domains': [...], 'mx_suffixes': [...]}``,
    both optional. A name of a built-in class adds to it; a new name adds a
    class. A domain or suffix that the configuration lists moves to the
    configured class, even out of a built-in one.
    """
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ProviderError(
            "configuration",
            "classes",
            f"expected a mapping of class names; got {type(config).__name__}",
        )
    merged = _merge(config)
    domains = {
        domain: provider
        for provider, entry in merged.items()
        for domain in entry["domains"]
    }
    suffixes = sorted(
        (
            (suffix, provider)
            for provider, entry in merged.items()
            for suffix in entry["mx_suffixes"]
        ),
        key=lambda pair: (-len(pair[0]), pair[0]),
    )
    return Providers(
        names=(*merged, DEFAULT), domains=domains, suffixes=tuple(suffixes)
    )


_BUILTIN = load_providers()


def classify(
    domain: str, mx_hosts: Iterable[str], *, providers: Providers | None = None
) -> str:
    """The provider class of a recipient domain.

    The domain itself is looked up first. Otherwise the first of ``mx_hosts``
    (the most preferred exchanger, where the mail goes) decides: it matches a
    suffix when it ends with it at a label boundary, the longest suffix
    winning. Case and final dots do not matter. No match gives ``default``.
    """
    table = _BUILTIN if providers is None else providers
    provider = table.domains.get(_name(domain))
    if provider is not None:
        return provider
    # Backups take mail only while the first exchanger is away.
    first = next(iter(mx_hosts), None)
    if first is None:
        return DEFAULT
    name = _name(first)
    for suffix, provider in table.suffixes:
        if name == suffix or name.endswith(f".{suffix}"):
            return provider
    return DEFAULT


def lookup_mx(domain: str, resolver: object) -> list[str]:
    """The MX hosts of ``domain``, most preferred first, lowercase, without final dots.

    ``resolver`` is a ``dns.resolver.Resolver`` (or anything with its
    ``resolve(name, 'MX')``). A domain that does not exist, that has no MX
    records or that publishes a null MX (RFC 7505) gives an empty list. Other
    failures, such as a timeout or SERVFAIL, are raised: the caller knows
    whether to defer or to fall back to ``default``.
    """
    if not HAVE_DNS:
        raise RuntimeError(
            "looking up MX hosts needs dnspython (Debian package python3-dnspython)"
        )
    try:
        answer = resolver.resolve(f"{_name(domain)}.", "MX")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    records = sorted(
        (record.preference, _name(str(record.exchange))) for record in answer
    )
    return [host for _, host in records if host]
