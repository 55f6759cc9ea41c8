# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

"""The policy service of injection: Postfix asks it about every recipient.

Postfix's smtpd(8) sends one request per RCPT command over the policy
protocol of SMTPD_POLICY_README (``name=value`` lines, an empty line ends
the request) and reads one ``action=...`` line back. spawn(8) starts one
process per smtpd connection, with the socket as standard input and output;
the process serves requests until the other end closes it. smtpd keeps the
connection over several SMTP sessions, so the process tells messages apart
by Postfix's ``instance`` attribute.

For each recipient :meth:`Policy.decide` answers:

- ``452 4.5.3`` for a second recipient in the same message: the transport
  of a message is chosen for all of its recipients at once, so each
  campaign message has one, and a client sends the next in a new
  transaction, as it does for any "too many recipients";
- ``550 5.7.1`` for a recipient on the suppression list, with its reason;
- ``550 5.7.1`` for a sender whose domain is bound to no sending pool;
- ``FILTER <address transport>_<class>:`` otherwise: one address of the
  sender domain's pool, the same for a recipient on every message (a hash of
  the address chooses it, so a provider sees a steady source), and the
  provider class of the recipient's domain, which shapes the traffic;
- ``DUNNO`` for a recipient in a bounce domain (reports that come back:
  bounces and complaints, for the bounce pipe), for the null sender (the
  node's own reports) and for requests of other protocol stages; a report
  and a campaign recipient in one message get ``452 4.5.3`` as well;
- ``451 4.3.0`` when anything fails, the suppression list included: mail
  waits on the injector rather than going out unchecked.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import syslog
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import providers as _providers
from ._address import canonical, nearest
from .suppression import SuppressionList

__all__ = [
    "Config",
    "ConfigError",
    "MxCache",
    "Policy",
    "load_config",
    "main",
    "parse_requests",
    "read_config",
]

LOG_IDENT = "mailfleet-bulk/policy"
DUNNO = "DUNNO"
TEMPFAIL = "451 4.3.0 Policy service error; try again later"
ONE_RECIPIENT = (
    "452 4.5.3 One recipient per campaign message: send <{rcpt}> in a new transaction"
)
SUPPRESSED = (
    "550 5.7.1 <{rcpt}> is on the suppression list ({reason}); "
    "take it off the campaign list"
)
NO_POOL = "550 5.7.1 Sender domain {domain} is not bound to a sending pool on this node"
# Longest request line accepted; Postfix's attributes are far shorter.
_MAX_LINE = 64 * 1024


class ConfigError(ValueError):
    """A policy configuration that cannot be used; ``field`` says where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"policy configuration {self.field}: {self.args[0]}"


@dataclass(frozen=True)
class Config:
    """What the role writes to policy.json, checked."""

    pools: Mapping[str, tuple[str, ...]]
    domains: Mapping[str, str]
    bounce_domains: Mapping[str, str]
    providers: _providers.Providers
    classes: frozenset[str]
    suppression_db: str
    verp_secret_file: str
    mx_lookup: bool
    mx_timeout: float


def _require(data: Mapping, field: str, kind: type | tuple[type, ...]) -> object:
    if field not in data:
        raise ConfigError(field, "missing")
    value = data[field]
    # bool is an int; a timeout of true is a mistake, not one second.
    if isinstance(value, bool) and bool not in (
        kind if isinstance(kind, tuple) else (kind,)
    ):
        raise ConfigError(field, f"expected {_kind_name(kind)}; got bool")
    if not isinstance(value, kind):
        raise ConfigError(
            field, f"expected {_kind_name(kind)}; got {type(value).__name__}"
        )
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def load_config(data: object) -> Config:
    """Check the decoded policy.json and return it as a :class:`Config`."""
    if not isinstance(data, Mapping):
        raise ConfigError("top level", f"expected an object; got {type(data).__name__}")
    pools: dict[str, tuple[str, ...]] = {}
    for name, transports in _require(data, "pools", dict).items():
        if (
            not isinstance(transports, list)
            or not transports
            or not all(isinstance(t, str) and t for t in transports)
        ):
            raise ConfigError(
                f"pools.{name}", "expected a non-empty list of transport names"
            )
        pools[name] = tuple(transports)
    domains: dict[str, str] = {}
    for domain, pool in _require(data, "domains", dict).items():
        if pool not in pools:
            raise ConfigError(
                f"domains.{domain}", f"pool {pool!r} has no sending address"
            )
        domains[domain.rstrip(".").lower()] = pool
    bounce_domains = {
        str(name).rstrip(".").lower(): str(bounce).rstrip(".").lower()
        for name, bounce in _require(data, "bounce_domains", dict).items()
    }
    try:
        table = _providers.load_providers(_require(data, "providers", dict))
    except _providers.ProviderError as exc:
        raise ConfigError("providers", str(exc)) from None
    classes = _require(data, "classes", list)
    if _providers.DEFAULT not in classes:
        raise ConfigError("classes", f"must include {_providers.DEFAULT}")
    timeout = float(_require(data, "mx_timeout", (int, float)))
    if timeout <= 0:
        raise ConfigError("mx_timeout", f"expected seconds above 0; got {timeout}")
    return Config(
        pools=pools,
        domains=domains,
        bounce_domains=bounce_domains,
        providers=table,
        classes=frozenset(classes),
        suppression_db=str(_require(data, "suppression_db", str)),
        verp_secret_file=str(_require(data, "verp_secret_file", str)),
        mx_lookup=bool(_require(data, "mx_lookup", bool)),
        mx_timeout=timeout,
    )


