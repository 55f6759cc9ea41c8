# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""``mailfleet-bulk``: bounce intake and suppression list edits on the bulk node.

Subcommands:

- ``bounce --db PATH --secret-file PATH [--delivered-to ADDR]`` reads one
  message on standard input (from Postfix's ``pipe``), records its event
  and prints it as a JSON object; a report counts only for the recipient
  of a verified VERP token (the address it came to, or the return path of
  the message it returns), never for addresses that its own fields name;
- ``check --db PATH ADDRESS`` prints the reason and exits 0 when the address
  is suppressed, exits 1 when it is not;
- ``export --db PATH`` writes the list as CSV to standard output;
- ``import --db PATH [FILE]`` adds the addresses of a CSV file (standard input
  when FILE is ``-`` or missing) and prints how many were new;
- ``remove --db PATH ADDRESS`` exits 0 when the address was listed, 1 when not;
- ``add --db PATH ADDRESS [--reason TEXT]`` suppresses an address by hand;
- ``init --db PATH`` creates an empty list where none exists and leaves an
  existing one alone (the role runs it once, so that the policy service,
  which never creates the list, finds one).

Exit codes follow sysexits.h, as Postfix's ``pipe`` reads them: 75
(EX_TEMPFAIL) for a database that cannot be used or a secret that cannot be
read, so that Postfix keeps the message and tries again; 64 (EX_USAGE) for
an argument that is not an address (argparse exits 2 for other usage
errors); 65 (EX_DATAERR) for a CSV file that cannot be imported. ``bounce`` exits 0 for any message it cannot make sense
of, since retrying would not help, and says why on standard error.
``check``, ``export`` and ``remove`` never create the database: a path that
does not exist is an error (75), not an empty list.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from . import bounces, verp
from ._address import canonical
from .suppression import SuppressionList

__all__ = ["EX_DATAERR", "EX_NOT_FOUND", "EX_OK", "EX_TEMPFAIL", "EX_USAGE", "main"]

PROG = "mailfleet-bulk"
EX_OK = 0
EX_NOT_FOUND = 1
EX_USAGE = 64
EX_DATAERR = 65
EX_TEMPFAIL = 75


def _say(command: str, text: str) -> None:
    print(f"{PROG} {command}: {text}", file=sys.stderr)


def _address(command: str, value: str) -> str | None:
    try:
        return canonical(value)
    except ValueError as exc:
        _say(command, str(exc))
        return None


def _bounce(args: argparse.Namespace) -> int:
    try:
        secret = verp.load_secret(args.secret_file)
    except (OSError, verp.VerpError) as exc:
        _say("bounce", f"cannot use the VERP secret, so Postfix will retry: {exc}")
        return EX_TEMPFAIL
    message = sys.stdin.buffer.read()
    try:
        # Reports come from anyone: only a verified token names our recipient.
        events = bounces.parse(
            message, delivered_to=args.delivered_to, secret=secret, require_token=True
        )
    except verp.VerpError as exc:
        _say("bounce", f"ignored, not a bounce of ours: {exc}")
        return EX_OK
    except Exception as exc:
        # A retry would fail the same way, and a non-zero exit would make
        # Postfix bounce the bounce.
        _say("bounce", f"ignored, the message could not be read: {exc!r}")
        return EX_OK
    if not events:
        _say(
            "bounce",
            "ignored, the message reports no bounce or complaint about a recipient "
            "that a VERP token of ours names",
        )
        return EX_OK
    now = datetime.now(timezone.utc)
    with SuppressionList(args.db) as store:
        outcomes = [store.record(event, now=now) for event in events]
    for event, outcome in zip(events, outcomes, strict=True):
        print(
            json.dumps(
                {**dataclasses.asdict(event), "outcome": outcome.value}, sort_keys=True
            )
        )
    return EX_OK


def _check(args: argparse.Namespace) -> int:
    address = _address("check", args.address)
    if address is None:
        return EX_USAGE
    with SuppressionList(args.db, create=False) as store:
        reason = store.is_suppressed(address)
    if reason is None:
        return EX_NOT_FOUND
    print(reason)
    return EX_OK


def _export(args: argparse.Namespace) -> int:
    with SuppressionList(args.db, create=False) as store:
        store.export(sys.stdout)
    return EX_OK


def _import(args: argparse.Namespace) -> int:
    try:
        with SuppressionList(args.db) as store:
            if args.file == "-":
                added = store.import_csv(sys.stdin)
            else:
                with open(args.file, encoding="utf-8", newline="") as fileobj:
                    added = store.import_csv(fileobj)
    except (ValueError, OSError) as exc:
        _say("import", f"nothing imported: {exc}")
        return EX_DATAERR
    print(added)
    return EX_OK


def _remove(args: argparse.Namespace) -> int:
    address = _address("remove", args.address)
    if address is None:
        return EX_USAGE
    with SuppressionList(args.db, create=False) as store:
        removed = store.remove(address)
    if not removed:
        _say("remove", f"{address} was not suppressed")
        return EX_NOT_FOUND
    return EX_OK


def _add(args: argparse.Namespace) -> int:
    address = _address("add", args.address)
    if address is None:
        return EX_USAGE
    if not args.reason.strip():
        _say("add", "--reason must not be empty")
        return EX_USAGE
    with SuppressionList(args.db) as store:
        store.add(address, args.reason)
    return EX_OK


def _init(args: argparse.Namespace) -> int:
    with SuppressionList(args.db):
        pass
    return EX_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Bounce intake and the suppression list of the bulk node.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--db", required=True, help="the SQLite file of the suppression list"
        )
        sub.set_defaults(handler=handler)
        return sub

    bounce = command(
        "bounce", _bounce, "Record the bounce or complaint read on standard input."
    )
    bounce.add_argument(
        "--secret-file", required=True, help="the file holding the VERP secret"
    )
    bounce.add_argument(
        "--delivered-to",
        help="the address the message came to (Postfix's ${original_recipient})",
    )
    command(
        "check",
        _check,
        "Exit 0 and print the reason when ADDRESS is suppressed, 1 when not.",
    ).add_argument("address")
    command("export", _export, "Write the suppression list as CSV to standard output.")
    command(
        "import", _import, "Add the addresses of a CSV file to the list."
    ).add_argument("file", nargs="?", default="-")
    command("remove", _remove, "Take ADDRESS off the list.").add_argument("address")
    add = command("add", _add, "Suppress ADDRESS by hand.")
    add.add_argument("address")
    add.add_argument("--reason", default="operator", help="why (default: operator)")
    command("init", _init, "Create an empty list unless one exists.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except sqlite3.Error as exc:
        _say(args.command, f"database error, try again later: {exc}")
        return EX_TEMPFAIL


if __name__ == "__main__":
    sys.exit(main())
