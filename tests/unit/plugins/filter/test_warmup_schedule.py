# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.warmup_schedule"
IP = "198.51.100.31"

REFUSED: list[tuple[object, dict, str]] = [
    (
        [{"address": IP}],
        {},
        f"{FQCN}: the input must be one IP's warmup as a dict; got list",
    ),
    (
        {"address": IP, "start": "2026-03-01", "table": [{"default": 1}]},
        {"providers": "google"},
        f"{FQCN}: providers must be a list of class names; got str",
    ),
    (
        {"address": IP, "start": "01/03/2026", "table": [{"default": 1}]},
        {},
        f"{FQCN}: {IP} start: expected a date as YYYY-MM-DD; got '01/03/2026'",
    ),
    (
        {
            "address": IP,
            "start": "2026-03-01",
            "days": 10,
            "caps": {"google": {"first": 100, "target": 50}},
        },
        {},
        f"{FQCN}: {IP} caps google first: 100 is above the target 50",
    ),
    (
        {"address": IP, "start": "2026-03-01", "table": [{"partner": 5}]},
        {},
        f"{FQCN}: {IP} table day 1 partner: unknown provider class; "
        "expected one of google, microsoft, yahoo, apple, default",
    ),
    (
        {"address": IP, "start": "2026-03-01", "table": [{"google": 5}]},
        {"providers": ["google", "partner"]},
        f"{FQCN}: {IP} table day 1 default: missing; needed for partner",
    ),
]


@pytest.fixture
def warmup_schedule():
    return filter_loader.get(FQCN).j2_function


def test_default_classes_and_json(warmup_schedule) -> None:
    spec = {
        "address": IP,
        "start": "2026-03-01",
        "days": 3,
        "caps": {
            "google": {"first": 20, "target": 180},
            "default": {"first": 100, "target": 100},
        },
    }
    rows = warmup_schedule(spec)
    assert rows == [
        {
            "date": f"2026-03-0{day}",
            "caps": {
                "google": google,
                "microsoft": 100,
                "yahoo": 100,
                "apple": 100,
                "default": 100,
            },
        }
        for day, google in ((1, 20), (2, 60), (3, 180))
    ]
    # What the node loads is the same list.
    assert json.loads(json.dumps(rows)) == rows


def test_extra_class(warmup_schedule) -> None:
    spec = {
        "address": IP,
        "start": "2026-03-01",
        "table": [{"partner": 5, "default": 9}],
    }
    assert warmup_schedule(spec, providers=["google", "partner", "default"]) == [
        {"date": "2026-03-01", "caps": {"google": 9, "partner": 5, "default": 9}}
    ]


@pytest.mark.parametrize("spec, options, error", REFUSED)
def test_refused(warmup_schedule, spec: object, options: dict, error: str) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(error)}$"):
        warmup_schedule(spec, **options)