def read_config(path: str | Path) -> Config:
    """Read and check a policy.json file."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ConfigError("file", f"{path} is not JSON: {exc}") from None
    return load_config(data)


class MxCache:
    """MX hosts of recipient domains, looked up once an hour per domain.

    A failed lookup (timeout, SERVFAIL) counts as no MX for a minute: the
    domain is classified by its name alone, and the next recipients of the
    domain do not wait for the same timeout again.
    """

    def __init__(
        self,
        lookup: Callable[[str], list[str]],
        *,
        ttl: float = 3600.0,
        failure_ttl: float = 60.0,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = lambda text: None,
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._max = max_entries
        self._clock = clock
        self._log = log
        self._entries: dict[str, tuple[float, list[str]]] = {}

    def __call__(self, domain: str) -> list[str]:
        now = self._clock()
        entry = self._entries.get(domain)
        if entry is not None and entry[0] > now:
            return entry[1]
        try:
            hosts, ttl = self._lookup(domain), self._ttl
        except Exception as exc:  # any resolver failure: class by name
            self._log(
                f"MX lookup of {domain} failed ({type(exc).__name__}); classed by name"
            )
            hosts, ttl = [], self._failure_ttl
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[domain] = (now + ttl, hosts)
        return hosts


def dns_lookup(timeout: float) -> Callable[[str], list[str]]:
    """An MX lookup through the node's resolver, giving up after ``timeout`` seconds."""
    if not _providers.HAVE_DNS:
        raise RuntimeError(
            "MX lookups need dnspython (Debian package python3-dnspython)"
        )
    resolver = _providers.dns.resolver.Resolver()
    resolver.lifetime = timeout
    return lambda domain: _providers.lookup_mx(domain, resolver)


