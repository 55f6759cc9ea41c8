# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from ansible_collections.mailfleet.stack.plugins.plugin_utils._warmup import (
    PROVIDERS,
    WarmupError,
    build_schedule,
)

IP = "198.51.100.31"
# The lab test sends three times Google's first-day cap and expects the
# node to hold back all but this many.
LAB_GOOGLE_DAY1 = 20


def computed(days: int = 5, **caps: dict) -> dict:
    return {"address": IP, "start": "2026-03-01", "days": days, "caps": caps}


def tabled(*rows: dict) -> dict:
    return {"address": IP, "start": "2026-03-01", "table": list(rows)}


# (caps of one class, days, the caps worked out by hand)
GROWTH: list[tuple[dict, int, list[int]]] = [
    # 20 * 16 ** (k / 4): the fourth root of 16 is 2, so it doubles daily.
    ({"first": 20, "target": 320}, 5, [20, 40, 80, 160, 320]),
    # 10 * 10 ** 0.5 = 31.62..., rounded to 32.
    ({"first": 10, "target": 100}, 3, [10, 32, 100]),
    # 100 * 1.5 ** (k / 4) for k = 1, 2, 3: 110.67, 122.47, 135.54.
    ({"first": 100, "target": 150}, 5, [100, 111, 122, 136, 150]),
    ({"first": 7, "target": 7}, 4, [7, 7, 7, 7]),
    ({"first": 5, "target": 5}, 1, [5]),
    # Small caps repeat: 3 ** (k / 7) for k = 1..6 is 1.17, 1.37, 1.60, 1.87, 2.19, 2.57.
    ({"first": 1, "target": 3}, 8, [1, 1, 1, 2, 2, 2, 3, 3]),
]

REFUSED: list[tuple[object, str, str]] = [
    ([], "(no address) warmup", "expected a mapping; got list"),
    (
        {"start": "2026-03-01", "days": 3, "caps": {"default": {}}},
        "(no address) address",
        "missing; a warmup names its sending IP",
    ),
    (
        {**computed(), "address": "198.51.100.0/24"},
        "198.51.100.0/24 address",
        "expected an IPv4 or IPv6 host address",
    ),
    (
        {**computed(), "helo": "bulk1.example.com"},
        f"{IP} helo",
        "unknown field; a warmup has address, caps, days, start, table",
    ),
    (
        {"address": IP, "days": 3, "caps": {"default": {"first": 1, "target": 2}}},
        f"{IP} start",
        "missing; the date of the first day",
    ),
    (
        {**computed(), "start": "2026-3-1"},
        f"{IP} start",
        "expected a date as YYYY-MM-DD; got '2026-3-1'",
    ),
    (
        {**computed(), "start": "2026-02-30"},
        f"{IP} start",
        "expected a date as YYYY-MM-DD; got '2026-02-30'",
    ),
    (
        {"address": IP, "start": "2026-03-01"},
        f"{IP} caps",
        "missing; give caps and days, or a table",
    ),
    (
        {**computed(default={"first": 1, "target": 2}), "table": [{"default": 1}]},
        f"{IP} table",
        "give caps and days, or a table, not both",
    ),
    (
        {**tabled({"default": 1}), "days": 1},
        f"{IP} days",
        "not with a table, whose length is the days",
    ),
    (
        {"address": IP, "start": "2026-03-01", "caps": {}},
        f"{IP} days",
        "missing; caps grow over this many days",
    ),
    (
        computed(0, default={"first": 1, "target": 2}),
        f"{IP} days",
        "expected a positive integer; got 0",
    ),
    (
        computed(True, default={"first": 1, "target": 2}),
        f"{IP} days",
        "expected a positive integer; got True",
    ),
    (
        computed(366, default={"first": 1, "target": 2}),
        f"{IP} days",
        "at most 365; got 366",
    ),
    (
        computed(1, google={"first": 50, "target": 20000}),
        f"{IP} days",
        "1 day leaves no room to grow google from 50 to 20000; give days of 2 or more",
    ),
    (computed(), f"{IP} caps", "expected a mapping of provider classes; got {}"),
    (
        computed(gmail={"first": 1, "target": 2}),
        f"{IP} caps gmail",
        "unknown provider class; expected one of google, microsoft, yahoo, apple, default",
    ),
    (
        computed(google=50),
        f"{IP} caps google",
        "expected a mapping with first and target; got 50",
    ),
    (
        computed(google={"first": 1}),
        f"{IP} caps google target",
        "missing",
    ),
    (
        computed(google={"first": 1, "target": 2, "step": 3}),
        f"{IP} caps google step",
        "unknown field; a cap has first, target",
    ),
    (
        computed(google={"first": 0, "target": 2}),
        f"{IP} caps google first",
        "expected a positive integer; got 0",
    ),
    (
        computed(google={"first": 1, "target": 2.5}),
        f"{IP} caps google target",
        "expected a positive integer; got 2.5",
    ),
    (
        computed(google={"first": 300, "target": 200}),
        f"{IP} caps google first",
        "300 is above the target 200",
    ),
    (
        computed(google={"first": 1, "target": 2}),
        f"{IP} caps default",
        "missing; needed for microsoft, yahoo, apple, default",
    ),
    (
        {**tabled(), "table": []},
        f"{IP} table",
        "expected a non-empty list of daily caps; got []",
    ),
    (
        {**tabled(), "table": "google: 50"},
        f"{IP} table",
        "expected a non-empty list of daily caps; got 'google: 50'",
    ),
    (
        tabled({"default": 1}, ["google", 50]),
        f"{IP} table day 2",
        "expected a mapping of provider classes; got ['google', 50]",
    ),
    (
        tabled({"default": 1}, {"default": 2, "orange": 1}),
        f"{IP} table day 2 orange",
        "unknown provider class; expected one of google, microsoft, yahoo, apple, default",
    ),
    (
        tabled({"default": 1, "google": -5}),
        f"{IP} table day 1 google",
        "expected an integer >= 0; got -5",
    ),
    (
        tabled({"default": 10}, {"google": 50}),
        f"{IP} table day 2 default",
        "missing; needed for microsoft, yahoo, apple, default",
    ),
    (
        {**tabled(), "table": [{"default": 1}] * 366},
        f"{IP} table",
        "at most 365 days; got 366",
    ),
]


