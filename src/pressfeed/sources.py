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

A snapshot describes the bytes a build actually parsed: size and mtime come from the open
file's `fstat` before reading, the sampled digests from that same open file, up to that size.
Bytes appended while (or after) a build reads are therefore new to the next build. A last
record that cannot be taken yet (no date marker at the end of the file: it may still be being
written) is not counted as read; it is reported only if the file is still the same at the next
build.

The samples make a change inside the old content very likely, not certain, to be noticed;
`--full` reads everything.
"""

from __future__ import annotations

import hashlib
import json
import os
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
    #: Keep back a rejected last record at the end of the file (it may still be being written)
    #: instead of reporting it.
    hold_unfinished: bool = False

    @property
    def whole(self) -> bool:
        """The span is the whole file."""
        return self.start == 0 and self.end is None


#: The whole file.
WHOLE = Span()
#: The whole file, an unfinished last record kept back (what a build reads).
HELD = Span(hold_unfinished=True)

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
    #: The last record was kept back unread (unfinished at the end of the file).
    held: bool = False

    def to_json(self) -> str:
        return json.dumps([self.size, self.mtime_ns, self.lines, self.blocks, self.tail, self.held])

    @classmethod
    def from_json(cls, text: str) -> Snapshot | None:
        try:
            size, mtime_ns, lines, blocks, tail, *rest = json.loads(text)
            held = bool(rest and rest[0])
            return cls(size, mtime_ns, lines, tuple(map(tuple, blocks)), tuple(tail) if tail else None, held)
        except (ValueError, TypeError):
            return None


@dataclass(frozen=True)
class Seen:
    """What one read saw of a file, taken from the file it had open (never a later `stat`)."""

    size: int
    mtime_ns: int
    #: (offset, length, digest) of sampled blocks.
    blocks: tuple[tuple[int, int, str], ...]
    #: (byte offset of the last record's `-` line, lines from it to the end); None when not found.
    tail: tuple[int, int] | None

    def snapshot(self, lines: int, *, held: bool = False) -> Snapshot:
        """The snapshot, given the file's line count (`lines`) and whether its last record was
        kept back."""
        tail = None if self.tail is None else (self.tail[0], lines - self.tail[1] + 1)
        return Snapshot(self.size, self.mtime_ns, lines, self.blocks, tail, held and tail is not None)


def _digest(stream: BinaryIO, offset: int, length: int) -> str:
    stream.seek(offset)
    return hashlib.blake2b(stream.read(length), digest_size=16).hexdigest()


def _sample_offsets(size: int) -> list[tuple[int, int]]:
    if size <= 2 * EDGE:
        return [(0, size)]
    inner = [(EDGE + (size - 2 * EDGE - BLOCK) * n // (INNER_BLOCKS - 1), BLOCK) for n in range(INNER_BLOCKS)]
    return [(0, EDGE), *inner, (size - EDGE, EDGE)]


def seen(stream: BinaryIO, size: int, mtime_ns: int) -> Seen:
    """What a read of the first `size` bytes of an open file saw (`size` and `mtime_ns` from its
    `fstat` before the read): bytes appended since are left for the next build."""
    blocks = tuple((o, n, _digest(stream, o, n)) for o, n in _sample_offsets(size))
    return Seen(size, mtime_ns, blocks, _find_tail(stream, size))


def take(path: Path, lines: int) -> Snapshot:
    """Snapshot a file as it is now (for tests and tools; a build uses what it read, `seen`)."""
    with path.open("rb") as stream:
        stat = os.fstat(stream.fileno())
        return seen(stream, stat.st_size, stat.st_mtime_ns).snapshot(lines)


def _find_tail(stream: BinaryIO, size: int) -> tuple[int, int] | None:
    """Where the last record starts, and how many lines it has to the end of the first `size`
    bytes: searched in the last 64 KiB, then in windows four times larger, up to TAIL_WINDOW."""
    window_size = min(EDGE, TAIL_WINDOW)
    while True:
        start = max(0, size - window_size)
        stream.seek(start)
        window = stream.read(size - start)
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
    return start + begin, after_lines


def plan(path: Path, before: Snapshot | None, *, full: bool = False) -> Span | None:
    """The span of `path` to read now, or None when it is unchanged since `before`."""
    try:
        stat = path.stat()
    except OSError:
        return Span()  # let the parser report it
    if before is not None and (stat.st_size, stat.st_mtime_ns) == (before.size, before.mtime_ns) and not full:
        if before.held and before.tail is not None:
            # Unchanged for a whole build: the unfinished last record is not being written.
            offset, line = before.tail
            return Span(offset, None, line)
        return None
    if full or before is None or stat.st_size <= before.size:
        return HELD
    grown = stat.st_size - before.size
    with path.open("rb") as stream:
        if _blocks_at(stream, before, 0) and before.tail is not None:
            offset, line = before.tail
            return Span(offset, None, line, hold_unfinished=True)
        if _blocks_at(stream, before, grown) and _line_ends_at(stream, grown):
            return Span(0, grown, 1, hold_unfinished=True)
    return HELD


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
