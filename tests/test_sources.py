"""Reading only what is new in a grown dump, and everything when in doubt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SAMPLE, record
from pressfeed import sources
from pressfeed.parse import ParseStats, parse_file
from pressfeed.sources import Span
from pressfeed.types import Problem, RawRecord

OLD = SAMPLE.read_text(encoding="utf-8") + "\n"


def snapshot_of(path: Path) -> sources.Snapshot:
    stats = ParseStats()
    list(parse_file(path, stats=stats))
    return sources.take(path, stats.last_line)


def rewrite(path: Path, text: str) -> None:
    """Write new content with a later mtime, as a dump export would."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def titles(path: Path, span: Span) -> list[str]:
    return [r.title for r in parse_file(path, span=span) if isinstance(r, RawRecord)]


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "dump.txt"
    path.write_text(OLD, encoding="utf-8")
    return path


def test_an_untouched_dump_is_not_read(dump: Path) -> None:
    assert sources.plan(dump, snapshot_of(dump)) is None


def test_a_dump_never_seen_is_read_whole(dump: Path) -> None:
    assert sources.plan(dump, None) == sources.HELD


def test_new_records_on_top_are_all_that_is_read(dump: Path) -> None:
    before = snapshot_of(dump)
    top = record("Industry", "Newest", "New.") + record("Industry", "Newer", "New.")
    rewrite(dump, top + OLD)
    span = sources.plan(dump, before)
    assert span == Span(0, len(top.encode()), 1, hold_unfinished=True)
    assert titles(dump, span) == ["Newest", "Newer"]


def test_records_appended_at_the_end_are_read_with_the_last_old_one(dump: Path) -> None:
    before = snapshot_of(dump)
    rewrite(dump, OLD + record("Industry", "Appended", "New."))
    span = sources.plan(dump, before)
    assert span is not None and span.start > 0 and span.first_line == 37
    assert titles(dump, span) == ["Korea’s Retail Industry Grows 3.7% in August", "Appended"]


def test_problems_in_a_partial_read_keep_their_real_line_numbers(dump: Path) -> None:
    before = snapshot_of(dump)
    rewrite(dump, OLD + "-\nIndustry\nNo body\n")
    span = sources.plan(dump, before)
    assert span is not None
    problems = [p for p in parse_file(dump, "dump.txt", span=span) if isinstance(p, Problem)]
    assert [str(p) for p in problems] == ["dump.txt:43: no body"]


@pytest.mark.parametrize(
    "change",
    [
        lambda old: old[: len(old) // 2],  # shrank
        lambda old: old.replace("Korea", "Korae", 1),  # same size, edited
        lambda old: (
            old.replace("Seongnam", "Seongnam City", 1) + record("I", "New", "New.")
        ),  # edited and grown
    ],
)
def test_anything_else_is_read_whole(dump: Path, change: object) -> None:
    before = snapshot_of(dump)
    rewrite(dump, change(OLD))  # type: ignore[operator]
    assert sources.plan(dump, before) == sources.HELD


def test_full_reads_everything(dump: Path) -> None:
    assert sources.plan(dump, snapshot_of(dump), full=True) == sources.HELD


def test_line_counts_add_up_after_a_partial_read(dump: Path) -> None:
    before = snapshot_of(dump)
    top = record("Industry", "Newest", "New.")
    rewrite(dump, top + OLD)
    span = sources.plan(dump, before)
    assert span is not None
    stats = ParseStats()
    list(parse_file(dump, span=span, stats=stats))
    assert sources.lines_after(span, before, stats.last_line) == snapshot_of(dump).lines == 44


def test_a_snapshot_survives_its_json_form(dump: Path) -> None:
    snap = snapshot_of(dump)
    assert sources.Snapshot.from_json(snap.to_json()) == snap
    assert sources.Snapshot.from_json("not json") is None


def read_with_appends(path: Path, appended: bytes, span: Span = sources.HELD) -> ParseStats:
    """Parse `path` while `appended` is written to its end right after the read begins."""
    stats = ParseStats()
    records = parse_file(path, span=span, stats=stats)
    first = next(records)
    with path.open("ab") as stream:
        stream.write(appended)
    assert isinstance(first, RawRecord)
    list(records)
    return stats


def test_bytes_appended_during_a_read_are_left_for_the_next_one(dump: Path) -> None:
    """The snapshot describes the bytes parsed, not the file as it is after the read."""
    extra = record("Industry", "Appended", "Written while a build read the file.").encode()
    stats = read_with_appends(dump, extra)
    assert stats.seen is not None
    snapshot = stats.seen.snapshot(stats.last_line)
    assert snapshot.size == len(OLD.encode())
    span = sources.plan(dump, snapshot)
    assert span is not None
    assert "Appended" in titles(dump, span)


def test_an_unfinished_last_record_is_kept_back_then_read_once_complete(dump: Path) -> None:
    """A last record with no date marker yet is neither taken nor reported; once the writer
    finishes it, the next read takes it."""
    with dump.open("a", encoding="utf-8") as stream:
        stream.write("-\nIndustry\nHalf written\nThe ministry said")
    stats = ParseStats()
    items = list(parse_file(dump, span=sources.HELD, stats=stats))
    assert not [i for i in items if isinstance(i, Problem)]
    assert stats.held is not None and stats.held.line == 44
    assert stats.seen is not None
    before = stats.seen.snapshot(stats.last_line, held=True)
    with dump.open("a", encoding="utf-8") as stream:
        stream.write(" that exports grew. date2025-09-30\n")
    span = sources.plan(dump, before)
    assert span is not None and span.start > 0
    assert titles(dump, span) == ["Half written"]


def test_an_unfinished_last_record_is_reported_once_the_file_stays_the_same(dump: Path) -> None:
    with dump.open("a", encoding="utf-8") as stream:
        stream.write("-\nIndustry\nNever finished\nThe ministry said\n")
    stats = ParseStats()
    list(parse_file(dump, span=sources.HELD, stats=stats))
    assert stats.seen is not None and stats.held is not None
    span = sources.plan(dump, stats.seen.snapshot(stats.last_line, held=True))
    assert span is not None and not span.hold_unfinished
    again = ParseStats()
    problems = [str(i) for i in parse_file(dump, span=span, stats=again) if isinstance(i, Problem)]
    assert problems == [
        f"{dump}:44: no date: the body must end with 'date' and YYYY-MM-DD (e.g. 'date2025-09-29')"
    ]
    assert again.seen is not None and again.held is None
    assert sources.plan(dump, again.seen.snapshot(again.last_line)) is None


def test_a_complete_last_record_with_an_impossible_date_is_reported_at_once(dump: Path) -> None:
    dump.write_text(OLD + record("Industry", "Bad day", "Text.", day="2025-02-30"), encoding="utf-8")
    problems = [i for i in parse_file(dump, span=sources.HELD) if isinstance(i, Problem)]
    assert [p.message for p in problems] == ["impossible date 2025-02-30 (day is out of range for month)"]
