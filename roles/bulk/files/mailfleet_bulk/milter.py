# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The milter of the bulk node's injection: the rules of rules.py, and VERP.

Postfix's smtpd runs it before OpenDKIM signs (smtpd_milters). For a
campaign message it

- refuses at the end of the headers, with ``550 5.7.1`` and the rule, a
  From: outside the node's signed names and a message without one-click
  unsubscription (:func:`mailfleet_bulk.rules.problem`);
- at the end of the message, replaces the envelope sender with the signed
  VERP return path of its one recipient (:func:`mailfleet_bulk.rules.return_path`),
  so that bounces and complaints name it.

Reports that come back to a bounce domain, and mail from the null sender,
pass untouched. It reads the policy service's configuration, for the
signed names and the bounce domains, and the VERP secret once, at start.
Built on Debian's python3-milter (pymilter, libmilter).

    python3 -m mailfleet_bulk.milter /etc/mailfleet-bulk/policy.json \\
        unix:/var/spool/postfix/mailfleet-bulk/rules.sock
"""

from __future__ import annotations

import os
import sys
import syslog

import Milter

from . import rules, verp
from .policy import ConfigError, read_config

LOG_IDENT = "mailfleet-bulk/rules"


def _log(text: str) -> None:
    syslog.syslog(syslog.LOG_INFO, text)


class RulesMilter(Milter.Base):
    """One SMTP connection: collects each message's envelope and headers, then decides.

    Milter.Base negotiates away the events this class does not handle
    (connect, HELO, body), and Postfix waits for no reply to a sender, a
    recipient or a header (noreply): a message costs two round trips, at
    its end of headers and at its end.
    """

    signed: frozenset[str] = frozenset()
    bounce_domains: dict[str, str] = {}  # noqa: RUF012 - set once in main()
    bounce_names: frozenset[str] = frozenset()
    secret: bytes = b""

    def __init__(self) -> None:
        super().__init__()
        self._sender = ""
        self._recipients: list[str] = []
        self._headers: list[tuple[str, str]] = []

    @Milter.noreply
    def envfrom(self, mailfrom: str, *params: str) -> int:
        self._sender = mailfrom.strip().strip("<>")
        self._recipients = []
        self._headers = []
        return Milter.CONTINUE

    @Milter.noreply
    def envrcpt(self, to: str, *params: str) -> int:
        self._recipients.append(to.strip().strip("<>"))
        return Milter.CONTINUE

    @Milter.noreply
    def header(self, name: str, value: str) -> int:
        self._headers.append((name, value))
        return Milter.CONTINUE

    def _is_report(self) -> bool:
        return not self._sender or any(
            rcpt.rpartition("@")[2].lower() in self.bounce_names
            for rcpt in self._recipients
        )

    def eoh(self) -> int:
        if self._is_report():
            return Milter.ACCEPT
        reason = rules.from_problem(self._headers, self.signed) or rules.problem(
            self._headers
        )
        if reason is None:
            return Milter.CONTINUE
        _log(
            f"{self.getsymval('i') or 'NOQUEUE'}: refused sender=<{self._sender}>: {reason}"
        )
        self.setreply("550", "5.7.1", reason)
        return Milter.REJECT

    def eom(self) -> int:
        path = rules.return_path(
            self._sender, self._recipients, self.bounce_domains, self.secret
        )
        if path is not None:
            self.chgfrom(f"<{path}>")
            _log(f"{self.getsymval('i') or 'NOQUEUE'}: return path <{path}>")
        return Milter.ACCEPT


def main(argv: list[str] | None = None) -> int:
    """Serve Postfix on the socket named in ``argv`` until stopped."""
    args = sys.argv[1:] if argv is None else argv
    syslog.openlog(LOG_IDENT, syslog.LOG_PID, syslog.LOG_MAIL)
    if len(args) != 2:
        _log("usage: python3 -m mailfleet_bulk.milter POLICY_JSON SOCKET")
        return 64
    try:
        config = read_config(args[0])
        secret = verp.load_secret(config.verp_secret_file)
    except (OSError, ConfigError, verp.VerpError) as exc:
        # Postfix tempfails mail meanwhile (milter_default_action).
        _log(f"error: cannot start: {exc}")
        return 78
    RulesMilter.signed = frozenset(config.domains)
    RulesMilter.bounce_domains = dict(config.bounce_domains)
    RulesMilter.bounce_names = frozenset(config.bounce_domains.values())
    RulesMilter.secret = secret
    # The socket is for the engine's user and Postfix's group alone.
    os.umask(0o007)
    Milter.factory = RulesMilter
    Milter.set_flags(Milter.CHGFROM)
    _log(f"listening on {args[1]}")
    Milter.runmilter(LOG_IDENT, args[1], timeout=60)
    _log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
