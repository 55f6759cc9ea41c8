# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from mailfleet_bulk import verp
from mailfleet_bulk.rules import FOREIGN_FROM, from_problem, problem, return_path

GOOD = [
    ("From", "News <news@example.com>"),
    (
        "List-Unsubscribe",
        "<mailto:unsubscribe@example.com?subject=u1>, <https://example.com/u/u1>",
    ),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
]


def without(name: str) -> list[tuple[str, str]]:
    return [(n, v) for n, v in GOOD if n != name]


def test_a_message_with_both_headers_passes() -> None:
    assert problem(GOOD) is None
    # Header names are case-insensitive; folding whitespace is no change.
    assert (
        problem(
            [
                ("list-unsubscribe", " <https://example.com/u/1>"),
                ("LIST-UNSUBSCRIBE-POST", " List-Unsubscribe=One-Click "),
            ]
        )
        is None
    )


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (
            without("List-Unsubscribe"),
            "Campaign mail needs a List-Unsubscribe header with an https: URI "
            "(RFC 8058); this message has none",
        ),
        (
            without("List-Unsubscribe-Post"),
            "Campaign mail needs the header List-Unsubscribe-Post: "
            "List-Unsubscribe=One-Click (RFC 8058); this message has none",
        ),
        (
            [
                ("List-Unsubscribe", "<mailto:u@example.com>"),
                *without("List-Unsubscribe"),
            ],
            "List-Unsubscribe must hold an https: URI in angle brackets for "
            "one-click unsubscription (RFC 8058)",
        ),
        (
            # An http: URI and a bare one are no one-click target.
            [
                ("List-Unsubscribe", "<http://example.com/u>, https://example.com/u"),
                *without("List-Unsubscribe"),
            ],
            "List-Unsubscribe must hold an https: URI in angle brackets for "
            "one-click unsubscription (RFC 8058)",
        ),
        (
            [*GOOD, ("List-Unsubscribe", "<https://example.net/u>")],
            "Campaign mail must have one List-Unsubscribe header; this message has several",
        ),
        (
            [*GOOD, ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")],
            "Campaign mail must have one List-Unsubscribe-Post header; "
            "this message has several",
        ),
        (
            [*without("List-Unsubscribe-Post"), ("List-Unsubscribe-Post", "One-Click")],
            "List-Unsubscribe-Post must be exactly List-Unsubscribe=One-Click (RFC 8058)",
        ),
        (
            [],
            "Campaign mail needs a List-Unsubscribe header with an https: URI "
            "(RFC 8058); this message has none",
        ),
    ],
)
def test_each_broken_rule_is_named(headers: list[tuple[str, str]], reason: str) -> None:
    assert problem(headers) == reason


SIGNED = frozenset({"example.com", "news.example.com"})


@pytest.mark.parametrize(
    "values",
    [
        ["=?utf-8?b?TMOkZGVu?= Neuigkeiten <news@news.example.com>"],
        ["News <NEWS@Example.COM>"],
        ["news@example.com"],
    ],
)
def test_a_from_in_a_signed_name_passes(values: list[str]) -> None:
    assert from_problem([("From", value) for value in values], SIGNED) is None


@pytest.mark.parametrize(
    "values",
    [
        ["news@example.net"],
        # A subdomain is signed only when it is listed.
        ["news@promo.example.com"],
        # The address decides, not the display name.
        ['"news@example.com" <attacker@evil.example>'],
        ["news@example.com, other@example.org"],
        ["news@example.com", "other@example.org"],
        ["undisclosed"],
    ],
)
def test_a_from_outside_the_signed_names_is_refused(values: list[str]) -> None:
    assert from_problem([("From", value) for value in values], SIGNED) == FOREIGN_FROM


def test_a_message_without_from_is_refused() -> None:
    assert from_problem([("Subject", "hello")], SIGNED) == (
        "The From: address must be in a domain that this bulk node signs for; "
        "this message has no From: address"
    )


KEY = b"0123456789abcdef0123456789abcdef"
BOUNCES = {
    "example.com": "bounces.example.com",
    "news.example.com": "bounces.news.example.com",
}


def test_the_return_path_names_the_recipient_under_the_bounce_domain() -> None:
    path = return_path("news@news.example.com", ["Jo@Example.NET"], BOUNCES, KEY)
    assert path is not None
    local, _, domain = path.rpartition("@")
    assert domain == "bounces.news.example.com"
    assert verp.decode(local, secret=KEY) == ("Jo@example.net", None)
    # A subdomain that is not listed uses its parent's bounce domain.
    deep = return_path("a@promo.example.com", ["jo@example.net"], BOUNCES, KEY)
    assert deep is not None
    assert deep.endswith("@bounces.example.com")


@pytest.mark.parametrize(
    ("sender", "recipients"),
    [
        ("", ["jo@example.net"]),
        ("news@example.com", []),
        ("news@example.com", ["a@example.net", "b@example.net"]),
        ("news@example.org", ["jo@example.net"]),
    ],
)
def test_the_sender_is_kept_when_no_token_applies(
    sender: str, recipients: list[str]
) -> None:
    assert return_path(sender, recipients, BOUNCES, KEY) is None


def test_a_recipient_too_long_for_a_token_gets_the_bare_bounce_address() -> None:
    recipient = "x" * 60 + "@example.net"
    assert (
        return_path("news@example.com", [recipient], BOUNCES, KEY)
        == "b@bounces.example.com"
    )
