"""Property tests: arbitrary, hostile text never breaks the parser, the normalizer or a feed.

Quick by default; `HYPOTHESIS_PROFILE=long` runs 10,000 examples per property.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from pathlib import Path

import feedparser
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from conftest import CONFIG
from pressfeed.config import load_config
from pressfeed.errors import InputError
from pressfeed.normalize import clean, clean_line
from pressfeed.parse import parse_file, parse_lines
from pressfeed.pipeline import build
from pressfeed.types import Problem, RawRecord

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = ["]]>", "<script>alert(1)</script>", "&amp;", "&", "<", "\x00", "\x1b", "\ufffe", "\uffff", "\u2028", "\x85",
         "‘quoted’", "R&D", "한국어", "date2025-01-01", "\t", " ", "\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]  # fmt: skip
#: Any character UTF-8 can carry, except the two that end a line in a dump.
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\n\r")
FIELD = st.lists(st.one_of(st.text(CHARS, max_size=30), st.sampled_from(NASTY)), max_size=6).map("".join)
DAYS = st.dates(
    min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 12, 31)
)  # up to NOW: later days wait (embargo)


@given(st.text(max_size=2000))
def test_the_parser_never_raises_on_any_text(text: str) -> None:
    items = list(parse_lines(text.split("\n"), "any.txt"))
    assert all(isinstance(i, RawRecord | Problem) for i in items)


@given(st.binary(max_size=2000))
def test_any_bytes_give_records_problems_or_one_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.txt"
        path.write_bytes(data)
        try:
            items = list(parse_file(path, "any.txt"))
        except InputError as exc:
            assert str(exc).startswith("any.txt: binary data")
            return
    assert all(isinstance(i, RawRecord | Problem) for i in items)


@given(FIELD)
def test_cleaned_text_is_always_xml_safe_and_trimmed(text: str) -> None:
    cleaned = clean_line(text)
    element = etree.Element("t")
    element.text = cleaned  # lxml refuses any character XML 1.0 cannot carry
    assert etree.fromstring(etree.tostring(element)).text == (cleaned or None)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(st.lists(st.tuples(FIELD, FIELD, FIELD, DAYS), min_size=1, max_size=8))
def test_every_record_is_published_exactly_once_in_well_formed_feeds(
    records: list[tuple[str, str, str, dt.date]],
) -> None:
    dump = "".join(
        f"-\nC{category}\nT{n} {title}\nB{body}. date{day.isoformat()}\n"
        for n, (category, title, body, day) in enumerate(records)
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "dump.txt").write_text(dump, encoding="utf-8")
        config = dataclasses.replace(
            load_config(CONFIG),
            inputs=(work / "dump.txt",),
            output_dir=work / "feeds",
            store_path=work / "store.db",
            max_entries=len(records),
        )
        try:
            raw = [r for r in parse_file(work / "dump.txt") if isinstance(r, RawRecord)]
        except InputError:  # refused whole as binary: only by the documented rule
            head = dump.encode()[:8192]
            assert len(head) >= 1024 and head.count(0) * 20 > len(head)
            return
        expected = [r.title for r in clean(raw, config)[0]]
        report = build(config, now=NOW)
        assert report.accepted == len(records) == len(expected)
        for result in report.feeds:
            data = result.path.read_bytes()
            if result.path.suffix == ".json":
                assert json.loads(data)["items"] is not None
                continue
            etree.fromstring(data)
            parsed = feedparser.parse(data)
            assert parsed.bozo == 0, (result.path.name, parsed.get("bozo_exception"))
        # Titles are read back with lxml: feedparser "repairs" text that looks like mojibake
        # (a title "Â¡" comes back as "¡"), which says nothing about the feed.
        overall = etree.parse(str(work / "feeds" / "all.atom.xml")).getroot()
        entries = overall.findall(f"{ATOM}entry")
        assert sorted(e.findtext(f"{ATOM}title") for e in entries) == sorted(expected)
        assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(records)
