# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import json
import re

import pytest
from mailfleet_bulk.warmup import caps_for, parse_schedule

from ansible_collections.mailfleet.stack.plugins.plugin_utils._warmup import (
    build_schedule,
)

SCHEDULE = [
    {"date": "2026-03-01", "caps": {"google": 20, "default": 100}},
    {"date": "2026-03-02", "caps": {"google": 40, "default": 200}},
    {"date": "2026-03-03", "caps": {"google": 80, "default": 400}},
]

# (today, the google cap)
DAYS: list[tuple[datetime.date, int]] = [
    (datetime.date(2025, 12, 31), 20),
    (datetime.date(2026, 2, 28), 20),
    (datetime.date(2026, 3, 1), 20),
    (datetime.date(2026, 3, 2), 40),
    (datetime.date(2026, 3, 3), 80),
    (datetime.date(2026, 3, 4), 80),
    (datetime.date(2027, 1, 1), 80),
    (datetime.datetime(2026, 3, 2, 23, 59), 40),
]

REFUSED: list[tuple[str, str]] = [
    ("[]", "schedule: expected a non-empty list of days"),
    ('{"date": "2026-03-01"}', "schedule: expected a non-empty list of days"),
    ("[1]", "schedule day 1: expected a mapping with date and caps"),
    (
        '[{"date": "1 March", "caps": {"google": 1}}]',
        "schedule day 1 date: expected YYYY-MM-DD; got '1 March'",
    ),
    ('[{"caps": {"google": 1}}]', "schedule day 1 date: expected YYYY-MM-DD; got None"),
    (
        '[{"date": "2026-03-01", "caps": {"google": 1}}, {"date": "2026-03-01", "caps": {"google": 2}}]',
        "schedule day 2 date: 2026-03-01 does not follow 2026-03-01",
    ),
    (
        '[{"date": "2026-03-01", "caps": {}}]',
        "schedule day 1 caps: expected a mapping of provider classes",
    ),
    (
        '[{"date": "2026-03-01", "caps": {"google": -1}}]',
        "schedule day 1 caps google: expected an integer >= 0; got -1",
    ),
    (
        '[{"date": "2026-03-01", "caps": {"google": 1.5}}]',
        "schedule day 1 caps google: expected an integer >= 0; got 1.5",
    ),
    (
        '[{"date": "2026-03-01", "caps": {"google": true}}]',
        "schedule day 1 caps google: expected an integer >= 0; got True",
    ),
]


@pytest.mark.parametrize("today, google", DAYS, ids=[str(day) for day, _ in DAYS])
def test_caps_for(today: datetime.date, google: int) -> None:
    assert caps_for(SCHEDULE, today)["google"] == google


def test_caps_are_a_copy() -> None:
    caps = caps_for(SCHEDULE, datetime.date(2026, 3, 1))
    caps["google"] = 0
    assert SCHEDULE[0]["caps"] == {"google": 20, "default": 100}


def test_not_json() -> None:
    with pytest.raises(ValueError, match=r"^schedule: not JSON \(.+\)$"):
        parse_schedule("{")


def test_empty_table() -> None:
    with pytest.raises(ValueError, match=r"^schedule: no days$"):
        caps_for([], datetime.date(2026, 3, 1))


def test_reads_what_the_filter_ships() -> None:
    spec = {
        "address": "198.51.100.31",
        "start": "2026-03-01",
        "days": 3,
        "caps": {
            "google": {"first": 20, "target": 80},
            "default": {"first": 100, "target": 400},
        },
    }
    table = parse_schedule(
        json.dumps(build_schedule(spec, providers=["google", "default"]))
    )
    assert table == SCHEDULE
    assert caps_for(table, datetime.date(2026, 3, 2)) == {"google": 40, "default": 200}


@pytest.mark.parametrize("text, error", REFUSED)
def test_refused(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        parse_schedule(text)
