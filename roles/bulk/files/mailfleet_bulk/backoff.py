# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Backoff per (sending IP, provider class): slow down at once, recover in steps.

A provider that finds an IP sending too fast says so with a temporary
failure. The shaper then cuts the rate at which it releases mail from that IP
to that provider, and raises it again, one step at a time, once mail has gone
through for a while without such a reply.

Which temporary failures mean "slow down" (``slow_down_rule``):

- Gmail's 4.7.28 (an unusual rate of unsolicited mail), whatever the reply code.
- Microsoft's 4.7.650 and 4.7.651 (rate limited for the IP's reputation), 4.7.500
  ("server busy, try again later", how Outlook throttles an IP), and any reply
  saying "temporarily rate limited".
- Yahoo's [TSS04] and [TS01] to [TS03] (deferred for volume or complaints).
- 4.7.0 with text about a rate, unusual traffic or temporary deferral.
- 421 (the server closes the connection) saying "too many connections",
  "rate limit" or "try again later".

What never counts, even when the text would match: replies other than 4xx
(a 5xx is a bounce, not a pace), a full mailbox (4.2.2), a recipient who
receives too fast (4.2.1: that is one mailbox's limit, not the IP's), and
greylisting (a first-contact delay that a retry passes; slowing every other
message down would not make it pass sooner).

