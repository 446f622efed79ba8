"""Which part of an input dump a build must read, given what the last build saw of it.

Dumps grow: a newsroom export gains new releases at the top (newest first) or at the bottom.
Re-reading 200 MB to find one new article would make every cron run as slow as the first, so
the store keeps a small snapshot of each input: size, mtime, line count, digests of sampled
blocks (the first and last 64 KiB and 16 blocks of 4 KiB in between), and where its last record
starts. A build then reads:

- nothing, when size and mtime are unchanged;
- only the new top, when the file grew and every sampled block of the old content sits
  unchanged exactly that many bytes further on (and the new part ends with a line end);
- from the old last record on, when the file grew and every sampled block sits where it was
  (the last record is read again in case it was still being written);
- the whole file otherwise (it shrank, kept its size, or changed elsewhere), or always with
  `pressfeed build --full`.

The samples make a change inside the old content very likely, not certain, to be noticed;
`--full` reads everything.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Span:
    """The part of a dump to read: bytes [start, end), starting at line `first_line`.

    Both ends must fall on line starts; the default is the whole file.
    """

    start: int = 0
    end: int | None = None
    first_line: int = 1


#: The whole file.
WHOLE = Span()

EDGE = 64 << 10
BLOCK = 4 << 10
INNER_BLOCKS = 16
#: How far back from the end to look for the last record's `-` line.
TAIL_WINDOW = 4 << 20
_SEPARATOR = re.compile(rb"(?:^|\n)[ \t]*-[ \t]*\r?(?=\n|$)")


@dataclass(frozen=True)
class Snapshot:
    """What a build remembers of an input file."""

    size: int
    mtime_ns: int
    #: Lines in the file, counted as the parser counts them.
    lines: int
    #: (offset, length, digest) of sampled blocks.
    blocks: tuple[tuple[int, int, str], ...]
    #: (byte offset, line number) of the last record's `-` line; None when not found.
    tail: tuple[int, int] | None

    def to_json(self) -> str:
        return json.dumps([self.size, self.mtime_ns, self.lines, self.blocks, self.tail])

    @classmethod
    def from_json(cls, text: str) -> Snapshot | None:
        try:
            size, mtime_ns, lines, blocks, tail = json.loads(text)
            return cls(size, mtime_ns, lines, tuple(map(tuple, blocks)), tuple(tail) if tail else None)
        except (ValueError, TypeError):
            return None


def _digest(stream: BinaryIO, offset: int, length: int) -> str:
    stream.seek(offset)
    return hashlib.blake2b(stream.read(length), digest_size=16).hexdigest()


def _sample_offsets(size: int) -> list[tuple[int, int]]:
    if size <= 2 * EDGE:
        return [(0, size)]
    inner = [(EDGE + (size - 2 * EDGE - BLOCK) * n // (INNER_BLOCKS - 1), BLOCK) for n in range(INNER_BLOCKS)]
    return [(0, EDGE), *inner, (size - EDGE, EDGE)]


def take(path: Path, lines: int) -> Snapshot:
    """Snapshot a file just read in full or in part; `lines` is its line count."""
    stat = path.stat()
    with path.open("rb") as stream:
        blocks = tuple((o, n, _digest(stream, o, n)) for o, n in _sample_offsets(stat.st_size))
        tail = _find_tail(stream, stat.st_size, lines)
    return Snapshot(stat.st_size, stat.st_mtime_ns, lines, blocks, tail)


def _find_tail(stream: BinaryIO, size: int, lines: int) -> tuple[int, int] | None:
    """Where the last record starts: searched in the last 64 KiB, then in windows four times
    larger, up to TAIL_WINDOW."""
    window_size = min(EDGE, TAIL_WINDOW)
    while True:
        start = max(0, size - window_size)
        stream.seek(start)
        window = stream.read()
        matches = list(_SEPARATOR.finditer(window))
        # A match at the window's very start may be a "-" line's tail, not a whole line.
        if matches and (start == 0 or matches[-1].start() > 0):
            break
        if start == 0 or window_size >= TAIL_WINDOW:
            return None
        window_size = min(window_size * 4, TAIL_WINDOW)
    found = matches[-1]
    begin = found.start() + (window[found.start() : found.start() + 1] == b"\n")
    after = window[begin:]
    if after.count(b"\r") != after.count(b"\r\n"):
        return None  # lone CRs end lines too: counting "\n" would misnumber them
    after_lines = after.count(b"\n") + (not after.endswith(b"\n"))
    return start + begin, lines - after_lines + 1


def plan(path: Path, before: Snapshot | None, *, full: bool = False) -> Span | None:
    """The span of `path` to read now, or None when it is unchanged since `before`."""
    try:
        stat = path.stat()
    except OSError:
        return Span()  # let the parser report it
    if before is not None and (stat.st_size, stat.st_mtime_ns) == (before.size, before.mtime_ns) and not full:
        return None
    if full or before is None or stat.st_size <= before.size:
        return Span()
    grown = stat.st_size - before.size
    with path.open("rb") as stream:
        if _blocks_at(stream, before, 0) and before.tail is not None:
            offset, line = before.tail
            return Span(offset, None, line)
        if _blocks_at(stream, before, grown) and _line_ends_at(stream, grown):
            return Span(0, grown, 1)
    return Span()


def _blocks_at(stream: BinaryIO, before: Snapshot, shift: int) -> bool:
    return all(_digest(stream, offset + shift, length) == digest for offset, length, digest in before.blocks)


def _line_ends_at(stream: BinaryIO, offset: int) -> bool:
    stream.seek(offset - 1)
    return stream.read(1) == b"\n"


def lines_after(span: Span, before: Snapshot | None, last_line: int) -> int:
    """The file's line count after reading `span` (whose last line read was `last_line`)."""
    if span.end is not None and before is not None:
        return last_line + before.lines  # new lines on top of the old ones
    return last_line
