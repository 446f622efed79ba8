"""Write a synthetic dump of N articles: the sample's records cycled with unique titles,
about three articles a day (newest first, like the sample), five categories.

    python bench/synth.py N OUT.txt
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "input" / "motie-english-2025-09.txt"
CATEGORIES = ("Industry", "FTA/Economic Cooperation", "Trade/Investment", "Energy", "Regional Policy")
#: Article number n is dated FIRST_DAY + n // 3 days: adding articles never moves old ones.
FIRST_DAY = dt.date(1930, 1, 1)


def sample_records() -> list[tuple[str, str]]:
    """(title, body without its date marker) of each sample record."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    records = []
    for start in range(0, len(lines), 4):
        title, body = lines[start + 2], lines[start + 3]
        records.append((title, body[: body.rindex("date")].rstrip()))
    return records


def write_dump(count: int, out: Path, *, first: int = 0) -> None:
    """Articles numbered first .. first+count-1, the highest (newest) first."""
    records = sample_records()
    with out.open("w", encoding="utf-8") as stream:
        for number in range(first + count - 1, first - 1, -1):
            title, body = records[number % len(records)]
            day = FIRST_DAY + dt.timedelta(days=number // 3)
            category = CATEGORIES[number % len(CATEGORIES)]
            stream.write(f"-\n{category}\n{title} (No. {number})\n{body} date{day.isoformat()}\n")


if __name__ == "__main__":
    write_dump(int(sys.argv[1]), Path(sys.argv[2]))
