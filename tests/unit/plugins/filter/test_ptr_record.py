# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import dns.reversename
import pytest

from ansible.errors import AnsibleFilterError
from ansible.plugins.loader import filter_loader

FQCN = "mailfleet.stack.ptr_record"

ADDRESSES = ["198.51.100.20", "192.0.2.1", "2001:db8:20::1", "2001:0DB8::abcd:0001"]
REFUSED: list[tuple[object, str]] = [
    ("198.51.100.0/24", f"{FQCN}: '198.51.100.0/24' is not an IPv4 or IPv6 address"),
    ("mx1.example.com", f"{FQCN}: 'mx1.example.com' is not an IPv4 or IPv6 address"),
    (3232235777, f"{FQCN}: the input must be an address as a string; got int"),
]


@pytest.fixture
def ptr_record():
    return filter_loader.get(FQCN).j2_function


@pytest.mark.parametrize("address", ADDRESSES)
def test_matches_dnspython(ptr_record, address: str) -> None:
    assert ptr_record(address) == dns.reversename.from_address(address).to_text(
        omit_final_dot=True
    )


@pytest.mark.parametrize("value, error", REFUSED)
def test_refused(ptr_record, value: object, error: str) -> None:
    with pytest.raises(AnsibleFilterError, match=f"^{re.escape(error)}$"):
        ptr_record(value)
