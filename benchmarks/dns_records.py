# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
# ruff: noqa: E402 - the checkout is put on sys.path before the collection is imported
"""How long the DNS records of many domains take to build, and to check.

Prints figures; it is not a timed test. Run from the checkout:

    python benchmarks/dns_records.py --domains 1000

Build: the DKIM keys are made once into a key store (kept between runs, not
timed), then each timed round reads every key through the
``mailfleet.stack.dkim_key`` lookup, builds every record with
``mail_dns_records`` and renders the zone with ``zone_file``. Its baseline,
measured in the same run, is the least that any tool must do: read each key
file and load it with ``cryptography``.

Check: Knot DNS serves the zone on 127.0.0.1 (Debian package ``knot``), and
the DNS check compares every record. Its baseline is the same questions asked
with plain dnspython, without comparing anything.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dns.message
import dns.query
from cryptography.hazmat.primitives import serialization

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from knot_server import KnotServer

from ansible.plugins.loader import filter_loader, init_plugin_loader, lookup_loader

init_plugin_loader([str(ROOT / ".collections")])

from ansible_collections.mailfleet.stack.plugins.module_utils._check import (
    check_records,
)
from ansible_collections.mailfleet.stack.plugins.modules.dns_check import make_resolve

ZONE = "bench.example"
SELECTOR = "bench"


def domains(count: int) -> list[str]:
    return [f"d{index:05d}.{ZONE}" for index in range(count)]


def _make_keys(key_dir: str, names: list[str], key_type: str) -> int:
    lookup = lookup_loader.get("mailfleet.stack.dkim_key")
    made = lookup.run(
        names,
        variables={"mailfleet_dkim_key_dir": key_dir},
        selector=SELECTOR,
        key_type=key_type,
    )
    return sum(1 for result in made if result["created"])


def ensure_keys(
    key_dir: str, names: list[str], key_type: str, workers: int
) -> tuple[int, float]:
    """Fill the key store; untimed setup, kept between runs."""
    Path(key_dir).parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    chunks = [names[index::workers] for index in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        made = sum(
            pool.map(_make_keys, [key_dir] * workers, chunks, [key_type] * workers)
        )
    return made, time.perf_counter() - start


def fleet(keys: list[dict]) -> dict:
    nodes = [
        {
            "fqdn": f"mx1.{ZONE}",
            "roles": ["relay"],
            "ipv4": ["192.0.2.1"],
            "provider": "a",
        },
        {
            "fqdn": f"mx2.{ZONE}",
            "roles": ["relay"],
            "relay_mx": "backup",
            "ipv4": ["192.0.2.2"],
            "provider": "b",
        },
        {
            "fqdn": f"tx1.{ZONE}",
            "roles": ["transactional"],
            "ipv4": ["192.0.2.10"],
            "provider": "a",
        },
        {
            "fqdn": f"bulk1.{ZONE}",
            "roles": ["bulk"],
            "ipv4": ["192.0.2.20", "192.0.2.21"],
            "provider": "b",
        },
    ]
    items = [
        {
            "name": key["domain"],
            "streams": ["transactional", "bulk"],
            "dkim": [key],
            "dmarc": {"p": "quarantine", "rua": [f"dmarc@{ZONE}"]},
            "tls_rpt": {"rua": [f"tlsrpt@{ZONE}"]},
        }
        for key in keys
    ]
    return {"ttl": 300, "nodes": nodes, "domains": items}


def build(key_dir: str, names: list[str]) -> tuple[list[dict], str, str]:
    lookup = lookup_loader.get("mailfleet.stack.dkim_key")
    keys = lookup.run(
        names, variables={"mailfleet_dkim_key_dir": key_dir}, selector=SELECTOR
    )
    records = filter_loader.get("mailfleet.stack.mail_dns_records").j2_function(
        fleet(keys)
    )
    zone_file = filter_loader.get("mailfleet.stack.zone_file").j2_function
    zone = zone_file(records, ZONE, ns=[f"ns.{ZONE}"])
    reverse = zone_file(records, "2.0.192.in-addr.arpa", ns=[f"ns.{ZONE}"])
    return records, zone, reverse


def build_baseline(key_dir: str, names: list[str]) -> None:
    for name in names:
        pem = (Path(key_dir) / name / f"{SELECTOR}.pem").read_bytes()
        key = serialization.load_pem_private_key(
            pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def check_baseline(records: list[dict], port: int) -> None:
    for name, rtype in dict.fromkeys(
        (record["name"], record["type"]) for record in records
    ):
        dns.query.udp(
            dns.message.make_query(name, rtype), "127.0.0.1", port=port, timeout=2
        )


def timed(function, rounds: int) -> float:
    """The median wall time of ``rounds`` calls, in seconds."""
    times = []
    for _round in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--key-type", choices=["rsa", "ed25519"], default="rsa")
    parser.add_argument(
        "--key-dir", default=str(Path(tempfile.gettempdir()) / "mailfleet-bench-keys")
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    names = domains(args.domains)
    key_dir = str(Path(args.key_dir) / args.key_type)

    made, setup = ensure_keys(key_dir, names, args.key_type, args.workers)
    print(
        f"key store {key_dir}: {made} keys made in {setup:.1f} s (setup, not timed), {args.domains - made} reused"
    )

    records, zone, reverse = build(key_dir, names)
    ours = timed(lambda: build(key_dir, names), args.rounds)
    base = timed(lambda: build_baseline(key_dir, names), args.rounds)
    print(
        f"build: {len(records)} records for {args.domains} domains ({args.key_type} keys in the store)"
    )
    print(
        f"  lookup + mail_dns_records + zone_file  {ours * 1000:9.1f} ms  ({ours / args.domains * 1e6:7.1f} us per domain)"
    )
    print(f"  baseline: read and load each key       {base * 1000:9.1f} ms")
    print(f"  ratio                                  {ours / base:9.2f} x")

    with (
        tempfile.TemporaryDirectory() as workdir,
        KnotServer(
            Path(workdir), {ZONE: zone, "2.0.192.in-addr.arpa": reverse}
        ) as server,
    ):
        resolve = make_resolve(["127.0.0.1"], server.port, 2.0)
        results = check_records(records, resolve)
        problems = sum(len(result.problems) for result in results)
        ours = timed(
            lambda: check_records(
                records, make_resolve(["127.0.0.1"], server.port, 2.0)
            ),
            args.rounds,
        )
        base = timed(lambda: check_baseline(records, server.port), args.rounds)
    print(
        f"check: {len(results)} verdicts against Knot on 127.0.0.1, {problems} problems"
    )
    print(
        f"  dns_check (compare, SPF walk, FCrDNS) {ours * 1000:9.1f} ms  ({ours / args.domains * 1e6:7.1f} us per domain)"
    )
    print(f"  baseline: plain dnspython queries      {base * 1000:9.1f} ms")
    print(f"  ratio                                  {ours / base:9.2f} x")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
