# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: mail_dns_records
short_description: List every DNS record that the domains and nodes of a mail fleet need
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Returns the records of a fleet, built from an inventory-shaped description of its nodes and domains, as a list of
    dicts with C(name), C(type), C(ttl), C(value) and, for TXT records, C(strings), character-strings of at most 255
    octets.
  - For each domain, in this order, MX records pointing at the relay nodes (V(primary) relays at priority 10, V(backup)
    at 20), SPF listing only the addresses of the nodes that send the domain's streams, the DKIM key records, DMARC
    and any report authorisation record other domains must publish, the bounce domain's MX and SPF for a domain with
    bulk mail, MTA-STS (L(RFC 8461, https://www.rfc-editor.org/rfc/rfc8461))
    and TLS-RPT (L(RFC 8460, https://www.rfc-editor.org/rfc/rfc8460)) when asked for.
  - For each node, its A and AAAA records; an SPF record for its own name when it sends, since the HELO name is checked
    too (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-2.3)); a null MX
    (L(RFC 7505, https://www.rfc-editor.org/rfc/rfc7505)) and C(v=spf1 -all) when it never sends; and a PTR record for
    each address of a sending node.
  - Names that never send mail (parked domains, and domains with neither streams nor MX) get a null MX, C(v=spf1 -all)
    and a rejecting DMARC policy.
  - Names carry no trailing dot. MX values read C(<priority> <host>), with the priority also in C(priority); CNAME and
    PTR values are host names.
  - Any fault in the input stops with a message naming the domain or node and the field, before anything is published.
options:
  _input:
    description:
      - The fleet, a dict with the keys below.
      - C(nodes), a list of dicts, one per machine. C(fqdn) (required) is its host name and HELO name. C(roles) lists
        its roles among V(relay), V(transactional), V(bulk), V(imap), V(filter) and V(common). C(ipv4) and C(ipv6) list
        its addresses. C(relay_mx), for relays, is V(primary) (the default) or V(backup); C(mx_priority) overrides the
        priority. C(provider) names the hosting provider, for the PTR to-do list. C(domains), when given, limits the
        domains the node sends or receives for. C(name) is used in messages.
      - C(domains), a list of dicts, one per domain of the fleet. C(name) (required). C(streams) lists the mail the
        domain sends, among V(transactional) (sent by transactional nodes), V(bulk) (bulk nodes) and V(submission)
        (people's mail through relay nodes); default none. C(mx) is false for a domain that receives no mail; default
        true. C(dkim) lists key records, as returned by the P(mailfleet.stack.dkim_key#lookup) lookup or as dicts with
        C(selector) and C(value). C(dmarc) holds DMARC tags as for P(mailfleet.stack.dmarc_record#filter); default V(p=none).
        C(spf) holds O(mailfleet.stack.spf_record#filter:includes), O(mailfleet.stack.spf_record#filter:mechanisms),
        O(mailfleet.stack.spf_record#filter:policy), O(mailfleet.stack.spf_record#filter:existing) and
        O(mailfleet.stack.spf_record#filter:known_records). C(bounce_domain), for a domain with the V(bulk) stream, is
        the domain of its campaigns' return path, where bounces and complaints come back; default C(bounces.<name>),
        V(false) for none. It must be a subdomain of the domain, so that SPF aligns for DMARC, and gets MX records at
        the bulk nodes that serve the domain (priority 10) and an SPF record of their addresses ending in C(-all).
        C(mta_sts) holds C(mode), C(max_age), C(id) (derived from
        the policy when left out) and C(policy_host), the target of the C(mta-sts.<domain>) CNAME. C(tls_rpt) holds
        C(rua), report addresses. C(ttl) overrides the fleet's TTL.
      - C(parked), a list of domains that never send or receive mail.
      - C(ttl), the TTL of every record; default V(3600).
    type: dict
    required: true
  output:
    description:
      - V(records) returns the list of records.
      - V(ptr_todo) returns the PTR records grouped by hosting provider, a dict from provider name to a list of dicts with C(ip) and C(name). Reverse zones
        belong to whoever holds the address block and are usually set in the provider's panel, so these cannot be
        pushed like the others.
    type: str
    default: records
    choices: [records, ptr_todo]
notes:
  - The records span several zones (the domains, the nodes' zone, reverse zones). P(mailfleet.stack.zone_file#filter) and
    P(mailfleet.stack.dns_table#filter) keep those of one zone.
seealso:
  - plugin: mailfleet.stack.dkim_key
    plugin_type: lookup
  - plugin: mailfleet.stack.zone_file
    plugin_type: filter
  - plugin: mailfleet.stack.dns_table
    plugin_type: filter
  - module: mailfleet.stack.dns_check
"""

EXAMPLES = r"""
---
- name: Make or reuse the DKIM keys of the sending domains
  ansible.builtin.set_fact:
    __dkim: "{{ lookup('mailfleet.stack.dkim_key', 'example.com', selector='s2026', wantlist=true) }}"
  no_log: true

- name: Build the fleet's records
  ansible.builtin.set_fact:
    __records: >-
      {{ {'nodes': [
            {'fqdn': 'mx1.mail.example.net', 'roles': ['relay'], 'ipv4': ['198.51.100.1'], 'provider': 'hoster-a'},
            {'fqdn': 'tx1.mail.example.net', 'roles': ['transactional'], 'ipv4': ['198.51.100.10']},
            {'fqdn': 'bulk1.mail.example.net', 'roles': ['bulk'], 'ipv4': ['198.51.100.20']}],
          'domains': [
            {'name': 'example.com', 'streams': ['transactional', 'submission'],
             'dkim': __dkim, 'dmarc': {'p': 'quarantine', 'rua': ['dmarc@example.com']}},
            {'name': 'news.example.com', 'streams': ['bulk'], 'mx': true}],
          'parked': ['example.org']}
         | mailfleet.stack.mail_dns_records }}

- name: Show the PTR records to set at each hosting provider
  ansible.builtin.debug:
    msg: "{{ __fleet | mailfleet.stack.mail_dns_records(output='ptr_todo') }}"
"""

RETURN = r"""
_value:
  description:
    - With O(output=records), one dict per record, with C(name), C(type), C(ttl) and C(value); C(strings) for TXT,
      C(priority) for MX and C(provider) for PTR.
    - With O(output=ptr_todo), a dict from provider to a list of dicts with C(ip) and C(name).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._dns import (
    RecordError,
    fleet_records,
    ptr_todo,
)

FQCN = "mailfleet.stack.mail_dns_records"


def mail_dns_records(fleet, output="records"):
    """Return every record of a fleet; see DOCUMENTATION."""
    if not isinstance(fleet, dict):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a dict with nodes and domains; got {type(fleet).__name__}"
        )
    if output not in ("records", "ptr_todo"):
        raise AnsibleFilterError(
            f"{FQCN}: output must be records or ptr_todo; got {output!r}"
        )
    try:
        records = fleet_records(fleet)
    except RecordError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.domain} {exc.field}: {exc}") from None
    if output == "ptr_todo":
        return ptr_todo(records)
    return records


class FilterModule:
    """The mail_dns_records filter."""

    def filters(self):
        return {"mail_dns_records": mail_dns_records}
