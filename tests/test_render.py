"""Rendered feeds: standards-conformant Atom 1.0 and RSS 2.0, read back intact by feedparser."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conftest import WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.pipeline import build
from pressfeed.render import json_feed

ATOM = "{http://www.w3.org/2005/Atom}"
SAMPLE_COUNTS = {
    "all": 10,
    "industry": 4,
    "fta-economic-cooperation": 2,
    "trade-investment": 4,
}


@pytest.fixture
def built(config: Config) -> Path:
    build(config)
    return config.output_dir


def parsed(path: Path) -> feedparser.FeedParserDict:
    result = feedparser.parse(path.read_bytes())
    assert result.bozo == 0, result.get("bozo_exception")
    return result


@pytest.mark.parametrize("fmt", ["atom", "rss"])
@pytest.mark.parametrize(("name", "count"), SAMPLE_COUNTS.items())
def test_every_sample_feed_reads_cleanly_with_its_entries(
    built: Path, name: str, count: int, fmt: str
) -> None:
    feed = parsed(built / f"{name}.{fmt}.xml")
    assert feed.version == ("atom10" if fmt == "atom" else "rss20")
    assert len(feed.entries) == count
    assert len({e.id for e in feed.entries}) == count
    published = [dt.datetime(*e.published_parsed[:6]) for e in feed.entries]
    assert published == sorted(published, reverse=True)


def test_titles_dates_and_categories_survive_the_round_trip(built: Path) -> None:
    atom = parsed(built / "all.atom.xml").entries
    rss = parsed(built / "all.rss.xml").entries
    assert (
        atom[0].title
        == rss[0].title
        == (
            "End-Users, Fabless Firms, and Foundries Link Up to Build Korea’s On-Device AI Semiconductor Ecosystem"
        )
    )
    assert atom[0].published == "2025-09-30T00:00:00+09:00"
    assert rss[0].published == "Tue, 30 Sep 2025 00:00:00 +0900"
    assert [(t.term, t.label) for t in atom[2].tags] == [
        ("fta-economic-cooperation", "FTA/Economic Cooperation")
    ]
    assert [t.term for t in rss[2].tags] == ["FTA/Economic Cooperation"]
    assert [e.title for e in atom] == [e.title for e in rss]
    assert [e.id for e in atom] == [e.id for e in rss]


def test_atom_has_the_elements_rfc_4287_and_readers_need(built: Path) -> None:
    root = etree.parse(str(built / "industry.atom.xml")).getroot()
    assert root.findtext(f"{ATOM}id") == "https://example.org/motie/industry.atom.xml"
    assert root.findtext(f"{ATOM}title") == "MOTIE Press Releases — Industry"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Ministry of Trade, Industry and Energy"
    assert root.findtext(f"{ATOM}generator") == "pressfeed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "self": "https://example.org/motie/industry.atom.xml",
        "alternate": "https://example.org/motie/",
    }
    entries = root.findall(f"{ATOM}entry")
    assert root.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") for e in entries)
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary", "content", "link", "category"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    assert len({e.findtext(f"{ATOM}updated") for e in entries}) == len(entries)


def test_rss_has_self_link_first_site_link_and_non_permalink_guids(built: Path) -> None:
    root = etree.parse(str(built / "all.rss.xml")).getroot()
    channel = root.find("channel")
    assert channel.findtext("link") == "https://example.org/motie/"
    self_link = channel.find(f"{ATOM}link")
    assert (self_link.get("rel"), self_link.get("href")) == ("self", "https://example.org/motie/all.rss.xml")
    assert (
        channel.findtext("lastBuildDate") == channel.findtext("pubDate") == "Tue, 30 Sep 2025 00:00:00 +0900"
    )
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        assert guid.text.startswith("tag:example.org,2025-09-")


def test_rss_descriptions_are_escaped_html_so_ampersands_read_as_text(built: Path) -> None:
    raw = (built / "all.rss.xml").read_text(encoding="utf-8")
    assert "R&amp;amp;D in engine" in raw
    [item] = [e for e in parsed(built / "all.rss.xml").entries if e.title.startswith("5th Korea")]
    assert "R&D in engine" in html.unescape(item.content[0].value)


def test_truncated_bodies_are_marked_in_content_and_summary(built: Path) -> None:
    first = parsed(built / "all.atom.xml").entries[0]
    assert first.summary.endswith("…")
    assert first.content[0].value.endswith("The Allia\n[The text was cut off at the source.]")


HOSTILE = {
    "category": "R&D <b>Policy</b>",
    "title": "Tags <script>alert(1)</script> & ]]> “quotes” 'apos' &amp; already",
    "body": "Body with <p>markup</p>, R&D, ]]>, &lt;escaped&gt; and 한국어 text.",
}


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_markup_and_ampersands_in_every_field_stay_text(
    write_config: WriteConfig, tmp_path: Path, fmt: str
) -> None:
    dump = tmp_path / "hostile.txt"
    dump.write_text(record(HOSTILE["category"], HOSTILE["title"], HOSTILE["body"]), encoding="utf-8")
    config = load_config(write_config(inputs=[str(dump)], site__title="Site & <Co>"))
    report = build(config)
    paths = [f.path for f in report.feeds if f.spec.format.value == fmt]
    for path in paths:
        feed = parsed(path)
        [entry] = feed.entries
        assert feed.feed.title.startswith("Site & <Co>")
        # RSS titles are read as HTML: the markup arrives escaped, to be shown as text.
        assert (html.unescape(entry.title) if fmt == "rss" else entry.title) == HOSTILE["title"]
        body = entry.content[0].value
        if fmt == "rss":
            body = html.unescape(body.removeprefix("<p>").removesuffix("</p>"))
        assert body == HOSTILE["body"]
        assert (entry.tags[0].label or entry.tags[0].term) == HOSTILE["category"]


def test_max_entries_caps_every_feed(write_config: WriteConfig) -> None:
    config = load_config(write_config(limits__max_entries=3))
    report = build(config)
    assert {
        f.spec.relpath: f.entries
        for f in report.feeds
        if not f.spec.archive and f.spec.format.value != "json"
    } == {
        "all.atom.xml": 3,
        "all.rss.xml": 3,
        "fta-economic-cooperation.atom.xml": 2,
        "fta-economic-cooperation.rss.xml": 2,
        "industry.atom.xml": 3,
        "industry.rss.xml": 3,
        "trade-investment.atom.xml": 3,
        "trade-investment.rss.xml": 3,
    }
    titles = [e.title for e in parsed(config.output_dir / "all.atom.xml").entries]
    assert titles[0].startswith("End-Users") and len(titles) == 3


RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}"
)


def test_dates_use_the_formats_validators_require(built: Path) -> None:
    for path in built.glob("*.atom.xml"):
        root = etree.parse(str(path)).getroot()
        dates = [e.text for e in root.iter(f"{ATOM}updated", f"{ATOM}published")]
        assert dates and all(RFC3339.fullmatch(d) for d in dates), path
    for path in built.glob("*.rss.xml"):
        root = etree.parse(str(path)).getroot()
        dates = [e.text for e in root.iter("pubDate", "lastBuildDate")]
        assert dates and all(RFC822.fullmatch(d) for d in dates), path


@given(
    st.lists(
        st.fixed_dictionaries({"id": st.text(), "title": st.text(), "tags": st.lists(st.text(), max_size=3)}),
        max_size=4,
    )
)
def test_json_feed_items_are_written_as_json_dumps_indents_them(items: list[dict[str, Any]]) -> None:
    """Items are written with the fast string encoder, byte for byte what json.dumps(indent=2)
    writes: quotes, backslashes, control and non-ASCII characters, empty lists."""
    import json

    feed = {"version": "1.1", "title": "T"}
    expected = json.dumps({**feed, "items": items}, ensure_ascii=False, indent=2) + "\n"
    assert json_feed.dumps(feed, [json_feed.item_text(item) for item in items]) == expected
