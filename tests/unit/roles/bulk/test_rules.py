# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from mailfleet_bulk.rules import problem

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
