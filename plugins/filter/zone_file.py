# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: zone_file
short_description: Render DNS records as a BIND zone file
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Renders records, as made by P(mailfleet.stack.mail_dns_records#filter), as a master file
    (L(RFC 1035, https://www.rfc-editor.org/rfc/rfc1035#section-5)) for the zone O(origin), which C(named-checkzone) and
    C(kzonecheck) accept.
  - Every owner and target name is written absolute, with exactly one trailing dot, whether or not the input had one.
  - TXT values are written as quoted character-strings of at most 255 octets, with C(") and C(\) escaped.
  - Records outside O(origin) are left out, since a fleet's records span several zones.
options:
  _input:
    description:
      - The records, dicts with C(name), C(type), C(value), and optionally C(ttl) and, for TXT, C(strings).
    type: list
    elements: dict
    required: true
  origin:
    description: The zone's apex.
    type: str
    required: true
  ns:
    description: The zone's name servers; the first is the SOA's primary unless O(soa) says otherwise.
    type: list
    elements: str
    default: []
  soa:
    description:
      - SOA fields C(mname), C(rname) (a mail address or a name), C(serial), C(refresh), C(retry), C(expire) and
        C(minimum). Serial defaults to V(1); raise it for every change a secondary must see.
    type: dict
    default: {}
  ttl:
    description: The zone's default TTL, used for records that have none.
    type: int
    default: 3600
  fragment:
    description: Leave out C($ORIGIN), C($TTL), SOA and NS, for a file included into a zone kept elsewhere.
    type: bool
    default: false
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.dns_table
    plugin_type: filter
  - plugin: mailfleet.stack.dkim_key
    plugin_type: lookup
"""

EXAMPLES = r"""
---
- name: Write the zone file of example.com
  ansible.builtin.copy:
    dest: /etc/bind/zones/db.example.com
    content: >-
      {{ __records | mailfleet.stack.zone_file(origin='example.com', ns=['ns1.example.net', 'ns2.example.net'],
           soa={'rname': 'hostmaster@example.com', 'serial': 2026010101}) }}
    owner: root
    group: bind
    mode: '0644'
    validate: named-checkzone example.com %s
"""

RETURN = r"""
_value:
  description: The zone file's text.
  type: str
  sample: |
    mail._domainkey.example.com. 3600 IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqh...ZbXq" "ZZ1y0...IDAQAB"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._zone import (
    ZoneError,
    render_zone,
)

FQCN = "mailfleet.stack.zone_file"


def zone_file(records, origin, *, ns=None, soa=None, ttl=3600, fragment=False):
    """Render records as a zone file; see DOCUMENTATION."""
    if not isinstance(records, list):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a list of records; got {type(records).__name__}"
        )
    if not isinstance(origin, str):
        raise AnsibleFilterError(
            f"{FQCN}: origin must be a string; got {type(origin).__name__}"
        )
    if soa is not None and not isinstance(soa, dict):
        raise AnsibleFilterError(
            f"{FQCN}: {origin} soa must be a dict; got {type(soa).__name__}"
        )
    try:
        return render_zone(
            records,
            origin=origin,
            ns=list(ns or []),
            soa=soa,
            ttl=ttl,
            fragment=bool(fragment),
        )
    except ZoneError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.name} {exc.field}: {exc}") from None


class FilterModule:
    """The zone_file filter."""

    def filters(self):
        return {"zone_file": zone_file}
