"""pressfeed's parse + normalize over a dump, nothing else (no store, no output).

python bench/parse_only.py DUMP
"""

from __future__ import annotations

import sys
from pathlib import Path

from pressfeed.config import load_config
from pressfeed.pipeline import read_records


def main() -> None:
    config = load_config(Path(__file__).resolve().parent.parent / "config.yaml")
    accepted = read_records(config, [Path(sys.argv[1])])
    print(len(accepted.records), len(accepted.problems))


if __name__ == "__main__":
    main()
