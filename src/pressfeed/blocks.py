"""A dump's bytes as decoded blocks of whole lines, each judged plain or not.

A dump is read 4 MiB at a time. A block of valid UTF-8 without lone CRs or over-long lines is
decoded at once and kept as one text; any other is read line by line. A text is *plain* when
none of its lines needs cleaning (see `is_plain`): the parser then takes its simple records
as they are. Judging costs more than decoding (every character is looked at three times), so
for a large dump a second process judges each block while this one parses the block before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Bytes read at a time; lines are split and decoded a block at a time.
BLOCK = 4 << 20
#: A longer line rejects its record: no press release needs it, and it would be held in memory.
MAX_LINE_BYTES = 1 << 20
#: From this many bytes to read on, a second process judges the blocks.
JUDGE_APART_BYTES = 32 << 20
#: Blocks read ahead of the one being parsed, for the judge to work on.
AHEAD = 2
_BOM = b"\xef\xbb\xbf"

#: Called as progress(bytes_read, total_bytes) about every megabyte, and at the end.
Progress = Callable[[int, int], None]


class FaultyLine(str):
    """A line that cannot be taken as it is (invalid UTF-8, over-long): its text as best it
    can be read, and what is wrong with it."""

    fault: str

    def __new__(cls, text: str, fault: str) -> FaultyLine:
        line = super().__new__(cls, text)
        line.fault = fault
        return line


#: A decoded block: one text of whole lines, or its lines read one by one; and whether plain.
Piece = tuple[str | list[str], bool]


def pieces(stream: BinaryIO, size: int, progress: Progress | None, *, strip_bom: bool) -> Iterator[Piece]:
    """The next `size` bytes of the stream as decoded, judged blocks."""
    blocks = read_blocks(stream, size, progress)
    if size < JUDGE_APART_BYTES or not _can_fork():
        for block in blocks:
            piece = decode(block, strip_bom)
            strip_bom = False
            yield piece, isinstance(piece, str) and is_plain(piece)
        return
    yield from _judged_apart(stream.fileno(), stream.tell(), blocks, strip_bom)


def read_blocks(stream: BinaryIO, size: int, progress: Progress | None) -> Iterator[bytes]:
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


def decode(block: bytes, strip_bom: bool) -> str | list[str]:
    """The block as one text (whole lines, "\\n" after each but perhaps the file's last) when
    it is valid UTF-8 without lone CRs or over-long lines, else as its lines, one by one."""
    if strip_bom:
        block = block.removeprefix(_BOM)
    if b"\r" in block and block.count(b"\r") == block.count(b"\r\n"):
        block = block.replace(b"\r\n", b"\n")
    if b"\r" not in block:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not _may_hold_long_lines(block):
                return text
    return list(_line_by_line(block))


def _may_hold_long_lines(block: bytes) -> bool:
    """False when no line of the block can be over MAX_LINE_BYTES: every stretch of half that
    many bytes holds a line end."""
    half = MAX_LINE_BYTES // 2
    return len(block) > MAX_LINE_BYTES and any(
        block.find(b"\n", start, start + half) < 0 for start in range(0, len(block) - half, half)
    )


def lines(blocks: Iterable[bytes], strip_bom: bool = True) -> Iterator[str]:
    """Lines of text; LF, CRLF and lone CR all end a line."""
    for block in blocks:
        piece = decode(block, strip_bom)
        strip_bom = False
        yield from split(piece) if isinstance(piece, str) else piece


def split(text: str) -> list[str]:
    """The lines of a decoded text."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()  # the last line's end
    return parts


def is_plain(text: str) -> bool:
    """True when no line of `text` needs cleaning but for surrounding spaces: NFC, no control,
    format or unassigned character, no whitespace but single spaces and line ends."""
    return (
        text.replace("\n", " ").isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text)
    )


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


def _can_fork() -> bool:
    """A forked child gets a copy of this process: safe while no other thread runs."""
    return hasattr(os, "fork") and hasattr(os, "pread") and threading.active_count() == 1


def _judged_apart(fd: int, offset: int, blocks: Iterator[bytes], strip_bom: bool) -> Iterator[Piece]:
    """Blocks judged by a child process, which reads each from the same open file (by offset)
    while this process decodes and parses the ones before. The child only ever calls plain
    what it decoded and judged itself; if it fails, or its text differs, blocks are judged here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    judge = context.Process(target=_judge, args=(fd, theirs, ours), daemon=True)
    judge.start()
    theirs.close()
    waiting: deque[bytes] = deque()
    try:
        first = strip_bom
        for block in blocks:
            ours.send((offset, len(block), first))
            offset += len(block)
            first = False
            waiting.append(block)
            if len(waiting) > AHEAD:
                yield _verdict(ours, waiting.popleft(), strip_bom)
                strip_bom = False
        while waiting:
            yield _verdict(ours, waiting.popleft(), strip_bom)
            strip_bom = False
    finally:
        with contextlib.suppress(OSError):
            ours.send(None)
        ours.close()
        judge.join(timeout=5)
        if judge.is_alive():
            judge.kill()


def _verdict(judge: Connection, block: bytes, strip_bom: bool) -> Piece:
    piece = decode(block, strip_bom)
    try:
        plain, length = judge.recv()
    except (EOFError, OSError):
        plain, length = None, -1
    if not isinstance(piece, str):
        return piece, False
    return piece, bool(plain) if length == len(piece) else is_plain(piece)


def _judge(fd: int, requests: Connection, parents_end: Connection) -> None:
    """The child: for each (offset, length, strip_bom) read, decode and judge that block;
    answer (plain, length of the text)."""
    parents_end.close()  # so that the parent's end going away ends this loop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            request = requests.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        offset, length, strip_bom = request
        try:
            block = os.pread(fd, length, offset)
            piece = decode(block, strip_bom) if len(block) == length else []
            answer = (is_plain(piece), len(piece)) if isinstance(piece, str) else (False, -1)
        except Exception:
            answer = (False, -1)
        requests.send(answer)
