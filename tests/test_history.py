"""RFC 5005 archives: the whole history is reachable, linked both ways, full pages never change."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import SAMPLE, WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.pipeline import build

ATOM = "{http://www.w3.org/2005/Atom}"
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"
BASE = "https://example.org/motie/"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
XML = frozenset({"atom", "rss"})


@pytest.fixture
def paged(write_config: WriteConfig) -> Config:
    """The sample with 3 entries per subscription feed and archive pages of 3."""
    return load_config(write_config(limits__max_entries=3, limits__archive_page_size=3))


def links(path: Path) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    scope = root if root.tag == f"{ATOM}feed" else root.find("channel")
    return {link.get("rel"): link.get("href") for link in scope.findall(f"{ATOM}link")}


def is_archive(path: Path) -> bool:
    root = etree.parse(str(path)).getroot()
    scope = root if root.tag == f"{ATOM}feed" else root.find("channel")
    return scope.find(FH_ARCHIVE) is not None


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return out / url.removeprefix(BASE)


def walk(out: Path, subscription: str) -> tuple[list[Path], set[str]]:
    """Follow prev-archive from a subscription feed as a reader would; every entry id seen."""
    path = out / subscription
    chain, ids = [path], set()
    while True:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        ids |= {entry.id for entry in parsed.entries}
        previous = links(path).get("prev-archive")
        if previous is None:
            return chain, ids
        path = local(out, previous)
        chain.append(path)


@pytest.mark.parametrize(
    "subscription", ["all.atom.xml", "all.rss.xml", "industry.atom.xml", "trade-investment.rss.xml"]
)
def test_following_prev_archive_reaches_every_article_once(paged: Config, subscription: str) -> None:
    report = build(paged, now=NOW)
    chain, ids = walk(paged.output_dir, subscription)
    expected = {"all": 10, "industry": 4, "trade": 4}[subscription.split("-")[0].split(".")[0]]
    assert len(ids) == expected
    assert len(chain) > 1
    assert not is_archive(chain[0])
    assert all(is_archive(page) for page in chain[1:])
    shown = {e.id for e in feedparser.parse(chain[0].read_bytes()).entries}
    archived = [e.id for page in chain[1:] for e in feedparser.parse(page.read_bytes()).entries]
    assert len(archived) == len(set(archived))
    assert ids - shown <= set(archived)
    assert sum(f.entries for f in report.feeds if f.path in chain[1:]) == len(archived)


def test_archive_pages_link_current_and_each_other_both_ways(paged: Config) -> None:
    build(paged, now=NOW)
    out = paged.output_dir
    chain, _ = walk(out, "all.atom.xml")
    pages = chain[:0:-1]  # oldest first
    assert [p.relative_to(out).as_posix() for p in pages] == [
        "archive/all/1.atom.xml",
        "archive/all/2.atom.xml",
        "archive/all/3.atom.xml",
        "archive/all/4.atom.xml",
    ]
    for number, page in enumerate(pages):
        rels = links(page)
        assert rels["current"] == BASE + "all.atom.xml"
        assert rels["self"] == BASE + page.relative_to(out).as_posix()
        assert ("prev-archive" in rels) == (number > 0)
        assert ("next-archive" in rels) == (number < len(pages) - 1)
        if "next-archive" in rels:
            assert links(local(out, rels["next-archive"]))["prev-archive"] == rels["self"]
    root = etree.parse(str(pages[0])).getroot()
    assert root.findtext(f"{ATOM}id") == BASE + "all.atom.xml"


def test_rss_archive_pages_carry_the_history_as_atom_links(paged: Config) -> None:
    build(paged, now=NOW)
    page = paged.output_dir / "archive" / "all" / "2.rss.xml"
    assert is_archive(page)
    assert set(links(page)) == {"self", "current", "prev-archive", "next-archive"}
    channel = etree.parse(str(page)).getroot().find("channel")
    assert channel.findtext("link") == BASE


def grow(paged: Config, tmp_path: Path, *titles: str) -> Config:
    """The sample with new Industry articles on top, newest first."""
    grown = tmp_path / "grown.txt"
    news = "".join(record("Industry", title, "Fresh news.", day="2025-10-01") for title in titles)
    grown.write_text(news + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    return dataclasses.replace(paged, inputs=(grown,))


def test_new_articles_never_rewrite_a_full_archive_page(paged: Config, tmp_path: Path) -> None:
    build(paged, now=NOW)
    out = paged.output_dir
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.xml")}
    report = build(grow(paged, tmp_path, "One more"), now=NOW, formats=XML)
    assert sorted(f.spec.relpath for f in report.feeds if f.written) == [
        "all.atom.xml",
        "all.rss.xml",
        "archive/all/4.atom.xml",
        "archive/all/4.rss.xml",
        "archive/industry/2.atom.xml",
        "archive/industry/2.rss.xml",
        "industry.atom.xml",
        "industry.rss.xml",
    ]
    report = build(grow(paged, tmp_path, "Three", "Two", "One more"), now=NOW, formats=XML)
    assert sorted(f.spec.relpath for f in report.feeds if f.written) == [
        "all.atom.xml",
        "all.rss.xml",
        "archive/all/4.atom.xml",
        "archive/all/4.rss.xml",
        "archive/all/5.atom.xml",
        "archive/all/5.rss.xml",
        "archive/industry/2.atom.xml",
        "archive/industry/2.rss.xml",
        "archive/industry/3.atom.xml",
        "archive/industry/3.rss.xml",
        "industry.atom.xml",
        "industry.rss.xml",
    ]
    full = [p for p in before if p.parent.name == "all" and p.name[0] in "123"] + [
        p for p in before if p.parent.name == "industry" and p.name[0] == "1"
    ]
    assert full and all((p.read_bytes(), p.stat().st_mtime_ns) == before[p] for p in full)


def test_the_default_config_keeps_the_sample_in_the_subscription_feeds_alone(config: Config) -> None:
    report = build(config, now=NOW)
    assert not any(f.spec.archive for f in report.feeds)
    assert not (config.output_dir / "archive").exists()
