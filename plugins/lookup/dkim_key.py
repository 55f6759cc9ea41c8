# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: dkim_key
short_description: Make or reuse a DKIM signing key and return its key record
version_added: 0.1.0
author: mailfleet.stack maintainers
description:
  - Returns, for each domain, the DKIM signing key of O(selector) and the DNS record that publishes it.
  - The first call for a domain and selector makes the key and keeps it in the key store on the controller.
    Every later call returns the same key. An existing key is never replaced, even when O(key_type) or O(bits)
    now ask for something else; a warning says so, and the way to change a key is a new selector.
  - Domains are normalised to lower-case A-labels without a trailing dot
    (L(RFC 5890, https://www.rfc-editor.org/rfc/rfc5890#section-2.3.2.1)). A V(*) or wildcard domain is refused,
    since one catch-all entry would sign every domain with one key.
  - The record value is split into character-strings of at most 255 octets in RV(_raw[].strings), as a TXT
    record needs (L(RFC 6376, https://www.rfc-editor.org/rfc/rfc6376#section-3.6.2.2)).
options:
  _terms:
    description:
      - The domains to return a key for.
    type: list
    elements: str
    required: true
  selector:
    description:
      - The DKIM selector, a dot-separated list of labels made of letters, digits and inner hyphens
        (L(RFC 6376, https://www.rfc-editor.org/rfc/rfc6376#section-3.1)).
      - To rotate a key, ask for a new selector, publish its record beside the old one, switch the signer, then retire
        the old record.
    type: str
    default: mail
  key_type:
    description:
      - The kind of key to make. V(ed25519) (L(RFC 8463, https://www.rfc-editor.org/rfc/rfc8463)) is meant as a
        second signature beside an RSA one, since not every receiver verifies it; give it its own selector.
      - Only used when the key is made.
    type: str
    default: rsa
    choices: [rsa, ed25519]
  bits:
    description:
      - The size of a new RSA key. Sizes below 1024 are refused
        (L(RFC 8301, https://www.rfc-editor.org/rfc/rfc8301#section-3.2)); V(1024) is made with a warning.
      - Keys of 3072 and 4096 bits give a record longer than 512 octets, which some resolvers carry over TCP only.
      - One of V(1024), V(2048), V(3072) and V(4096). Only used when the key is made, and ignored for V(ed25519).
    type: int
    default: 2048
  key_dir:
    description:
      - The key store, a directory on the controller holding C(<domain>/<selector>.pem).
      - When not set, the directory C(dkim_keys) beside the inventory is used, that is in the C(inventory_dir) of the
        host the task runs for, and in C(playbook_dir) when the host comes from no inventory file. Keys then live and
        are backed up with the inventory they belong to.
      - A relative path is taken from that same directory, and C(~) is expanded.
      - The store's parent directory must exist. The store is created with mode V(0700) and keys with mode V(0600).
    type: str
    vars:
      - name: mailfleet_dkim_key_dir
requirements:
  - cryptography
notes:
  - This lookup runs on the controller, like every lookup; the keys are made and kept there. C(become) does not apply
    to it, so the key store must be writable by the user who runs C(ansible-playbook).
  - The result holds the private key. Set C(no_log) on tasks that use it or copy it to a signer.
  - Forks that ask for the same key at once share one key; the store is locked while a key is made.
seealso:
  - plugin: mailfleet.stack.mail_dns_records
    plugin_type: filter
  - plugin: mailfleet.stack.zone_file
    plugin_type: filter
  - module: mailfleet.stack.dns_check
"""

EXAMPLES = r"""
---
- name: Make or reuse the DKIM key of each sending domain
  ansible.builtin.set_fact:
    __dkim_keys: >-
      {{ lookup('mailfleet.stack.dkim_key', 'example.com', 'news.example.com',
                selector='s2026', wantlist=true) }}
  no_log: true

- name: Add an Ed25519 key under its own selector for dual signing
  ansible.builtin.set_fact:
    __dkim_ed25519: >-
      {{ lookup('mailfleet.stack.dkim_key', 'example.com', selector='ed2026',
                key_type='ed25519') }}
  no_log: true

- name: Publish the key record with a DNS module that takes a list of strings
  community.general.nsupdate:
    server: ns1.example.net
    zone: example.com
    record: "{{ item.name }}."
    type: TXT
    value: "{{ item.strings }}"
  loop: "{{ __dkim_keys }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
_raw:
  description: One entry per term.
  type: list
  elements: dict
  contains:
    domain:
      description: The domain as a lower-case A-label without a trailing dot.
      type: str
      sample: example.com
    selector:
      description: The selector, in lower case.
      type: str
      sample: mail
    name:
      description: The record's owner name, C(<selector>._domainkey.<domain>), without a trailing dot.
      type: str
      sample: mail._domainkey.example.com
    value:
      description: The key record as one string, to paste into a DNS provider's form.
      type: str
      sample: v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...
    strings:
      description: The value split into character-strings of at most 255 octets; joined with no separator they give
        RV(_raw[].value).
      type: list
      elements: str
    private_key:
      description: The private key in PEM form, PKCS#1 for RSA and PKCS#8 for Ed25519.
      type: str
    public_key:
      description: The public key as in the C(p=) tag, base64 of the SubjectPublicKeyInfo for RSA and of the raw
        32 octets for Ed25519.
      type: str
    key_type:
      description: The type of the stored key.
      type: str
      sample: rsa
    bits:
      description: The size of the stored key; 256 for Ed25519.
      type: int
      sample: 2048
    path:
      description: Where the key is kept on the controller.
      type: str
      sample: /srv/ansible/inventories/production/dkim_keys/example.com/mail.pem
    created:
      description: Whether this call made the key.
      type: bool
"""

import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.mailfleet.stack.plugins.module_utils._names import (
    DnsNameError,
    normalize_domain,
    validate_selector,
)
from ansible_collections.mailfleet.stack.plugins.plugin_utils._dkim import (
    HAS_CRYPTOGRAPHY,
    MIN_RSA_BITS,
    DkimKeyError,
    key_record,
)
from ansible_collections.mailfleet.stack.plugins.plugin_utils._keystore import (
    KeyStoreError,
    fetch_key,
)

display = Display()

FQCN = "mailfleet.stack.dkim_key"


class LookupModule(LookupBase):
    def _key_dir(self, variables: dict) -> str:
        # inventory_dir is unset, or not a directory, for hosts given on the command line.
        candidates = [variables.get("inventory_dir"), variables.get("playbook_dir")]
        base = next(
            (str(path) for path in candidates if path and os.path.isdir(str(path))),
            None,
        )
        key_dir = self.get_option("key_dir")
        if key_dir:
            key_dir = os.path.expanduser(key_dir)
        if key_dir and os.path.isabs(key_dir):
            return key_dir
        if not base:
            raise AnsibleLookupError(
                f"{FQCN}: key_dir must be set; neither inventory_dir nor playbook_dir is known here"
            )
        chosen = os.path.join(base, key_dir or "dkim_keys")
        display.vvv(f"{FQCN}: key store is {chosen}")
        return chosen

    @staticmethod
    def _review(domain: str, selector: str, stored, key_type: str, bits: int) -> None:
        """Log what was done with the key, and warn when it is not what was asked for."""
        info = stored.info
        where = f"{FQCN}: {domain} selector {selector}"
        if stored.created:
            display.vvv(
                f"{FQCN}: made a new {info.key_type} key of {info.bits} bits at {stored.path}"
            )
            if info.key_type == "rsa" and info.bits < 2048:
                display.warning(
                    f"{where}: a {info.bits}-bit RSA key is weak; RFC 8301 advises 2048"
                )
            return
        display.vvv(f"{FQCN}: reusing the existing key at {stored.path}")
        if info.key_type == "rsa" and info.bits < MIN_RSA_BITS:
            raise AnsibleLookupError(
                f"{where}: the key at {stored.path} has {info.bits} bits, which receivers treat as unsigned "
                "(RFC 8301 §3.2); make a key under a new selector and retire this one"
            )
        wanted = f"{key_type} {bits} bits" if key_type == "rsa" else key_type
        found = (
            f"{info.key_type} {info.bits} bits"
            if info.key_type == "rsa"
            else info.key_type
        )
        if wanted != found:
            display.warning(
                f"{where}: the existing key at {stored.path} is {found}, not the requested {wanted}; "
                "it is kept, since keys are never replaced. Use a new selector to change the key"
            )

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_CRYPTOGRAPHY:
            raise AnsibleLookupError(
                f"{FQCN}: the Python library cryptography is required on the controller"
            )
        variables = variables or {}
        key_type = self.get_option("key_type")
        bits = self.get_option("bits")
        key_dir = self._key_dir(variables)
        raw_selector = self.get_option("selector")
        results = []
        for term in terms:
            if not isinstance(term, str):
                raise AnsibleLookupError(
                    f"{FQCN}: each term must be a domain name as a string; got {type(term).__name__}"
                )
            try:
                domain = normalize_domain(term)
            except DnsNameError as exc:
                raise AnsibleLookupError(f"{FQCN}: domain {term!r} {exc}") from None
            try:
                selector = validate_selector(raw_selector)
            except DnsNameError as exc:
                raise AnsibleLookupError(
                    f"{FQCN}: selector {raw_selector!r} for {domain} {exc}"
                ) from None
            try:
                stored = fetch_key(
                    key_dir, domain, selector, key_type=key_type, bits=bits
                )
            except (KeyStoreError, DkimKeyError) as exc:
                raise AnsibleLookupError(
                    f"{FQCN}: {domain} selector {selector}: {exc}"
                ) from None
            for warning in stored.warnings:
                display.warning(f"{FQCN}: {warning}")
            self._review(domain, selector, stored, key_type, bits)
            info = stored.info
            value, strings = key_record(info)
            results.append(
                {
                    "domain": domain,
                    "selector": selector,
                    "name": f"{selector}._domainkey.{domain}",
                    "value": value,
                    "strings": strings,
                    "private_key": stored.pem.decode("ascii"),
                    "public_key": info.public_key,
                    "key_type": info.key_type,
                    "bits": info.bits,
                    "path": stored.path,
                    "created": stored.created,
                }
            )
        return results
