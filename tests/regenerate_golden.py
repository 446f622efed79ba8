"""Regenerate tests/golden/ from the shipped sample and config.yaml.

Run from the repository root after a deliberate output change, then review the diff:

    python tests/regenerate_golden.py && git diff tests/golden
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from pressfeed.config import load_config
from pressfeed.pipeline import build

GOLDEN = Path(__file__).resolve().parent / "golden"
CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def main() -> None:
    for old in GOLDEN.glob("*.xml"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        config = dataclasses.replace(
            load_config(CONFIG), output_dir=GOLDEN, store_path=Path(scratch) / "store.db"
        )
        report = build(config)
    for feed in report.feeds:
        print(f"{feed.path.relative_to(GOLDEN.parent.parent)}  {feed.entries} entries")


if __name__ == "__main__":
    main()
