"""Read a dump, streaming, into RawRecords; every rejected record becomes a Problem.

A record is a line `-`, a category line, a title line, then body lines; the body ends with
`date` and an ISO day (`... date2025-09-29`). Blank lines anywhere are ignored.

Most dumps hold nothing but plain records: four lines each, text already clean. A block of
such text is matched a record at a time by one regular expression and its records marked
`clean`, so that the normalizer passes them through; anything else (blank lines, bodies over
several lines, stray whitespace or control characters, invalid UTF-8) goes through the line
parser, which the fast path must agree with record for record (tests/test_parse.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pressfeed import sources
from pressfeed.blocks import FaultyLine, Piece, Progress, pieces, split
from pressfeed.errors import InputError
from pressfeed.sources import WHOLE, Seen, Span
from pressfeed.types import Problem, RawRecord

#: A line with nothing but whitespace and control characters counts as blank.
_BLANK = re.compile(r"[\s\x00-\x1f\x7f-\x9f]*")
#: The date marker that ends a body; only the last line's end is looked at.
_MARKER = re.compile(r"date\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_LOOSE_MARKER = re.compile(r"date\s*(\d[\d-]*\d)\s*$")


@dataclass
class _Pending:
    """A record being collected: its `-` line and its non-blank lines with their numbers."""

    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    #: The first faulty line (number, what is wrong), which rejects the record.
    fault: tuple[int, str] | None = None


@dataclass
class ParseStats:
    """Filled in while a span is parsed."""

    #: The number of the last line read (first_line - 1 when nothing was read).
    last_line: int = 0
    #: What the read saw of the file (from the file it had open), for the next build's plan.
    seen: Seen | None = None
    #: The last record, rejected but kept back because the file may still be being written.
    held: Problem | None = None


def parse_file(
    path: Path,
    name: str | None = None,
    progress: Progress | None = None,
    span: Span = WHOLE,
    stats: ParseStats | None = None,
    encoding: str = "utf-8",
) -> Iterator[RawRecord | Problem]:
    """Yield the records of one dump file (or of a span of it) in order, and a Problem for
    each one rejected.

    `name` is how messages refer to the file (default: the path as given); `encoding` one
    Python knows by its canonical name (other than UTF-8: see legacy.py).
    """
    shown = name or str(path)
    try:
        stream = path.open("rb")
    except FileNotFoundError as exc:
        raise InputError(f"{shown}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{shown}: is a directory, not a dump file") from exc
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from exc
    with stream:
        try:
            if span.start == 0 and _looks_binary(stream.peek(8192)[:8192]):
                raise InputError(
                    f"{shown}: binary data (NUL bytes), not a text dump; a dump must be UTF-8 text"
                )
            stream.seek(span.start)
            found = os.fstat(stream.fileno())  # bytes appended from now on are the next build's
            size = found.st_size - span.start if span.end is None else span.end - span.start
            hold = span.hold_unfinished and span.end is None
            if encoding == "utf-8":
                decoded = pieces(stream, size, progress, strip_bom=span.start == 0)
                yield from parse_pieces(decoded, shown, span.first_line, stats, hold_last=hold)
            else:
                from pressfeed import legacy

                text = legacy.lines(stream.read(size), encoding)
                empty = span.start == 0
                yield from parse_lines(
                    text, shown, span.first_line, stats, report_empty=empty, hold_last=hold
                )
            if stats is not None:
                stats.seen = sources.seen(stream, found.st_size, found.st_mtime_ns)
        except OSError as exc:
            raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:  # a block judged valid UTF-8, read again otherwise
            raise InputError(f"{shown}: changed while being read; nothing was taken from it") from exc


def _looks_binary(head: bytes) -> bool:
    """UTF-16/32 text (by its byte order mark), or a file whose first KiBs are over 5% NUL
    bytes (images, archives); a stray NUL or two in a text dump is only cleaned away."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return len(head) >= 1024 and head.count(0) * 20 > len(head)


#: A plain record followed by another record's `-` line, in UTF-8: single lines without
#: surrounding spaces, the body ending with its date marker and nothing after it. (The file's
#: last record and every other shape go through the line parser.)
_PLAIN_RECORD = re.compile(
    rb"^-\n(?!-\n)([^ \n](?:[^\n]*[^ \n])?)\n(?!-\n)([^ \n](?:[^\n]*[^ \n])?)\n"
    rb"([^ \n](?:[^\n]*[^ \n])?) ?date(\d{4}-\d\d-\d\d)\n(?=-\n)",
    re.MULTILINE,
)


