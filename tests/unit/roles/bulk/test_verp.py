# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bulk_reports import SECRET
from mailfleet_bulk.verp import (
    MAX_LOCAL_PART,
    VerpError,
    decode,
    encode,
    is_token,
    load_secret,
    return_path,
)

OTHER_SECRET = b"another-secret-of-this-fleet-42"

# RFC 5322 §3.2.3 dot-atom-text, written out independently of the encoder.
ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
DOT_ATOM = re.compile(rf"{ATEXT}+(?:\.{ATEXT}+)*")

# (recipient, campaign, what decode returns as the recipient)
ROUND_TRIPS: list[tuple[str, str | None, str]] = [
    ("jane@example.com", None, "jane@example.com"),
    ("jane.doe@example.com", "spring26", "jane.doe@example.com"),
    ("jane+news@gmail.com", "c42", "jane+news@gmail.com"),
    ("Jane.Doe@Example.COM", None, "Jane.Doe@example.com"),
    ("<ops@example.org>", None, "ops@example.org"),
    ('"john smith"@example.net', None, '"john smith"@example.net'),
    ('"a..b"@example.net', None, '"a..b"@example.net'),
    ("a=b~c@example.net", "x=y", "a=b~c@example.net"),
    ("o'brien@example.ie", None, "o'brien@example.ie"),
    ("josé@exemple.fr", None, "josé@exemple.fr"),
    ("user@[192.0.2.7]", None, "user@[192.0.2.7]"),
    ("first_last-1@sub.example.co.uk", "2026-w14", "first_last-1@sub.example.co.uk"),
]


@pytest.mark.parametrize(("recipient", "campaign", "expected"), ROUND_TRIPS)
def test_round_trip(recipient: str, campaign: str | None, expected: str) -> None:
    token = encode(recipient, secret=SECRET, campaign=campaign)
    assert decode(token, secret=SECRET) == (expected, campaign)


@pytest.mark.parametrize(("recipient", "campaign", "expected"), ROUND_TRIPS)
def test_token_is_a_lowercase_dot_atom_of_64_octets_at_most(
    recipient: str, campaign: str | None, expected: str
) -> None:
    token = encode(recipient, secret=SECRET, campaign=campaign)
    assert token.startswith("b+")
    assert DOT_ATOM.fullmatch(token)
    assert token == token.lower()
    assert len(token.encode("ascii")) <= MAX_LOCAL_PART


def test_layout_is_readable() -> None:
    token = encode("jane.doe@example.com", secret=SECRET, campaign="spring26")
    assert re.fullmatch(r"b\+jane\.doe=example\.com=spring26=[a-z2-7]{8}", token)
    assert re.fullmatch(
        r"b\+~4aane=example\.com=[a-z2-7]{8}", encode("Jane@example.com", secret=SECRET)
    )


@pytest.mark.parametrize(
    "spelling",
    [str.upper, str.lower, str.title],
    ids=["upper", "lower", "title"],
)
def test_decode_ignores_case(spelling) -> None:
    token = encode("Jane.Doe@Example.com", secret=SECRET, campaign="spring26")
    assert decode(spelling(token), secret=SECRET) == (
        "Jane.Doe@example.com",
        "spring26",
    )


def test_decode_takes_a_whole_address() -> None:
    address = return_path("jane@example.com", "bounces.acme.example", secret=SECRET)
    assert decode(address, secret=SECRET) == ("jane@example.com", None)
    assert decode(f"<{address.upper()}>", secret=SECRET) == ("jane@example.com", None)


def test_return_path() -> None:
    address = return_path(
        "jane@example.com", "Bounces.ACME.example", secret=SECRET, campaign="c1"
    )
    local, _, domain = address.partition("@")
    assert domain == "bounces.acme.example"
    assert local == encode("jane@example.com", secret=SECRET, campaign="c1")


def test_tag_depends_on_the_secret() -> None:
    assert encode("jane@example.com", secret=SECRET) != encode(
        "jane@example.com", secret=OTHER_SECRET
    )


def test_longest_recipient_that_fits() -> None:
    # 11 octets of prefix, separator and tag leave 53 for the recipient.
    fits = "a" * 41 + "@example.com"
    assert len(fits) == 53
    token = encode(fits, secret=SECRET)
    assert len(token) == MAX_LOCAL_PART
    assert decode(token, secret=SECRET) == (fits, None)


def _forged(token: str) -> list[tuple[str, str]]:
    body, _, tag = token.rpartition("=")
    return [
        ("recipient changed", token.replace("jane", "john")),
        ("campaign changed", token.replace("=spring26=", "=summer26=")),
        ("campaign dropped", token.replace("=spring26", "")),
        ("tag changed", f"{body}={'a' if tag[0] != 'a' else 'b'}{tag[1:]}"),
    ]


JANE = encode("jane@example.com", secret=SECRET, campaign="spring26")


