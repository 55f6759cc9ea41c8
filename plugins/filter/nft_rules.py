# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nft_rules
short_description: Render firewall rules as nftables statements for the node firewall
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Checks a list of rules and renders each as C(add rule inet mailfleet input ...) statements, one per address
    family, for the table that the C(mailfleet.stack.common) role loads.
  - A rule opens ports to anyone only when its O(_input.sources) is V(any); an empty list opens them to no one, so
    that an empty allow-list of a role never becomes an open port.
  - Bad input fails with the rule set's name, the rule's number and the field.
options:
  _input:
    description: The rules.
    type: list
    elements: dict
    required: true
    suboptions:
      port:
        description: A port, a range such as V(1000-2000), or a list of them.
        type: raw
        required: true
      proto:
        description: The transport protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
      sources:
        description:
          - V(any), or a list of IPv4 and IPv6 addresses and networks (without host bits) that may connect.
        type: raw
        required: true
      comment:
        description: Why the port is open, kept in the ruleset; at most 128 plain characters.
        type: str
  owner:
    description: Name of the rule set, written above the statements and used in errors.
    type: str
    required: true
seealso:
  - plugin: mailfleet.stack.ptr_record
    plugin_type: filter
"""

EXAMPLES = r"""
---
- name: Show the statements that open LMTP to two relays
  ansible.builtin.debug:
    msg: >-
      {{ [{'port': 24, 'sources': ['198.51.100.11', '2001:db8::11'], 'comment': 'LMTP from the relays'}]
         | mailfleet.stack.nft_rules('imap') }}
"""

RETURN = r"""
_value:
  description: The statements, one per line, after a comment line that names the rule set.
  type: str
  sample: |
    # imap
    add rule inet mailfleet input ip saddr { 198.51.100.11 } tcp dport { 24 } accept comment "LMTP from the relays"
    add rule inet mailfleet input ip6 saddr { 2001:db8::11 } tcp dport { 24 } accept comment "LMTP from the relays"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._firewall import (
    FirewallError,
    parse_rules,
    render_rules,
)

FQCN = "mailfleet.stack.nft_rules"


def nft_rules(rules, owner):
    """Render firewall rules; see DOCUMENTATION."""
    if not isinstance(owner, str) or not owner:
        raise AnsibleFilterError(f"{FQCN}: the rule set needs a name")
    try:
        return render_rules(parse_rules(rules, owner), owner)
    except FirewallError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc}") from None


class FilterModule:
    """The nft_rules filter."""

    def filters(self):
        return {"nft_rules": nft_rules}
