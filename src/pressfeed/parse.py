"""Read a dump, streaming, into RawRecords; every rejected record becomes a Problem.

A record is a line `-`, a category line, a title line, then body lines; the body ends with
`date` and an ISO day (`... date2025-09-29`). Blank lines anywhere are ignored.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pressfeed.errors import InputError
from pressfeed.sources import WHOLE, Span
from pressfeed.types import Problem, RawRecord

_BOM = b"\xef\xbb\xbf"
#: A line with nothing but whitespace and control characters counts as blank.
_BLANK = re.compile(r"[\s\x00-\x1f\x7f-\x9f]*")
#: The date marker that ends a body; only the last line's end is looked at.
_MARKER = re.compile(r"date\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_LOOSE_MARKER = re.compile(r"date\s*(\d[\d-]*\d)\s*$")
#: A longer line rejects its record: no press release needs it, and it would be held in memory.
MAX_LINE_BYTES = 1 << 20


@dataclass
class _Pending:
    """A record being collected: its `-` line and its non-blank lines with their numbers."""

    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    #: The first faulty line (number, what is wrong), which rejects the record.
    fault: tuple[int, str] | None = None


#: Called as progress(bytes_read, total_bytes) about every megabyte, and at the end.
Progress = Callable[[int, int], None]


@dataclass
class ParseStats:
    """Filled in while a span is parsed."""

    #: The number of the last line read (first_line - 1 when nothing was read).
    last_line: int = 0


def parse_file(
    path: Path,
    name: str | None = None,
    progress: Progress | None = None,
    span: Span = WHOLE,
    stats: ParseStats | None = None,
) -> Iterator[RawRecord | Problem]:
    """Yield the records of one dump file (or of a span of it) in order, and a Problem for
    each one rejected.

    `name` is how messages refer to the file (default: the path as given).
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
            size = (
                os.fstat(stream.fileno()).st_size - span.start if span.end is None else span.end - span.start
            )
            lines = _lines(_blocks(stream, size, progress), strip_bom=span.start == 0)
            yield from parse_lines(lines, shown, span.first_line, stats)
        except OSError as exc:
            raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from exc


def _looks_binary(head: bytes) -> bool:
    """UTF-16/32 text (by its byte order mark), or a file whose first KiBs are over 5% NUL
    bytes (images, archives); a stray NUL or two in a text dump is only cleaned away."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return len(head) >= 1024 and head.count(0) * 20 > len(head)


#: Bytes read at a time; lines are split and decoded a block at a time.
BLOCK = 4 << 20


class FaultyLine(str):
    """A line that cannot be taken as it is (invalid UTF-8, over-long): its text as best it
    can be read, and what is wrong with it."""

    fault: str

    def __new__(cls, text: str, fault: str) -> FaultyLine:
        line = super().__new__(cls, text)
        line.fault = fault
        return line


def _blocks(stream: BinaryIO, size: int, progress: Progress | None) -> Iterator[bytes]:
    """The next `size` bytes of the stream, a block at a time, each ending after a line end
    (except the last, when the file does not end with one)."""
    rest = b""
    done = 0
    while done < size:
        block = stream.read(min(BLOCK, size - done))
        if not block:
            break
        done += len(block)
        if progress is not None:
            progress(done, size)
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data  # a line longer than a block: keep reading
            continue
        rest = data[cut:]
        yield data[:cut]
    if progress is not None and done == 0:
        progress(0, size)
    if rest:
        yield rest


def _lines(blocks: Iterable[bytes], strip_bom: bool = True) -> Iterator[str]:
    """Lines of text; LF, CRLF and lone CR all end a line. A block of valid UTF-8 without lone
    CRs or over-long lines is decoded and split at once; any other line by line."""
    for block in blocks:
        if strip_bom:
            block = block.removeprefix(_BOM)
            strip_bom = False
        if b"\r" in block and block.count(b"\r") == block.count(b"\r\n"):
            block = block.replace(b"\r\n", b"\n")
        if b"\r" not in block:
            try:
                lines = block.decode("utf-8").split("\n")
            except UnicodeDecodeError:
                pass
            else:
                if lines[-1] == "":
                    lines.pop()  # the block's last line end
                # A character is at most 4 bytes: shorter lines cannot be over-long.
                if len(block) <= MAX_LINE_BYTES or max(map(len, lines)) * 4 <= MAX_LINE_BYTES:
                    yield from lines
                    continue
        yield from _line_by_line(block)


def _line_by_line(block: bytes) -> Iterator[str]:
    raw_lines = block.split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    for raw in raw_lines:
        raw = raw.removesuffix(b"\r")
        for piece in raw.split(b"\r") if b"\r" in raw else (raw,):
            if len(piece) > MAX_LINE_BYTES:
                yield FaultyLine(
                    "\x00", f"line longer than {MAX_LINE_BYTES >> 20} MiB ({len(piece):,} bytes)"
                )
                continue
            try:
                yield piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = piece.decode("utf-8", errors="replace")
                yield FaultyLine(text, f"invalid UTF-8 (byte {exc.start + 1} of the line)")


def parse_lines(
    lines: Iterable[str], name: str, first_line: int = 1, stats: ParseStats | None = None
) -> Iterator[RawRecord | Problem]:
    """The parser proper, over already-split lines (a FaultyLine rejects its record)."""
    pending: _Pending | None = None
    position = 0
    stray: int | None = None
    number = first_line - 1
    seen_text = False
    for number, text in enumerate(lines, start=first_line):
        stripped = text.strip()
        if stripped == "-":
            if pending is not None:
                result = _finish(pending, name, position)
                position += isinstance(result, RawRecord)
                yield result
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
    if not seen_text and pending is None and first_line == 1:
        yield Problem(name, 1, "empty file: no records")
    if pending is not None:
        yield _finish(pending, name, position)


def _finish(record: _Pending, name: str, position: int) -> RawRecord | Problem:
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
    if len(lines) == 2:
        what = "no title (expected category, title, then body)" if marker else "no body"
        return problem(lines[1][0], what)
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
        position=position,
        category=lines[0][1],
        title=lines[1][1],
        body=body,
        day=day,
    )


def _no_marker(last: str) -> str:
    loose = _LOOSE_MARKER.search(last)
    if loose:
        return f"malformed date {loose.group(1)!r}: expected 'date' and YYYY-MM-DD"
    return "no date: the body must end with 'date' and YYYY-MM-DD (e.g. 'date2025-09-29')"
