"""The parser: tolerant of encoding noise, strict about structure, every rejection located."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, SAMPLE, record
from pressfeed import apart, blocks
from pressfeed.config import load_config
from pressfeed.errors import InputError
from pressfeed.normalize import clean
from pressfeed.parse import parse_file, parse_lines, parse_pieces
from pressfeed.types import Problem, RawRecord

DumpFile = Callable[..., Path]


def split(path: Path) -> tuple[list[RawRecord], list[Problem]]:
    items = list(parse_file(path, "dump.txt"))
    return [i for i in items if isinstance(i, RawRecord)], [i for i in items if isinstance(i, Problem)]


def test_sample_yields_its_ten_records_in_order() -> None:
    records, problems = split(SAMPLE)
    assert problems == []
    assert len(records) == 10
    assert [r.category for r in records[:4]] == [
        "Industry",
        "Industry",
        "FTA/Economic Cooperation",
        "Trade/Investment",
    ]
    assert records[0].title.startswith("End-Users, Fabless Firms, and Foundries")
    assert records[0].day == dt.date(2025, 9, 30)
    assert records[-1].day == dt.date(2025, 9, 25)
    assert records[0].body.endswith("The Allia")
    assert records[4].body.endswith("significant potential.”")
    assert [r.line for r in records] == list(range(1, 40, 4))


def test_bom_crlf_cr_blank_lines_and_no_final_newline_parse_like_plain_lf(dump_file: DumpFile) -> None:
    plain = record("Industry", "Title one", "Body one.") + record("Trade", "Title two", "Body two.")
    messy = "\ufeff\r\n\r\n" + plain.replace("\n", "\r\n", 4).replace("\n", "\r") + "   \r\n\t\r\n"
    messy = messy.rstrip("\r\n")
    plain_records, _ = split(dump_file(plain, "plain.txt"))
    messy_records, problems = split(dump_file(messy, "messy.txt"))
    assert problems == []
    fields = [(r.category, r.title, r.body, r.day) for r in plain_records]
    assert [(r.category, r.title, r.body, r.day) for r in messy_records] == fields


def test_surrounding_whitespace_is_stripped_and_the_marker_may_lack_its_space(dump_file: DumpFile) -> None:
    path = dump_file("  -  \n  Industry \n\t Title  \n Body text.”date2025-09-26  \n")
    [rec], problems = split(path)
    assert problems == []
    assert (rec.category, rec.title, rec.body, rec.day) == (
        "Industry",
        "Title",
        "Body text.”",
        dt.date(2025, 9, 26),
    )


def test_a_body_may_span_lines_and_only_the_final_marker_counts(dump_file: DumpFile) -> None:
    path = dump_file(
        "-\nIndustry\nTitle\nFirst line mentions date2024-12-31 in passing.\n\nSecond line. date2025-09-29\n"
    )
    [rec], problems = split(path)
    assert problems == []
    assert rec.body == "First line mentions date2024-12-31 in passing.\nSecond line."
    assert rec.day == dt.date(2025, 9, 29)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "-\nIndustry\nTitle\nBody without a date.\n",
            4,
            "no date: the body must end with 'date' and YYYY-MM-DD",
        ),
        (
            "-\nIndustry\nTitle\nBody. date2025-9-29\n",
            4,
            "malformed date '2025-9-29': expected 'date' and YYYY-MM-DD",
        ),
        (
            "-\nIndustry\nTitle\nBody. date2025-02-30\n",
            4,
            "impossible date 2025-02-30 (day is out of range for month)",
        ),
        ("-\nIndustry\nBody only. date2025-09-29\n", 3, "no title (expected category, title, then body)"),
        ("-\nIndustry\nTitle only\n", 3, "no body"),
        ("-\nIndustry\n", 1, "record has only a category line; no title, body or date"),
        ("-\n\n", 1, "empty record: no category, title or body"),
        ("-\nIndustry\nTitle\ndate2025-09-29\n", 4, "empty body: only a date marker"),
        ("Stray text\n", 1, "text outside a record (a record starts with a line '-')"),
    ],
)
def test_a_bad_record_is_reported_with_its_line_and_the_rest_still_publish(
    dump_file: DumpFile, text: str, line: int, message: str
) -> None:
    good = record("Industry", "Good title", "Good body.")
    records, problems = split(dump_file(text + good))
    assert [r.title for r in records] == ["Good title"]
    assert len(problems) == 1
    assert problems[0].line == line
    assert str(problems[0]).startswith(f"dump.txt:{line}: {message}")


def test_invalid_utf8_is_reported_on_its_own_line(dump_file: DumpFile) -> None:
    data = (
        b"-\nIndustry\nTitle\nBody \xff\xfe broken. date2025-09-29\n"
        + record("Trade", "Fine", "Fine.").encode()
    )
    records, problems = split(dump_file(data))
    assert [r.title for r in records] == ["Fine"]
    assert [str(p) for p in problems] == ["dump.txt:4: invalid UTF-8 (byte 6 of the line); record skipped"]


def test_line_numbers_count_every_line_ending_style(dump_file: DumpFile) -> None:
    data = "-\r\nIndustry\rTitle\nBody. date2025-02-30\n"
    _, [problem] = split(dump_file(data))
    assert problem.line == 4


def test_the_parser_streams_records_before_the_input_ends() -> None:
    def endless() -> Iterator[str]:
        for n in itertools.count():
            yield from record("Industry", f"Title {n}", "Body.").splitlines()

    first_three = list(itertools.islice(parse_lines(endless(), "endless"), 3))
    assert [r.title for r in first_three if isinstance(r, RawRecord)] == ["Title 0", "Title 1", "Title 2"]


def test_a_missing_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^nowhere\.txt: no such file$"):
        list(parse_file(tmp_path / "nowhere.txt", "nowhere.txt"))


def test_a_directory_as_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a directory, not a dump file$"):
        list(parse_file(tmp_path))


#: Pieces that stress line splitting and decoding: every line end, a BOM, multibyte characters
#: (whole and cut), invalid bytes, a record separator.
PIECES = [
    b"\n",
    b"\r\n",
    b"\r",
    b"-",
    b"ab",
    b" ",
    b"\xef\xbb\xbf",
    "’한".encode(),
    b"\xe2\x80",
    b"\xff",
    b"\x00",
]


@given(st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join), st.integers(1, 16))
def test_reading_in_blocks_gives_the_lines_reading_line_by_line_gives(data: bytes, block: int) -> None:
    def lines(text: bytes, block_size: int) -> list[tuple[str, str | None]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(blocks, "BLOCK", block_size)
            read = blocks.lines(blocks.read_blocks(io.BufferedReader(io.BytesIO(text)), len(text), None))
            return [(line, getattr(line, "fault", None)) for line in read]

    expected = [
        (line, getattr(line, "fault", None))
        for line in blocks._line_by_line(data.removeprefix(b"\xef\xbb\xbf"))
    ]
    assert lines(data, 1 << 20) == expected
    assert lines(data, block) == expected


#: Field texts: mostly plain, some not plain in every way the fast path must notice (the
#: block's text) or keep apart (a line's shape: spaces around it, a `-` line, a date marker).
PLAIN = ["Industry", "Trade/Investment", "R&D <b>", "‘quoted’ 한국어 text.", "-", "end."]
NOT_PLAIN = ["two  spaces", "tab\there", "nbsp\u00a0here", "e\u0301", "\x01", "", "\u2028"]
MARKERS = ["", "date2025-09-29", " date2025-09-29", "date 2025-09-29", "date2025-02-30", "date2025-9-29",
           "date2025-09-29 ", "date٢٠٢٥-09-29"]  # fmt: skip
SPACE = st.sampled_from(["", "", "", " "])
WORDS = st.tuples(
    SPACE, st.lists(st.sampled_from(PLAIN * 12 + NOT_PLAIN), min_size=1, max_size=2).map(" ".join), SPACE
).map("".join)
LINE = st.tuples(WORDS, st.sampled_from(MARKERS[:2] * 8 + MARKERS)).map("".join)


@st.composite
def dumps(draw: st.DrawFn) -> bytes:
    """Dumps mostly of plain records, with every shape the line parser handles mixed in."""
    text = draw(st.sampled_from(["", "\ufeff", "stray\n", "\n", "-\n"]))
    for _ in range(draw(st.integers(0, 8))):
        lines = ["-", draw(WORDS), draw(WORDS)]
        if draw(st.integers(0, 4)) == 0:
            lines += draw(st.lists(LINE, min_size=1, max_size=2))
        lines.append(draw(LINE))
        if draw(st.integers(0, 4)) == 0:
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", " ", "\x0b"])))
        text += "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text.encode()


def fast_and_slow(data: bytes, block: int) -> tuple[list[object], list[object]]:
    """What the block parser and cleaner make of `data` read `block` bytes at a time, and what
    the line parser and cleaner make of it."""
    config = load_config(CONFIG)

    def cleaned(items: list[RawRecord | Problem]) -> list[object]:
        raw = [i for i in items if isinstance(i, RawRecord)]
        records, problems = clean(raw, config)
        kept = [dataclasses.replace(r, clean=False) for r in raw]
        return [*kept, *records, *(i for i in items if isinstance(i, Problem)), *problems]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(blocks, "BLOCK", block)
        stream = io.BufferedReader(io.BytesIO(data))
        fast = list(parse_pieces(blocks.pieces(stream, len(data), None, strip_bom=True), "d.txt"))
        lines = blocks.lines(blocks.read_blocks(io.BufferedReader(io.BytesIO(data)), len(data), None))
        slow = list(parse_lines(lines, "d.txt"))
    return cleaned(fast), cleaned(slow)


@settings(max_examples=max(300, settings().max_examples))
@given(dumps(), st.integers(1, 256))
def test_plain_records_taken_at_once_are_those_the_line_parser_and_cleaner_make(
    data: bytes, block: int
) -> None:
    fast, slow = fast_and_slow(data, block)
    assert fast == slow
    fast, slow = fast_and_slow(data, 4 << 20)
    assert fast == slow


def shapes() -> list[bytes]:
    """A plain record with one thing not plain, each in turn, between two plain records."""
    fine = "-\nIndustry\nTitle\nBody. date2025-09-29\n"
    odd = [word for word in NOT_PLAIN if word] + [" lead", "trail ", "-"]
    variants = [(f"-\n{w}\nTitle\nBody. date2025-09-29\n") for w in odd]
    variants += [(f"-\nIndustry\n{w}\nBody. date2025-09-29\n") for w in odd]
    variants += [(f"-\nIndustry\nTitle\n{w} date2025-09-29\n") for w in odd]
    variants += [f"-\nIndustry\nTitle\nBody. {m}\n" for m in MARKERS]
    variants += [
        "-\nIndustry\nTitle\nBody. date2025-09-29\nMore. date2025-09-30\n",
        "-\n\nA\nB\nC date2025-09-29\n",
    ]
    return [(fine + variant + fine).encode() for variant in variants]


@pytest.mark.parametrize("data", shapes())
def test_each_way_a_record_is_not_plain_sends_it_to_the_line_parser(data: bytes) -> None:
    for block in (len(data), 24):
        fast, slow = fast_and_slow(data, block)
        assert fast == slow


@pytest.mark.skipif(not apart.can_fork(), reason="blocks are judged apart on Linux, single-threaded")
def test_a_large_dump_is_judged_by_a_second_process_with_the_same_result(
    dump_file: DumpFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = "".join(record("Industry", f"Title {n}", "‘Body’ text.") for n in range(300))
    messy = record("Industry", "Tab\there", "Body.")
    path = dump_file(plain + messy + plain, "big.txt")
    monkeypatch.setattr(blocks, "BLOCK", 4096)
    serial = list(parse_file(path))
    apart = blocks._judged_apart
    calls: list[int] = []
    monkeypatch.setattr(blocks, "_judged_apart", lambda *args: calls.append(1) or apart(*args))
    monkeypatch.setattr(blocks, "JUDGE_APART_BYTES", 0)
    judged = list(parse_file(path))
    assert calls == [1]
    assert judged == serial
    assert len(judged) == 601
    assert sum(isinstance(r, RawRecord) and r.clean for r in judged) > 500


@pytest.mark.skipif(not apart.can_fork(), reason="blocks are judged apart on Linux, single-threaded")
def test_if_the_judging_process_dies_the_blocks_are_judged_here(
    dump_file: DumpFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = dump_file("".join(record("Industry", f"Title {n}", "Body.") for n in range(400)), "big.txt")
    monkeypatch.setattr(blocks, "BLOCK", 2048)
    serial = list(parse_file(path))
    monkeypatch.setattr(blocks, "JUDGE_APART_BYTES", 0)
    monkeypatch.setattr(blocks, "_judge", lambda *args: None)  # ends at once, judging nothing
    assert list(parse_file(path)) == serial


def test_a_block_that_stops_being_utf8_after_it_was_judged_is_one_clear_error(
    dump_file: DumpFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (record("Industry", "Fine", "Fine.") * 2).encode().replace(b"Fine.", b"Fi\xffe.", 1)
    # As if judged plain before it changed: the block's bytes go to the parser as they are.
    monkeypatch.setattr(blocks, "judged", lambda block, strip_bom: blocks.normalized(block, strip_bom))
    with pytest.raises(InputError, match=r"^dump\.txt: changed while being read; nothing was taken from it$"):
        list(parse_file(dump_file(data), "dump.txt"))


def plain_by_every_character(data: bytes) -> bool | None:
    """Plain, judged by looking at every character; None when `data` is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    one_line = text.replace("\n", " ")
    return "  " not in text and one_line.isprintable() and unicodedata.is_normalized("NFC", text)


