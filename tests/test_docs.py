"""The manual says what the code does: the configuration reference and the validator agree."""

from __future__ import annotations

import re
from pathlib import Path

from pressfeed.config import DEFAULTS, LIST_ITEMS, SCHEMA

DOCS = Path(__file__).resolve().parent.parent / "docs"


def validator_keys() -> set[str]:
    """Every leaf key the validator knows, dotted (list entries as `inputs[].path`)."""
    sections = set(SCHEMA)
    keys = {f"{section}.{name}".lstrip(".") for section, names in SCHEMA.items() for name in names}
    keys |= {f"{item}.{name}" for item, names in LIST_ITEMS.items() for name in names}
    return (keys - sections) | {key for key in DEFAULTS if key not in sections}


def reference_keys() -> set[str]:
    """The keys in the first column of the reference's table."""
    table = (DOCS / "configuration.md").read_text(encoding="utf-8").split("## Every key", 1)[1]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([^`]+)`", row)}


def test_every_key_the_validator_knows_is_in_the_reference() -> None:
    assert sorted(validator_keys() - reference_keys()) == []


def test_every_key_in_the_reference_is_one_the_validator_knows() -> None:
    assert sorted(reference_keys() - validator_keys()) == []


def test_the_manual_links_only_to_files_that_exist() -> None:
    for page in [*DOCS.glob("*.md"), DOCS.parent / "README.md"]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
