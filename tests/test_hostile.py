"""Hostile text and hostile folders: nothing escapes the output folder, markup stays text,
overlapping runs take turns."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from conftest import WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.errors import BusyError, OutputError, StoreError
from pressfeed.pipeline import build, exclusive

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOSTILE_NAMES = [
    "../../etc/passwd",
    "/abs",
    "con",
    "a/b",
    "\ufffe\ufffe",
    "All",
    "..",
    ".",
    "Industry ",
    "industry",
]


def every_file(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_hostile_category_names_stay_inside_and_never_collide(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    dump = tmp_path / "inputs" / "hostile.txt"
    dump.parent.mkdir()
    text = "".join(record(name, f"Story {n}", "Body.") for n, name in enumerate(HOSTILE_NAMES))
    dump.write_text(text, encoding="utf-8")
    config = load_config(write_config(inputs=[str(dump)]))
    outside_before = every_file(tmp_path) - every_file(config.output_dir)
    report = build(config, now=NOW)
    out = config.output_dir.resolve()
    written = [f.path.resolve() for f in report.feeds]
    assert all(p.is_relative_to(out) for p in written)
    assert len(set(written)) == len(written)
    names = sorted(p.name for p in out.iterdir())
    assert "all.atom.xml" in names and "all-2.atom.xml" in names
    assert every_file(tmp_path) - every_file(out) == outside_before | {
        config.store_path,
        Path(f"{config.store_path}.lock"),
    }
    overall = feedparser.parse((out / "all.atom.xml").read_bytes())
    assert len(overall.entries) == len(HOSTILE_NAMES) - 1  # the name left empty is rejected
    assert {e.tags[0].label for e in overall.entries} >= {"../../etc/passwd", "/abs", "con", "a/b", "All"}


def test_a_symlink_planted_in_the_output_is_replaced_not_followed(config: Config, tmp_path: Path) -> None:
    build(config, now=NOW)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = config.output_dir / "all.atom.xml"
    target.unlink()
    target.symlink_to(victim)
    build(dataclasses.replace(config, title="Changed title"), now=NOW)
    assert victim.read_text() == "precious"
    assert not target.is_symlink()
    assert b"Changed title" in target.read_bytes()


def test_a_symlinked_folder_in_the_output_is_refused(write_config: WriteConfig, tmp_path: Path) -> None:
    config = load_config(write_config(limits__max_entries=2, limits__archive_page_size=2))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config.output_dir.mkdir()
    (config.output_dir / "archive").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="its folder leads outside the output folder"):
        build(config, now=NOW)
    assert list(elsewhere.iterdir()) == []


def test_files_are_published_with_mode_0644_under_a_strict_umask(config: Config) -> None:
    old = os.umask(0o077)
    try:
        build(config, now=NOW)
    finally:
        os.umask(old)
    modes = {p.stat().st_mode & 0o777 for p in config.output_dir.rglob("*") if p.is_file()}
    folders = {p.stat().st_mode & 0o777 for p in config.output_dir.rglob("*") if p.is_dir()}
    assert (modes, folders) == ({0o644}, {0o755})


@contextlib.contextmanager
def another_run_holding_the_lock(config: Config, seconds: float) -> Iterator[None]:
    """Another run (a thread) holds the store's lock for `seconds`, or until the block ends."""
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with exclusive(config):
            held.set()
            release.wait(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(5)
        yield
    finally:
        release.set()
        holder.join()


def test_a_second_run_waits_for_the_first_then_gives_up(config: Config) -> None:
    impatient = dataclasses.replace(config, lock_timeout=0)
    with another_run_holding_the_lock(config, 5):
        start = time.monotonic()
        with pytest.raises(BusyError, match=r"another pressfeed run is still at work \(waited 0 s\)"):
            build(impatient, now=NOW)
        assert time.monotonic() - start < 2
        assert not config.output_dir.exists()
    assert build(impatient, now=NOW).accepted == 10


def test_a_symlink_planted_as_the_lock_file_is_not_followed(config: Config, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    lock_path = Path(f"{config.store_path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path.symlink_to(victim)
    with pytest.raises(StoreError, match="cannot create or take the lock file"):
        build(config, now=NOW)
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not config.output_dir.exists()


def test_a_run_waits_for_the_lock_while_it_is_held_then_takes_it(config: Config) -> None:
    patient = dataclasses.replace(config, lock_timeout=10)
    with another_run_holding_the_lock(config, 0.3):
        start = time.monotonic()
        with exclusive(patient):
            waited = time.monotonic() - start
    assert 0.1 < waited < 5


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX locks")
def test_a_file_system_without_locks_is_a_store_error_naming_the_lock_file(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import fcntl

    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(StoreError, match=r"\.lock: cannot create or take the lock file: No locks available"):
        build(config, now=NOW)
    assert not config.output_dir.exists()


def test_markup_in_a_title_reaches_an_rss_reader_as_text_not_as_markup(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """RSS readers read an item's title as HTML: a `<b>` typed in a title must show as `<b>`,
    not make the title bold (Atom says `type="text"` and needs nothing)."""
    import html

    dump = tmp_path / "markup.txt"
    title = "<b>Bold</b> R&D claims"
    dump.write_text(record("Industry", title, "Body."), encoding="utf-8")
    config = dataclasses.replace(load_config(write_config()), inputs=(dump,))
    build(config, now=NOW)
    item = feedparser.parse(str(config.output_dir / "all.rss.xml")).entries[0]
    assert item.title_detail.type == "text/html"
    assert "<b>" not in item.title  # no tag for a reader to render
    assert html.unescape(item.title) == title  # what a reader shows
    entry = feedparser.parse(str(config.output_dir / "all.atom.xml")).entries[0]
    assert entry.title == title
