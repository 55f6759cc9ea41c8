# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Knot DNS authoritative server on 127.0.0.1 for tests and benchmarks.

The server is Debian's ``knot`` package (see tests/host-packages.txt). It is
started in the foreground with its own configuration in a scratch directory,
listens on a free high port on loopback only, and is stopped by its own PID.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode

KNOTD = "/usr/sbin/knotd"

CONFIG = """\
server:
    rundir: "{run}"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{run}/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{zones}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
{zone_list}
"""


def free_port() -> int:
    """Return a port that is free on 127.0.0.1 for both UDP and TCP."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            if port > 1024:
                return port
    raise RuntimeError("no free port on 127.0.0.1")


class KnotServer:
    """Serve the given zones (origin without the final dot -> zone file text)."""

    def __init__(self, workdir: Path, zones: dict[str, str]) -> None:
        if shutil.which(KNOTD) is None:
            raise RuntimeError(
                f"{KNOTD} is missing: install the Debian package knot (listed in tests/host-packages.txt)"
            )
        self.workdir = workdir
        self.zones = zones
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> KnotServer:
        run = self.workdir / "run"
        zones = self.workdir / "zones"
        run.mkdir(parents=True, exist_ok=True)
        zones.mkdir(parents=True, exist_ok=True)
        for origin, text in self.zones.items():
            (zones / f"{origin}.zone").write_text(text)
        zone_list = "\n".join(f"  - domain: {origin}" for origin in self.zones)
        config = self.workdir / "knot.conf"
        config.write_text(
            CONFIG.format(run=run, zones=zones, port=self.port, zone_list=zone_list)
        )
        self.log = (self.workdir / "knotd.log").open("w")
        self.process = subprocess.Popen(
            [KNOTD, "-c", str(config), "-s", str(run / "knot.sock")],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        pending = set(self.zones)
        while pending and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"knotd exited with {self.process.returncode}: {(self.workdir / 'knotd.log').read_text()}"
                )
            for origin in list(pending):
                if self._answers(origin):
                    pending.discard(origin)
            if pending:
                time.sleep(0.05)
        if pending:
            self.stop()
            raise RuntimeError(
                f"knotd did not load {sorted(pending)}: {(self.workdir / 'knotd.log').read_text()}"
            )
        return self

    def _answers(self, origin: str) -> bool:
        query = dns.message.make_query(f"{origin}.", "SOA")
        try:
            response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
        except (dns.exception.Timeout, OSError):
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def stop(self) -> None:
        """Stop the server this object started, by its PID."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self) -> KnotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