#: Bytes around the edges of judging by kinds of characters: ASCII, punctuation, the characters
#: beside it (U+2028, U+202F), a lone lead or continuation byte, a control, Korean, a combining
#: mark, a Hangul jamo that joins the syllable before it, a character NFC maps to another.
BYTE_PIECES = [b"a", b" ", b"\n", b".", b"\x01", "“”–…‰²→㎢".encode(), "\u2028\u202f".encode(), b"\xe2",
               b"\xe2\x80", b"\x9c", b"\x80", "한".encode(), "e\u0301".encode(), "\u1161".encode(),
               "\u212b".encode()]  # fmt: skip


@given(st.lists(st.sampled_from(BYTE_PIECES), max_size=40).map(b"".join))
@example(b"\xe2a\x80\x9c")  # a lead byte apart from its continuation bytes
@example(b"a\x9c")  # a stray continuation byte
@example("\u1100\u1161".encode())  # two jamo that NFC makes one syllable
def test_judging_by_kinds_of_characters_agrees_with_looking_at_every_character(data: bytes) -> None:
    expected = plain_by_every_character(data)
    plain = isinstance(blocks.judged(data, False), bytes)  # a plain block stays bytes
    assert plain == bool(expected)  # and text that is not UTF-8 is never plain


def test_no_character_judged_inert_can_join_the_one_before_it_under_nfc() -> None:
    seconds = set()  # second characters of canonical pairs NFC may compose
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    seconds |= {chr(c) for c in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}  # Hangul V and T jamo
    inert = {chr(c) for c in range(0x80, 0x10000) if blocks._inert(chr(c))}
    assert not inert & seconds
    assert {"’", "“", "–", "…", "²", "→", "㎢", "한", "é"} <= inert
    assert not inert & {"\u00a0", "\u00ad", "\u2028", "\u202f", "\u212b", "\u0301", "\ufffe"}
