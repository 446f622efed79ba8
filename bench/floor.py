"""The floor: read a dump line by line and split it into records with parsed dates.
Nothing else; pressfeed's parse + normalize is measured against it.

    python bench/floor.py DUMP
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def main() -> None:
    records = []
    current: list[str] = []
    with Path(sys.argv[1]).open(encoding="utf-8") as stream:
        for line in stream:
            line = line.rstrip("\n")
            if line == "-":
                current = []
                records.append(current)
            else:
                current.append(line)
    days = [dt.date.fromisoformat(fields[2][-10:]) for fields in records]
    print(len(records), len(days))


if __name__ == "__main__":
    main()
