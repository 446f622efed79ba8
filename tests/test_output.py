"""Atomic write-if-changed, confined to the output folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pressfeed.errors import OutputError
from pressfeed.output import commit, stage, target_path, write_if_changed


def test_a_file_is_written_once_and_then_left_alone(tmp_path: Path) -> None:
    assert write_if_changed(tmp_path, "feed.xml", b"<a/>") is True
    mtime = (tmp_path / "feed.xml").stat().st_mtime_ns
    assert write_if_changed(tmp_path, "feed.xml", b"<a/>") is False
    assert (tmp_path / "feed.xml").stat().st_mtime_ns == mtime
    assert write_if_changed(tmp_path, "feed.xml", b"<b/>") is True
    assert (tmp_path / "feed.xml").read_bytes() == b"<b/>"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_a_symlink_planted_as_a_feed_is_replaced_even_when_it_shows_the_same_bytes(tmp_path: Path) -> None:
    """A symlink is never taken for the published file, whatever it points at (here a file
    holding the very bytes, through a link whose own size is theirs as well)."""
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.xml"
    data = b"x" * len(str(elsewhere))
    elsewhere.write_bytes(data)
    (out / "feed.xml").symlink_to(elsewhere)
    assert (out / "feed.xml").lstat().st_size == len(data)
    assert write_if_changed(out, "feed.xml", data) is True
    assert not (out / "feed.xml").is_symlink()
    assert (out / "feed.xml").read_bytes() == data


def test_a_write_that_stops_short_is_carried_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The system may write fewer bytes than asked (a signal, a quota): the rest follows."""
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    data = bytes(range(256)) * 3
    assert write_if_changed(tmp_path, "feed.xml", data) is True
    assert (tmp_path / "feed.xml").read_bytes() == data


def test_subfolders_are_created_inside_the_output(tmp_path: Path) -> None:
    assert write_if_changed(tmp_path / "out", "category/x.xml", b"x")
    assert (tmp_path / "out" / "category" / "x.xml").read_bytes() == b"x"


@pytest.mark.parametrize("relpath", ["../escape.xml", "/etc/escape.xml", "a/../../escape.xml", "", "dir/"])
def test_nothing_is_written_outside_the_output_folder(tmp_path: Path, relpath: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="refusing to write outside the output folder"):
        write_if_changed(out, relpath, b"x")
    assert not (tmp_path / "escape.xml").exists()


def test_a_symlinked_folder_pointing_out_is_not_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "cat").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="its folder leads outside the output folder"):
        write_if_changed(out, "cat/x.xml", b"x")
    assert list(elsewhere.iterdir()) == []


def test_folders_found_inside_are_resolved_once_and_a_symlinked_one_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (out / "archive").mkdir(parents=True)
    elsewhere.mkdir()
    (out / "cat").symlink_to(elsewhere)
    inside: set[Path] = set()
    assert target_path(out, "archive/1.xml", inside) == out / "archive" / "1.xml"
    resolved: list[Path] = []
    real_resolve = Path.resolve

    def resolve(path: Path) -> Path:
        resolved.append(path)
        return real_resolve(path)

    monkeypatch.setattr(Path, "resolve", resolve)
    target_path(out, "archive/2.xml", inside)
    assert resolved == []  # the folder was found inside already
    with pytest.raises(OutputError, match="its folder leads outside the output folder"):
        target_path(out, "cat/x.xml", inside)
    assert inside == {out / "archive"}


def test_missing_folders_are_made_down_to_the_file(tmp_path: Path) -> None:
    inside: set[Path] = set()
    staged = [stage(tmp_path / "out", f"a/b/c/{n}.xml", b"x", inside=inside) for n in (1, 2)]
    commit([item for item in staged if item is not None])
    assert sorted(p.name for p in (tmp_path / "out" / "a" / "b" / "c").iterdir()) == ["1.xml", "2.xml"]
    assert (tmp_path / "out" / "a").stat().st_mode & 0o777 == 0o755


def test_files_are_world_readable_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_if_changed(tmp_path, "feed.xml", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "feed.xml").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_if_changed(tmp_path, "feed.xml", b"old")

    def full_disk(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "feed.xml"))

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match=r"feed\.xml: cannot write: No space left on device$"):
        write_if_changed(tmp_path, "feed.xml", b"new")
    assert (tmp_path / "feed.xml").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]
