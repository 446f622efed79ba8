"""The baseline: a naive feedgen build, the way a tutorial would write it.

Every article into one Atom and one RSS feed overall and per category, no store, no paging.

    python bench/naive_feedgen.py DUMP OUT_DIR
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

from feedgen.feed import FeedGenerator

MARKER = re.compile(r"\s*date\s*(\d{4}-\d{2}-\d{2})\s*$")
SEOUL = dt.timezone(dt.timedelta(hours=9))


def read(path: Path) -> list[dict[str, str]]:
    articles = []
    lines = [line.rstrip("\n") for line in path.open(encoding="utf-8")]
    for start in range(0, len(lines), 4):
        category, title, body = lines[start + 1], lines[start + 2], lines[start + 3]
        match = MARKER.search(body)
        if match:
            articles.append(
                {"category": category, "title": title, "body": body[: match.start()], "day": match[1]}
            )
    return articles


def write(articles: list[dict[str, str]], name: str, out: Path) -> None:
    fg = FeedGenerator()
    fg.id(f"https://example.org/{name}")
    fg.title(name)
    fg.author({"name": "Bench"})
    fg.link(href=f"https://example.org/{name}.atom.xml", rel="self")
    fg.link(href="https://example.org/", rel="alternate")
    fg.description(name)
    for number, article in enumerate(articles):
        entry = fg.add_entry()
        entry.id(f"https://example.org/{name}/{number}")
        entry.title(article["title"])
        entry.link(href=f"https://example.org/{number}.html")
        entry.description(article["body"])
        entry.category(term=article["category"])
        when = dt.datetime.fromisoformat(article["day"]).replace(tzinfo=SEOUL)
        entry.published(when)
        entry.updated(when)
    fg.atom_file(str(out / f"{name}.atom.xml"))
    fg.rss_file(str(out / f"{name}.rss.xml"))


def main() -> None:
    dump, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    articles = read(dump)
    write(articles, "all", out)
    for category in sorted({a["category"] for a in articles}):
        slug = re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-")
        write([a for a in articles if a["category"] == category], slug, out)


if __name__ == "__main__":
    main()
