"""The SQLite store: versioned schema, clear refusals, all-or-nothing transactions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from pressfeed.errors import StoreError
from pressfeed.store import SCHEMA_VERSION, content_digest, open_store
from pressfeed.types import StoredArticle


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
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert str(caught.value) == (
        f"{path}: the store is damaged (file is not a database); restore it from a backup, "
        "or rebuild it from the published feeds with 'pressfeed recover'"
    )


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


def article(number: int, category: str, *, born: int = 1) -> StoredArticle:
    when = dt.datetime(2025, 9, 1, tzinfo=dt.UTC) + dt.timedelta(hours=number % 7)
    return StoredArticle(
        seq=0,
        id=f"tag:example.org,2025-09-01:/a/{number:03d}",
        link=f"https://example.org/a/{number:03d}.html",
        day=dt.date(2025, 9, 1),
        title=f"Release {number}",
        title_key=f"release {number}",
        category=category,
        body="Body.",
        truncated=False,
        published=when,
        updated=when,
        withdrawn=False,
        origin=f"dump.txt:{number}",
        changed=born,
        born=born,
    )


def test_rows_per_category_follow_inserts_moves_and_withdrawals(tmp_path: Path) -> None:
    with open_store(tmp_path / "store.db") as store, store.transaction():
        store.insert_many([article(n, ("Industry", "Trade", "Energy")[n % 3]) for n in range(30)])
        rows = {a.title: a for a in store.iter_articles()}
        store.update(dataclasses.replace(rows["Release 3"], category="Trade"))
        store.update(dataclasses.replace(rows["Release 4"], withdrawn=True))
        store.update(dataclasses.replace(rows["Release 6"], category="Brand new", withdrawn=True))
        everything = list(store.iter_articles(include_withdrawn=True))
        recount = {
            name: (
                sum(1 for a in everything if a.category == name),
                sum(a.withdrawn for a in everything if a.category == name),
            )
            for name in {a.category for a in everything}
        }
        assert store.category_counts() == recount
        assert recount["Brand new"] == (1, 1) and recount["Industry"] == (8, 0)


def test_an_insert_that_fails_is_a_store_error_and_rolls_back(tmp_path: Path) -> None:
    with open_store(tmp_path / "store.db") as store:
        with store.transaction():
            store.insert_many([article(1, "Industry")])
        failed = pytest.raises(StoreError, match=r"cannot write the store: UNIQUE constraint failed")
        with failed, store.transaction():
            store.insert_many([article(2, "Trade"), article(1, "Trade")])  # 1's id again
        assert store.count() == 1
        assert store.category_counts() == {"Industry": (1, 0)}


def test_an_insert_that_raises_anything_raises_it_and_rolls_back(tmp_path: Path) -> None:
    """Not only SQLite's errors: a value SQLite cannot hold raises OverflowError as it is bound."""
    with open_store(tmp_path / "store.db") as store:
        too_large = dataclasses.replace(article(2, "Trade"), changed=2**70)
        with pytest.raises(OverflowError), store.transaction():
            store.insert_many([article(1, "Industry"), too_large])
        assert store.count() == 0
        assert store.category_counts() == {}


def test_a_migrated_store_counts_the_rows_it_already_held(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with open_store(path) as store, store.transaction():
        store.insert_many([article(n, ("Industry", "Trade")[n % 2]) for n in range(9)])
    raw = sqlite3.connect(path)
    indexes = (
        "articles_by_category_date",
        "articles_by_category_birth",
    )
    made_by_5 = [("INDEX", name) for name in (*indexes, "rendered_top")]
    # What schemas 5 and 6 added (6 dropped 5's insert trigger): gone, the store is at schema 4.
    made_by_5 += [("TRIGGER", f"category_counts_{event}") for event in ("update", "delete")]
    made_by_5.append(("TABLE", "category_counts"))
    raw.executescript(  # and what schemas 7 to 9 added
        "".join(f"DROP {kind} {name};" for kind, name in made_by_5)
        + "ALTER TABLE articles DROP COLUMN retracted; DROP TABLE held;"
        + "ALTER TABLE articles DROP COLUMN digest; PRAGMA user_version = 4;"
    )
    raw.close()
    with open_store(path) as store:
        assert store.category_counts() == {"Industry": (5, 0), "Trade": (4, 0)}
        # Schema 9 takes the last change to have moved articles between feeds (none here),
        # and gave every row the digest a new row gets.
        assert store.last_regroup == store.last_update
        for meta in store.all_metas():
            stored = store.get(meta.seq)
            assert meta.digest == content_digest(stored.title, stored.category, stored.body, stored.truncated)
        with store.transaction():  # and counts what it gains once, by insert_many alone
            store.insert_many([article(n, ("Industry", "Energy")[n % 2]) for n in range(9, 12)])
        assert store.category_counts() == {"Industry": (6, 0), "Trade": (4, 0), "Energy": (2, 0)}


@pytest.mark.parametrize("categories", [None, ["Industry", "Energy"]])
def test_archive_slices_match_the_archive_order_from_either_end(
    tmp_path: Path, categories: list[str] | None
) -> None:
    with open_store(tmp_path / "store.db") as store, store.transaction():
        store.insert_many(
            [article(n, ("Industry", "Trade", "Energy")[n % 3], born=1 + n // 10) for n in range(40)]
        )
        order = [m for m in store.all_metas() if categories is None or m.category in categories]
        for offset in range(0, len(order) + 1):
            for limit in (1, 3, 7):
                assert (
                    store.archive_slice(categories, offset, limit, len(order))
                    == order[offset : offset + limit]
                )