All functions are pure: the time comes in as ``now``, seconds on any clock
that does not go back (``time.monotonic()`` or ``time.time()``).
"""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass, replace

__all__ = [
    "RateState",
    "is_slow_down",
    "on_slow_down",
    "on_success",
    "slow_down_rule",
]

# An enhanced status code (RFC 3463) on its own, not inside an IP address.
_ENHANCED = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_GREYLIST = re.compile(r"gr[ae]y[- ]?list", re.IGNORECASE)
_NEVER = {"4.2.1": "recipient rate", "4.2.2": "mailbox full"}
_CODES = {
    "4.7.28": "google 4.7.28",
    "4.7.500": "microsoft 4.7.500",
    "4.7.650": "microsoft 4.7.650",
    "4.7.651": "microsoft 4.7.651",
}
_MICROSOFT = re.compile(r"temporarily rate limited", re.IGNORECASE)
_YAHOO = re.compile(r"\b(TSS04|TS0[1-3])\b")
_SEVEN_ZERO = re.compile(
    r"\brate\b|rate[- ]?limit|\bunusual\b|temporarily deferred", re.IGNORECASE
)
_CLOSING = re.compile(
    r"too many connections|rate[- ]?limit|try again later", re.IGNORECASE
)
_REASON_LENGTH = 200


def _enhanced(enhanced: str | None, text: str) -> str | None:
    if enhanced is not None:
        match = _ENHANCED.fullmatch(enhanced.strip())
        if match:
            return match.group(1)
    # Without a usable code of its own, the reply text may carry one.
    match = _ENHANCED.search(text)
    return match.group(1) if match else None


def _rule(code: int, status: str | None, text: str) -> str | None:
    if status in _CODES:
        return _CODES[status]
    if _MICROSOFT.search(text):
        return "microsoft rate limited"
    yahoo = _YAHOO.search(text)
    if yahoo:
        return f"yahoo {yahoo.group(1)}"
    if status == "4.7.0" and _SEVEN_ZERO.search(text):
        return "4.7.0 rate"
    if code == 421 and _CLOSING.search(text):
        return "421 throttle"
    return None


def slow_down_rule(code: int, enhanced: str | None, text: str) -> str | None:
    """Which rule makes this reply a "slow down", or None for any other reply.

    ``code`` is the SMTP reply code, ``enhanced`` its enhanced status code
    (RFC 3463) when the server gave one, and ``text`` the rest of the reply.
    """
    if isinstance(code, bool) or not isinstance(code, int) or not 400 <= code <= 499:
        return None
    status = _enhanced(enhanced, text)
    if status in _NEVER or _GREYLIST.search(text):
        return None
    return _rule(code, status, text)


def is_slow_down(code: int, enhanced: str | None, text: str) -> bool:
    """Whether a reply asks the sending IP to slow down; see ``slow_down_rule``."""
    return slow_down_rule(code, enhanced, text) is not None


@dataclass(frozen=True)
class RateState:
    """How fast mail from ``ip`` to ``provider`` may go, and since when.

    The rate stays within ``floor`` and ``ceiling`` (messages per minute). A
    cut multiplies it by ``cut_factor``; another slow-down within
    ``holdoff`` seconds of a cut, from mail that left before the cut, does
    not cut again. After ``recovery_interval`` seconds without a slow-down
    a success raises it by ``recovery_step`` of the ceiling, and the next
    step waits another interval. ``quiet_since`` is when the current wait
    began, ``last_cut`` when the rate was last cut.
    """

    rate_per_minute: float
    floor: float
    ceiling: float
    _: KW_ONLY
    ip: str
    provider: str
    cut_factor: float = 0.5
    recovery_step: float = 0.25
    recovery_interval: float = 600.0
    holdoff: float = 60.0
    quiet_since: float | None = None
    last_cut: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.floor <= self.ceiling:
            raise ValueError(
                f"{self.label}: floor {self.floor:g} must be above 0 and not above ceiling {self.ceiling:g}"
            )
        if not self.floor <= self.rate_per_minute <= self.ceiling:
            raise ValueError(
                f"{self.label}: rate {self.rate_per_minute:g}/min must be within {self.floor:g} and {self.ceiling:g}"
            )
        if not 0 < self.cut_factor < 1:
            raise ValueError(
                f"{self.label}: cut_factor must be between 0 and 1; got {self.cut_factor:g}"
            )
        if not 0 < self.recovery_step <= 1:
            raise ValueError(
                f"{self.label}: recovery_step must be above 0 and at most 1; got {self.recovery_step:g}"
            )
        if self.recovery_interval <= 0 or self.holdoff < 0:
            raise ValueError(
                f"{self.label}: recovery_interval must be above 0 and holdoff not below 0"
            )

    @property
    def label(self) -> str:
        """The pair as log lines name it: ``ip=... provider=...``."""
        return f"ip={self.ip} provider={self.provider}"


def _rate(value: float) -> float:
    # Three decimals keep halving and adding from piling up float noise.
    return round(value, 3)


def _reason(text: str) -> str:
    """The reason on one line, short enough for a log line."""
    flat = " ".join(str(text).split())
    if len(flat) > _REASON_LENGTH:
        return flat[: _REASON_LENGTH - 3] + "..."
    return flat


def on_slow_down(state: RateState, now: float, reason: str) -> tuple[RateState, str]:
    """Cut the rate at once after a "slow down" reply, not below the floor.

    The decision says what happened and why, e.g.
    ``backoff ip=198.51.100.31 provider=google rate 60->30/min: 421 4.7.28 ...``.
    """
    who = state.label
    if state.last_cut is not None and now - state.last_cut < state.holdoff:
        kept = replace(state, quiet_since=now)
        return kept, (
            f"backoff {who} rate {state.rate_per_minute:g}/min kept, "
            f"cut {now - state.last_cut:g}s ago: {_reason(reason)}"
        )
    rate = max(state.floor, _rate(state.rate_per_minute * state.cut_factor))
    cut = replace(state, rate_per_minute=rate, quiet_since=now, last_cut=now)
    floor = " (floor)" if rate == state.floor else ""
    return cut, (
        f"backoff {who} rate {state.rate_per_minute:g}->{rate:g}/min{floor}: {_reason(reason)}"
    )


def on_success(state: RateState, now: float) -> tuple[RateState, str | None]:
    """Note a delivery; raise the rate one step if the wait since the last change is over.

    The decision is None when the rate stays, e.g. at the ceiling or within
    the wait, and otherwise like
    ``recover ip=198.51.100.31 provider=google rate 30->45/min: 600s without slow-down``.
    """
    if state.rate_per_minute >= state.ceiling:
        return state, None
    if state.quiet_since is None:
        # The first delivery seen starts the wait.
        return replace(state, quiet_since=now), None
    quiet = now - state.quiet_since
    if quiet < state.recovery_interval:
        return state, None
    rate = min(
        state.ceiling,
        _rate(state.rate_per_minute + state.recovery_step * state.ceiling),
    )
    raised = replace(state, rate_per_minute=rate, quiet_since=now)
    return raised, (
        f"recover {state.label} rate {state.rate_per_minute:g}->{rate:g}/min: "
        f"{quiet:g}s without slow-down"
    )
