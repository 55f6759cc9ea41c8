# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""Today's warmup caps of a sending IP, from the schedule the controller ships.

The schedule is the JSON list that the filter mailfleet.stack.warmup_schedule
makes: one row per day, ``{"date": "YYYY-MM-DD", "caps": {class: int}}``, in
date order. Before the first date the first row applies, and after the last
date the last row, so a finished warmup keeps its target caps.
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from collections.abc import Mapping, Sequence

__all__ = ["caps_for", "parse_schedule"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: object, where: str) -> datetime.date:
    if isinstance(value, str) and _DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where} date: expected YYYY-MM-DD; got {value!r}")


def _caps(value: object, where: str) -> dict[str, int]:
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{where} caps: expected a mapping of provider classes")
    for name, cap in value.items():
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise ValueError(
                f"{where} caps {name}: expected an integer >= 0; got {cap!r}"
            )
    return dict(value)


def parse_schedule(text: str) -> list[dict[str, object]]:
    """Check a shipped schedule and return its rows; raise ValueError naming the day."""
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"schedule: not JSON ({exc})") from None
    if not isinstance(rows, list) or not rows:
        raise ValueError("schedule: expected a non-empty list of days")
    checked: list[dict[str, object]] = []
    previous = None
    for index, row in enumerate(rows):
        where = f"schedule day {index + 1}"
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected a mapping with date and caps")
        date = _date(row.get("date"), where)
        if previous is not None and date <= previous:
            raise ValueError(f"{where} date: {date} does not follow {previous}")
        previous = date
        checked.append(
            {"date": date.isoformat(), "caps": _caps(row.get("caps"), where)}
        )
    return checked


def caps_for(table: Sequence[Mapping], today: datetime.date) -> dict[str, int]:
    """The caps of the row for ``today``, of the first row before it, of the last after it.

    ``today`` is the date where the node counts its daily volume; the caller
    chooses the clock (the node's local date). A date between two rows, which
    a shipped schedule does not have, gets the earlier row.
    """
    if not table:
        raise ValueError("schedule: no days")
    if isinstance(today, datetime.datetime):
        today = today.date()
    dates = [datetime.date.fromisoformat(row["date"]) for row in table]
    index = bisect.bisect_right(dates, today) - 1
    return dict(table[max(index, 0)]["caps"])
