# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The milter of the bulk node's injection: the providers' rules of rules.py.

Postfix's smtpd runs it before OpenDKIM signs (smtpd_milters). At the end
of the headers it refuses, with ``550 5.7.1`` and the rule, a message that
breaks one of :func:`mailfleet_bulk.rules.problem`'s rules; the rest passes
untouched. Mail from the null sender (delivery reports) is not campaign
mail and passes. Built on Debian's python3-milter (pymilter, libmilter).

    python3 -m mailfleet_bulk.milter unix:/var/spool/postfix/mailfleet-bulk/rules.sock
"""

from __future__ import annotations

import os
import sys
import syslog

import Milter

from . import rules

LOG_IDENT = "mailfleet-bulk/rules"


class RulesMilter(Milter.Base):
    """One SMTP connection: collects each message's headers, then decides.

    Milter.Base negotiates away the events this class does not handle
    (connect, HELO, RCPT, body), and Postfix waits for no reply to a sender
    or a header (noreply): a message costs one round trip, at its end of
    headers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._sender = ""
        self._headers: list[tuple[str, str]] = []

    @Milter.noreply
    def envfrom(self, mailfrom: str, *params: str) -> int:
        self._sender = mailfrom.strip("<>")
        self._headers = []
        return Milter.CONTINUE

    @Milter.noreply
    def header(self, name: str, value: str) -> int:
        self._headers.append((name, value))
        return Milter.CONTINUE

    def eoh(self) -> int:
        if not self._sender:
            return Milter.ACCEPT
        reason = rules.problem(self._headers)
        if reason is None:
            return Milter.ACCEPT
        queue_id = self.getsymval("i") or "NOQUEUE"
        syslog.syslog(
            syslog.LOG_INFO,
            f"{queue_id}: refused sender=<{self._sender}>: {reason}",
        )
        self.setreply("550", "5.7.1", reason)
        return Milter.REJECT


def main(argv: list[str] | None = None) -> int:
    """Serve Postfix on the socket named in ``argv`` until stopped."""
    args = sys.argv[1:] if argv is None else argv
    syslog.openlog(LOG_IDENT, syslog.LOG_PID, syslog.LOG_MAIL)
    if len(args) != 1:
        syslog.syslog(syslog.LOG_ERR, "usage: python3 -m mailfleet_bulk.milter SOCKET")
        return 64
    # The socket is for the engine's user and Postfix's group alone.
    os.umask(0o007)
    Milter.factory = RulesMilter
    Milter.set_flags(0)
    syslog.syslog(syslog.LOG_INFO, f"listening on {args[0]}")
    Milter.runmilter(LOG_IDENT, args[0], timeout=60)
    syslog.syslog(syslog.LOG_INFO, "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
