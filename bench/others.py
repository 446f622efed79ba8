"""The same synthetic articles built by the tools a press office would otherwise pick: Hugo
(a Go static site generator) and Pelican (Python), each with a minimal layout of our own
(an index, a page per article, category pages, all items in every feed), for bench/run.py.

    python bench/others.py hugo N WORKDIR       # writes WORKDIR/site, prints the command to time
    python bench/others.py pelican N WORKDIR

Hugo comes from the system's packages (`apt-get install hugo` on Debian); Pelican from PyPI
into its own virtual environment (bench/out/pelican-venv). A tool that is missing is skipped
by run.py with a note.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from synth import CATEGORIES, FIRST_DAY, sample_records

HERE = Path(__file__).resolve().parent
PELICAN = "pelican==4.12.0"

HUGO_CONFIG = """\
baseURL = "https://example.org/bench/"
title = "Bench"
languageCode = "en"
disableKinds = ["taxonomy", "term"]
paginate = 20
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
[services.rss]
limit = -1
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" '
        'href="{{ .Permalink }}">{{ end }}</head><body><header><a href="/">{{ site.Title }}</a>'
        '<nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}'
        '</nav></header>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format '
        '"2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>{{ .Content }}</article>'
        '{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        '{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
        "{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ $pages := .Pages }}'
        "{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}"
        '{{ range (.Paginate $pages).Pages }}<article><h2><a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}"
        '{{ with .Paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}'
        '{{ with .Paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}{{ end }}\n'
    ),
    # Every item with its whole text, as pressfeed's feeds carry it.
    "_default/rss.xml": (
        "{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}"
        '{{ printf `<?xml version="1.0" encoding="utf-8"?>` | safeHTML }}'
        '<rss version="2.0"><channel><title>{{ .Title }}</title>'
        "<link>{{ .Permalink }}</link><description>{{ site.Title }}</description>"
        "{{ range $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>"
        '<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>'
        "<guid>{{ .Permalink }}</guid><description>{{ .Content | html }}</description></item>"
        "{{ end }}</channel></rss>\n"
    ),
}

PELICAN_CONFIG = """\
SITENAME = "Bench"
SITEURL = "https://example.org/bench"
TIMEZONE = "Asia/Seoul"
DEFAULT_LANG = "en"
PATH = "content"
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
FEED_MAX_ITEMS = None
DEFAULT_PAGINATION = 20
ARTICLE_URL = ARTICLE_SAVE_AS = "articles/{date:%Y-%m-%d}/{slug}.html"
TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""


def articles(count: int) -> list[tuple[int, str, str, str, dt.date]]:
    """(number, category, title, body, day) of the articles bench/synth.py writes."""
    records = sample_records()
    result = []
    for number in range(1, count + 1):
        title, body = records[number % len(records)]
        day = FIRST_DAY + dt.timedelta(days=number // 3)
        result.append((number, CATEGORIES[number % len(CATEGORIES)], f"{title} (No. {number})", body, day))
    return result


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hugo_article(site: Path, number: int, category: str, title: str, body: str, day: dt.date) -> None:
    section = site / "content" / category.lower().replace("/", "-").replace(" ", "-")
    section.mkdir(parents=True, exist_ok=True)
    front = f"+++\ntitle = {_quoted(title)}\ndate = {day.isoformat()}T09:00:00+09:00\n+++\n"
    (section / f"{number}.md").write_text(front + body + "\n", encoding="utf-8")


def _pelican_article(site: Path, number: int, category: str, title: str, body: str, day: dt.date) -> None:
    meta = f"Title: {title}\nDate: {day.isoformat()} 09:00\nCategory: {category}\nSlug: a{number}\n\n"
    (site / "content" / f"{number}.md").write_text(meta + body + "\n", encoding="utf-8")


def add_article(site: Path, number: int, tool: str) -> None:
    """One more article, the next one bench/synth.py would write, into a site made here."""
    _, category, title, body, day = articles(number)[-1]
    (_hugo_article if tool == "hugo" else _pelican_article)(site, number, category, title, body, day)


def hugo_site(count: int, site: Path) -> list[str]:
    """A Hugo site of the articles (one section per category); the build command."""
    if shutil.which("hugo") is None:
        raise SystemExit("hugo is not installed (apt-get install hugo)")
    (site / "hugo.toml").parent.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    for number, category, title, body, day in articles(count):
        _hugo_article(site, number, category, title, body, day)
    return ["hugo", "--quiet", "--source", str(site), "--destination", str(site / "public")]


def pelican_site(count: int, site: Path) -> list[str]:
    """A Pelican site of the articles; the build command (Pelican in a venv of its own)."""
    env = HERE / "out" / "pelican-venv"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", PELICAN, "markdown"], check=True)
    (site / "content").mkdir(parents=True, exist_ok=True)
    (site / "pelicanconf.py").write_text(
        PELICAN_CONFIG.replace('"cache"', repr(str(site / "cache"))), "utf-8"
    )
    for number, category, title, body, day in articles(count):
        _pelican_article(site, number, category, title, body, day)
    settings, output = str(site / "pelicanconf.py"), str(site / "output")
    return [str(env / "bin" / "pelican"), "-q", "-s", settings, "-o", output, str(site / "content")]


if __name__ == "__main__":
    tool, count, work = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    make = hugo_site if tool == "hugo" else pelican_site
    print(" ".join(make(count, work)))
