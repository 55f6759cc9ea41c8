# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: dns_table
short_description: Render DNS records as a table to paste into a DNS provider's form
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Renders records, as made by P(mailfleet.stack.mail_dns_records#filter), one row per record with the columns C(name),
    C(host), C(type), C(ttl), C(priority) and C(value).
  - The value is what a provider's web form or API wants, with no zone-file quoting. A TXT value is one unquoted
    string, however long, since providers split it themselves; an MX row holds the host in C(value) and the priority
    in C(priority). Names carry no trailing dot.
options:
  _input:
    description:
      - The records, dicts with C(name), C(type), C(value), and optionally C(ttl) and, for TXT, C(strings).
    type: list
    elements: dict
    required: true
  format:
    description:
      - V(csv) gives CSV text with a header line, V(json) gives JSON text.
      - V(list) gives the rows as a list of dicts, each TXT row also with C(strings), the value in character-strings
        of at most 255 octets, for APIs and modules that take a list of strings.
    type: str
    default: csv
    choices: [csv, json, list]
  zone:
    description:
      - When set, only records in this zone are kept, and C(host) is the name relative to it, V(@) for the apex, as
        most providers' forms want. Otherwise C(host) is the full name.
    type: str
  ttl:
    description: The TTL of records that have none.
    type: int
    default: 3600
seealso:
  - plugin: mailfleet.stack.zone_file
    plugin_type: filter
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Write the records of example.com for the DNS provider's panel
  ansible.builtin.copy:
    dest: "{{ inventory_dir }}/dns/example.com.csv"
    content: "{{ __records | mailfleet.stack.dns_table(zone='example.com') }}"
    mode: '0644'
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The table, as text for V(csv) and V(json), as a list of dicts for V(list).
  type: raw
"""

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._zone import (
    ZoneError,
    render_csv,
    table_rows,
)

FQCN = "mailfleet.stack.dns_table"


def dns_table(records, format="csv", zone=None, ttl=3600):
    """Render records as a provider table; see DOCUMENTATION."""
    if not isinstance(records, list):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a list of records; got {type(records).__name__}"
        )
    if format not in ("csv", "json", "list"):
        raise AnsibleFilterError(
            f"{FQCN}: format must be csv, json or list; got {format!r}"
        )
    try:
        rows = table_rows(records, zone=zone, ttl=ttl, with_strings=format == "list")
    except ZoneError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc.name} {exc.field}: {exc}") from None
    if format == "csv":
        return render_csv(rows)
    if format == "json":
        return json.dumps(rows, indent=2)
    return rows


class FilterModule:
    """The dns_table filter."""

    def filters(self):
        return {"dns_table": dns_table}
