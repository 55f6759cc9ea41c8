# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: warmup_schedule
short_description: Build the daily sending caps of a new bulk IP, per provider class
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Turns the warmup of one sending IP into a list of days, each with the most messages the bulk node may send that
    day from the IP to each provider class (V(google), V(microsoft), V(yahoo), V(apple), V(default)).
  - The caps either grow geometrically from each class's C(first) cap on day 1 to its C(target) cap on day
    O(_input.days), rounded to whole messages and never lower than the day before, or come from O(_input.table), one
    entry per day.
  - Every row names every class of O(providers). A class that the warmup leaves out gets the cap of the V(default)
    class, which must then be given.
  - The node keeps the caps of the last row for every later day, and uses the first row before the start date.
  - Bad input fails with the IP and the field, before any host is touched.
options:
  _input:
    description: The warmup of one sending IP.
    type: dict
    required: true
    suboptions:
      address:
        description: The sending IP, IPv4 or IPv6.
        type: str
        required: true
      start:
        description: The date of day 1, as V(YYYY-MM-DD).
        type: str
        required: true
      days:
        description:
          - How many days the caps take to grow from C(first) to C(target), 1 to 365.
          - With V(1), the C(first) and C(target) caps of each class must be equal.
          - Only with O(_input.caps).
        type: int
      caps:
        description:
          - A mapping of provider class to C(first) (the cap on day 1) and C(target) (the cap on the last day), both
            positive integers with C(first) not above C(target).
          - Give either O(_input.caps) and O(_input.days), or O(_input.table).
        type: dict
      table:
        description:
          - The caps day by day, a list of mappings of provider class to a cap, an integer of 0 or more; V(0) sends
            nothing to the class that day. The caps need not rise. At most 365 days.
        type: list
        elements: dict
  providers:
    description:
      - The provider classes that each row names. A class in the warmup that is not in this list is refused.
      - Add the classes that the bulk node's provider configuration defines beyond the built-in ones.
    type: list
    elements: str
    default: [google, microsoft, yahoo, apple, default]
notes:
  - Runs on the controller. The result is meant to be written to the bulk node as JSON.
"""

EXAMPLES = r"""
---
- name: Show a 30-day warmup of the first bulk address
  ansible.builtin.debug:
    msg: >-
      {{ {'address': '198.51.100.31', 'start': '2026-03-01', 'days': 30,
          'caps': {'google': {'first': 50, 'target': 20000},
                   'microsoft': {'first': 50, 'target': 10000},
                   'default': {'first': 200, 'target': 50000}}}
         | mailfleet.stack.warmup_schedule }}

- name: Write the schedule of a hand-made three-day warmup for the node
  ansible.builtin.copy:
    dest: /etc/mailfleet-bulk/warmup-198.51.100.32.json
    content: >-
      {{ {'address': '198.51.100.32', 'start': '2026-03-01',
          'table': [{'google': 20, 'default': 100},
                    {'google': 40, 'default': 200},
                    {'google': 80, 'partner': 500, 'default': 400}]}
         | mailfleet.stack.warmup_schedule(providers=['google', 'microsoft', 'yahoo', 'apple', 'partner', 'default'])
         | to_nice_json }}
    owner: root
    group: root
    mode: '0644'
"""

RETURN = r"""
_value:
  description: One entry per day from the start date, each with the V(date) and the V(caps) of every provider class.
  type: list
  elements: dict
  sample:
    - date: '2026-03-01'
      caps: {google: 50, microsoft: 50, yahoo: 200, apple: 200, default: 200}
    - date: '2026-03-02'
      caps: {google: 61, microsoft: 60, yahoo: 242, apple: 242, default: 242}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.plugin_utils._warmup import (
    PROVIDERS,
    WarmupError,
    build_schedule,
)

FQCN = "mailfleet.stack.warmup_schedule"


def warmup_schedule(spec, providers=None):
    """Build the daily caps of one IP's warmup; see DOCUMENTATION."""
    if not isinstance(spec, dict):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be one IP's warmup as a dict; got {type(spec).__name__}"
        )
    if providers is None:
        providers = list(PROVIDERS)
    if not isinstance(providers, list):
        raise AnsibleFilterError(
            f"{FQCN}: providers must be a list of class names; got {type(providers).__name__}"
        )
    try:
        return build_schedule(spec, providers=providers)
    except WarmupError as exc:
        raise AnsibleFilterError(f"{FQCN}: {exc}") from None


class FilterModule:
    """The warmup_schedule filter."""

    def filters(self):
        return {"warmup_schedule": warmup_schedule}
