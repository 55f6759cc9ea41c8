# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_problems
short_description: List every problem of a mail fleet's inventory before any host is touched
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - "Checks a model of the fleet's inventory and returns one line per problem, C(<where>: <field>: <what is wrong>),
    where C(<where>) is the domain or the node at fault, or V(fleet) for a fleet-wide setting. Every problem is
    listed, not only the first."
  - Domains must be valid names (no wildcard such as V(*), no mail address, at least two labels), listed once, with
    streams among V(transactional), V(bulk) and V(submission), each sent by at least one node; their SPF, built from
    the addresses of those nodes and the domain's C(spf) options, must stay within 10 DNS lookups
    (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4)); their C(dmarc), when given, must be valid.
  - Nodes must have a fully qualified name and an IPv4 address of their own, and no node may be in both groups
    C(transactional) and C(bulk), which never share an IP or a queue. Relays are V(primary) or V(backup), and one is
    V(primary).
  - The DKIM selector must be a selector of L(RFC 6376, https://www.rfc-editor.org/rfc/rfc6376#section-3.1) and the
    DMARC tags valid (policy among V(none), V(quarantine), V(reject), numbers in range).
  - Relays need a node in group C(imap) and one in group C(filter) to hand inbound mail to.
  - Each mailbox of a domain's C(mailboxes) needs a password in C(mailfleet_mailbox_passwords), and each password
    a mailbox; each application login of C(mailfleet_transactional_apps) needs a password and sender domains that
    send transactional mail; the filter node needs C(mailfleet_filter_controller_password) and
    C(mailfleet_filter_redis_password).
  - Secrets are tested for presence and non-emptiness only; no returned line holds a secret's value.
  - When nothing else is wrong, the records are built as P(mailfleet.stack.mail_dns_records#filter) builds them
    (without DKIM keys), and a fault it finds is returned as a problem too.
options:
  _input:
    description:
      - The model, a dict.
      - C(domains) is C(mailfleet_domains) as in the inventory, C(dkim_selector) is C(mailfleet_dkim_selector), C(dmarc)
        is C(mailfleet_dmarc).
      - C(nodes) lists one dict per host of group C(fleet), with C(name) (the inventory name), C(groups) (its
        C(group_names)), C(ipv4) (its C(mailfleet_ipv4)) and, optionally, C(relay_mx).
      - C(secrets) holds C(mailbox_passwords), C(transactional_apps), C(filter_controller_password) and
        C(filter_redis_password), from the C(mailfleet_*) variables of the same names.
      - A value of V(null) means that the inventory does not set it. Inside C(secrets), a value that is undefined
        when read (such as a vault variable that is missing) counts as not set.
    type: dict
    required: true
notes:
  - The task that calls this filter carries secrets; give it C(no_log=true) and report the returned lines in a
    task of their own.
  - With ansible-core before 2.19 an undefined variable nested inside a secret (such as an application's password)
    fails the templating before the filter runs, instead of being reported as not set.
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.spf_record
    plugin_type: filter
  - plugin: mailfleet.stack.dmarc_record
    plugin_type: filter
"""

EXAMPLES = r"""
---
# playbooks/validate.yml builds the model from the inventory's hostvars and groups.
- name: Check a fleet of one relay and one bulk sender
  ansible.builtin.set_fact:
    __problems: >-
      {{ {'domains': [{'name': 'example.com', 'streams': ['bulk']},
                      {'name': '*', 'streams': ['bulk']}],
          'dkim_selector': 's2026',
          'dmarc': {'p': 'block'},
          'nodes': [{'name': 'mx1.example.com', 'groups': ['fleet', 'relay'], 'ipv4': '203.0.113.11'},
                    {'name': 'bulk1.example.com', 'groups': ['fleet', 'bulk'], 'ipv4': '203.0.113.11'}],
          'secrets': {'mailbox_passwords': {}}}
         | mailfleet.stack.fleet_problems }}
  # The model holds secrets, in general.
  no_log: true
  # __problems:
  #   - "*: name: '*' is a wildcard; list each domain by name, ..."
  #   - "bulk1.example.com: mailfleet_ipv4: 203.0.113.11 is also the address
  #      of mx1.example.com; each node needs its own"
  #   - "fleet: groups: no node is in group imap; the relays hand inbound mail to one"
  #   - "fleet: groups: no node is in group filter; the relays hand inbound mail to one"
  #   - "fleet: mailfleet_dmarc.p: must be one of none, quarantine, reject; got 'block'"

- name: Stop on any problem, one a line
  ansible.builtin.assert:
    that:
      - __problems | length == 0
    fail_msg: "{{ __problems | join('\n') }}"
    quiet: true
"""

RETURN = r"""
_value:
  description: One line per problem, in inventory order; empty when the fleet is sound.
  type: list
  elements: str
  sample:
    - "*: name: '*' is a wildcard; list each domain by name, since one '*' entry would sign or vouch for every domain with the same key"
    - "tx1.example.com: groups: is in both transactional and bulk; application mail and campaigns must never share an IP
      or a queue, so give each its own node"
    - "fleet: mailfleet_dmarc.p: must be one of none, quarantine, reject; got 'block'"
"""

from collections.abc import Mapping

from jinja2.exceptions import UndefinedError

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._fleet import (
    FleetModelError,
    check_fleet,
)

FQCN = "mailfleet.stack.fleet_problems"


def _plain(value):
    """A copy of the value in plain dicts and lists, with undefined items as None.

    Ansible templates the items of a variable when they are read; a missing
    vault variable inside a secret then reads as undefined, and counts as a
    secret that is not set.
    """
    if isinstance(value, Mapping):
        copy = {}
        for key in value:
            try:
                copy[key] = _plain(value[key])
            except UndefinedError:
                copy[key] = None
        return copy
    if isinstance(value, list | tuple):
        copy = []
        for index in range(len(value)):
            try:
                copy.append(_plain(value[index]))
            except UndefinedError:
                copy.append(None)
        return copy
    return value


def fleet_problems(model):
    """List the problems of a fleet model; see DOCUMENTATION."""
    if not isinstance(model, Mapping):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be a dict with domains, nodes and secrets; got {type(model).__name__}"
        )
    plain = dict(model)
    if isinstance(model.get("secrets"), Mapping):
        plain["secrets"] = _plain(model["secrets"])
    try:
        return [str(problem) for problem in check_fleet(plain)]
    except FleetModelError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc}") from None


class FilterModule:
    """The fleet_problems filter."""

    def filters(self):
        return {"fleet_problems": fleet_problems}
