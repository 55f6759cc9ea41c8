# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_check
short_description: Check that DNS answers every mail record as expected
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Asks the given name servers for every expected record and reports, record by record, whether it is present and
    equal, V(missing), V(different), or has V(extra) records beside it, such as a second SPF record or a stale DKIM key.
  - SPF records must be alone at their name (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-3.2)); TXT
    records that are not SPF are ignored. The published record is evaluated for its lookup count, following includes
    and redirects in DNS, and more than 10 lookups is reported with the include chain that costs the most
    (L(RFC 7208, https://www.rfc-editor.org/rfc/rfc7208#section-4.6.4)).
  - A DKIM selector must hold exactly one TXT record; its strings are joined with no separator, it must not hold quote
    or backslash characters, and its key must be the signer's, compared as a key and not as text. The signer's key is
    the one in the expected record, or the private key in O(records[].key_file) when given.
  - DMARC records are parsed and compared tag by tag.
  - PTR records are checked forward too, the target name must have an address record leading back to the address
    (forward-confirmed reverse DNS), for each sending address.
  - Other records (A, AAAA, MX, CNAME, NS) are compared as whole sets.
  - Fails with the list of problems unless O(fail_on_problems=false). Only reads DNS, so it runs the same in check mode.
options:
  records:
    description:
      - The expected records, as made by the P(mailfleet.stack.mail_dns_records#filter) filter. Do not pass results of the
        P(mailfleet.stack.dkim_key#lookup) lookup here directly, they hold the private key; use their C(name) and C(value).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The owner name.
        type: str
        required: true
      type:
        description: The record type.
        type: str
        required: true
        choices: [A, AAAA, CNAME, MX, NS, PTR, TXT]
      value:
        description: The record's value, C(<priority> <host>) for MX and the whole text for TXT.
        type: str
      strings:
        description: For TXT, the value as character-strings, used when O(records[].value) is not given.
        type: list
        elements: str
      state:
        description: V(absent) checks that nothing of the type is published at the name, as for a retired selector.
        type: str
        default: present
        choices: [present, absent]
      key_file:
        description: For a DKIM key record, the path of the signer's PEM private key on the host the module runs on.
        type: path
  nameservers:
    description: Addresses of the name servers to ask, a resolver or the zone's authoritative servers.
    type: list
    elements: str
    required: true
  port:
    description: The port the name servers listen on.
    type: int
    default: 53
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 5
  follow_spf:
    description: Follow SPF includes and redirects in DNS to count lookups.
    type: bool
    default: true
  fcrdns:
    description: Check each PTR target forward.
    type: bool
    default: true
  fail_on_problems:
    description: Fail when any record has a problem. When false, the problems are only returned.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
requirements:
  - dnspython
  - cryptography (for O(records[].key_file), and to compare RSA keys in either encoding)
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.dkim_key
    plugin_type: lookup
"""

EXAMPLES = r"""
---
- name: Check what the resolvers answer for the fleet's records
  mailfleet.stack.dns_check:
    records: "{{ __records }}"
    nameservers:
      - 192.0.2.53
  delegate_to: localhost
  run_once: true

- name: Check the published keys against those the signer holds
  mailfleet.stack.dns_check:
    records:
      - name: mail._domainkey.example.com
        type: TXT
        key_file: /etc/opendkim/keys/example.com/mail.private
    nameservers: "{{ ansible_facts['dns']['nameservers'] }}"
  become: true
"""

RETURN = r"""
records:
  description: One verdict per expected TXT record, and one per name and type for the other types.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The owner name.
      type: str
    type:
      description: The record type.
      type: str
    status:
      description: V(ok), V(missing), V(different), V(extra), or V(error) when the lookup failed.
      type: str
    problems:
      description: What is wrong, empty when the status is V(ok).
      type: list
      elements: str
    published:
      description: The values found, TXT strings joined.
      type: list
      elements: str
problems:
  description: Every problem, each as the record's name and type, a colon, and the problem.
  returned: always
  type: list
  elements: str
  sample:
    - "mail._domainkey.example.com TXT: multiple key records (2 TXT records at the selector; RFC 6376 §3.6.2.2)"
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mailfleet.stack.plugins.module_utils._check import (
    CheckInputError,
    LookupFailedError,
    check_records,
)

try:
    import dns.exception
    import dns.name
    import dns.resolver

    HAS_DNSPYTHON = True
    DNSPYTHON_ERROR = None
except ImportError:
    HAS_DNSPYTHON = False
    DNSPYTHON_ERROR = traceback.format_exc()


def _target(name: dns.name.Name) -> str:
    if name == dns.name.root:
        return "."
    return name.to_text(omit_final_dot=True).lower()


def make_resolve(nameservers: list[str], port: int, timeout: float):
    """Return a ``resolve(name, type)`` that asks the given servers, without a cache."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = list(nameservers)
    resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = timeout * 2

    def resolve(name: str, rtype: str) -> list:
        try:
            answer = resolver.resolve(
                name, rtype, search=False, raise_on_no_answer=False
            )
        except dns.resolver.NXDOMAIN:
            return []
        except dns.exception.DNSException as exc:
            raise LookupFailedError(f"{name} {rtype}: {exc}") from None
        if answer.rrset is None:
            return []
        out = []
        for rdata in answer.rrset:
            if rtype == "TXT":
                out.append(tuple(rdata.strings))
            elif rtype == "MX":
                out.append((rdata.preference, _target(rdata.exchange)))
            elif rtype in ("A", "AAAA"):
                out.append(rdata.address)
            else:
                out.append(_target(rdata.target))
        return out

    return resolve


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "records": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "type": {
                        "type": "str",
                        "required": True,
                        "choices": ["A", "AAAA", "CNAME", "MX", "NS", "PTR", "TXT"],
                    },
                    "value": {"type": "str"},
                    "strings": {"type": "list", "elements": "str"},
                    "state": {
                        "type": "str",
                        "default": "present",
                        "choices": ["present", "absent"],
                    },
                    "key_file": {"type": "path", "no_log": False},
                    # Records from the filters carry these too; they are not used here.
                    "ttl": {"type": "int"},
                    "priority": {"type": "int"},
                    "provider": {"type": "str"},
                },
            },
            "nameservers": {"type": "list", "elements": "str", "required": True},
            "port": {"type": "int", "default": 53},
            "timeout": {"type": "float", "default": 5.0},
            "follow_spf": {"type": "bool", "default": True},
            "fcrdns": {"type": "bool", "default": True},
            "fail_on_problems": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    if not HAS_DNSPYTHON:
        module.fail_json(
            msg=missing_required_lib("dnspython"), exception=DNSPYTHON_ERROR
        )
    params = module.params
    resolve = make_resolve(params["nameservers"], params["port"], params["timeout"])
    try:
        results = check_records(
            params["records"],
            resolve,
            follow_spf=params["follow_spf"],
            fcrdns=params["fcrdns"],
        )
    except CheckInputError as exc:
        module.fail_json(msg=f"mailfleet.stack.dns_check: {exc}")
    problems = [
        f"{result.name} {result.type}: {problem}"
        for result in results
        for problem in result.problems
    ]
    output = {
        "changed": False,
        "records": [result.as_dict() for result in results],
        "problems": problems,
    }
    if problems and params["fail_on_problems"]:
        module.fail_json(
            msg=f"{len(problems)} DNS problems found: {'; '.join(problems)}", **output
        )
    module.exit_json(**output)


if __name__ == "__main__":
    main()
