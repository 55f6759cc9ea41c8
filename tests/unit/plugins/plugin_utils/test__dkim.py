# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ansible_collections.mailfleet.stack.plugins.plugin_utils._dkim import (
    DkimKeyError,
    generate_private_key,
    key_info,
    key_record,
    record_name,
)

REFUSED: list[tuple[str, int, str]] = [
    (
        "rsa",
        512,
        "an RSA key of 512 bits is too weak; RFC 8301 §3.2 requires at least 1024 and advises 2048",
    ),
    (
        "rsa",
        1023,
        "an RSA key of 1023 bits is too weak; RFC 8301 §3.2 requires at least 1024 and advises 2048",
    ),
    ("rsa", 2000, "RSA size must be one of 1024, 2048, 3072, 4096; got 2000"),
    ("dsa", 2048, "key type must be one of rsa, ed25519; got 'dsa'"),
]

NAMES: list[tuple[str, str, str]] = [
    ("Example.COM.", "Mail", "mail._domainkey.example.com"),
    ("bücher.example", "s1", "s1._domainkey.xn--bcher-kva.example"),
]

NOT_KEYS: list[bytes] = [
    b"",
    b"not a key",
    b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
]


@pytest.mark.parametrize("key_type, bits, error", REFUSED)
def test_refused_keys(key_type: str, bits: int, error: str) -> None:
    with pytest.raises(DkimKeyError, match=f"^{re.escape(error)}$"):
        generate_private_key(key_type, bits)


def test_rsa_1024_is_made_and_sized() -> None:
    info = key_info(generate_private_key("rsa", 1024))
    assert (info.key_type, info.bits) == ("rsa", 1024)


def test_ed25519_public_key_is_raw_32_octets(key_store) -> None:
    # RFC 8463 §4.2: p= is the base64 of the raw key, not a SubjectPublicKeyInfo.
    ed = key_store["ed25519"]
    private = serialization.load_pem_private_key(
        ed["private_key"].encode(), password=None
    )
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert base64.b64decode(ed["public_key"]) == raw
    assert ed["value"] == f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode()}"


def test_rsa_public_key_is_spki(key_store) -> None:
    rsa = key_store["rsa"]
    private = serialization.load_pem_private_key(
        rsa["private_key"].encode(), password=None
    )
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert base64.b64decode(rsa["public_key"]) == spki
    assert rsa["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")


def test_key_record_strings_join_to_value(key_store) -> None:
    info = key_info(key_store["rsa"]["private_key"].encode())
    value, strings = key_record(info)
    assert value == f"v=DKIM1; k=rsa; p={info.public_key}"
    assert [len(part) for part in strings] == [255, 155]
    assert "".join(strings) == value


@pytest.mark.parametrize("data", NOT_KEYS)
def test_key_info_refuses_garbage_without_quoting_it(data: bytes) -> None:
    with pytest.raises(DkimKeyError, match=r"^is not an unencrypted PEM private key$"):
        key_info(data)


@pytest.mark.parametrize("domain, selector, expected", NAMES)
def test_record_name(domain: str, selector: str, expected: str) -> None:
    assert record_name(domain, selector) == expected


def test_damaged_rsa_key_is_refused(key_store) -> None:
    # The fast load skips OpenSSL's primality test; the arithmetic check must still catch damage.
    private = serialization.load_pem_private_key(
        key_store["rsa"]["private_key"].encode(), password=None
    )
    numbers = private.private_numbers()
    damaged = rsa.RSAPrivateNumbers(
        p=numbers.p,
        q=numbers.q,
        d=numbers.d + 2,
        dmp1=numbers.dmp1,
        dmq1=numbers.dmq1,
        iqmp=numbers.iqmp,
        public_numbers=numbers.public_numbers,
    ).private_key(unsafe_skip_rsa_key_validation=True)
    pem = damaged.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    with pytest.raises(DkimKeyError, match=r"^is not an unencrypted PEM private key$"):
        key_info(pem)
