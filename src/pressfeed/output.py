"""Write files into the output folder: only when their bytes changed, never outside it, and
in two phases, so that a failure while writing replaces nothing.

1. `stage()` writes each changed file's new bytes to a temporary file beside it (fsynced).
   A full disk or any other write error here removes the temporaries and raises: every
   published file is as it was.
2. `commit()` renames the temporaries over their targets in the order given (archive pages
   before the feeds that link to them), then fsyncs each folder once.

A reader sees each file either whole-old or whole-new; between the first and the last rename
of a build it can see some files new and others old, never a link to a file not yet there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pressfeed.config import is_inside
from pressfeed.errors import OutputError

FILE_MODE = 0o644
#: Renames into more folders than this are made durable by one sync() rather than an fsync each.
SYNC_FOLDERS = 32
#: The temporary files `stage` makes: ".NAME.XXXXXXXX.tmp".
_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


@dataclass(frozen=True)
class Staged:
    """A new version of a file, written beside it, waiting to replace it (paths as strings:
    a full build stages two hundred thousand, and worker processes send them over)."""

    target: str
    temp: str
    #: True when no file was there before.
    new: bool = False


def target_path(root: Path, relpath: str, inside: set[Path] | None = None) -> Path:
    """`root/relpath`, refusing any path (or symlinked folder) that leads out of `root`.

    `inside` holds the folders found inside `root` so far, by one publish: each is resolved
    once, not once per file (a full build writes thousands of archive pages into a few)."""
    if not is_inside(relpath):
        raise OutputError(f"{relpath!r}: refusing to write outside the output folder {root}")
    target = root / relpath
    if inside is not None and (target.parent in inside or _plain_child(target.parent, inside)):
        return target
    if not target.parent.resolve().is_relative_to(root.resolve()):
        raise OutputError(f"{target}: its folder leads outside the output folder {root}")
    if inside is not None:
        inside.add(target.parent)
    return target


def _plain_child(folder: Path, inside: set[Path]) -> bool:
    """Whether `folder` is inside because its parent is and it is no symlink (one system
    call, where resolving it takes one per part of its path: a full build makes a folder a
    day). Found so, it joins `inside`."""
    if folder.parent not in inside:
        return False
    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        pass  # made later, by _make_folders, as a plain folder
    else:
        if not stat.S_ISDIR(found.st_mode):
            return False
    inside.add(folder)
    return True


def check_output_folder(root: Path) -> None:
    """Refuse an output folder that cannot hold files, before anything is rendered."""
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: the output folder is a file, not a folder")
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{existing}: not writable; cannot write the feeds into {root}")


def stage(
    root: Path, relpath: str, data: bytes, *, sync: bool = True, inside: set[Path] | None = None
) -> Staged | None:
    """Write `data` beside `root/relpath` unless that file already holds exactly it.

    `sync=False` leaves flushing to the caller (`flush_all()` before `commit()`): one system
    call instead of one per file when a build stages thousands of archive pages. `inside`: see
    `target_path`.
    """
    try:
        target = target_path(root, relpath, inside)
        found = _found(target)
        if found is not None and _same_bytes(target, found, data):
            return None
        if found is None:
            _make_folders(root, target.parent)
        return Staged(str(target), _write_temp(target, data, sync), new=found is None)
    except OSError as exc:
        raise OutputError(f"{exc.filename or root / relpath}: cannot write: {exc.strerror or exc}") from exc


def commit(staged: Sequence[Staged]) -> None:
    """Rename staged files over their targets, in order; then make the renames durable."""
    try:
        for number, item in enumerate(staged):
            try:
                os.replace(item.temp, item.target)
            except BaseException:
                discard(staged[number:])
                raise
        folders = dict.fromkeys(os.path.dirname(item.target) for item in staged)
        if len(folders) > SYNC_FOLDERS:
            os.sync()  # one call, not one per folder (a full build renames into one a day)
        else:
            for folder in folders:
                _fsync_dir(folder)
    except OSError as exc:
        raise OutputError(f"{exc.filename or '?'}: cannot write: {exc.strerror or exc}") from exc


def discard(staged: Iterable[Staged]) -> None:
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item.temp)


def write_if_changed(root: Path, relpath: str, data: bytes) -> bool:
    """Replace one file atomically unless it already holds `data`; True when written.
    (A build stages many files first, see build_output.py; this is the one-file case.)"""
    staged = stage(root, relpath, data)
    if staged is None:
        return False
    commit([staged])
    return True


def _found(target: Path) -> os.stat_result | None:
    """What is at `target` (one system call), None if nothing is."""
    try:
        return os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _same_bytes(target: Path, found: os.stat_result, data: bytes) -> bool:
    """Whether the file found at `target` holds `data` (a symlink is never "the same")."""
    if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
        return False
    return target.read_bytes() == data


FOLDER_MODE = 0o755


def _make_folders(root: Path, folder: Path) -> None:
    """Create `folder` and any missing parent up to `root`, readable by a web server whatever
    the umask."""
    if os.path.isdir(folder):  # most often: no Path objects made for its parents
        return
    missing = []
    for path in (folder, *folder.parents):  # up to the first that exists: its own parents do
        if path.exists() or not path.is_relative_to(root.parent):
            break
        missing.append(path)
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
        os.chmod(path, FOLDER_MODE)


def flush_all() -> None:
    """Make every staged file durable at once (before the renames that publish them)."""
    os.sync()


def _write_temp(target: Path, data: bytes, sync: bool) -> str:
    """A new temporary file beside `target` holding `data`. Plain system calls, as few as can
    be: on the writer thread (build_output.py), each one gives Python's lock away and waits to take
    it back from the thread that renders."""
    fd, temp = _new_temp(target)
    try:
        try:
            view, written = memoryview(data), 0
            while written < len(data):  # a write can stop short
                written += os.write(fd, view[written:])
            if sync:
                os.fsync(fd)
            os.fchmod(fd, FILE_MODE)  # whatever the umask
        finally:
            os.close(fd)
    except BaseException:
        os.unlink(temp)
        raise
    return temp


_temp_names = itertools.count()


def _new_temp(target: Path) -> tuple[int, str]:
    """A new file `.NAME.XXXXXXXX.tmp` beside `target`, open for writing: named from this
    process and a count (tempfile's random names cost more than the file's write), another
    count if a killed run left one of that name."""
    while True:
        tag = f"{os.getpid():x}{next(_temp_names):x}".rjust(8, "0")[-8:]
        temp = f"{target.parent}/.{target.name}.{tag}.tmp"
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), temp
        except FileExistsError:
            continue


def _fsync_dir(folder: str) -> None:
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


def remove_files(root: Path, relpaths: Iterable[str]) -> None:
    """Delete files pressfeed published and no longer produces (after the renames, so that
    nothing new links to them)."""
    for relpath in relpaths:
        path = target_path(root, relpath)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"{path}: cannot remove: {exc.strerror or exc}") from exc
