"""A few cycles of the crash test (tests/crash.py runs the full 200)."""

from __future__ import annotations

from pathlib import Path

from crash import FAULTS, run


def test_builds_killed_at_random_moments_never_leave_a_broken_site(tmp_path: Path) -> None:
    report = run(kills=4, seed=7, root=tmp_path, start=24)
    assert report.failures == []
    assert report.kills == 4


def test_builds_failing_at_each_commit_and_rename_step_converge(tmp_path: Path) -> None:
    """The store's first and second commits fail as a full disk does, renames fail at several
    points: each time the folder stays whole, and the next build completes the new set."""
    report = run(kills=0, seed=7, root=tmp_path, start=24, faults=len(FAULTS))
    assert report.failures == []
    assert report.faults == len(FAULTS)
