"""The lock that makes overlapping runs take turns: one lock file beside the store.

On POSIX it is the system's own `flock` on that file, opened without following a symlink:
what filelock does there, without the 10 to 20 ms its import adds to every cron run (measured:
about 5% of a rerun that publishes one new article). Elsewhere, filelock does it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds between two tries while another run holds the lock.
POLL = 0.05


class LockTimeout(Exception):
    """Another run held the lock for the whole wait."""


@contextmanager
def held(path: Path, timeout: float) -> Iterator[None]:
    """Hold the lock file `path` (created if missing), waiting up to `timeout` seconds for
    another holder to let go; LockTimeout past it. OSError naming the file when it cannot be
    opened (a symlink planted in its place included) or locked (a file system without locks)."""
    if sys.platform == "win32":
        import filelock

        try:
            with filelock.FileLock(path, timeout=timeout):
                yield
        except filelock.Timeout as exc:
            raise LockTimeout(str(path)) from exc
        return
    import fcntl

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(str(path)) from None
                time.sleep(POLL)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(path)) from exc
        yield
    finally:
        os.close(descriptor)  # lets go of the lock
