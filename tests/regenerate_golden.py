"""Regenerate tests/golden/ from the shipped sample and config.yaml.

Run from the repository root after a deliberate output change, then review the diff:

    python tests/regenerate_golden.py && git diff tests/golden

Kept byte for byte: every feed (Atom, RSS, JSON Feed), the OPML list and the front page.
Article and category pages are checked by rule in tests/test_site.py.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

from pressfeed.config import load_config
from pressfeed.pipeline import build

GOLDEN = Path(__file__).resolve().parent / "golden"
CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
KEPT = ("*.xml", "*.json", "feeds.opml", "index.html")


def main() -> None:
    for old in GOLDEN.iterdir():
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "feeds"
        build(dataclasses.replace(load_config(CONFIG), output_dir=out, store_path=Path(scratch) / "store.db"))
        for pattern in KEPT:
            for path in sorted(out.glob(pattern)):
                shutil.copyfile(path, GOLDEN / path.name)
                print(f"tests/golden/{path.name}")


if __name__ == "__main__":
    main()
