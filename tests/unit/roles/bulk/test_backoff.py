# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import dataclasses
import re

import pytest
from mailfleet_bulk.backoff import (
    RateState,
    is_slow_down,
    on_slow_down,
    on_success,
    slow_down_rule,
)

IP = "198.51.100.31"
GMAIL_4728 = (
    "4.7.28 Gmail has detected an unusual rate of unsolicited mail originating "
    "from your IP address. To protect our users from spam, mail sent from your "
    "IP address has been temporarily rate limited."
)

# (code, enhanced, text, the rule that makes it a slow-down)
SLOW_DOWN: list[tuple[int, str | None, str, str]] = [
    # FC-29, the Gmail deferral through aspmx.l.google.com.
    (421, "4.7.28", GMAIL_4728, "google 4.7.28"),
    (450, "4.7.28", "unusual rate of unsolicited mail", "google 4.7.28"),
    (451, None, f"421-{GMAIL_4728}", "google 4.7.28"),
    # FC-29, Microsoft while the queue grew.
    (
        451,
        "4.7.651",
        "The mail server [198.51.100.31] has been temporarily rate limited due to IP reputation.",
        "microsoft 4.7.651",
    ),
    (
        451,
        "4.7.650",
        "The mail server has been temporarily rate limited",
        "microsoft 4.7.650",
    ),
    (
        451,
        "4.7.500",
        "Server busy. Please try again later from [198.51.100.31]. (S77714)",
        "microsoft 4.7.500",
    ),
    (
        450,
        "4.7.1",
        "The IP has been Temporarily Rate Limited",
        "microsoft rate limited",
    ),
    (
        421,
        "4.7.0",
        "[TSS04] Messages from 198.51.100.31 temporarily deferred due to unexpected volume or user complaints",
        "yahoo TSS04",
    ),
    (
        421,
        None,
        "[TS01] Messages from 198.51.100.31 temporarily deferred",
        "yahoo TS01",
    ),
    (
        451,
        "4.7.0",
        "[TS03] All messages from 198.51.100.31 will be permanently deferred",
        "yahoo TS03",
    ),
    (
        421,
        "4.7.0",
        "Our system has detected an unusual rate of mail from your IP",
        "4.7.0 rate",
    ),
    (450, "4.7.0", "Messages temporarily deferred", "4.7.0 rate"),
    (451, "4.7.0", "Rate limit exceeded", "4.7.0 rate"),
    (421, "4.7.0", "Try again later, closing connection. (EHLO)", "421 throttle"),
    (421, None, "Too many connections from your host", "421 throttle"),
    (421, "4.3.2", "Rate-limited, try later", "421 throttle"),
    # A malformed enhanced code gives way to the one in the text.
    (421, "four", "4.7.28 unusual rate", "google 4.7.28"),
]

# (code, enhanced, text)
NOT_SLOW_DOWN: list[tuple[int, str | None, str]] = [
    (452, "4.2.2", "The email account that you tried to reach is over quota."),
    # The mailbox's own limit: retrying later is enough.
    (
        450,
        "4.2.1",
        "The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.",
    ),
    (421, "4.2.2", "Mailbox full, try again later"),
    (
        450,
        "4.7.1",
        "<a@example.org>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/",
    ),
    (421, "4.7.0", "You are greylisted, try again later"),
    (451, "4.7.1", "Please try again later"),
    (451, "4.3.0", "Temporary local problem, rate of retries is fine"),
    (450, "4.1.8", "Sender address rejected: Domain not found"),
    (421, "4.4.2", "Connection timed out"),
    # An address that contains 4.7.28 is not the status code.
    (450, None, "Message from 10.4.7.28 deferred"),
    # Permanent failures are bounces, however they read.
    (550, "5.7.28", "unusual rate of unsolicited mail; rejected"),
    (554, "5.7.1", "TSS04 rate limited"),
    (250, "2.0.0", "OK rate limited"),
]


@pytest.mark.parametrize("code, enhanced, text, rule", SLOW_DOWN)
def test_slow_down(code: int, enhanced: str | None, text: str, rule: str) -> None:
    assert slow_down_rule(code, enhanced, text) == rule
    assert is_slow_down(code, enhanced, text) is True


@pytest.mark.parametrize("code, enhanced, text", NOT_SLOW_DOWN)
def test_not_slow_down(code: int, enhanced: str | None, text: str) -> None:
    assert slow_down_rule(code, enhanced, text) is None
    assert is_slow_down(code, enhanced, text) is False


def state(rate: float = 60, **changes: object) -> RateState:
    return RateState(rate, 5, 120, ip=IP, provider="google", **changes)


def test_cut_halves_at_once() -> None:
    cut, decision = on_slow_down(
        state(), 1000.0, "421 4.7.28 unusual rate of unsolicited mail"
    )
    assert (cut.rate_per_minute, cut.last_cut, cut.quiet_since) == (30, 1000.0, 1000.0)
    assert decision == (
        "backoff ip=198.51.100.31 provider=google rate 60->30/min: "
        "421 4.7.28 unusual rate of unsolicited mail"
    )


