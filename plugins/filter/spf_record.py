# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: spf_record
short_description: Write the SPF record of a sending domain
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Returns the SPF record (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208)) that authorises the given sending
    addresses for a domain, as a value and not a zone line.
  - Terms come in a stable order, each once. When TXT records already at the name are given in O(existing), their SPF
    records are merged into the one returned, since a name with two SPF records fails evaluation
    (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-3.2)); records that are not SPF are left alone.
  - The DNS-querying terms are counted, through the includes given in O(known_records), and a record needing more than
    10 lookups is refused (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4)), naming the include chain
    that costs the most.
  - V(+all), the V(ptr) mechanism, a malformed address and a value over 450 octets
    (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-3.4)) are refused.
  - A value over 255 octets is also returned split into character-strings of at most 255 octets.
options:
  _input:
    description:
      - The addresses that send for the domain, IPv4 or IPv6, single or as networks without host bits.
    type: list
    elements: str
    required: true
  domain:
    description:
      - The domain the record is published at. Named in errors.
    type: str
    required: true
  includes:
    description:
      - Domains whose SPF record is included, for example a third-party sender's.
    type: list
    elements: str
    default: []
  mechanisms:
    description:
      - Further mechanisms to add as written, such as V(mx) or V(a:mail.example.com).
    type: list
    elements: str
    default: []
  policy:
    description:
      - The closing C(all) term.
    type: str
    default: ~all
    choices: [-all, ~all, ?all]
  existing:
    description:
      - The TXT values already published at the name, each a string or a list of strings. Their SPF records are merged
        and listed in RV(_value.replaces), to be removed when the new record is published.
    type: list
    elements: raw
    default: []
  known_records:
    description:
      - TXT values of included names, keyed by name, so that the lookup count follows includes. An include not listed
        here counts one lookup, with a warning; M(mailfleet.stack.dns_check) follows every include in live DNS.
    type: dict
    default: {}
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.dmarc_record
    plugin_type: filter
  - module: mailfleet.stack.dns_check
"""

EXAMPLES = r"""
---
- name: Write the SPF record of a domain sent from two addresses
  ansible.builtin.set_fact:
    __spf: >-
      {{ ['198.51.100.20', '2001:db8:20::/64']
         | mailfleet.stack.spf_record(domain='news.example.com', policy='-all') }}

- name: Merge into the SPF record that a domain already has
  ansible.builtin.set_fact:
    __spf: >-
      {{ ['198.51.100.20']
         | mailfleet.stack.spf_record(domain='example.com',
             existing=['v=spf1 mx ~all', 'google-site-verification=abc']) }}
"""

RETURN = r"""
_value:
  description: The record.
  type: dict
  contains:
    value:
      description: The record as one string.
      type: str
      sample: v=spf1 ip4:198.51.100.20 ip6:2001:db8:20::/64 -all
    strings:
      description: The value in character-strings of at most 255 octets.
      type: list
      elements: str
    lookups:
      description: The DNS lookups an evaluation needs, as far as known.
      type: int
    replaces:
      description: The existing SPF records that this one merges and replaces.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.mailfleet.stack.plugins.plugin_utils._dns import (
    RecordError,
    build_spf,
)

display = Display()

FQCN = "mailfleet.stack.spf_record"


def spf_record(
    ips,
    domain,
    *,
    includes=None,
    mechanisms=None,
    policy="~all",
    existing=None,
    known_records=None,
):
    """Return the SPF record of a domain; see DOCUMENTATION."""
    if isinstance(ips, str) or not isinstance(ips, list | tuple):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a list of addresses; got {type(ips).__name__}"
        )
    if not isinstance(domain, str):
        raise AnsibleFilterError(
            f"{FQCN}: domain must be a string; got {type(domain).__name__}"
        )
    if known_records is not None and not isinstance(known_records, dict):
        raise AnsibleFilterError(
            f"{FQCN}: {domain} known_records must be a dict; got {type(known_records).__name__}"
        )
    try:
        record = build_spf(
            domain,
            ips=list(ips),
            includes=includes,
            mechanisms=mechanisms,
            policy=policy,
            existing=existing,
            known_records=known_records,
        )
    except RecordError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.domain} {exc.field}: {exc}") from None
    for warning in record.warnings:
        display.warning(f"{FQCN}: {domain}: {warning}")
    return {
        "value": record.value,
        "strings": record.strings,
        "lookups": record.lookups,
        "replaces": record.replaces,
    }


class FilterModule:
    """The spf_record filter."""

    def filters(self):
        return {"spf_record": spf_record}