class Policy:
    """The decisions of one policy process (one smtpd connection).

    ``suppressed(address)`` gives the reason an address is suppressed, or
    None; ``mx_hosts(domain)`` its MX hosts, most preferred first, or None
    to class domains by name alone.
    """

    def __init__(
        self,
        config: Config,
        suppressed: Callable[[str], str | None],
        mx_hosts: Callable[[str], list[str]] | None = None,
        log: Callable[[str], None] = lambda text: None,
    ) -> None:
        self._config = config
        self._suppressed = suppressed
        self._mx_hosts = mx_hosts
        self._log = log
        # The message (Postfix's instance attribute) and what its accepted
        # recipient is: None, "campaign" (routed) or "report" (to a bounce
        # domain); a new instance means the last message ended.
        self._instance: str | None = None
        self._kind: str | None = None
        self._bounce_names = frozenset(config.bounce_domains.values())

    def pool_of(self, domain: str) -> str | None:
        """The pool of a sender domain: its own binding, else its nearest parent's."""
        return nearest(self._config.domains, domain)

    def provider_class(self, domain: str) -> str:
        """The class that shapes mail to ``domain``; a class without shaping is ``default``."""
        hosts = self._mx_hosts(domain) if self._mx_hosts is not None else []
        name = _providers.classify(domain, hosts, providers=self._config.providers)
        return name if name in self._config.classes else _providers.DEFAULT

    def decide(self, request: Mapping[str, str]) -> str:
        """The action for one request; never raises."""
        try:
            return self._decide(request)
        except Exception as exc:  # any failure defers; none accepts
            self._log(
                f"error: {type(exc).__name__}: {exc}; "
                f"deferred recipient=<{request.get('recipient', '')}>"
            )
            return TEMPFAIL

    def _decide(self, request: Mapping[str, str]) -> str:
        if request.get("request") != "smtpd_access_policy":
            raise ValueError(f"unknown request {request.get('request')!r}")
        if request.get("protocol_state", "").upper() != "RCPT":
            return DUNNO
        instance = request.get("instance", "")
        if instance != self._instance:
            self._instance, self._kind = instance, None
        recipient = canonical(request.get("recipient", ""))
        if recipient.rpartition("@")[2] in self._bounce_names:
            return self._report(recipient)
        sender = request.get("sender", "")
        if not sender:
            return DUNNO
        if self._kind is not None:
            return ONE_RECIPIENT.format(rcpt=recipient)
        return self._campaign(sender, recipient)

    def _report(self, recipient: str) -> str:
        """A bounce or a complaint: the bounce pipe takes it, whoever sent it.

        Never together with a campaign recipient, whose FILTER would carry it
        off to the campaign's transport.
        """
        if self._kind == "campaign":
            return ONE_RECIPIENT.format(rcpt=recipient)
        self._kind = "report"
        return DUNNO

    def _campaign(self, sender: str, recipient: str) -> str:
        reason = self._suppressed(recipient)
        if reason is not None:
            self._log(f"refused recipient=<{recipient}> suppressed ({reason})")
            return SUPPRESSED.format(rcpt=recipient, reason=reason)
        sender_domain = canonical(sender).rpartition("@")[2]
        pool = self.pool_of(sender_domain)
        if pool is None:
            self._log(f"refused sender=<{sender}>: domain has no pool")
            return NO_POOL.format(domain=sender_domain)
        transports = self._config.pools[pool]
        digest = hashlib.sha256(recipient.encode("utf-8", "surrogateescape")).digest()
        address = transports[int.from_bytes(digest[:8], "big") % len(transports)]
        klass = self.provider_class(recipient.rpartition("@")[2])
        self._kind = "campaign"
        self._log(
            f"routed sender=<{sender}> recipient=<{recipient}> pool={pool} "
            f"transport={address}_{klass}"
        )
        return f"FILTER {address}_{klass}:"


def parse_requests(stream: BinaryIO):
    """Yield each request read from ``stream`` as a dict, until end of file.

    A line without ``=`` or longer than 64 KiB ends the stream with a
    ``ValueError``: the other end does not speak the protocol.
    """
    request: dict[str, str] = {}
    while True:
        line = stream.readline(_MAX_LINE + 1)
        if not line:
            return
        if len(line) > _MAX_LINE:
            raise ValueError("request line longer than 64 KiB")
        text = line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
        if not text:
            yield request
            request = {}
            continue
        name, equals, value = text.partition("=")
        if not equals:
            raise ValueError(f"request line without '=': {text[:80]!r}")
        request[name] = value


class _LazyList:
    """The suppression list, opened at the first recipient and kept open."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._list: SuppressionList | None = None

    def __call__(self, address: str) -> str | None:
        if self._list is None:
            # Never created here: a missing file is an error, not an empty list.
            self._list = SuppressionList(self._path, create=False, timeout=5.0)
        try:
            return self._list.is_suppressed(address)
        except sqlite3.Error:
            self._list.close()
            self._list = None
            raise


def serve(policy: Policy, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests from ``stdin`` on ``stdout`` until end of file."""
    for request in parse_requests(stdin):
        action = policy.decide(request).replace("\n", " ")
        stdout.write(f"action={action}\n\n".encode("utf-8", "surrogateescape"))
        stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Serve Postfix on standard input and output with the configuration named in ``argv``."""
    args = sys.argv[1:] if argv is None else argv
    syslog.openlog(LOG_IDENT, syslog.LOG_PID, syslog.LOG_MAIL)

    def log(text: str) -> None:
        syslog.syslog(syslog.LOG_INFO, text)

    if len(args) != 1:
        log("usage: python3 -m mailfleet_bulk.policy POLICY_JSON")
        return 64
    try:
        config = read_config(args[0])
    except (OSError, ConfigError) as exc:
        # Postfix applies smtpd_policy_service_default_action (4xx) meanwhile.
        log(f"error: cannot start: {exc}")
        return 78
    mx_hosts = None
    if config.mx_lookup:
        mx_hosts = MxCache(dns_lookup(config.mx_timeout), log=log)
    policy = Policy(config, _LazyList(config.suppression_db), mx_hosts, log)
    try:
        serve(policy, sys.stdin.buffer, sys.stdout.buffer)
    except (ValueError, BrokenPipeError) as exc:
        log(f"error: connection ended: {exc}")
        return 65
    return 0


if __name__ == "__main__":
    sys.exit(main())