def parse_pieces(
    decoded: Iterable[Piece],
    name: str,
    first_line: int = 1,
    stats: ParseStats | None = None,
    *,
    hold_last: bool = False,
) -> Iterator[RawRecord | Problem]:
    """Records from judged blocks (see blocks.py): the plain records of plain blocks at once,
    the rest (`gap`) through the line parser, each run of it ending before a plain record.

    `hold_last`: a rejected last record is kept in `stats.held`, not yielded (see parse_lines).
    """
    gap: list[str] = []
    number = first_line  # of gap[0], or of the next line when the gap is empty
    seen = False
    for piece in decoded:
        if not isinstance(piece, bytes):
            gap.extend(split(piece) if isinstance(piece, str) else piece)
            continue
        done = 0
        for match in _PLAIN_RECORD.finditer(piece):
            category, title, body, iso_day = match.groups()
            try:
                day = dt.date.fromisoformat(iso_day.decode())
            except ValueError:
                continue  # an impossible date: the line parser says why
            start = match.start()
            if start > done:
                gap.extend(split(piece[done:start].decode()))
            if gap:
                yield from parse_lines(gap, name, number, report_empty=False)
                number += len(gap)
                gap = []
            yield RawRecord(name, number, category.decode(), title.decode(), body.decode(), day, clean=True)
            seen = True
            number += 4
            done = match.end()
        gap.extend(split(piece[done:].decode()))
    if gap or not seen:
        yield from parse_lines(gap, name, number, stats, report_empty=not seen, hold_last=hold_last)
    if stats is not None:
        stats.last_line = number + len(gap) - 1


def parse_lines(
    lines: Iterable[str],
    name: str,
    first_line: int = 1,
    stats: ParseStats | None = None,
    *,
    report_empty: bool = True,
    hold_last: bool = False,
) -> Iterator[RawRecord | Problem]:
    """The parser proper, over already-split lines (a FaultyLine rejects its record).

    `report_empty`: lines from a file's first that hold no text make an "empty file" problem.
    `hold_last`: the lines end at the end of a file that may still be growing; a last record
    that is rejected (no date marker yet, a character cut in two) is kept in `stats.held`
    instead of being yielded: the next build reads it again.
    """
    pending: _Pending | None = None
    stray: int | None = None
    number = first_line - 1
    seen_text = False
    for number, text in enumerate(lines, start=first_line):
        stripped = text.strip()
        if stripped == "-":
            if pending is not None:
                yield _finish(pending, name)
            pending = _Pending(number)
            continue
        faulty = text.__class__ is FaultyLine
        if not faulty and (not stripped or (not stripped[0].isprintable() and _BLANK.fullmatch(stripped))):
            continue
        seen_text = True
        if pending is None:
            if stray is None:
                stray = number
                yield Problem(name, number, "text outside a record (a record starts with a line '-')")
            continue
        pending.lines.append((number, stripped))
        if faulty and pending.fault is None:
            assert isinstance(text, FaultyLine)
            pending.fault = (number, text.fault)
    if stats is not None:
        stats.last_line = number
    if not seen_text and pending is None and first_line == 1 and report_empty:
        yield Problem(name, 1, "empty file: no records")
    if pending is not None:
        last = _finish(pending, name)
        if hold_last and stats is not None and isinstance(last, Problem) and _unfinished(pending):
            stats.held = last
        else:
            yield last


def _unfinished(record: _Pending) -> bool:
    """A record that may still be being written: its last line has no date marker yet, or is
    what is faulty (a character cut in two)."""
    if not record.lines:
        return True
    last_line, last = record.lines[-1]
    if record.fault is not None:
        return record.fault[0] == last_line
    return _MARKER.search(last, max(0, len(last) - 64)) is None


def _finish(record: _Pending, name: str) -> RawRecord | Problem:
    def problem(line: int, message: str) -> Problem:
        return Problem(name, line, message)

    if record.fault is not None:
        line, fault = record.fault
        return problem(line, f"{fault}; record skipped")
    lines = record.lines
    if not lines:
        return problem(record.line, "empty record: no category, title or body")
    last_line, last = lines[-1]
    marker = _MARKER.search(last, max(0, len(last) - 64))  # the marker ends the line
    if len(lines) == 1:
        return problem(record.line, "record has only a category line; no title, body or date")
    if len(lines) == 2 and marker is None:
        return problem(lines[1][0], "no body")
    if len(lines) == 2:  # a category or a title line is missing: which, its length tells
        if _looks_like_title(lines[0][1]):
            return problem(lines[0][0], "no category line (expected category, title, then body)")
        return problem(lines[1][0], "no title (expected category, title, then body)")
    if marker is None:
        return problem(last_line, _no_marker(last))
    try:
        day = dt.date(*map(int, marker.groups()))
    except ValueError as exc:
        return problem(last_line, f"impossible date {'-'.join(marker.groups())} ({exc})")
    body_lines = [text for _, text in lines[2:-1]]
    body_lines.append(last[: marker.start()].rstrip())
    body = "\n".join(t for t in body_lines if t)
    if not body:
        return problem(lines[2][0], "empty body: only a date marker")
    return RawRecord(
        path=name,
        line=record.line,
        category=lines[0][1],
        title=lines[1][1],
        body=body,
        day=day,
    )


def _looks_like_title(line: str) -> bool:
    """Categories are a few words ("FTA/Economic Cooperation"); titles are sentences."""
    return len(line) > 40 or len(line.split()) > 5


def _no_marker(last: str) -> str:
    loose = _LOOSE_MARKER.search(last)
    if loose:
        return f"malformed date {loose.group(1)!r}: expected 'date' and YYYY-MM-DD"
    return "no date: the body must end with 'date' and YYYY-MM-DD (e.g. 'date2025-09-29')"
