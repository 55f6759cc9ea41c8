# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""DKIM signing keys and the key records that publish them."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    normalize_domain,
    validate_selector,
)
from ansible_collections.mailfleet.stack.plugins.module_utils._txt import split_strings

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - depends on the controller
    HAS_CRYPTOGRAPHY = False

__all__ = [
    "DEFAULT_RSA_BITS",
    "HAS_CRYPTOGRAPHY",
    "KEY_TYPES",
    "MIN_RSA_BITS",
    "RSA_BITS",
    "DkimKeyError",
    "KeyInfo",
    "check_key_request",
    "generate_private_key",
    "key_info",
    "key_record",
    "record_name",
]

KEY_TYPES = ("rsa", "ed25519")
RSA_BITS = (1024, 2048, 3072, 4096)
"""RSA sizes the lookup makes; RFC 8301 §3.2 asks for at least 1024, 2048 advised."""
DEFAULT_RSA_BITS = 2048
MIN_RSA_BITS = 1024
_RSA_EXPONENT = 65537
_ED25519_BITS = 256


class DkimKeyError(ValueError):
    """A key that cannot be made, read or used for DKIM signing."""


@dataclass(frozen=True)
class KeyInfo:
    """What a private key is, and the ``p=`` value that publishes it."""

    key_type: str
    bits: int
    public_key: str


def check_key_request(key_type: str, bits: int) -> None:
    """Refuse a key type or RSA size that :func:`generate_private_key` would refuse.

    :raises DkimKeyError: for an unknown type, an RSA size below 1024 bits
        (RFC 8301 §3.2) or one not in :data:`RSA_BITS`.
    """
    if key_type == "ed25519":
        return
    if key_type != "rsa":
        raise DkimKeyError(
            f"key type must be one of {', '.join(KEY_TYPES)}; got {key_type!r}"
        )
    if bits < MIN_RSA_BITS:
        raise DkimKeyError(
            f"an RSA key of {bits} bits is too weak; RFC 8301 §3.2 requires at least 1024 and advises 2048"
        )
    if bits not in RSA_BITS:
        raise DkimKeyError(
            f"RSA size must be one of {', '.join(str(size) for size in RSA_BITS)}; got {bits}"
        )


def generate_private_key(key_type: str = "rsa", bits: int = DEFAULT_RSA_BITS) -> bytes:
    """Make a new signing key and return it as unencrypted PEM.

    RSA keys (RFC 6376 §3.3.1) use the exponent 65537 and are written as
    PKCS#1 ``RSA PRIVATE KEY``, the form OpenDKIM's tools write and every
    signer reads; sizes below 1024 bits are refused (RFC 8301 §3.2). Ed25519
    keys (RFC 8463 §3) are written as PKCS#8, since PEM has no other form
    for them, and ``bits`` is ignored.

    :raises DkimKeyError: for an unknown type or an RSA size not in :data:`RSA_BITS`.
    """
    if not HAS_CRYPTOGRAPHY:
        raise DkimKeyError("the Python library cryptography is needed to make keys")
    check_key_request(key_type, bits)
    if key_type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
        return private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    private = rsa.generate_private_key(public_exponent=_RSA_EXPONENT, key_size=bits)
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _consistent(numbers: rsa.RSAPrivateNumbers) -> bool:
    """Check that the parts of an RSA key agree with each other (RFC 8017 §3.2)."""
    p, q, d = numbers.p, numbers.q, numbers.d
    e, n = numbers.public_numbers.e, numbers.public_numbers.n
    lcm = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    return (
        p * q == n
        and (e * d) % lcm == 1
        and numbers.dmp1 == d % (p - 1)
        and numbers.dmq1 == d % (q - 1)
        and (numbers.iqmp * q) % p == 1
    )


def key_info(pem: bytes) -> KeyInfo:
    """Read a PEM private key and describe it, without keeping the secret.

    The public key is the base64 of the SubjectPublicKeyInfo for RSA
    (RFC 6376 §3.6.1) and of the raw 32 octets for Ed25519 (RFC 8463 §4.2).

    :raises DkimKeyError: when the data is not an unencrypted RSA or Ed25519
        PEM key. The message never quotes the data.
    """
    if not HAS_CRYPTOGRAPHY:
        raise DkimKeyError("the Python library cryptography is needed to read keys")
    try:
        # OpenSSL's own check tests p and q for primality, some 50 ms a key; the
        # arithmetic check below finds a damaged key as surely, for a store of thousands.
        private = serialization.load_pem_private_key(
            pem, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError, UnicodeError):
        raise DkimKeyError("is not an unencrypted PEM private key") from None
    if isinstance(private, rsa.RSAPrivateKey) and not _consistent(
        private.private_numbers()
    ):
        raise DkimKeyError("is not an unencrypted PEM private key")
    if isinstance(private, rsa.RSAPrivateKey):
        spki = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return KeyInfo("rsa", private.key_size, base64.b64encode(spki).decode("ascii"))
    if isinstance(private, ed25519.Ed25519PrivateKey):
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return KeyInfo("ed25519", _ED25519_BITS, base64.b64encode(raw).decode("ascii"))
    raise DkimKeyError(
        "holds a key type that DKIM does not use; expected RSA or Ed25519"
    )


def record_name(domain: str, selector: str) -> str:
    """Return ``<selector>._domainkey.<domain>`` (RFC 6376 §3.6.2.1), checked and normalised."""
    return f"{validate_selector(selector)}._domainkey.{normalize_domain(domain)}"


def key_record(info: KeyInfo) -> tuple[str, list[str]]:
    """Return the key record value ``v=DKIM1; k=<type>; p=<key>`` and its strings.

    The strings are at most 255 octets each (RFC 1035 §3.3.14); a verifier
    joins them with no separator (RFC 6376 §3.6.2.2).
    """
    value = f"v=DKIM1; k={info.key_type}; p={info.public_key}"
    return value, split_strings(value)
