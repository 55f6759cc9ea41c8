# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization

from ansible_collections.mailfleet.stack.plugins.module_utils._dkim_record import (
    DkimRecordError,
    judge_key_rrset,
    parse_key_record,
    public_key_from_private_pem,
    public_key_id,
)

PARSE_ERRORS: list[tuple[str, str]] = [
    (
        "k=rsa; v=DKIM1; p=AAAA",
        "must start with v=DKIM1 when it has a v= tag (RFC 6376 §3.6.1)",
    ),
    ("v=DKIM1; k=rsa", "has no p= tag (RFC 6376 §3.6.1)"),
    ("v=DKIM1; k=dsa; p=AAAA", "has the key type k=dsa; expected one of rsa, ed25519"),
    ("v=DKIM1; k", "is not a tag list: has a part without '=' ('k')"),
]


def _variants(value: str) -> dict[str, list[list[bytes]]]:
    """FC-03's four published RRsets for an expected value ``v=DKIM1; k=rsa; p=<KEY392>``."""
    head, key = value.split("p=")
    good = [f"{head}p={key[:237]}".encode(), key[237:].encode()]
    with_quotes = f'{head}p={key[:237]}" "{key[237:]}'
    return {
        "A": [good],
        "B": [good, [f"{head}p={key[:100]}".encode()]],
        "C": [[with_quotes[:255].encode(), with_quotes[255:].encode()]],
        "D": [[f"{head}p={key[:237]}".encode()]],
    }


# The verdict each variant must get, as FC-03 words it; None is a pass.
FC03: list[tuple[str, str | None]] = [
    ("A", None),
    ("B", "multiple key records"),
    ("C", "quote or backslash in data"),
    ("D", "key truncated or mismatched"),
]


def test_fc03_key_is_392_characters(key_store) -> None:
    assert len(key_store["rsa"]["public_key"]) == 392


@pytest.mark.parametrize("variant, verdict", FC03)
def test_fc03_verdicts(key_store, variant: str, verdict: str | None) -> None:
    rsa = key_store["rsa"]
    key_type, expected = public_key_from_private_pem(rsa["private_key"].encode())
    problems = judge_key_rrset(_variants(rsa["value"])[variant], key_type, expected)
    if verdict is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problems[0].startswith(verdict), problems


def test_truncated_key_is_not_accepted_as_a_smaller_key(key_store) -> None:
    # FC-03 D must never pass as some other, shorter key.
    rsa = key_store["rsa"]
    _key_type, expected = public_key_from_private_pem(rsa["private_key"].encode())
    truncated = rsa["public_key"][:237]
    with pytest.raises(DkimRecordError):
        public_key_id("rsa", truncated)
    assert (
        judge_key_rrset([[f"v=DKIM1; k=rsa; p={truncated}".encode()]], "rsa", expected)
        != []
    )


def test_rsa_keys_compare_across_encodings(key_store) -> None:
    # A record holding the bare RSAPublicKey is the same key as the SubjectPublicKeyInfo form.
    private = serialization.load_pem_private_key(
        key_store["rsa"]["private_key"].encode(), password=None
    )
    pkcs1 = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    assert public_key_id("rsa", base64.b64encode(pkcs1).decode()) == public_key_id(
        "rsa", key_store["rsa"]["public_key"]
    )


def test_ed25519_record_matches_its_private_key(key_store) -> None:
    ed = key_store["ed25519"]
    key_type, expected = public_key_from_private_pem(ed["private_key"].encode())
    assert key_type == "ed25519"
    assert (
        judge_key_rrset(
            [[chunk.encode() for chunk in ed["strings"]]], "ed25519", expected
        )
        == []
    )
    assert judge_key_rrset(
        [[chunk.encode() for chunk in ed["strings"]]], "rsa", expected
    ) == [
        "key truncated or mismatched: k=ed25519 published, the signer holds a rsa key"
    ]


def test_revoked_key_is_reported(key_store) -> None:
    _key_type, expected = public_key_from_private_pem(
        key_store["rsa"]["private_key"].encode()
    )
    assert judge_key_rrset([[b"v=DKIM1; k=rsa; p="]], "rsa", expected) == [
        "key truncated or mismatched: p= is empty, which revokes the key (RFC 6376 §3.6.1)"
    ]


def test_whitespace_in_p_is_folding(key_store) -> None:
    key = key_store["rsa"]["public_key"]
    tags = parse_key_record(f"v=DKIM1; k=rsa; p={key[:100]} {key[100:]}")
    assert tags["p"] == key


@pytest.mark.parametrize("value, error", PARSE_ERRORS)
def test_parse_refuses(value: str, error: str) -> None:
    with pytest.raises(DkimRecordError, match=f"^{re.escape(error)}$"):
        parse_key_record(value)
