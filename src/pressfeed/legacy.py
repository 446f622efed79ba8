"""Dumps in the legacy encodings of East Asian public bodies (CP949/EUC-KR, Shift_JIS,
GB18030): decoded line by line for the parser, and recognised in a dump that was read as UTF-8
and failed, so that the message names the encoding to set.

Such dumps are small exports; they go through the line parser, not the block fast path.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from pressfeed.blocks import FaultyLine

#: Candidates, and the script their text is mostly in.
_CANDIDATES = (("cp949", "Korean", "HANGUL"), ("shift_jis", "Japanese", "KATAKANA HIRAGANA CJK"),
               ("gb18030", "Chinese", "CJK"))  # fmt: skip
#: How much of a file is looked at to name its encoding.
SAMPLE = 1 << 20


def lines(data: bytes, encoding: str) -> Iterator[str]:
    """The lines of `data`, each decoded on its own: a line that does not decode is a
    FaultyLine naming the byte, and only its record is rejected."""
    decoder = codecs.getdecoder(encoding)
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    for raw in raw_lines:
        raw = raw.removesuffix(b"\r")
        try:
            yield decoder(raw)[0]
        except UnicodeDecodeError as exc:
            text = raw.decode(encoding, "replace")
            yield FaultyLine(text, f"invalid {encoding} (byte {exc.start + 1} of the line)")


def guess(path: Path) -> tuple[str, str] | None:
    """(encoding, language) a dump that is not UTF-8 reads cleanly in, if one of the legacy
    East Asian encodings does and most of its letters are of that language's script."""
    try:
        with path.open("rb") as stream:
            data = stream.read(SAMPLE)
    except OSError:
        return None
    if len(data) == SAMPLE:
        data = data[: data.rfind(b"\n") + 1]  # a character cut at the end is no fault
    best: tuple[float, str, str] | None = None
    for encoding, language, scripts in _CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _share(text, scripts.split())
        if share > 0.5 and (best is None or share > best[0]):
            best = (share, encoding, language)
    return None if best is None else (best[1], best[2])


def _share(text: str, scripts: list[str]) -> float:
    """Of the letters beyond ASCII, the share whose Unicode name starts with one of `scripts`."""
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    if not letters:
        return 0.0
    fitting = sum(1 for c in letters if unicodedata.name(c, "").startswith(tuple(scripts)))
    return fitting / len(letters)
