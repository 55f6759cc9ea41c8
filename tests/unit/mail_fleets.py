# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inventory-shaped fleets for the tests and benchmarks of the DNS plugins."""

from __future__ import annotations


def fleet_for(domain: str, prefix: str, *, main_key: dict, news_key: dict) -> dict:
    """An inventory-shaped fleet for one domain, its nodes named under it.

    ``prefix`` is the first three octets of the nodes' IPv4 addresses, e.g. ``192.0.2``.
    """
    tag = prefix.rsplit(".", maxsplit=1)[-1]
    return {
        "ttl": 300,
        "nodes": [
            {
                "name": "relay1",
                "fqdn": f"mx1.{domain}",
                "roles": ["relay", "common"],
                "ipv4": [f"{prefix}.1"],
                "ipv6": [f"2001:db8:{tag}::1"],
                "provider": "hoster-a",
            },
            {
                "name": "relay2",
                "fqdn": f"mx2.{domain}",
                "roles": ["relay"],
                "relay_mx": "backup",
                "ipv4": f"{prefix}.2",
                "provider": "hoster-b",
            },
            {
                "name": "tx1",
                "fqdn": f"tx1.{domain}",
                "roles": ["transactional"],
                "ipv4": [f"{prefix}.10"],
                "provider": "hoster-a",
            },
            {
                "name": "bulk1",
                "fqdn": f"bulk1.{domain}",
                "roles": ["bulk"],
                "ipv4": [f"{prefix}.20", f"{prefix}.21"],
                "provider": "hoster-b",
            },
            {
                "name": "imap1",
                "fqdn": f"imap1.{domain}",
                "roles": ["imap", "filter"],
                "ipv4": [f"{prefix}.30"],
                "provider": "hoster-a",
            },
        ],
        "domains": [
            {
                "name": domain,
                "streams": ["transactional", "submission"],
                "dkim": [
                    {"selector": main_key["selector"], "value": main_key["value"]}
                ],
                "dmarc": {"p": "quarantine", "adkim": "r", "rua": [f"dmarc@{domain}"]},
                "mta_sts": {"mode": "enforce", "policy_host": f"mx1.{domain}"},
                "tls_rpt": {"rua": [f"tlsrpt@{domain}"]},
            },
            {
                "name": f"news.{domain}",
                "streams": ["bulk"],
                "dkim": [
                    {"selector": news_key["selector"], "value": news_key["value"]}
                ],
                "dmarc": {"p": "reject", "adkim": "s", "aspf": "s"},
            },
        ],
        "parked": [f"parked.{domain}"],
    }
