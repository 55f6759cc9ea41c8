# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

# This file is private to the mailfleet.stack collection. It is not part of
# the collection's public API and may change at any time without notice.

"""SPF records: recognising them, splitting terms and counting DNS lookups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "LOOKUP_LIMIT",
    "LookupNode",
    "SpfError",
    "count_lookups",
    "describe_chain",
    "heaviest_chain",
    "is_spf_record",
    "spf_records",
    "split_term",
    "terms",
]

LOOKUP_LIMIT = 10
"""DNS-querying terms allowed in one evaluation (RFC 7208 §4.6.4)."""

_MAX_DEPTH = 20

_QUERYING = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})

Fetch = Callable[[str], "list[str] | None"]
"""Return the joined TXT values at a name; ``None`` when the name is not known."""


class SpfError(ValueError):
    """An SPF record, or a chain of them, that an evaluation would refuse."""


def is_spf_record(value: str) -> bool:
    """Tell whether a joined TXT value is an SPF record (RFC 7208 §4.5).

    The version section is ``v=spf1`` in any case, followed by a space or by
    the end of the record.
    """
    head = value[:7].lower()
    return head in ("v=spf1", "v=spf1 ")


def spf_records(values: list[str]) -> list[str]:
    """Keep the TXT values that are SPF records and drop the others (RFC 7208 §4.5)."""
    return [value for value in values if is_spf_record(value)]


def terms(record: str) -> list[str]:
    """Return the terms of an SPF record after its version section (RFC 7208 §4.6.1)."""
    return record.split()[1:]


def split_term(term: str) -> tuple[str, str, str | None, bool]:
    """Split one term into qualifier, name, argument and a modifier flag (RFC 7208 §4.6.1).

    ``-include:a.example`` gives ``("-", "include", "a.example", False)`` and
    ``redirect=b.example`` gives ``("", "redirect", "b.example", True)``. The
    mechanism name is returned in lower case, since names are case-insensitive.
    """
    qualifier = ""
    body = term
    if body[:1] in "+-~?" and body:
        qualifier, body = body[0], body[1:]
    for index, char in enumerate(body):
        if char == "=":
            return qualifier, body[:index].lower(), body[index + 1 :], True
        if char in ":/":
            argument = body[index + 1 :] if char == ":" else body[index:]
            return qualifier, body[:index].lower(), argument, False
    return qualifier, body.lower(), None, False


@dataclass
class LookupNode:
    """The lookups that one term costs, with the terms it pulls in below it."""

    term: str
    own: int
    children: list[LookupNode] = field(default_factory=list)
    followed: bool = True

    @property
    def total(self) -> int:
        """The term's own lookups plus those of everything it includes."""
        return self.own + sum(child.total for child in self.children)


def _record_at(name: str, fetch: Fetch, trail: list[str]) -> str | None:
    values = fetch(name)
    if values is None:
        return None
    found = spf_records(values)
    where = " > ".join(trail)
    if not found:
        raise SpfError(
            f"{where} points to {name}, which has no SPF record (RFC 7208 §5.2: permerror)"
        )
    if len(found) > 1:
        raise SpfError(
            f"{where} points to {name}, which has multiple SPF records (RFC 7208 §4.5: permerror)"
        )
    return found[0]


def _walk(
    record: str, fetch: Fetch, trail: list[str], seen: frozenset[str]
) -> list[LookupNode]:
    if len(trail) > _MAX_DEPTH:
        raise SpfError(f"{' > '.join(trail)} nests deeper than {_MAX_DEPTH} levels")
    nodes = []
    for term in terms(record):
        _qualifier, name, argument, modifier = split_term(term)
        if name not in _QUERYING or (modifier and name != "redirect"):
            continue
        # TODO(#3): void lookups (at most 2) and the 10 address lookups per mx term are not counted - the
        # total of 10 is the limit real records break, and the DNS check reports the chain that costs most.
        node = LookupNode(term=term, own=1)
        nodes.append(node)
        if name not in ("include", "redirect") or not argument:
            continue
        target = argument.lower().rstrip(".")
        if "%" in target:
            # Macros expand per message (RFC 7208 §7); the target cannot be known here.
            node.followed = False
            continue
        if target in seen:
            raise SpfError(
                f"{' > '.join([*trail, term])} loops back to a record already on the chain"
            )
        found = _record_at(target, fetch, [*trail, term])
        if found is None:
            node.followed = False
            continue
        node.children = _walk(found, fetch, [*trail, term], seen | {target})
    return nodes


def count_lookups(record: str, fetch: Fetch, *, origin: str = "") -> LookupNode:
    """Count the DNS-querying terms of an SPF record, following includes (RFC 7208 §4.6.4).

    Each ``include``, ``a``, ``mx``, ``ptr`` and ``exists`` mechanism and the
    ``redirect`` modifier costs one lookup, and the record that an
    ``include`` or ``redirect`` names adds its own terms, recursively.
    ``fetch`` returns the TXT values at a name; when it returns ``None`` the
    target is unknown and the term counts as one lookup only, with
    ``followed`` set to false on its node. The limit itself is not applied
    here: compare ``total`` with :data:`LOOKUP_LIMIT`.

    :raises SpfError: when an included name has no SPF record or several, or
        when includes loop.
    """
    root = LookupNode(term=origin or "record", own=0)
    origin_name = origin.lower().rstrip(".")
    root.children = _walk(
        record, fetch, [origin_name] if origin_name else [], frozenset({origin_name})
    )
    return root


def heaviest_chain(node: LookupNode) -> list[LookupNode]:
    """Return the chain of includes that adds the most lookups, from the top down.

    At each level the ``include`` or ``redirect`` with the largest total is
    taken, the first one in record order on a tie, so that a report can name
    what to cut first. The chain is empty when the record includes nothing.
    """
    chain: list[LookupNode] = []
    current = node
    while True:
        nested = [
            child
            for child in current.children
            if split_term(child.term)[1] in ("include", "redirect")
        ]
        if not nested:
            return chain
        current = max(nested, key=lambda child: child.total)
        chain.append(current)


def describe_chain(chain: list[LookupNode]) -> str:
    """Render a chain as ``include:a.example (5) > include:b.example (2)``."""
    return " > ".join(f"{node.term} ({node.total})" for node in chain)
