# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import functools
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from bulk_reports import (
    SECRET,
    arf_fields,
    campaign_message,
    delivery_status,
    feedback_report,
    recipient_block,
    return_path,
)
from mailfleet_bulk.cli import (
    EX_DATAERR,
    EX_NOT_FOUND,
    EX_OK,
    EX_TEMPFAIL,
    EX_USAGE,
    main,
)
from mailfleet_bulk.suppression import SuppressionList

JANE = "jane@example.com"
KIM = "kim@contoso.example"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "verp.secret"
    path.write_bytes(SECRET + b"\n")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "suppression.sqlite"


def feed(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    )


def dsn(recipient: str, status: str, diagnostic: str) -> bytes:
    block = recipient_block(
        recipient, status=status, diagnostic=diagnostic, remote_mta="mx.example.com"
    )
    return delivery_status([block], sender=return_path(recipient, "spring26"))


def bounce(db: Path, secret_file: Path, *extra: str) -> int:
    return main(["bounce", "--db", str(db), "--secret-file", str(secret_file), *extra])


def test_bounce_records_and_prints_json(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    feed(
        monkeypatch,
        dsn(
            JANE,
            "5.1.1",
            "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown",
        ),
    )
    assert (
        bounce(db, secret_file, "--delivered-to", return_path(JANE, "spring26"))
        == EX_OK
    )
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "campaign": "spring26",
            "diagnostic": "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown",
            "kind": "hard",
            "outcome": "suppressed",
            "recipient": JANE,
            "remote_mta": "mx.example.com",
            "status": "5.1.1",
        }
    ]
    assert main(["check", "--db", str(db), JANE]) == EX_OK
    assert capsys.readouterr().out == "hard\n"


def test_bounce_complaint(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    original = campaign_message(
        "redacted@mail.example", return_path("bob@mail.example", "c2")
    )
    feed(monkeypatch, feedback_report(arf_fields(), original=original))
    assert bounce(db, secret_file, "--delivered-to", "fbl@acme.example") == EX_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert (json.loads(line)["kind"], json.loads(line)["outcome"]) == (
        "complaint",
        "suppressed",
    )
    assert main(["check", "--db", str(db), "bob@mail.example"]) == EX_OK


def test_bounce_sender_problem_leaves_the_recipient_unsuppressed(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    feed(
        monkeypatch,
        dsn(
            KIM,
            "5.7.1",
            "550 5.7.1 Message rejected due to poor reputation of the sending IP",
        ),
    )
    assert bounce(db, secret_file) == EX_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert (json.loads(line)["kind"], json.loads(line)["outcome"]) == (
        "sender_problem",
        "sender_problem",
    )
    assert main(["check", "--db", str(db), KIM]) == EX_NOT_FOUND
    assert capsys.readouterr().out == ""


def test_bounce_soft_is_counted(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    feed(monkeypatch, dsn(JANE, "5.2.2", "552 5.2.2 mailbox full"))
    assert bounce(db, secret_file) == EX_OK
    assert json.loads(capsys.readouterr().out)["outcome"] == "counted"
    assert main(["check", "--db", str(db), JANE]) == EX_NOT_FOUND


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"\xff\xfe\x00 garbage",
        b"From: jane@example.com\nSubject: Re: offers\n\nThanks!\n",
    ],
    ids=["empty", "binary", "human reply"],
)
def test_bounce_ignores_what_is_no_report(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
    message: bytes,
) -> None:
    feed(monkeypatch, message)
    assert bounce(db, secret_file) == EX_OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == "mailfleet-bulk bounce: ignored, the message reports no bounce or complaint "
        "about a recipient that a VERP token of ours names\n"
    )


def test_bounce_ignores_a_forged_token(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    feed(monkeypatch, dsn(JANE, "5.1.1", "550 5.1.1 user unknown"))
    forged = return_path(JANE).replace("jane", "john")
    assert bounce(db, secret_file, "--delivered-to", forged) == EX_OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "mailfleet-bulk bounce: ignored, not a bounce of ours: the VERP token's tag"
    )
    assert not db.exists()


def test_bounce_without_a_token_suppresses_nobody(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    # A stranger's "bounce" to the bare bounce address, naming a victim in
    # its own fields and with no token anywhere.
    block = recipient_block(
        KIM, status="5.1.1", diagnostic="550 5.1.1 user unknown", remote_mta="mx.evil"
    )
    feed(monkeypatch, delivery_status([block], sender="b@bounces.acme.example"))
    assert bounce(db, secret_file, "--delivered-to", "b@bounces.acme.example") == EX_OK
    assert capsys.readouterr().out == ""
    assert main(["check", "--db", str(db), KIM]) == EX_TEMPFAIL  # no list was even made


def test_bounce_counts_only_for_the_tokens_recipient(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    # A subscriber who knows their own token lists other addresses too.
    blocks = [
        recipient_block(
            address,
            status="5.1.1",
            diagnostic="550 5.1.1 user unknown",
            remote_mta=None,
        )
        for address in (KIM, "ops@example.org", JANE)
    ]
    feed(monkeypatch, delivery_status(blocks, sender="x@evil.example"))
    assert bounce(db, secret_file, "--delivered-to", return_path(JANE)) == EX_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["recipient"] == JANE
    assert main(["check", "--db", str(db), JANE]) == EX_OK
    assert main(["check", "--db", str(db), KIM]) == EX_NOT_FOUND
    assert main(["check", "--db", str(db), "ops@example.org"]) == EX_NOT_FOUND


def test_bounce_survives_a_parser_failure(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    def broken(*args: object, **kwargs: object) -> list:
        raise RuntimeError("boom")

    monkeypatch.setattr("mailfleet_bulk.bounces.parse", broken)
    feed(monkeypatch, dsn(JANE, "5.1.1", "550 5.1.1 user unknown"))
    assert bounce(db, secret_file) == EX_OK
    assert capsys.readouterr().err == (
        "mailfleet-bulk bounce: ignored, the message could not be read: RuntimeError('boom')\n"
    )


def test_bounce_database_error_asks_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    secret_file: Path,
) -> None:
    feed(monkeypatch, dsn(JANE, "5.1.1", "550 5.1.1 user unknown"))
    assert bounce(tmp_path / "missing" / "db.sqlite", secret_file) == EX_TEMPFAIL
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == "mailfleet-bulk bounce: database error, try again later: unable to open database file\n"
    )


def test_bounce_locked_database_asks_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    secret_file: Path,
) -> None:
    assert main(["add", "--db", str(db), "ops@example.org"]) == EX_OK

    monkeypatch.setattr(
        "mailfleet_bulk.cli.SuppressionList",
        functools.partial(SuppressionList, timeout=0.05),
    )
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        feed(monkeypatch, dsn(JANE, "5.1.1", "550 5.1.1 user unknown"))
        assert bounce(db, secret_file) == EX_TEMPFAIL
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (
        capsys.readouterr().err
        == "mailfleet-bulk bounce: database error, try again later: database is locked\n"
    )