@pytest.mark.parametrize(
    ("what", "token"), _forged(JANE), ids=[what for what, _ in _forged(JANE)]
)
def test_altered_token_is_refused(what: str, token: str) -> None:
    message = f"the VERP token's tag does not match: altered, or made with another secret; got {token!r}"
    with pytest.raises(VerpError, match=f"^{re.escape(message)}$"):
        decode(token, secret=SECRET)


def test_token_of_another_secret_is_refused() -> None:
    token = encode("jane@example.com", secret=OTHER_SECRET)
    message = f"the VERP token's tag does not match: altered, or made with another secret; got {token!r}"
    with pytest.raises(VerpError, match=f"^{re.escape(message)}$"):
        decode(token, secret=SECRET)


MALFORMED: list[tuple[str, str]] = [
    (
        "jane=example.com=abcdefgh",
        "a VERP token starts with 'b+'; got 'jane=example.com=abcdefgh'",
    ),
    (
        "b+jane=abcdefgh",
        "a VERP token is b+local=domain[=campaign]=tag; got 'b+jane=abcdefgh'",
    ),
    (
        "b+jane=example.com=abcdefg1",
        "a VERP token is b+local=domain[=campaign]=tag; got 'b+jane=example.com=abcdefg1'",
    ),
    (
        "b+a=b=c=d=abcdefgh",
        "a VERP token is b+local=domain[=campaign]=tag; got 'b+a=b=c=d=abcdefgh'",
    ),
    (
        "b+ja~4=example.com=abcdefgh",
        "a '~' must be followed by two hex digits; got 'ja~4'",
    ),
    ("b+ja!ne=example.com=abcdefgh", "a token field may not hold '!'; got 'ja!ne'"),
    (
        "b+~ff=example.com=abcdefgh",
        "a token field must be UTF-8 once unescaped; got '~ff'",
    ),
    (
        "b+=example.com=abcdefgh",
        "a VERP token has no empty fields; got 'b+=example.com=abcdefgh'",
    ),
    (
        "b+~6aane=example.com=abcdefgh",
        "a VERP token must be spelled as encode() spells it; got 'b+~6aane=example.com=abcdefgh'",
    ),
    (
        "b+jané=example.com=abcdefgh",
        "a VERP token is ASCII; got 'b+jané=example.com=abcdefgh'",
    ),
]


@pytest.mark.parametrize(("token", "error"), MALFORMED)
def test_malformed_token(token: str, error: str) -> None:
    with pytest.raises(VerpError, match=f"^{re.escape(error)}$"):
        decode(token, secret=SECRET)


ENCODE_ERRORS: list[tuple[str, str | None, str]] = [
    ("jane", None, "an address must be local-part@domain; got 'jane'"),
    ("@example.com", None, "an address must be local-part@domain; got '@example.com'"),
    ("jane@example.com", "", "campaign must be a non-empty string or None; got ''"),
    (
        "a" * 42 + "@example.com",
        None,
        f"a VERP token for {'a' * 42 + '@example.com'!r} needs 65 octets; a local part may have 64",
    ),
    (
        "jane@example.com",
        "c" * 40,
        "a VERP token for 'jane@example.com' needs 68 octets; a local part may have 64",
    ),
]


@pytest.mark.parametrize(("recipient", "campaign", "error"), ENCODE_ERRORS)
def test_encode_errors(recipient: str, campaign: str | None, error: str) -> None:
    with pytest.raises(VerpError, match=f"^{re.escape(error)}$"):
        encode(recipient, secret=SECRET, campaign=campaign)


def test_bounce_domain_must_be_a_domain() -> None:
    error = "bounce_domain must be a domain name; got 'b@bounces.example'"
    with pytest.raises(VerpError, match=f"^{re.escape(error)}$"):
        return_path("jane@example.com", "b@bounces.example", secret=SECRET)


def test_short_secret_is_refused() -> None:
    with pytest.raises(VerpError, match=r"^secret must be at least 16 octets; got 5$"):
        encode("jane@example.com", secret=b"short")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("b+jane=example.com=abcdefgh@bounces.acme.example", True),
        ("B+JANE=EXAMPLE.COM=ABCDEFGH", True),
        ("<b+x@bounces.acme.example>", True),
        ("b@bounces.acme.example", False),
        ("fbl@acme.example", False),
        ("bob+news@example.com", False),
    ],
)
def test_is_token(address: str, expected: bool) -> None:
    assert is_token(address) is expected


def test_load_secret_strips_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "verp.secret"
    path.write_bytes(SECRET + b"\n")
    assert load_secret(path) == SECRET


def test_load_secret_refuses_a_short_secret(tmp_path: Path) -> None:
    path = tmp_path / "verp.secret"
    path.write_bytes(b"  tiny \n")
    error = f"the secret in {path} must be at least 16 octets; got 4"
    with pytest.raises(VerpError, match=f"^{re.escape(error)}$"):
        load_secret(path)
