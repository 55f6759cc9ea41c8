# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ptr_record
short_description: Give the reverse name of an IPv4 or IPv6 address
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Returns the name under which the PTR record of an address lives, without a trailing dot.
  - IPv4 addresses map under C(in-addr.arpa) (L(RFC 1035, https://www.rfc-editor.org/rfc/rfc1035#section-3.5)) and
    IPv6 addresses under C(ip6.arpa), one nibble per label (L(RFC 3596, https://www.rfc-editor.org/rfc/rfc3596#section-2.5)).
  - Receivers check that the PTR of a sending address names a host whose address record leads back to it, so each
    sending address needs one.
options:
  _input:
    description:
      - An IPv4 or IPv6 host address.
    type: str
    required: true
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - module: mailfleet.stack.dns_check
"""

EXAMPLES = r"""
---
- name: Show where the PTR of the bulk address goes
  ansible.builtin.debug:
    msg: "{{ '198.51.100.20' | mailfleet.stack.ptr_record }}"
"""

RETURN = r"""
_value:
  description: The reverse name.
  type: str
  sample: 20.100.51.198.in-addr.arpa
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    reverse_name,
)

FQCN = "mailfleet.stack.ptr_record"


def ptr_record(address):
    """Return the reverse name of an address; see DOCUMENTATION."""
    if not isinstance(address, str):
        raise AnsibleFilterError(
            f"{FQCN}: the input must be an address as a string; got {type(address).__name__}"
        )
    try:
        return reverse_name(address)
    except DnsNameError as exc:
        raise AnsibleFilterError(f"{FQCN}: {address!r} {exc}") from None


class FilterModule:
    """The ptr_record filter."""

    def filters(self):
        return {"ptr_record": ptr_record}
