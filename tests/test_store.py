"""The SQLite store: versioned schema, clear refusals, all-or-nothing transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pressfeed.errors import StoreError
from pressfeed.store import SCHEMA_VERSION, open_store


def test_a_new_store_gets_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "sub" / "store.db") as store:
        assert store.count() == 0
        assert store.generation == 0
    raw = sqlite3.connect(tmp_path / "sub" / "store.db")
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_a_store_from_a_newer_pressfeed_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE future (x)")
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(
        StoreError,
        match=rf"written by a newer pressfeed \(schema 99, this one knows up to {SCHEMA_VERSION}\)",
    ):
        open_store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(b"this is not sqlite at all, just text " * 100)
    with pytest.raises(StoreError, match=r"store\.db: not a usable pressfeed store: file is not a database"):
        open_store(path)


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE customers (name)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match=r"other\.db: not a pressfeed store \(it holds other tables\)"):
        open_store(path)


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with open_store(tmp_path / "store.db") as store:
        with store.transaction():
            store.set_generation(1)
        with pytest.raises(RuntimeError), store.transaction():
            store.set_generation(2)
            raise RuntimeError("crash mid-build")
        assert store.generation == 1


def test_a_store_folder_that_cannot_be_created_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=r"file/store\.db: cannot open the store"):
        open_store(blocker / "store.db")
