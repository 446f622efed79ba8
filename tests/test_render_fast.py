"""The string serializer writes exactly what the feedgen renderers write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CONFIG
from pressfeed.config import Author, Config, load_config
from pressfeed.render import fast, render
from pressfeed.types import Article, Category, FeedFormat, FeedSpec

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40).map(lambda s: s.strip() or "x")
BASE = load_config(CONFIG)


def spec(fmt: FeedFormat, *, archive: bool, when: dt.datetime, title: str = "Feed & <Co>") -> FeedSpec:
    history = (
        ("current", "https://example.org/motie/all.xml"),
        ("prev-archive", "https://example.org/motie/a/1.xml"),
    )
    return FeedSpec(
        format=fmt,
        relpath="archive/all/2.xml" if archive else "all.xml",
        url="https://example.org/motie/x.xml",
        title=title,
        category=None,
        feed_id="https://example.org/motie/all.xml",
        updated=when,
        newest=when,
        history=history if archive else (("prev-archive", "https://example.org/motie/a/1.xml"),),
        archive=archive,
    )


def both(feed: FeedSpec, articles: list[Article], config: Config) -> tuple[bytes, bytes]:
    if feed.format is FeedFormat.ATOM:
        quick = fast.atom_document(feed, [fast.entry_atom(a).encode() for a in articles], config)
    else:
        quick = fast.rss_document(feed, [fast.entry_rss(a, config).encode() for a in articles], config)
    return render(feed, articles, config), quick


ARTICLE = st.builds(
    lambda title, body, name, slug, truncated, seconds: Article(
        id=f"tag:example.org,2025-09-29:/motie/articles/{slug}",
        link=f"https://example.org/motie/articles/{slug}.html?a=1&b=<2>",
        title=title,
        body=body,
        summary=body[:20] + "…",
        truncated=truncated,
        category=Category(name, slug),
        day=dt.date(2025, 9, 29),
        published=dt.datetime(2025, 9, 29, tzinfo=SEOUL) + dt.timedelta(seconds=seconds),
        updated=dt.datetime(2025, 9, 29, tzinfo=SEOUL) + dt.timedelta(seconds=seconds + 5),
        origin="x:1",
    ),
    TEXT,
    st.lists(TEXT, min_size=1, max_size=3).map("\n".join),
    TEXT,
    st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True),
    st.booleans(),
    st.integers(0, 86_000),
)


@pytest.mark.parametrize("fmt", [FeedFormat.ATOM, FeedFormat.RSS])
@pytest.mark.parametrize("archive", [False, True])
@given(articles=st.lists(ARTICLE, max_size=4), email=st.booleans(), subtitle=TEXT)
def test_same_bytes_as_feedgen_for_any_articles(
    fmt: FeedFormat, archive: bool, articles: list[Article], email: bool, subtitle: str
) -> None:
    config = dataclasses.replace(
        BASE,
        subtitle=subtitle,
        author=Author(
            "Press & <Office>",
            "press@example.org" if email else None,
            "https://example.org/" if email else None,
        ),
    )
    when = dt.datetime(2025, 9, 30, tzinfo=SEOUL)
    reference, quick = both(spec(fmt, archive=archive, when=when), articles, config)
    assert quick == reference


def test_rfc822_dates_ignore_the_process_locale() -> None:
    when = dt.datetime(2025, 9, 30, 1, 2, 3, tzinfo=SEOUL)
    assert fast.rfc822(when) == "Tue, 30 Sep 2025 01:02:03 +0900"


@pytest.mark.parametrize("fmt", [FeedFormat.ATOM, FeedFormat.RSS])
@pytest.mark.parametrize(
    "body",
    ["R&D <b> & </b> > AT&amp;T", "a line\r\nand a CR & an ampersand", "no markup at all"],
)
def test_same_bytes_as_feedgen_for_markup_and_carriage_returns(fmt: FeedFormat, body: str) -> None:
    """Escaping worked out once for both formats (`Escaped`) still escapes as lxml does."""
    article = Article(
        id="tag:example.org,2025-09-29:/motie/articles/a&b",
        link="https://example.org/motie/articles/a.html?a=1&b=2",
        title='Q&A <on> "R&D"',
        body=body,
        summary=body[:12] + "…",
        truncated=True,
        category=Category("Trade & <Investment>", "trade-investment"),
        day=dt.date(2025, 9, 29),
        published=dt.datetime(2025, 9, 29, tzinfo=SEOUL),
        updated=dt.datetime(2025, 9, 29, 1, tzinfo=SEOUL),
        origin="x:1",
    )
    when = dt.datetime(2025, 9, 30, tzinfo=SEOUL)
    reference, quick = both(spec(fmt, archive=False, when=when), [article], BASE)
    assert quick == reference
    escaped = fast.Escaped.of(article)
    shared = (
        fast.entry_atom(article, escaped)
        if fmt is FeedFormat.ATOM
        else fast.entry_rss(article, BASE, escaped)
    )
    assert shared.encode() in quick
