# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that a built and installed mailfleet.stack holds what the checkout holds.

Usage: python tests/collection_contents.py COLLECTIONS_PATH

Every role under roles/ and every plugin under plugins/{filter,lookup,modules}
of the checkout must be listed by ansible-doc from the installed collection,
and the playbook mailfleet.stack.site must pass a syntax check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FQCN = "mailfleet.stack"
KINDS = {"filter": "filter", "lookup": "lookup", "modules": "module"}


def expected() -> dict[str, set[str]]:
    """Names the checkout provides, per ansible-doc plugin type."""
    found = {
        "role": {
            d.name
            for d in (ROOT / "roles").iterdir()
            if (d / "tasks").is_dir() and not d.name.startswith("_")
        }
    }
    for folder, kind in KINDS.items():
        found[kind] = {
            p.stem
            for p in (ROOT / "plugins" / folder).glob("*.py")
            if not p.name.startswith("_")
        }
    return found


def listed(kind: str, env: dict[str, str], cwd: str) -> set[str]:
    """Names ansible-doc lists for the installed collection."""
    done = subprocess.run(
        ["ansible-doc", "-t", kind, "-l", "--json", FQCN],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )
    if done.returncode:
        print(f"FAIL ansible-doc -t {kind}: {done.stderr.strip()}", file=sys.stderr)
        return set()
    return {name.removeprefix(f"{FQCN}.") for name in json.loads(done.stdout or "{}")}


def main(collections_path: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "ANSIBLE_CONFIG"}
    env["ANSIBLE_COLLECTIONS_PATH"] = collections_path
    problems = []
    # Run away from the checkout, so that its ansible.cfg and .collections
    # link cannot stand in for the installed collection.
    with tempfile.TemporaryDirectory() as cwd:
        for kind, names in expected().items():
            missing = names - listed(kind, env, cwd)
            if missing:
                problems.append(
                    f"{kind}: not in the built collection: {', '.join(sorted(missing))}"
                )
            else:
                print(
                    f"{kind}: {len(names)} listed ({', '.join(sorted(names)) or 'none yet'})"
                )
        syntax = subprocess.run(
            ["ansible-playbook", "-i", "localhost,", f"{FQCN}.site", "--syntax-check"],
            check=False,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
        )
        if syntax.returncode:
            problems.append(f"playbook {FQCN}.site: {syntax.stderr.strip()}")
        else:
            print(f"playbook {FQCN}.site: syntax OK")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
