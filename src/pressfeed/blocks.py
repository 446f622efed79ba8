"""A dump's bytes as blocks of whole lines, each judged plain or not, for the parser.

A dump is read 4 MiB at a time. A block is *plain* when it is valid UTF-8 and none of its lines
needs cleaning (see `is_plain`): the parser takes its simple records from the bytes, decoding
only the fields it keeps. Any other block is decoded whole (valid UTF-8 without lone CRs or
over-long lines) or line by line. Judging costs more than parsing (every character is looked at
three times), so for a large dump a second process judges each block while this one parses the
block before.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from pressfeed import apart

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Bytes read at a time; lines are split and decoded a block at a time.
BLOCK = 4 << 20
#: A longer line rejects its record: no press release needs it, and it would be held in memory.
MAX_LINE_BYTES = 1 << 20
#: From this many bytes to read on, a second process judges the blocks.
JUDGE_APART_BYTES = 8 << 20
#: Blocks read ahead of the one being parsed, for the judge to work on.
AHEAD = 2
_BOM = b"\xef\xbb\xbf"

#: Called as progress(bytes_read, total_bytes) after each block (and once for an empty span).
Progress = Callable[[int, int], None]


class FaultyLine(str):
    """A line that cannot be taken as it is (invalid UTF-8, over-long): its text as best it
    can be read, and what is wrong with it."""

    fault: str

    def __new__(cls, text: str, fault: str) -> FaultyLine:
        line = super().__new__(cls, text)
        line.fault = fault
        return line


#: A block ready for the parser. A plain block comes as UTF-8 (BOM and CRs gone), the parser
#: decoding each field it takes; any other as one text of whole lines, or as its lines read
#: one by one.
Piece = bytes | str | list[str]


def pieces(stream: BinaryIO, size: int, progress: Progress | None, *, strip_bom: bool) -> Iterator[Piece]:
    """The next `size` bytes of the stream as judged blocks."""
    blocks = read_blocks(stream, size, progress)
    if size < JUDGE_APART_BYTES or not apart.can_fork():
        for block in blocks:
            yield judged(block, strip_bom)
            strip_bom = False
        return
    yield from _judged_apart(stream.fileno(), stream.tell(), blocks, strip_bom)


def judged(block: bytes, strip_bom: bool) -> Piece:
    """The block as bytes when plain, else decoded."""
    data = normalized(block, strip_bom)
    piece = _decoded(data)
    return data if isinstance(piece, str) and is_plain(data, piece) else piece


def read_blocks(stream: BinaryIO, size: int, progress: Progress | None) -> Iterator[bytes]:
    """The next `size` bytes of the stream, a block at a time, each ending after a line end
    (except the last, when the file does not end with one). The stream must be seekable: a
    block's cut-off last line is read again with the next block."""
    done = 0
    while done < size:
        block = stream.read(min(BLOCK, size - done))
        if not block:
            break
        cut = block.rfind(b"\n") + 1
        while cut == 0 and done + len(block) < size:  # a line longer than a block: read on
            more = stream.read(min(BLOCK, size - done - len(block)))
            if not more:
                break
            block += more
            cut = block.rfind(b"\n") + 1
        if 0 < cut < len(block) and done + len(block) < size:
            stream.seek(cut - len(block), io.SEEK_CUR)
            block = block[:cut]
        done += len(block)
        if progress is not None:
            progress(done, size)
        yield block
    if progress is not None and done == 0:
        progress(0, size)


def normalized(block: bytes, strip_bom: bool) -> bytes:
    """The block without its BOM, CRLFs made LFs (unless lone CRs end lines too)."""
    if strip_bom:
        block = block.removeprefix(_BOM)
    if b"\r" in block and block.count(b"\r") == block.count(b"\r\n"):
        block = block.replace(b"\r\n", b"\n")
    return block


def decode(block: bytes, strip_bom: bool) -> str | list[str]:
    """The block as one text (whole lines, "\\n" after each but perhaps the file's last) when
    it is valid UTF-8 without lone CRs or over-long lines, else as its lines, one by one."""
    return _decoded(normalized(block, strip_bom))


def _decoded(data: bytes) -> str | list[str]:
    text = _text(data)
    return text if text is not None else list(_line_by_line(data))


def _text(data: bytes) -> str | None:
    if b"\r" in data or _may_hold_long_lines(data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


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


def is_plain(data: bytes, text: str) -> bool:
    """True when no line of `text` (`data`, UTF-8 without CRs, decoded) needs cleaning but for
    surrounding spaces: NFC, no control, format or unassigned character, no whitespace but
    single spaces and line ends.

    Most characters are printable ASCII, which needs no look: only the others are taken out
    (in order, whole, since ASCII bytes never stand inside a longer character) and each kind
    of them is judged once (`_inert`). Only when some kind is not inert on its own is every
    character looked at."""
    if b"  " in data:
        return False
    others = data.translate(None, _PRINTABLE_ASCII).decode("utf-8")
    if all(map(_inert, set(others))):
        return True
    one_line = text.replace("\n", " ")  # isprintable() refuses "\n"
    return one_line.isprintable() and unicodedata.is_normalized("NFC", one_line)


#: Printable ASCII and the line end.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
#: Scripts holding letters that may join the one before them under NFC without being combining
#: marks (Indic vowel signs, Tibetan subjoined letters, Myanmar, Hangul jamo, Balinese), and
#: everything past the BMP: judged character by character.
_JOINING_SCRIPTS = (
    (0x0900, 0x0DFF),
    (0x0F00, 0x109F),
    (0x1100, 0x11FF),
    (0x1B00, 0x1B7F),
    (0x10000, 0x10FFFF),
)


@functools.lru_cache(maxsize=4096)
def _inert(char: str) -> bool:
    """A character clean wherever it stands: printable (so not whitespace), and left as it is by
    NFC next to any other (no combining class, no canonical mapping, not a joining letter)."""
    code = ord(char)
    return (
        char.isprintable()  # whitespace but " " is not
        and unicodedata.combining(char) == 0
        and unicodedata.normalize("NFC", char) == char
        and not any(low <= code <= high for low, high in _JOINING_SCRIPTS)
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


def _judged_apart(fd: int, offset: int, blocks: Iterator[bytes], strip_bom: bool) -> Iterator[Piece]:
    """Blocks judged by a child process, which reads each from the same open file (by offset)
    while this process parses the ones before. The child only ever calls plain what it decoded
    and judged itself; if it fails, or read another length, blocks are judged here."""
    waiting: deque[bytes] = deque()
    with apart.child(functools.partial(_judge, fd)) as ours:
        first = strip_bom
        for block in blocks:
            with contextlib.suppress(OSError):  # the judge is gone: _verdict judges here
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


def _verdict(judge: Connection, block: bytes, strip_bom: bool) -> Piece:
    try:
        plain, length = judge.recv()
    except (EOFError, OSError):
        return judged(block, strip_bom)  # the judge is gone: judge here
    if not plain:
        return decode(block, strip_bom)
    data = normalized(block, strip_bom)
    return data if length == len(data) else judged(block, strip_bom)  # else it read another block


def _judge(fd: int, parent: Connection) -> None:
    """The child: for each (offset, length, strip_bom) read and judge that block; answer
    (plain, its length without BOM and CRs)."""
    for offset, length, strip_bom in apart.requests(parent):
        try:
            block = os.pread(fd, length, offset)
            piece = judged(block, strip_bom) if len(block) == length else []
            answer = (True, len(piece)) if isinstance(piece, bytes) else (False, -1)
        except Exception:
            answer = (False, -1)
        parent.send(answer)
