"""Failures at each step of a build: a full or read-only disk under the store, a failed commit,
a failed rename. None leaves the folder ahead of the store, and the next build converges on
what a build without the fault gives."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import files, fill, remount_read_only, site, write_dump
from pressfeed.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "1767225600"})


def generation(store: Path) -> str:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    db.close()
    return str(row[0])


def with_store_in(config: Path, folder: Path) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["store"] = {"path": str(folder / "pressfeed.db")}
    config.write_text(yaml.safe_dump(data), encoding="utf-8")


def reference(tmp_path: Path, steps: list[int]) -> dict[str, str]:
    """The folder the same builds give without any fault: path → SHA-256."""
    config = site(tmp_path / "reference", steps[0], max_entries=10, archive_page_size=20)
    for articles in steps:
        write_dump(articles, tmp_path / "reference" / "dump.txt")
        assert run("build", "-q", "--config", str(config)).exit_code == 0
    return {name: digest for name, (digest, _) in files(tmp_path / "reference" / "feeds").items()}


def failed_growing(config: Path, articles: int) -> str:
    """Grow the site's dump to `articles`, build, and return what the failed build said."""
    write_dump(articles, config.parent / "dump.txt")
    result = run("build", "-q", "--config", str(config))
    assert result.exit_code == 1
    return result.stderr


def digests(folder: Path) -> dict[str, str]:
    return {name: digest for name, (digest, _) in files(folder).items()}


def test_a_full_disk_under_the_store_changes_nothing_and_says_so(
    tmp_path: Path, small_disk: Callable[[int], Path]
) -> None:
    """The store's disk fills while a +400-article build writes it: exit 1, a message that says
    the disk is full, the store and every published file as they were; once there is room,
    the next build gives what a build without the fault gives."""
    disk = small_disk(4096)
    work = tmp_path / "work"
    config = site(work, 200, max_entries=10, archive_page_size=20)
    with_store_in(config, disk)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    before, old_generation = files(work / "feeds"), generation(disk / "pressfeed.db")
    fill(disk, 64 << 10)
    store = disk / "pressfeed.db"
    assert failed_growing(config, 600) == (
        f"error: {store}: the disk holding the store is full; the store was left as it was "
        "(free some space, then run again)\n"
    )
    assert files(work / "feeds") == before
    (disk / "filler").unlink()
    assert generation(store) == old_generation
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    assert digests(work / "feeds") == reference(tmp_path, [200, 600])


def test_a_read_only_store_folder_is_named_as_such(tmp_path: Path, small_disk: Callable[[int], Path]) -> None:
    disk = small_disk(4096)
    config = site(tmp_path, 20)
    with_store_in(config, disk)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    before = files(tmp_path / "feeds")
    remount_read_only(disk)
    assert failed_growing(config, 25) == (
        f"error: {disk / 'pressfeed.db'}: the store or its folder is read-only; the store was left as it was "
        f"(make {disk} and the store writable, then run again)\n"
    )
    assert files(tmp_path / "feeds") == before


class _FailingCommit(sqlite3.Connection):
    """A connection whose next commit fails as a full disk does."""

    armed = False

    def commit(self) -> None:
        if _FailingCommit.armed:
            _FailingCommit.armed = False
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = 13  # type: ignore[attr-defined]
            raise error
        super().commit()


def test_a_failed_commit_removes_what_was_staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is staged before the store commits; a failed commit (the first one of the
    build, which holds the new articles) leaves no temporary and no replaced file."""
    config = site(tmp_path / "work", 60, max_entries=10, archive_page_size=20)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    before = files(tmp_path / "work" / "feeds")
    write_dump(90, tmp_path / "work" / "dump.txt")
    real_connect = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        return real_connect(*args, factory=_FailingCommit, **kwargs)  # type: ignore[arg-type,call-overload,no-any-return]

    monkeypatch.setattr("pressfeed.store.sqlite3.connect", connect)
    _FailingCommit.armed = True
    result = run("build", "-q", "--config", str(config))
    assert result.exit_code == 1
    assert "the disk holding the store is full" in result.stderr
    assert files(tmp_path / "work" / "feeds") == before
    assert not list((tmp_path / "work" / "feeds").rglob(".*.tmp"))
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    assert digests(tmp_path / "work" / "feeds") == reference(tmp_path, [60, 90])


@pytest.mark.parametrize("fail_at", [1, 7, 40])
def test_a_failed_rename_is_caught_up_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """A rename fails after the store committed: the folder is a consistent mix and behind the
    store; the next build (with nothing new in the dump) completes it exactly."""
    config = site(tmp_path / "work", 60, max_entries=10, archive_page_size=20)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    write_dump(90, tmp_path / "work" / "dump.txt")
    real_replace = os.replace
    calls = 0

    def replace(source: object, target: object) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr("pressfeed.output.os.replace", replace)
    result = run("build", "-q", "--config", str(config))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "No space left on device" in result.stderr
    monkeypatch.setattr("pressfeed.output.os.replace", real_replace)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    assert digests(tmp_path / "work" / "feeds") == reference(tmp_path, [60, 90])
    assert not list((tmp_path / "work" / "feeds").rglob(".*.tmp"))
