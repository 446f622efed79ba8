"""Work done by a second process while this one goes on: judging the next blocks of a dump
(blocks.py), checking rendered entries (fragments.py).

The process is forked, so it starts with everything this one holds and is sent only its work,
over a pipe. Forking is safe only while no other thread runs, so this is Linux only, and only
while this process runs one thread; elsewhere the work is done in this process.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def can_fork() -> bool:
    """True while this process runs one thread, counted by the system as Python 3.12 counts them
    before warning about fork (Linux only). A thread Python has just joined can take a moment
    to leave the system's count: it is given up to 0.1 s."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    for _ in range(20):
        threads = _system_threads()
        if threads <= 1:
            return threads == 1
        time.sleep(0.005)
    return False


def _system_threads() -> int:
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            found = next((line.split()[1] for line in status if line.startswith("Threads:")), "0")
    except OSError:
        return 0
    return int(found) if found.isdigit() else 0


@contextmanager
def child(work: Callable[[Connection], None]) -> Iterator[Connection]:
    """Run `work(its end of a pipe)` in a forked process and yield this end. On leaving, this
    end sends None (the sign to stop) and closes; the child gets 5 s to end, then is killed."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(target=_run, args=(work, theirs, ours), daemon=True)
    process.start()
    theirs.close()
    try:
        yield ours
    finally:
        with contextlib.suppress(OSError):
            ours.send(None)
        ours.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


def requests(connection: Connection) -> Iterator[Any]:
    """In the child: what the parent sends, until it sends None or goes away."""
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        yield request


def _run(work: Callable[[Connection], None], theirs: Connection, parents_end: Connection) -> None:
    parents_end.close()  # so that the parent going away ends the child's reads
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    work(theirs)
