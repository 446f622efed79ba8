"""The parser: tolerant of encoding noise, strict about structure, every rejection located."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLE, record
from pressfeed import parse
from pressfeed.errors import InputError
from pressfeed.parse import parse_file, parse_lines
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
            patch.setattr(parse, "BLOCK", block_size)
            read = parse._lines(parse._blocks(io.BufferedReader(io.BytesIO(text)), len(text), None))
            return [(line, getattr(line, "fault", None)) for line in read]

    expected = [
        (line, getattr(line, "fault", None))
        for line in parse._line_by_line(data.removeprefix(b"\xef\xbb\xbf"))
    ]
    assert lines(data, 1 << 20) == expected
    assert lines(data, block) == expected
