# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The suppression list: the addresses that campaigns must not mail, in SQLite.

What :meth:`SuppressionList.record` does with an event:

- ``hard`` and ``complaint`` suppress the recipient at once;
- ``soft`` is counted, and suppresses the recipient (reason ``soft``) once
  ``soft_threshold`` soft bounces fall within the last ``soft_window_days``
  days; older ones are forgotten;
- ``sender_problem`` goes to a table of its own for the status report and
  never touches the list;
- an event for an address already on the list changes nothing.

Addresses are matched with the domain lowercased and the local part exact,
as RFC 5321 §2.4 says: ``Jane@Example.com`` is ``Jane@example.com`` but not
``jane@example.com``. Most providers ignore case in local parts; an operator
who wants another spelling suppressed as well adds it.

The database runs in WAL mode, so readers (the sender checking addresses,
the status report) go on while a bounce is being written; each write is
one ``BEGIN IMMEDIATE`` transaction, and a writer waits up to ``timeout``
seconds for another. Errors are :class:`sqlite3.Error`. Times are stored
as ISO 8601 in UTC, e.g. ``2026-04-01T09:30:00Z``.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import IO

from ._address import canonical
from .bounces import Event

__all__ = ["CSV_FIELDS", "Outcome", "SuppressionList"]

CSV_FIELDS = ("address", "reason", "source", "since")
"""The columns of :meth:`SuppressionList.export`, in order."""

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS suppressed (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS soft_bounces (
    address TEXT NOT NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    campaign TEXT
);
CREATE INDEX IF NOT EXISTS soft_bounces_by_address ON soft_bounces (address, at);
CREATE TABLE IF NOT EXISTS sender_problems (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL,
    diagnostic TEXT NOT NULL,
    remote_mta TEXT NOT NULL,
    campaign TEXT
);
CREATE INDEX IF NOT EXISTS sender_problems_by_time ON sender_problems (at);
"""


class Outcome(str, Enum):
    """What recording one event did."""

    SUPPRESSED = "suppressed"
    ALREADY_SUPPRESSED = "already_suppressed"
    COUNTED = "counted"
    SENDER_PROBLEM = "sender_problem"


def _timestamp(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"a time must be timezone-aware; got {moment.isoformat()}")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now(now: datetime | None) -> str:
    return _timestamp(now if now is not None else datetime.now(timezone.utc))


def _imported_time(text: str) -> str:
    """A ``since`` from a CSV file: ISO 8601, a date alone is midnight, no offset is UTC."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return _timestamp(moment)


def _imported_rows(
    reader: csv.DictReader[str], default_since: str
) -> Iterator[tuple[str, str, str, str]]:
    if reader.fieldnames is None or "address" not in reader.fieldnames:
        raise ValueError(
            f"a suppression CSV needs an address column; got {reader.fieldnames or []}"
        )
    for row in reader:
        if not any(isinstance(value, str) and value.strip() for value in row.values()):
            continue
        try:
            address = canonical(row["address"] or "")
            since = row.get("since") or ""
            since = _imported_time(since) if since.strip() else default_since
        except ValueError as exc:
            raise ValueError(f"line {reader.line_num}: {exc}") from None
        reason = (row.get("reason") or "").strip() or "imported"
        source = (row.get("source") or "").strip() or "import"
        yield address, reason, source, since


def _source(event: Event) -> str:
    words = ["complaint" if event.kind == "complaint" else "bounce"]
    words += [event.status or event.diagnostic]
    if event.remote_mta:
        words += ["from", event.remote_mta]
    if event.campaign:
        words += ["campaign", event.campaign]
    return " ".join(word for word in words if word)


class SuppressionList:
    """The suppression list and the sender problem report in one SQLite file.

    ``create=False`` refuses a file that does not exist yet (an
    :class:`sqlite3.OperationalError`), so that a mistyped path never reads
    as an empty list. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        timeout: float = 30.0,
    ) -> None:
        mode = "rwc" if create else "rw"
        uri = f"{Path(path).absolute().as_uri()}?mode={mode}"
        self._db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            if self._db.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
                with self._write():
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> SuppressionList:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _reason(self, address: str) -> str | None:
        row = self._db.execute(
            "SELECT reason FROM suppressed WHERE address = ?", (address,)
        ).fetchone()
        return row["reason"] if row else None

    def record(
        self,
        event: Event,
        *,
        now: datetime,
        soft_threshold: int = 3,
        soft_window_days: int = 7,
    ) -> Outcome:
        """Record one event at ``now`` (timezone-aware) and say what it did."""
        if soft_threshold < 1 or soft_window_days < 1:
            raise ValueError(
                f"soft_threshold and soft_window_days must be at least 1; got {soft_threshold} and {soft_window_days}"
            )
        at = _timestamp(now)
        with self._write() as db:
            if event.kind == "sender_problem":
                db.execute(
                    "INSERT INTO sender_problems (at, recipient, status, diagnostic, remote_mta, campaign) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        at,
                        event.recipient,
                        event.status,
                        event.diagnostic,
                        event.remote_mta,
                        event.campaign,
                    ),
                )
                return Outcome.SENDER_PROBLEM
            if event.kind not in ("hard", "soft", "complaint"):
                raise ValueError(
                    f"event.kind must be hard, soft, complaint or sender_problem; got {event.kind!r}"
                )
            address = canonical(event.recipient)
            if self._reason(address) is not None:
                return Outcome.ALREADY_SUPPRESSED
            if event.kind == "soft":
                cutoff = _timestamp(now - timedelta(days=soft_window_days))
                db.execute(
                    "DELETE FROM soft_bounces WHERE address = ? AND at <= ?",
                    (address, cutoff),
                )
                db.execute(
                    "INSERT INTO soft_bounces (address, at, status, campaign) VALUES (?, ?, ?, ?)",
                    (address, at, event.status, event.campaign),
                )
                (count,) = db.execute(
                    "SELECT count(*) FROM soft_bounces WHERE address = ?", (address,)
                ).fetchone()
                if count < soft_threshold:
                    return Outcome.COUNTED
                source = f"{count} soft bounces in {soft_window_days} days, last {_source(event)}"
            else:
                source = _source(event)
            db.execute(
                "INSERT INTO suppressed (address, reason, source, since) VALUES (?, ?, ?, ?)",
                (address, event.kind, source, at),
            )
            db.execute("DELETE FROM soft_bounces WHERE address = ?", (address,))
            return Outcome.SUPPRESSED

    def soft_bounces(self, address: str) -> int:
        """How many soft bounces of ``address`` were inside the window when the last one came."""
        (count,) = self._db.execute(
            "SELECT count(*) FROM soft_bounces WHERE address = ?", (canonical(address),)
        ).fetchone()
        return count

    def is_suppressed(self, address: str) -> str | None:
        """Return the reason that ``address`` is suppressed, or ``None``."""
        return self._reason(canonical(address))

    def remove(self, address: str) -> bool:
        """Take ``address`` off the list and forget its soft bounces; say whether it was listed."""
        key = canonical(address)
        with self._write() as db:
            removed = db.execute(
                "DELETE FROM suppressed WHERE address = ?", (key,)
            ).rowcount
            db.execute("DELETE FROM soft_bounces WHERE address = ?", (key,))
        return removed > 0

    def add(
        self,
        address: str,
        reason: str,
        *,
        source: str = "operator",
        now: datetime | None = None,
    ) -> None:
        """Suppress ``address`` by hand, replacing what the list said of it."""
        if not reason.strip():
            raise ValueError("reason must be a non-empty string; got an empty one")
        key = canonical(address)
        with self._write() as db:
            db.execute(
                "INSERT INTO suppressed (address, reason, source, since) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, source = excluded.source, since = excluded.since",
                (key, reason.strip(), source, _now(now)),
            )

    def export(self, fileobj: IO[str]) -> int:
        """Write the list as CSV (header ``address,reason,source,since``), sorted by address; return the row count."""
        writer = csv.writer(fileobj, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        rows = self._db.execute(
            "SELECT address, reason, source, since FROM suppressed ORDER BY address"
        ).fetchall()
        writer.writerows(tuple(row) for row in rows)
        return len(rows)

    def import_csv(self, fileobj: IO[str], *, now: datetime | None = None) -> int:
        """Add the addresses of a CSV file with at least an ``address`` column; return how many were new.

        Missing columns default to reason ``imported``, source ``import`` and
        since ``now``. Addresses already listed keep their entry. One bad row
        fails the whole import with a ``ValueError`` naming its line.
        """
        reader = csv.DictReader(fileobj)
        try:
            rows = list(_imported_rows(reader, _now(now)))
        except csv.Error as exc:
            raise ValueError(f"after line {reader.line_num}: {exc}") from None
        added = 0
        with self._write() as db:
            for values in rows:
                added += db.execute(
                    "INSERT INTO suppressed (address, reason, source, since) VALUES (?, ?, ?, ?) ON CONFLICT (address) DO NOTHING",
                    values,
                ).rowcount
        return added

    def sender_problems(
        self, *, since: datetime | None = None
    ) -> list[dict[str, str | None]]:
        """The sender problems recorded at or after ``since`` (all when ``None``), oldest first."""
        start = _timestamp(since) if since is not None else ""
        rows = self._db.execute(
            "SELECT at, recipient, status, diagnostic, remote_mta, campaign FROM sender_problems WHERE at >= ? ORDER BY at, id",
            (start,),
        ).fetchall()
        return [dict(row) for row in rows]