def test_slow_downs_within_holdoff_do_not_cut_again() -> None:
    cut, _ = on_slow_down(state(), 1000.0, "421 4.7.28")
    kept, decision = on_slow_down(cut, 1030.0, "421 4.7.28")
    assert (kept.rate_per_minute, kept.last_cut, kept.quiet_since) == (
        30,
        1000.0,
        1030.0,
    )
    assert (
        decision
        == "backoff ip=198.51.100.31 provider=google rate 30/min kept, cut 30s ago: 421 4.7.28"
    )
    again, decision = on_slow_down(kept, 1060.0, "421 4.7.28")
    assert again.rate_per_minute == 15
    assert (
        decision
        == "backoff ip=198.51.100.31 provider=google rate 30->15/min: 421 4.7.28"
    )


def test_cut_stops_at_the_floor() -> None:
    rates = []
    current = state()
    for minute in range(6):
        current, decision = on_slow_down(current, minute * 60.0, "421 4.7.28")
        rates.append(current.rate_per_minute)
    assert rates == [30, 15, 7.5, 5, 5, 5]
    assert (
        decision
        == "backoff ip=198.51.100.31 provider=google rate 5->5/min (floor): 421 4.7.28"
    )


def test_reason_is_one_short_line() -> None:
    _, decision = on_slow_down(
        state(), 0.0, "451 4.7.651\r\n  temporarily   rate limited " + "x" * 300
    )
    assert "\n" not in decision
    assert decision.startswith(
        "backoff ip=198.51.100.31 provider=google rate 60->30/min: 451 4.7.651 temporarily rate limited xxx"
    )
    assert decision.endswith("x...")
    assert len(decision.split(": ", 1)[1]) == 200


def test_recovery_one_step_per_interval() -> None:
    cut, _ = on_slow_down(state(), 0.0, "421 4.7.28")
    assert cut.rate_per_minute == 30
    # Within ten minutes of the cut nothing moves, however many successes.
    for second in (1.0, 300.0, 599.0):
        same, decision = on_success(cut, second)
        assert (same, decision) == (cut, None)
    up, decision = on_success(cut, 600.0)
    # A step is a quarter of the ceiling of 120.
    assert up.rate_per_minute == 60
    assert up.quiet_since == 600.0
    assert (
        decision
        == "recover ip=198.51.100.31 provider=google rate 30->60/min: 600s without slow-down"
    )
    # A long quiet spell still gives one step, not several.
    later, _ = on_success(up, 5000.0)
    assert later.rate_per_minute == 90
    top, decision = on_success(later, 5600.0)
    assert top.rate_per_minute == 120
    assert (
        decision
        == "recover ip=198.51.100.31 provider=google rate 90->120/min: 600s without slow-down"
    )
    assert on_success(top, 9000.0) == (top, None)


def test_step_is_capped_at_the_ceiling() -> None:
    up, decision = on_success(state(110, quiet_since=0.0), 600.0)
    assert up.rate_per_minute == 120
    assert (
        decision
        == "recover ip=198.51.100.31 provider=google rate 110->120/min: 600s without slow-down"
    )


def test_slow_down_restarts_the_wait() -> None:
    cut, _ = on_slow_down(state(), 0.0, "421 4.7.28")
    # Held off, but the ten minutes start again from the second deferral.
    kept, _ = on_slow_down(cut, 50.0, "421 4.7.28")
    assert on_success(kept, 600.0) == (kept, None)
    up, _ = on_success(kept, 650.0)
    assert up.rate_per_minute == 60


def test_first_success_starts_the_wait() -> None:
    fresh = state(30)
    started, decision = on_success(fresh, 100.0)
    assert (started.quiet_since, started.rate_per_minute, decision) == (100.0, 30, None)
    up, _ = on_success(started, 700.0)
    assert up.rate_per_minute == 60


def test_other_factors() -> None:
    custom = state(
        100, cut_factor=0.2, recovery_step=0.1, recovery_interval=60.0, holdoff=0.0
    )
    cut, _ = on_slow_down(custom, 0.0, "x")
    again, _ = on_slow_down(cut, 0.0, "x")
    assert (cut.rate_per_minute, again.rate_per_minute) == (20, 5)
    up, _ = on_success(again, 60.0)
    assert up.rate_per_minute == 17


def test_transitions_return_new_states() -> None:
    before = state()
    on_slow_down(before, 0.0, "421 4.7.28")
    on_success(before, 0.0)
    assert before == state()
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.rate_per_minute = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "args, changes, error",
    [
        ((60, 0, 120), {}, "floor 0 must be above 0 and not above ceiling 120"),
        ((60, 130, 120), {}, "floor 130 must be above 0 and not above ceiling 120"),
        ((200, 5, 120), {}, "rate 200/min must be within 5 and 120"),
        ((1, 5, 120), {}, "rate 1/min must be within 5 and 120"),
        (
            (60, 5, 120),
            {"cut_factor": 1.0},
            "cut_factor must be between 0 and 1; got 1",
        ),
        (
            (60, 5, 120),
            {"recovery_step": 0},
            "recovery_step must be above 0 and at most 1; got 0",
        ),
        (
            (60, 5, 120),
            {"recovery_interval": 0},
            "recovery_interval must be above 0 and holdoff not below 0",
        ),
    ],
)
def test_bad_state(args: tuple, changes: dict, error: str) -> None:
    with pytest.raises(
        ValueError,
        match=f"^ip=198\\.51\\.100\\.31 provider=google: {re.escape(error)}$",
    ):
        RateState(*args, ip=IP, provider="google", **changes)
