# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: dmarc_record
short_description: Write the DMARC policy record of a domain
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Returns the DMARC record of a domain (L(RFC 7489, https://www.rfc-editor.org/rfc/rfc7489) and its successor
    DMARCbis, RFC 9989), to publish at C(_dmarc.<domain>), as a value and not a zone line.
  - Tags come in a stable order, V(v) then V(p) first. A value out of range is refused with the tag's name.
  - The tags V(pct), V(rf) and V(ri), which DMARCbis removed, are written with a warning.
  - Report addresses are written as C(mailto:) URIs. For an address in another organisation the result also lists the
    authorisation record that the other domain must publish
    (L(RFC 7489, https://www.rfc-editor.org/rfc/rfc7489#section-7.1)); organisations are told apart with the Public
    Suffix List when the Python package C(publicsuffixlist) is installed, and by name otherwise.
options:
  _input:
    description:
      - The domain the policy is for.
    type: str
    required: true
  p:
    description: The policy for the domain.
    type: str
    required: true
    choices: [none, quarantine, reject]
  sp:
    description: The policy for subdomains.
    type: str
    choices: [none, quarantine, reject]
  np:
    description: The policy for subdomains that do not exist (DMARCbis).
    type: str
    choices: [none, quarantine, reject]
  adkim:
    description: DKIM alignment, relaxed or strict.
    type: str
    choices: [r, s]
  aspf:
    description: SPF alignment, relaxed or strict.
    type: str
    choices: [r, s]
  pct:
    description: Percentage of failing mail the policy applies to, 0 to 100. Removed by DMARCbis.
    type: int
  fo:
    description: Failure reporting options, a V(:)-separated list of V(0), V(1), V(d) and V(s).
    type: str
  rf:
    description: Failure report format; only V(afrf) exists. Removed by DMARCbis.
    type: str
  ri:
    description: Aggregate report interval in seconds. Removed by DMARCbis.
    type: int
  rua:
    description: Addresses for aggregate reports, plain or as C(mailto:) URIs.
    type: list
    elements: str
  ruf:
    description: Addresses for failure reports, plain or as C(mailto:) URIs.
    type: list
    elements: str
  psd:
    description: Whether the domain is a public suffix domain (DMARCbis).
    type: str
    choices: [y, n, u]
  t:
    description: Testing mode (DMARCbis), V(y) or V(n).
    type: str
    choices: [y, n]
seealso:
  - plugin: mailfleet.stack.spf_record
    plugin_type: filter
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Write a quarantine policy that sends reports to an outside service
  ansible.builtin.set_fact:
    __dmarc: >-
      {{ 'example.com' | mailfleet.stack.dmarc_record(p='quarantine', adkim='s',
           rua=['dmarc@example.com', 'example@reports.example.net']) }}

- name: Show the record the report service must publish
  ansible.builtin.debug:
    msg: "{{ __dmarc.authorizations | map(attribute='name') }}"
"""

RETURN = r"""
_value:
  description: The record.
  type: dict
  contains:
    name:
      description: Where the record goes, C(_dmarc.<domain>).
      type: str
    value:
      description: The record as one string.
      type: str
      sample: v=DMARC1; p=quarantine; adkim=s; rua=mailto:dmarc@example.com
    strings:
      description: The value in character-strings of at most 255 octets.
      type: list
      elements: str
    authorizations:
      description: The records, with C(name), C(type), C(value) and C(strings), that other domains must publish to
        accept reports.
      type: list
      elements: dict
    warnings:
      description: Advice about the tags, also shown as warnings.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.mailfleet.stack.plugins.plugin_utils._dns import (
    RecordError,
    build_dmarc,
)

display = Display()

FQCN = "mailfleet.stack.dmarc_record"


def dmarc_record(domain, **tags):
    """Return the DMARC record of a domain; see DOCUMENTATION."""
    if not isinstance(domain, str):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a domain name as a string; got {type(domain).__name__}"
        )
    try:
        record = build_dmarc(
            domain, {name: value for name, value in tags.items() if value is not None}
        )
    except RecordError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.domain} {exc.field}: {exc}") from None
    for warning in record.warnings:
        display.warning(f"{FQCN}: {domain}: {warning}")
    return {
        "name": record.name,
        "value": record.value,
        "strings": record.strings,
        "authorizations": record.authorizations,
        "warnings": record.warnings,
    }


class FilterModule:
    """The dmarc_record filter."""

    def filters(self):
        return {"dmarc_record": dmarc_record}
