"""Write feed files atomically, only when their bytes changed, and only inside the output folder."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from pressfeed.config import is_inside
from pressfeed.errors import OutputError

FILE_MODE = 0o644
#: The temporary files `_atomic_write` makes: ".NAME.XXXXXXXX.tmp".
_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def target_path(root: Path, relpath: str) -> Path:
    """`root/relpath`, refusing any path (or symlinked folder) that leads out of `root`."""
    if not is_inside(relpath):
        raise OutputError(f"{relpath!r}: refusing to write outside the output folder {root}")
    target = root / relpath
    real_root = root.resolve()
    if not target.parent.resolve().is_relative_to(real_root):
        raise OutputError(f"{target}: its folder leads outside the output folder {root}")
    return target


def write_if_changed(root: Path, relpath: str, data: bytes) -> bool:
    """Atomically replace `root/relpath` with `data` unless it already holds exactly that.

    Returns True when the file was written. An unchanged file keeps its mtime.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        target = target_path(root, relpath)
        if _same_bytes(target, data):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)
    except OSError as exc:
        raise OutputError(f"{exc.filename or root}: cannot write: {exc.strerror or exc}") from exc
    return True


def _same_bytes(target: Path, data: bytes) -> bool:
    if target.is_symlink() or not target.is_file():
        return False
    return target.stat().st_size == len(data) and target.read_bytes() == data


def _atomic_write(target: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temps(root: Path) -> int:
    """Delete temporary files a killed run left behind in `root`; returns how many."""
    removed = 0
    if not root.is_dir():
        return removed
    for path in root.rglob(".*.tmp"):
        if _TEMP.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
