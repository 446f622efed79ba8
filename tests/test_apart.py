from __future__ import annotations

import threading

import pytest

from pressfeed import apart


@pytest.mark.skipif(not apart.can_fork(), reason="Linux, single-threaded")
def test_a_thread_just_joined_does_not_keep_a_second_process_from_starting() -> None:
    """A thread that ended just before (a library's, say) does not keep a publish from
    forking its checking process."""
    refused = 0
    for _ in range(300):
        thread = threading.Thread(target=sum, args=(range(1000),))
        thread.start()
        thread.join()
        refused += not apart.can_fork()
    assert refused == 0


def test_no_second_process_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not apart.can_fork()
    finally:
        stop.set()
        thread.join()