@pytest.mark.parametrize("cap, days, expected", GROWTH)
def test_growth_worked_by_hand(cap: dict, days: int, expected: list[int]) -> None:
    rows = build_schedule(computed(days, default=cap), providers=["default"])
    assert [row["caps"]["default"] for row in rows] == expected


def test_lab_day_one_and_the_rest() -> None:
    spec = computed(
        3,
        google={"first": LAB_GOOGLE_DAY1, "target": 80},
        microsoft={"first": 30, "target": 30},
        default={"first": 100, "target": 400},
    )
    assert build_schedule(spec, providers=PROVIDERS) == [
        {
            "date": "2026-03-01",
            "caps": {
                "google": 20,
                "microsoft": 30,
                "yahoo": 100,
                "apple": 100,
                "default": 100,
            },
        },
        {
            "date": "2026-03-02",
            "caps": {
                "google": 40,
                "microsoft": 30,
                "yahoo": 200,
                "apple": 200,
                "default": 200,
            },
        },
        {
            "date": "2026-03-03",
            "caps": {
                "google": 80,
                "microsoft": 30,
                "yahoo": 400,
                "apple": 400,
                "default": 400,
            },
        },
    ]


def test_thirty_days_rise_by_the_same_factor() -> None:
    rows = build_schedule(
        computed(30, google={"first": 50, "target": 20000}), providers=["google"]
    )
    caps = [row["caps"]["google"] for row in rows]
    assert (len(caps), caps[0], caps[-1]) == (30, 50, 20000)
    assert rows[-1]["date"] == "2026-03-30"
    # 400 ** (1 / 29) is 1.2294...; rounding moves a cap by at most half a message.
    for before, after in itertools.pairwise(caps):
        assert abs(after - before * 400 ** (1 / 29)) <= 0.5 * (1 + 400 ** (1 / 29))
        assert after > before


def test_table_rows_fill_in_and_may_fall() -> None:
    spec = tabled(
        {"google": 50, "default": 100},
        {"google": "60", "apple": 0, "default": 90},
    )
    spec["start"] = datetime.date(2026, 12, 31)
    assert build_schedule(spec, providers=["google", "apple", "default"]) == [
        {"date": "2026-12-31", "caps": {"google": 50, "apple": 100, "default": 100}},
        {"date": "2027-01-01", "caps": {"google": 60, "apple": 0, "default": 90}},
    ]


def test_no_default_needed_when_every_class_is_given() -> None:
    spec = tabled({"google": 5, "partner": 7})
    assert build_schedule(spec, providers=["partner", "google"]) == [
        {"date": "2026-03-01", "caps": {"partner": 7, "google": 5}},
    ]


def test_input_is_kept() -> None:
    spec = computed(
        2, google={"first": "10", "target": 40}, default={"first": 1, "target": 1}
    )
    before = repr(spec)
    rows = build_schedule(spec, providers=PROVIDERS)
    assert [row["caps"]["google"] for row in rows] == [10, 40]
    assert repr(spec) == before


def test_errors_name_the_address_as_written_by_python() -> None:
    spec = {
        "address": "2001:DB8:0::31",
        "start": "2026-03-01",
        "table": [{"google": 1}],
    }
    with pytest.raises(
        WarmupError, match=r"^2001:db8::31 table day 1 default: missing; "
    ):
        build_schedule(spec, providers=PROVIDERS)


@pytest.mark.parametrize("spec, where, error", REFUSED)
def test_refused_with_ip_and_field(spec: object, where: str, error: str) -> None:
    with pytest.raises(
        WarmupError, match=f"^{re.escape(f'{where}: {error}')}$"
    ) as info:
        build_schedule(spec, providers=PROVIDERS)
    assert f"{info.value.ip} {info.value.field}" == where


@pytest.mark.parametrize(
    "providers, error",
    [
        ("google", "expected a non-empty list of class names; got 'google'"),
        ([], "expected a non-empty list of class names; got []"),
        (
            ["Google"],
            "'Google' is not a class name (lowercase letters, digits and _, starting with a letter)",
        ),
        (["google", "google"], "a class is listed twice"),
    ],
)
def test_bad_providers(providers: object, error: str) -> None:
    spec = computed(default={"first": 1, "target": 2})
    with pytest.raises(WarmupError, match=f"^{re.escape(f'{IP} providers: {error}')}$"):
        build_schedule(spec, providers=providers)
