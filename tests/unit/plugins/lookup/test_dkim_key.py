# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import re
import shutil
import stat
from pathlib import Path

import dkim
import dns.rdatatype
import dns.zone
import pytest
from cryptography.hazmat.primitives import serialization

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader
from ansible.utils.display import Display

from ansible_collections.mailfleet.stack.plugins.filter.zone_file import zone_file

FQCN = "mailfleet.stack.dkim_key"

MESSAGE = (
    b"From: Sender <sender@example.com>\r\n"
    b"To: Someone <someone@example.net>\r\n"
    b"Subject: Your receipt\r\n"
    b"Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
    b"Message-ID: <receipt-1@example.com>\r\n"
    b"\r\n"
    b"Thank you for your order.\r\n"
)

KEYS = [
    "private_key",
    "public_key",
    "domain",
    "selector",
    "name",
    "value",
    "strings",
    "path",
    "key_type",
    "bits",
    "created",
]

BAD_TERMS: list[tuple[object, dict[str, object], str]] = [
    (
        "*",
        {},
        f"{FQCN}: domain '*' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        "*.example.com",
        {},
        f"{FQCN}: domain '*.example.com' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key",
    ),
    (
        "example.com",
        {"selector": "s_1"},
        f"{FQCN}: selector 's_1' for example.com contains '_'; RFC 6376 §3.1 allows letters, digits, hyphens and dots only",
    ),
    (
        "example.com",
        {"selector": "-s1"},
        f"{FQCN}: selector '-s1' for example.com has a label that starts or ends with a hyphen ('-s1'; RFC 6376 §3.1)",
    ),
    (42, {}, f"{FQCN}: each term must be a domain name as a string; got int"),
    (
        "example.com",
        {"bits": 512},
        f"{FQCN}: example.com selector mail: an RSA key of 512 bits is too weak; RFC 8301 §3.2 requires at least 1024 and advises 2048",
    ),
    (
        "example.com",
        {"bits": 2000},
        f"{FQCN}: example.com selector mail: RSA size must be one of 1024, 2048, 3072, 4096; got 2000",
    ),
]


@pytest.fixture
def lookup():
    return lookup_loader.get(FQCN)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(
        Display, "warning", lambda _self, message, *args, **kwargs: seen.append(message)
    )
    return seen


def _copy_inventory(key_store, tmp_path: Path) -> Path:
    inventory = tmp_path / "inventory"
    shutil.copytree(key_store["inventory"], inventory)
    return inventory


def _served(result: dict) -> bytes:
    """Serve the key record as DNS would: render it into a zone, load it with dnspython, join the strings."""
    text = zone_file(
        [{"name": result["name"], "type": "TXT", "strings": result["strings"]}],
        "example.com",
        ns=["ns1.example.net"],
    )
    zone = dns.zone.from_text(text, origin="example.com.", relativize=False)
    rdataset = zone.find_rdataset(f"{result['name']}.", dns.rdatatype.TXT)
    assert len(rdataset) == 1
    return b"".join(next(iter(rdataset)).strings)


def test_result_shape(key_store) -> None:
    rsa = key_store["rsa"]
    assert sorted(rsa) == sorted(KEYS)
    assert (rsa["domain"], rsa["selector"], rsa["name"]) == (
        "example.com",
        "mail",
        "mail._domainkey.example.com",
    )
    assert (rsa["key_type"], rsa["bits"], rsa["created"]) == ("rsa", 2048, True)
    assert rsa["value"] == f"v=DKIM1; k=rsa; p={rsa['public_key']}"
    assert "".join(rsa["strings"]) == rsa["value"]
    assert all(len(part) <= 255 for part in rsa["strings"])
    assert rsa["path"] == str(
        key_store["inventory"] / "dkim_keys" / "example.com" / "mail.pem"
    )


def test_dkimpy_verifies_rsa_signature_against_served_record(key_store) -> None:
    rsa = key_store["rsa"]
    signature = dkim.sign(
        MESSAGE,
        b"mail",
        b"example.com",
        rsa["private_key"].encode(),
        include_headers=[b"from", b"to", b"subject"],
    )
    served = _served(rsa)
    assert dkim.verify(
        signature + MESSAGE,
        dnsfunc=lambda name, timeout=5: (
            served if name == b"mail._domainkey.example.com." else None
        ),
    )
    assert not dkim.verify(
        signature + MESSAGE.replace(b"order", b"ORDER"),
        dnsfunc=lambda name, timeout=5: served,
    )


