"""A few cycles of the crash test (tests/crash.py runs the full 200)."""

from __future__ import annotations

from pathlib import Path

from crash import run


def test_builds_killed_at_random_moments_never_leave_a_broken_site(tmp_path: Path) -> None:
    report = run(kills=4, seed=7, root=tmp_path, start=24)
    assert report.failures == []
    assert report.kills == 4
