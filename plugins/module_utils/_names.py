# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""Domain names, DKIM selectors and reverse names, checked and normalised."""

from __future__ import annotations

import ipaddress
import re

try:
    import idna

    HAS_IDNA = True
except ImportError:  # pragma: no cover - depends on the controller
    HAS_IDNA = False

__all__ = [
    "HAS_IDNA",
    "DnsNameError",
    "is_within",
    "normalize_domain",
    "normalize_ip",
    "normalize_owner",
    "reverse_name",
    "validate_selector",
]

_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_OWNER_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
_MAX_LABEL = 63
_MAX_NAME = 253


class DnsNameError(ValueError):
    """A value that cannot be used as the DNS name it is meant to be."""


def _to_a_label(value: str) -> str:
    """Turn an internationalised name into its A-label form (RFC 5890 §2.3.2.1)."""
    if HAS_IDNA:
        try:
            return idna.encode(value, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as exc:
            raise DnsNameError(
                f"is not a valid internationalised name ({exc})"
            ) from None
    try:
        return value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise DnsNameError(f"is not a valid internationalised name ({exc})") from None


def _check_label(label: str) -> None:
    """Apply the LDH rule of RFC 5890 §2.3.1 and the size limit of RFC 1035 §2.3.4."""
    if not label:
        raise DnsNameError("has an empty label")
    if label == "*":
        raise DnsNameError(
            "is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key"
        )
    if len(label) > _MAX_LABEL:
        raise DnsNameError(
            f"has a label longer than 63 octets ('{label[:20]}...'; RFC 1035 §2.3.4)"
        )
    if not _LDH_LABEL.match(label):
        if label.startswith("-") or label.endswith("-"):
            raise DnsNameError(
                f"has a label that starts or ends with a hyphen ('{label}'; RFC 5890 §2.3.1)"
            )
        raise DnsNameError(
            f"has a label with a character other than a letter, digit or hyphen ('{label}'; RFC 5890 §2.3.1)"
        )
    if label[2:4] == "--" and not label.startswith("xn--"):
        raise DnsNameError(
            f"has a label with '--' in the third and fourth positions that is not an A-label ('{label}'; RFC 5891 §4.2.3.1)"
        )


def normalize_domain(value: str) -> str:
    """Return a host or mail domain as a lower-case A-label name without a trailing dot.

    One trailing dot is accepted and removed, since it only marks the name as
    absolute (RFC 1034 §3.1). Internationalised names are converted to their
    A-labels (RFC 5890 §2.3.2.1), with the ``idna`` package when it is there
    and with Python's IDNA 2003 codec otherwise. The name must have at least
    two labels, each following the LDH rule (RFC 5890 §2.3.1), and its
    top-level label must not be all digits (RFC 3696 §2), which refuses IP
    addresses. Wildcards are refused.

    :raises DnsNameError: with the reason, phrased to follow the name.
    """
    text = value.strip()
    if not text:
        raise DnsNameError("is empty")
    if any(char.isspace() for char in text):
        raise DnsNameError("contains white space")
    if "@" in text:
        raise DnsNameError("contains '@'; give the domain, not a mail address")
    if text.endswith("."):
        text = text[:-1]
    if "*" in text.split("."):
        _check_label("*")
    if not text.isascii():
        text = _to_a_label(text)
    text = text.lower()
    labels = text.split(".")
    for label in labels:
        _check_label(label)
    if len(labels) < 2:
        raise DnsNameError("is a single label; a fully qualified name is needed")
    if labels[-1].isdigit():
        raise DnsNameError(
            "has an all-numeric top-level label; an IP address is not a domain (RFC 3696 §2)"
        )
    if len(text) > _MAX_NAME:
        raise DnsNameError("is longer than 253 octets (RFC 1035 §2.3.4)")
    return text


def normalize_owner(value: str) -> str:
    """Return a record's owner name in lower case without a trailing dot.

    Owner names may hold labels that are not host names, such as
    ``_dmarc`` or ``mail._domainkey`` (RFC 2181 §11), so underscores are
    allowed here; letters, digits and inner hyphens otherwise, as in host
    names. One trailing dot is removed and an empty label is refused, so
    ``example.com.`` gives ``example.com`` and never ``example.com..``.
    Internationalised labels must already be A-labels.

    :raises DnsNameError: with the reason, phrased to follow the name.
    """
    text = value.strip().lower()
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise DnsNameError("is empty")
    if not text.isascii():
        raise DnsNameError(
            "has a character outside ASCII; give internationalised names as A-labels"
        )
    for label in text.split("."):
        if not label:
            raise DnsNameError("has an empty label")
        if len(label) > _MAX_LABEL:
            raise DnsNameError("has a label longer than 63 octets (RFC 1035 §2.3.4)")
        if not _OWNER_LABEL.match(label):
            raise DnsNameError(
                f"has a label with a character other than a letter, digit, hyphen or underscore ('{label}')"
            )
    if len(text) > _MAX_NAME:
        raise DnsNameError("is longer than 253 octets (RFC 1035 §2.3.4)")
    return text


def validate_selector(value: str) -> str:
    """Return a DKIM selector in lower case, or say why RFC 6376 §3.1 refuses it.

    The grammar is ``selector = sub-domain *( "." sub-domain )``, where
    ``sub-domain`` is RFC 5321's ``Let-dig [Ldh-str]``: letters, digits and
    inner hyphens, 1 to 63 octets per label.

    :raises DnsNameError: with the reason, phrased to follow the selector.
    """
    text = value.strip()
    if not text:
        raise DnsNameError("is empty")
    if not text.isascii():
        raise DnsNameError(
            "has a character outside ASCII; RFC 6376 §3.1 allows letters, digits, hyphens and dots only"
        )
    if "_" in text:
        raise DnsNameError(
            "contains '_'; RFC 6376 §3.1 allows letters, digits, hyphens and dots only"
        )
    if text.startswith(".") or text.endswith(".") or ".." in text:
        raise DnsNameError(
            "has an empty label; dots may only separate labels (RFC 6376 §3.1)"
        )
    for label in text.lower().split("."):
        if len(label) > _MAX_LABEL:
            raise DnsNameError("has a label longer than 63 octets (RFC 1035 §2.3.4)")
        if label.startswith("-") or label.endswith("-"):
            raise DnsNameError(
                f"has a label that starts or ends with a hyphen ('{label}'; RFC 6376 §3.1)"
            )
        if not _LDH_LABEL.match(label):
            raise DnsNameError(
                f"has a label with a character other than a letter, digit or hyphen ('{label}'; RFC 6376 §3.1)"
            )
    return text.lower()


def normalize_ip(value: str) -> str:
    """Return an IPv4 or IPv6 host address in its canonical text form (RFC 5952 §4).

    :raises DnsNameError: when the value is not a single host address.
    """
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise DnsNameError("is not an IPv4 or IPv6 address") from None


def reverse_name(address: str) -> str:
    """Return the reverse-mapping name of an address, without a trailing dot.

    IPv4 maps under ``in-addr.arpa`` (RFC 1035 §3.5) and IPv6 under
    ``ip6.arpa``, one nibble per label (RFC 3596 §2.5).

    :raises DnsNameError: when the value is not a single host address.
    """
    try:
        return ipaddress.ip_address(address.strip()).reverse_pointer
    except ValueError:
        raise DnsNameError("is not an IPv4 or IPv6 address") from None


def is_within(name: str, zone: str) -> bool:
    """Tell whether ``name`` is ``zone`` itself or a name below it (RFC 1034 §3.1)."""
    return name == zone or name.endswith(f".{zone}")
