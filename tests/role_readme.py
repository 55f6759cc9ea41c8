# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write each role's README variable table from its meta/argument_specs.yml.

Usage: python tests/role_readme.py [--check]

The table sits between the two marker lines below in roles/<role>/README.md.
With --check nothing is written, and the exit status is 1 when a table is
missing or differs from what the argument specs say. Either way, every
variable of defaults/main.yml must be an option of the main entry point with
the same default.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN generated from meta/argument_specs.yml -->"
END = "<!-- END generated from meta/argument_specs.yml -->"


def _default(value: object) -> str:
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | dict):
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
        return f"`{text}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    # Ansible's semantic markup reads as code in a table: O(x), V(x), C(x),
    # and P(name#type) as the plugin's name.
    text = re.sub(r"\bP\(([^#)]*)#[^)]*\)", r"`\1`", text)
    text = re.sub(r"\b[OVC]\(([^)]*)\)", r"`\1`", text)
    return " ".join(text.split()).replace("|", "\\|")


def table(specs: dict) -> str:
    rows = ["| Variable | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for name, option in specs.get("options", {}).items():
        kind = option.get("type", "str")
        if option.get("elements"):
            kind = f"{kind} of {option['elements']}"
        default = (
            "required" if option.get("required") else _default(option.get("default"))
        )
        description = option.get("description", "")
        if isinstance(description, list):
            description = " ".join(description)
        if option.get("choices"):
            description += (
                " Choices: " + ", ".join(f"`{c}`" for c in option["choices"]) + "."
            )
        rows.append(f"| `{name}` | {kind} | {default} | {_cell(description)} |")
    return "\n".join(rows)


def render(role: Path) -> tuple[str, str]:
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    parts = []
    for entry, spec in specs["argument_specs"].items():
        heading = "" if entry == "main" else f"Entry point `{entry}`:\n\n"
        parts.append(heading + table(spec))
    readme = (role / "README.md").read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        return readme, ""
    return readme, pattern.sub(
        lambda _: f"{BEGIN}\n" + "\n\n".join(parts) + f"\n{END}", readme
    )


def default_mismatches(role: Path) -> list[str]:
    """Variables whose default in defaults/main.yml differs from the specs."""
    defaults_file = role / "defaults" / "main.yml"
    if not defaults_file.is_file():
        return []
    defaults = yaml.safe_load(defaults_file.read_text()) or {}
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"].get("options", {})
    found = []
    for name, value in defaults.items():
        if name not in options:
            found.append(
                f"{role.name}: {name} is in defaults/main.yml but not in meta/argument_specs.yml"
            )
        elif options[name].get("default") != value:
            found.append(
                f"{role.name}: {name} has another default in meta/argument_specs.yml than in defaults/main.yml"
            )
    return found


def main(check: bool) -> int:
    stale = []
    for role in sorted(
        p
        for p in (ROOT / "roles").iterdir()
        if (p / "meta" / "argument_specs.yml").is_file()
    ):
        stale.extend(default_mismatches(role))
        if not (role / "README.md").is_file():
            stale.append(f"{role.name}: no README.md")
            continue
        old, new = render(role)
        if not new:
            stale.append(f"{role.name}: README.md has no '{BEGIN}' ... '{END}' block")
        elif new != old:
            if check:
                stale.append(
                    f"{role.name}: the README table differs from meta/argument_specs.yml; run python tests/role_readme.py"
                )
            else:
                (role / "README.md").write_text(new)
    for line in stale:
        print(f"FAIL {line}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
