# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: dns_rrsets
short_description: Group DNS records into RRsets for RFC 2136 updates
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Groups records by owner name and type, since a dynamic update replaces a whole RRset
    (L(RFC 2136, https://www.rfc-editor.org/rfc/rfc2136#section-2.5)); publishing two MX
    records one at a time would leave only the second.
  - Owner names and MX, CNAME, NS and PTR targets come out absolute, with one trailing dot,
    so that no update can append the zone's origin a second time.
  - TXT values come out as quoted character-strings of at most 255 octets, the form that
    C(community.general.nsupdate) passes to dnspython as one record.
options:
  _input:
    description:
      - The records, dicts with C(name), C(type), C(value), and optionally C(ttl) and, for TXT,
        C(strings), as made by P(mailfleet.stack.mail_dns_records#filter).
    type: list
    elements: dict
    required: true
  ttl:
    description: The TTL of records that have none.
    type: int
    default: 3600
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.zone_file
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Publish the fleet's records with signed dynamic updates
  community.general.nsupdate:
    server: 192.0.2.53
    key_name: fleet-update
    key_secret: "{{ vault_tsig_secret }}"
    key_algorithm: hmac-sha256
    record: "{{ item.name }}"
    type: "{{ item.type }}"
    ttl: "{{ item.ttl }}"
    value: "{{ item['values'] }}"
  loop: "{{ __records | mailfleet.stack.dns_rrsets }}"
"""

RETURN = r"""
_value:
  description:
    - One dict per RRset, with C(name) (absolute), C(type), C(ttl) and C(values), the record
      data in master-file form.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._zone import (
    ZoneError,
    rrsets,
)

FQCN = "mailfleet.stack.dns_rrsets"


def dns_rrsets(records, *, ttl=3600):
    """Group records into RRsets; see DOCUMENTATION."""
    if not isinstance(records, list):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a list of records; got {type(records).__name__}"
        )
    try:
        return rrsets(records, default_ttl=ttl)
    except ZoneError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.name} {exc.field}: {exc}") from None


class FilterModule:
    """The dns_rrsets filter."""

    def filters(self):
        return {"dns_rrsets": dns_rrsets}
