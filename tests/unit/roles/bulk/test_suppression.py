# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bulk_reports import SECRET, delivery_status, recipient_block, return_path
from mailfleet_bulk.bounces import Event, parse
from mailfleet_bulk.suppression import Outcome, SuppressionList

NOW = datetime(2026, 4, 1, 9, 30, tzinfo=timezone.utc)
JANE = "jane@example.com"


def hard(recipient: str = JANE) -> Event:
    return Event(
        recipient,
        "hard",
        "5.1.1",
        "550 5.1.1 user unknown",
        "mx.example.com",
        "spring26",
    )


def soft(recipient: str = JANE) -> Event:
    return Event(recipient, "soft", "4.2.2", "452 4.2.2 mailbox full", "mx.example.com")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SuppressionList]:
    with SuppressionList(tmp_path / "suppression.sqlite") as suppression:
        yield suppression


def test_hard_bounce_suppresses_at_once(store: SuppressionList) -> None:
    assert store.record(hard(), now=NOW) is Outcome.SUPPRESSED
    assert store.is_suppressed(JANE) == "hard"
    assert store.record(hard(), now=NOW) is Outcome.ALREADY_SUPPRESSED


def test_complaint_suppresses_at_once(store: SuppressionList) -> None:
    event = Event(JANE, "complaint", "", "abuse", "fbl.mail.example", "c1")
    assert store.record(event, now=NOW) is Outcome.SUPPRESSED
    assert store.is_suppressed(JANE) == "complaint"


def test_soft_bounces_suppress_at_the_threshold(store: SuppressionList) -> None:
    outcomes = [store.record(soft(), now=NOW + timedelta(days=day)) for day in range(3)]
    assert outcomes == [Outcome.COUNTED, Outcome.COUNTED, Outcome.SUPPRESSED]
    assert store.is_suppressed(JANE) == "soft"
    assert store.soft_bounces(JANE) == 0


def test_soft_bounces_outside_the_window_are_forgotten(store: SuppressionList) -> None:
    # A bounce exactly seven days older than the next one no longer counts.
    days = [0, 4, 7, 14]
    outcomes = [store.record(soft(), now=NOW + timedelta(days=day)) for day in days]
    assert outcomes == [Outcome.COUNTED] * 4
    assert store.is_suppressed(JANE) is None
    assert store.soft_bounces(JANE) == 1


def test_soft_threshold_and_window_are_parameters(store: SuppressionList) -> None:
    kwargs = {"soft_threshold": 2, "soft_window_days": 30}
    assert store.record(soft(), now=NOW, **kwargs) is Outcome.COUNTED
    later = NOW + timedelta(days=20)
    assert store.record(soft(), now=later, **kwargs) is Outcome.SUPPRESSED


def test_soft_bounces_are_counted_per_address(store: SuppressionList) -> None:
    for day in range(3):
        store.record(soft(f"user{day}@example.com"), now=NOW + timedelta(days=day))
    assert [store.soft_bounces(f"user{day}@example.com") for day in range(3)] == [
        1,
        1,
        1,
    ]


def test_sender_problem_never_suppresses(store: SuppressionList) -> None:
    event = Event(
        JANE,
        "sender_problem",
        "5.7.1",
        "554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org",
        "mx.example.com",
        "spring26",
    )
    assert [store.record(event, now=NOW) for _ in range(5)] == [
        Outcome.SENDER_PROBLEM
    ] * 5
    assert store.is_suppressed(JANE) is None
    assert store.soft_bounces(JANE) == 0
    assert store.sender_problems()[0] == {
        "at": "2026-04-01T09:30:00Z",
        "recipient": JANE,
        "status": "5.7.1",
        "diagnostic": event.diagnostic,
        "remote_mta": "mx.example.com",
        "campaign": "spring26",
    }
    assert len(store.sender_problems(since=NOW)) == 5
    assert store.sender_problems(since=NOW + timedelta(seconds=1)) == []


def test_parsed_sender_problem_leaves_the_recipient_unsuppressed(
    store: SuppressionList,
) -> None:
    recipient = "kim@contoso.example"
    block = recipient_block(
        recipient,
        status="5.7.1",
        diagnostic="550 5.7.1 Message rejected due to poor reputation of the sending IP",
        remote_mta="contoso-example.mail.protection.outlook.com",
    )
    message = delivery_status([block], sender=return_path(recipient, "c1"))
    events = parse(message, delivered_to=return_path(recipient, "c1"), secret=SECRET)
    assert [store.record(event, now=NOW) for event in events] == [
        Outcome.SENDER_PROBLEM
    ]
    assert store.is_suppressed(recipient) is None


def test_domain_is_case_insensitive_local_part_exact(store: SuppressionList) -> None:
    store.record(hard("Jane@Example.COM"), now=NOW)
    assert store.is_suppressed("Jane@example.com") == "hard"
    assert store.is_suppressed("<Jane@EXAMPLE.com>") == "hard"
    assert store.is_suppressed("jane@example.com") is None


def test_add_and_remove(store: SuppressionList) -> None:
    store.add("ops@example.org", "unsubscribed", now=NOW)
    assert store.is_suppressed("ops@example.org") == "unsubscribed"
    store.add("ops@example.org", "legal request", now=NOW)
    assert store.is_suppressed("ops@example.org") == "legal request"
    assert store.remove("OPS@example.org") is False
    assert store.remove("ops@EXAMPLE.org") is True
    assert store.is_suppressed("ops@example.org") is None
    assert store.remove("ops@example.org") is False