def test_bounce_without_a_usable_secret_asks_for_a_retry(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
) -> None:
    feed(monkeypatch, dsn(JANE, "5.1.1", "550 5.1.1 user unknown"))
    missing = tmp_path / "nope.secret"
    assert bounce(db, missing) == EX_TEMPFAIL
    assert capsys.readouterr().err == (
        "mailfleet-bulk bounce: cannot use the VERP secret, so Postfix will retry: "
        f"[Errno 2] No such file or directory: '{missing}'\n"
    )


def test_check_on_a_missing_database_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["check", "--db", str(tmp_path / "typo.sqlite"), JANE]) == EX_TEMPFAIL
    assert not (tmp_path / "typo.sqlite").exists()
    assert (
        capsys.readouterr().err
        == "mailfleet-bulk check: database error, try again later: unable to open database file\n"
    )


def test_add_check_remove(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert (
        main(["add", "--db", str(db), "Ops@Example.org", "--reason", "unsubscribed"])
        == EX_OK
    )
    assert main(["check", "--db", str(db), "Ops@example.ORG"]) == EX_OK
    assert capsys.readouterr().out == "unsubscribed\n"
    assert main(["remove", "--db", str(db), "Ops@example.org"]) == EX_OK
    assert main(["remove", "--db", str(db), "Ops@example.org"]) == EX_NOT_FOUND
    assert (
        capsys.readouterr().err
        == "mailfleet-bulk remove: Ops@example.org was not suppressed\n"
    )
    assert main(["check", "--db", str(db), "Ops@example.org"]) == EX_NOT_FOUND


def test_init_creates_an_empty_list_and_keeps_an_existing_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "new.sqlite"
    assert main(["check", "--db", str(path), JANE]) == EX_TEMPFAIL
    assert main(["init", "--db", str(path)]) == EX_OK
    assert main(["check", "--db", str(path), JANE]) == EX_NOT_FOUND
    assert main(["add", "--db", str(path), JANE, "--reason", "unsubscribed"]) == EX_OK
    assert main(["init", "--db", str(path)]) == EX_OK
    capsys.readouterr()
    assert main(["check", "--db", str(path), JANE]) == EX_OK
    assert capsys.readouterr().out == "unsubscribed\n"


@pytest.mark.parametrize("command", ["add", "check", "remove"])
def test_address_must_be_an_address(
    capsys: pytest.CaptureFixture[str], db: Path, command: str
) -> None:
    main(["add", "--db", str(db), "ops@example.org"])
    assert main([command, "--db", str(db), "not-an-address"]) == EX_USAGE
    assert capsys.readouterr().err == (
        f"mailfleet-bulk {command}: an address must be local-part@domain; got 'not-an-address'\n"
    )


def test_export_and_import(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    tmp_path: Path,
) -> None:
    main(["add", "--db", str(db), "ops@example.org", "--reason", "unsubscribed"])
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(
        "address,reason\njane@example.com,legal request\nops@example.org,other\n"
    )
    assert main(["import", "--db", str(db), str(csv_file)]) == EX_OK
    assert capsys.readouterr().out == "1\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("address\nbob@mail.example\n"))
    assert main(["import", "--db", str(db)]) == EX_OK
    assert capsys.readouterr().out == "1\n"
    assert main(["export", "--db", str(db)]) == EX_OK
    rows = [line.split(",")[:3] for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        ["address", "reason", "source"],
        ["bob@mail.example", "imported", "import"],
        ["jane@example.com", "legal request", "import"],
        ["ops@example.org", "unsubscribed", "operator"],
    ]


def test_import_of_a_bad_file(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("address\njane@example.com\nnobody\n")
    assert main(["import", "--db", str(db), str(csv_file)]) == EX_DATAERR
    assert capsys.readouterr().err == (
        "mailfleet-bulk import: nothing imported: line 3: an address must be local-part@domain; got 'nobody'\n"
    )
    assert main(["check", "--db", str(db), JANE]) == EX_NOT_FOUND


def test_usage_errors_exit_through_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bounce", "--db", "x.sqlite"])
    assert exit_info.value.code == 2
    assert (
        "the following arguments are required: --secret-file" in capsys.readouterr().err
    )