def test_dkimpy_verifies_ed25519_signature_against_served_record(key_store) -> None:
    ed = key_store["ed25519"]
    private = serialization.load_pem_private_key(
        ed["private_key"].encode(), password=None
    )
    # dkimpy takes an Ed25519 key as the base64 of its 32-octet seed.
    seed = base64.b64encode(
        private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    )
    signature = dkim.sign(
        MESSAGE,
        b"ed",
        b"example.com",
        seed,
        signature_algorithm=b"ed25519-sha256",
        include_headers=[b"from", b"to"],
    )
    served = _served(ed)
    assert dkim.verify(signature + MESSAGE, dnsfunc=lambda name, timeout=5: served)


def test_second_call_returns_the_same_key(key_store, lookup, tmp_path: Path) -> None:
    inventory = _copy_inventory(key_store, tmp_path)
    again = lookup.run(
        ["EXAMPLE.com."], variables={"inventory_dir": str(inventory)}, selector="mail"
    )[0]
    assert again["private_key"] == key_store["rsa"]["private_key"]
    assert again["created"] is False
    assert stat.S_IMODE(Path(again["path"]).stat().st_mode) == 0o600
    assert stat.S_IMODE((inventory / "dkim_keys").stat().st_mode) == 0o700


def test_other_options_do_not_replace_a_key(
    key_store, lookup, warnings: list[str], tmp_path: Path
) -> None:
    inventory = _copy_inventory(key_store, tmp_path)
    again = lookup.run(
        ["example.com"],
        variables={"inventory_dir": str(inventory)},
        selector="mail",
        bits=4096,
    )[0]
    assert again["private_key"] == key_store["rsa"]["private_key"]
    path = inventory / "dkim_keys" / "example.com" / "mail.pem"
    assert warnings == [
        f"{FQCN}: example.com selector mail: the existing key at {path} is rsa 2048 bits, not the requested rsa 4096 bits; "
        "it is kept, since keys are never replaced. Use a new selector to change the key"
    ]


@pytest.mark.parametrize("inventory_dir", [None, "None", "/nonexistent/inventory"])
def test_default_store_falls_back_to_playbook_dir(
    lookup, tmp_path: Path, inventory_dir: str | None
) -> None:
    # Hosts given with -i on the command line have no inventory directory.
    result = lookup.run(
        ["example.org"],
        variables={"inventory_dir": inventory_dir, "playbook_dir": str(tmp_path)},
        selector="s1",
        key_type="ed25519",
    )[0]
    assert result["path"] == str(tmp_path / "dkim_keys" / "example.org" / "s1.pem")


def test_key_dir_variable_and_relative_path(lookup, tmp_path: Path) -> None:
    variables = {"inventory_dir": str(tmp_path), "mailfleet_dkim_key_dir": "secrets"}
    (tmp_path / "secrets").mkdir()
    result = lookup.run(["example.org"], variables=variables, key_type="ed25519")[0]
    assert result["path"] == str(tmp_path / "secrets" / "example.org" / "mail.pem")


def test_idn_domain_becomes_a_label(lookup, tmp_path: Path) -> None:
    result = lookup.run(
        ["Bücher.Example"],
        variables={"inventory_dir": str(tmp_path)},
        key_type="ed25519",
    )[0]
    assert result["name"] == "mail._domainkey.xn--bcher-kva.example"


def test_weak_key_warns(lookup, warnings: list[str], tmp_path: Path) -> None:
    lookup.run(["example.org"], variables={"inventory_dir": str(tmp_path)}, bits=1024)
    assert warnings == [
        f"{FQCN}: example.org selector mail: a 1024-bit RSA key is weak; RFC 8301 advises 2048"
    ]


def test_no_store_location_is_an_error(lookup) -> None:
    error = f"{FQCN}: key_dir must be set; neither inventory_dir nor playbook_dir is known here"
    with pytest.raises(AnsibleLookupError, match=f"^{re.escape(error)}$"):
        lookup.run(["example.com"], variables={})


@pytest.mark.parametrize("term, options, error", BAD_TERMS)
def test_bad_terms(
    lookup, tmp_path: Path, term: object, options: dict[str, object], error: str
) -> None:
    with pytest.raises(AnsibleLookupError, match=f"^{re.escape(error)}$"):
        lookup.run([term], variables={"inventory_dir": str(tmp_path)}, **options)
    assert not (tmp_path / "dkim_keys" / "example.com").exists()


def test_corrupt_key_error_names_file_and_holds_no_key(
    key_store, lookup, tmp_path: Path
) -> None:
    inventory = _copy_inventory(key_store, tmp_path)
    path = inventory / "dkim_keys" / "example.com" / "mail.pem"
    secret = key_store["rsa"]["private_key"]
    path.write_text(secret[: len(secret) // 2])
    with pytest.raises(
        AnsibleLookupError,
        match=f"^{re.escape(f'{FQCN}: example.com selector mail: the key file {path} is corrupt')}",
    ) as caught:
        lookup.run(["example.com"], variables={"inventory_dir": str(inventory)})
    body = secret.splitlines()[1]
    assert body not in str(caught.value)