def test_remove_forgets_soft_bounces(store: SuppressionList) -> None:
    store.record(soft(), now=NOW)
    store.remove(JANE)
    assert store.soft_bounces(JANE) == 0


def test_add_needs_a_reason(store: SuppressionList) -> None:
    with pytest.raises(
        ValueError, match=r"^reason must be a non-empty string; got an empty one$"
    ):
        store.add(JANE, " ")


def test_invalid_address(store: SuppressionList) -> None:
    with pytest.raises(
        ValueError, match=r"^an address must be local-part@domain; got 'jane'$"
    ):
        store.is_suppressed("jane")


def test_now_must_be_aware(store: SuppressionList) -> None:
    with pytest.raises(
        ValueError, match=r"^a time must be timezone-aware; got 2026-04-01T09:30:00$"
    ):
        store.record(hard(), now=NOW.replace(tzinfo=None))


def test_export(store: SuppressionList) -> None:
    store.record(hard(), now=NOW)
    store.record(Event("bob@mail.example", "complaint", "", "abuse", "", None), now=NOW)
    store.add("ops@example.org", "unsubscribed", now=NOW + timedelta(hours=1))
    out = io.StringIO()
    assert store.export(out) == 3
    assert out.getvalue().splitlines() == [
        "address,reason,source,since",
        "bob@mail.example,complaint,complaint abuse,2026-04-01T09:30:00Z",
        "jane@example.com,hard,bounce 5.1.1 from mx.example.com campaign spring26,2026-04-01T09:30:00Z",
        "ops@example.org,unsubscribed,operator,2026-04-01T10:30:00Z",
    ]


def test_soft_suppression_says_why(store: SuppressionList) -> None:
    for day in range(3):
        store.record(soft(), now=NOW + timedelta(days=day))
    out = io.StringIO()
    store.export(out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row == {
        "address": JANE,
        "reason": "soft",
        "source": "3 soft bounces in 7 days, last bounce 4.2.2 from mx.example.com",
        "since": "2026-04-03T09:30:00Z",
    }


def test_export_then_import(store: SuppressionList, tmp_path: Path) -> None:
    store.record(hard(), now=NOW)
    store.add('"a,b"@example.org', "operator, by hand", now=NOW)
    out = io.StringIO()
    store.export(out)
    with SuppressionList(tmp_path / "copy.sqlite") as copy:
        assert copy.import_csv(io.StringIO(out.getvalue())) == 2
        again = io.StringIO()
        copy.export(again)
    assert again.getvalue() == out.getvalue()


def test_import_fills_missing_columns_and_keeps_existing(
    store: SuppressionList,
) -> None:
    store.add(JANE, "complaint", now=NOW)
    text = "address,since\njane@example.com,2020-01-01\n\nBob@Mail.Example,2024-02-03T04:05:06+01:00\nann@example.net,\n"
    assert store.import_csv(io.StringIO(text), now=NOW) == 2
    out = io.StringIO()
    store.export(out)
    assert out.getvalue().splitlines()[1:] == [
        "Bob@mail.example,imported,import,2024-02-03T03:05:06Z",
        "ann@example.net,imported,import,2026-04-01T09:30:00Z",
        "jane@example.com,complaint,operator,2026-04-01T09:30:00Z",
    ]


IMPORT_ERRORS: list[tuple[str, str]] = [
    (
        "address\njane@example.com\n" + "a" * 200_000 + "\n",
        "after line 2: field larger than field limit (131072)",
    ),
    (
        "email,reason\njane@example.com,x\n",
        "a suppression CSV needs an address column; got ['email', 'reason']",
    ),
    ("", "a suppression CSV needs an address column; got []"),
    (
        "address\njane@example.com\nnot-an-address\n",
        "line 3: an address must be local-part@domain; got 'not-an-address'",
    ),
    (
        "address,since\njane@example.com,yesterday\n",
        "line 2: Invalid isoformat string: 'yesterday'",
    ),
]


@pytest.mark.parametrize(("text", "error"), IMPORT_ERRORS)
def test_import_errors_change_nothing(
    store: SuppressionList, text: str, error: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        store.import_csv(io.StringIO(text))
    assert store.is_suppressed(JANE) is None


def test_wal_lets_a_reader_work_during_a_write(tmp_path: Path) -> None:
    path = tmp_path / "suppression.sqlite"
    with SuppressionList(path) as writer, SuppressionList(path, timeout=0.1) as reader:
        writer.record(hard(), now=NOW)
        assert writer._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("DELETE FROM suppressed")
            # The reader sees the last committed state, without waiting.
            assert reader.is_suppressed(JANE) == "hard"
            with pytest.raises(sqlite3.OperationalError, match=r"^database is locked$"):
                reader.add("ops@example.org", "operator")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        reader.add("ops@example.org", "operator")
        assert writer.is_suppressed("ops@example.org") == "operator"


def test_missing_database_is_not_created_on_request(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite"
    with pytest.raises(
        sqlite3.OperationalError, match=r"^unable to open database file$"
    ):
        SuppressionList(path, create=False)
    assert not path.exists()
