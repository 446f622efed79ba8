"""The article store: every article ever published, in SQLite. All SQL lives here.

Ids, links and publication times are written once, when an article is first seen. Each change
bumps a generation counter; each row remembers the generation of its last change, so renderers
can tell which documents a change touches without reading bodies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pressfeed.errors import StoreError
from pressfeed.sources import Snapshot

if TYPE_CHECKING:
    from pressfeed.types import ArticleMeta, CleanRecord, StoredArticle

#: Numbered migrations: MIGRATIONS[n] takes schema n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,        -- order of insertion
        id TEXT NOT NULL UNIQUE,        -- tag: URI, minted once
        link TEXT NOT NULL,             -- minted once
        day TEXT NOT NULL,              -- ISO day in the publisher's timezone
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,        -- identity key of the title (see merge.title_key)
        category TEXT NOT NULL,         -- the cleaned category name as the dump spells it
        body TEXT NOT NULL,
        truncated INTEGER NOT NULL,
        published INTEGER NOT NULL,     -- Unix seconds, minted once
        updated INTEGER NOT NULL,       -- Unix seconds
        withdrawn INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL,           -- FILE:LINE where it was last taken from
        changed INTEGER NOT NULL        -- generation of the last change
    );
    CREATE INDEX articles_by_day ON articles (day, title_key);
    CREATE TABLE inputs (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
    CREATE TABLE rendered (
        output TEXT NOT NULL,
        relpath TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        PRIMARY KEY (output, relpath)
    );
    """,
    # 2: what a build saw of each input, so the next one reads only what is new (sources.py).
    """
    ALTER TABLE inputs ADD COLUMN snapshot TEXT NOT NULL DEFAULT '';
    """,
    # 3: the generation that first stored each article: archive pages follow (born, published,
    # id), chronological within an import however it was batched, later imports after.
    """
    ALTER TABLE articles ADD COLUMN born INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_by_birth ON articles (born, published, id);
    """,
    # 4: what `publish` last uploaded to each destination (upload.py).
    """
    CREATE TABLE uploads (
        destination TEXT NOT NULL,
        key TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (destination, key)
    );
    """,
    # 5: what an incremental plan queries (catalog.py): each category's newest articles and
    # archive slices, and the rows per category, kept by triggers, without a table scan; and
    # the top-level files a no-change rerun checks.
    """
    CREATE INDEX articles_by_category_date ON articles (category, published DESC, id);
    CREATE INDEX articles_by_category_birth ON articles (category, born, published, id);
    CREATE INDEX rendered_top ON rendered (output, relpath) WHERE instr(relpath, '/') = 0;
    CREATE TABLE category_counts (
        category TEXT PRIMARY KEY,
        rows INTEGER NOT NULL,
        withdrawn INTEGER NOT NULL
    );
    INSERT INTO category_counts SELECT category, count(*), sum(withdrawn) FROM articles GROUP BY category;
    CREATE TRIGGER category_counts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO category_counts VALUES (new.category, 1, new.withdrawn)
        ON CONFLICT (category) DO UPDATE SET rows = rows + 1, withdrawn = withdrawn + new.withdrawn;
    END;
    CREATE TRIGGER category_counts_update AFTER UPDATE OF category, withdrawn ON articles BEGIN
        UPDATE category_counts SET rows = rows - 1, withdrawn = withdrawn - old.withdrawn
        WHERE category = old.category;
        INSERT INTO category_counts VALUES (new.category, 1, new.withdrawn)
        ON CONFLICT (category) DO UPDATE SET rows = rows + 1, withdrawn = withdrawn + new.withdrawn;
    END;
    CREATE TRIGGER category_counts_delete AFTER DELETE ON articles BEGIN
        UPDATE category_counts SET rows = rows - 1, withdrawn = withdrawn - old.withdrawn
        WHERE category = old.category;
    END;
    """,
    # 6: inserted rows are counted by `insert_many`, once per category, not by a trigger per
    # row: its upsert made a bulk import two to three times as slow (measured at 100k rows).
    """
    DROP TRIGGER category_counts_insert;
    """,
    # 7: articles withdrawn by an editor, which no dump brings back (`articles withdraw`).
    """
    ALTER TABLE articles ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;
    """,
    # 8: records dated after the build's day, held until it (embargo.py).
    """
    CREATE TABLE held (
        day TEXT NOT NULL,
        title_key TEXT NOT NULL,
        origin TEXT NOT NULL,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        truncated INTEGER NOT NULL,
        PRIMARY KEY (day, title_key)
    );
    """,
    # 9: a digest of each article's content, so that a record read again is known unchanged
    # without loading and comparing its body (merge.py); and the generation of the last change
    # that moved an article between feeds, so that a correction is planned alone (catalog.py):
    # taken to be the last change of any kind.
    """
    ALTER TABLE articles ADD COLUMN digest TEXT NOT NULL DEFAULT '';
    UPDATE articles SET digest = pressfeed_digest(title, category, body, truncated);
    INSERT INTO meta SELECT 'last-regroup', value FROM meta WHERE key = 'last-update';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_ROW_COLUMNS = (
    "seq, id, link, day, title, title_key, category, body, truncated, published, updated, withdrawn, "
    "origin, changed, born"
)
#: What a new row is given: every column but `retracted` (never, yet).
_NEW_COLUMNS = f"{_ROW_COLUMNS}, digest"
_COLUMNS = f"{_ROW_COLUMNS}, retracted"
#: `seq` is SQLite's to number.
_INSERT_ARTICLE = f"INSERT INTO articles ({_NEW_COLUMNS}) VALUES (NULL{', ?' * 15})"
_META_COLUMNS = (
    "seq, id, day, title_key, category, published, updated, withdrawn, changed, truncated, born, link, digest"
)


def content_digest(title: str, category: str, body: str, truncated: bool) -> str:
    """What a record or an article says, as 128 bits of SHA-256: equal digests, equal content."""
    text = f"{title}\x1f{category}\x1f{body}\x1f{int(truncated)}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _in_categories(categories: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE fragment limiting rows to some category spellings (None: no limit)."""
    if categories is None:
        return "", ()
    return f"AND category IN ({','.join('?' * len(categories))})", tuple(categories)


def _like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _seconds(when: dt.datetime) -> int:
    return int(when.timestamp())


def from_row(row: sqlite3.Row | tuple[Any, ...]) -> StoredArticle:
    """The article a full row holds (from `Store.load`, or `Store.rows` in another process)."""
    from pressfeed.types import StoredArticle  # imported on first use: a no-change rerun needs none

    (seq, id_, link, day, title, title_key, category, body, truncated, published, updated, withdrawn,
     origin, changed, born, retracted) = row  # fmt: skip
    return StoredArticle(
        seq=seq,
        id=id_,
        link=link,
        day=dt.date.fromisoformat(day),
        title=title,
        title_key=title_key,
        category=category,
        body=body,
        truncated=bool(truncated),
        published=_utc(published),
        updated=_utc(updated),
        withdrawn=bool(withdrawn),
        origin=origin,
        changed=changed,
        born=born,
        retracted=bool(retracted),
    )


def _meta(row: sqlite3.Row) -> ArticleMeta:
    from pressfeed.types import ArticleMeta

    (seq, id_, day, title_key, category, published, updated, withdrawn, changed, truncated, born, link,
     digest) = row  # fmt: skip
    return ArticleMeta(
        seq=seq,
        id=id_,
        day=dt.date.fromisoformat(day),
        title_key=title_key,
        category=category,
        published=_utc(published),
        updated=_utc(updated),
        withdrawn=bool(withdrawn),
        changed=changed,
        truncated=bool(truncated),
        born=born,
        link=link,
        digest=digest,
    )


class Store:
    """An open store. Use `open_store()`; changes happen inside `transaction()`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All changes inside commit together, or not at all."""
        with self._errors("write"):
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.rollback()
            raise
        with self._errors("write"):
            self._db.commit()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(describe(self.path, doing, exc)) from exc

    # -- meta --------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        with self._errors("read"):
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row["value"]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._errors("write"):
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        """Bumped once per ingest that changed anything."""
        return int(self.get_meta("generation", "0"))

    def set_generation(self, generation: int) -> None:
        self.set_meta("generation", str(generation))

    # -- articles ------------------------------------------------------------------------------

    def has_articles(self) -> bool:
        with self._errors("read"):
            return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def count(self) -> int:
        with self._errors("read"):
            return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def metas_on_days(self, days: Iterable[dt.date]) -> list[ArticleMeta]:
        rows = self._select_in(
            f"SELECT {_META_COLUMNS} FROM articles WHERE day IN ({{marks}})",
            sorted({d.isoformat() for d in days}),
        )
        return sorted(map(_meta, rows), key=lambda meta: meta.seq)

    def digests_on_days(self, days: Iterable[dt.date]) -> dict[tuple[str, str], tuple[int, bool]]:
        """(day as ISO text, content digest) → (seq, withdrawn) of the rows of these days: what
        tells an unchanged record (`content_digest`) for a tenth of the cost of their metadata."""
        rows = self._select_in(
            "SELECT day, digest, seq, withdrawn FROM articles WHERE day IN ({marks})",
            sorted({d.isoformat() for d in days}),
        )
        rows.sort(key=lambda row: row[2])  # of two rows with one digest, the later stored wins
        return {(day, digest): (seq, bool(withdrawn)) for day, digest, seq, withdrawn in rows}

    def all_metas(self) -> list[ArticleMeta]:
        """Every row, withdrawn ones included, in archive order: by import, then oldest first."""
        with self._errors("read"):
            sql = f"SELECT {_META_COLUMNS} FROM articles ORDER BY born, published, id"
            return list(map(_meta, self._db.execute(sql)))

    def born_after(self, generation: int) -> list[ArticleMeta]:
        """Rows first stored after `generation`, in archive order."""
        with self._errors("read"):
            sql = f"SELECT {_META_COLUMNS} FROM articles WHERE born > ? ORDER BY born, published, id"
            return list(map(_meta, self._db.execute(sql, (generation,))))

    @property
    def last_update(self) -> int:
        """The generation of the last change to a stored row (an insertion is not one)."""
        return int(self.get_meta("last-update", "0"))

    @property
    def last_regroup(self) -> int:
        """The generation of the last change that moved a row between feeds: a new category or
        a withdrawal (schema 9 took the last change of any kind to be one)."""
        return int(self.get_meta("last-regroup", "0"))

    def corrected_after(self, generation: int) -> list[ArticleMeta]:
        """Rows stored by `generation` or before and changed after it, in archive order."""
        with self._errors("read"):
            sql = (
                f"SELECT {_META_COLUMNS} FROM articles WHERE changed > ? AND born <= ?"
                " ORDER BY born, published, id"
            )
            return list(map(_meta, self._db.execute(sql, (generation, generation))))

    def position(self, categories: Sequence[str] | None, meta: ArticleMeta) -> int:
        """How many rows (of these category spellings; None: of all) come before `meta` in
        archive order."""
        where, values = _in_categories(categories)
        sql = f"SELECT count(*) FROM articles WHERE (born, published, id) < (?, ?, ?) {where}"
        with self._errors("read"):
            key = (meta.born, _seconds(meta.published), meta.id)
            return int(self._db.execute(sql, (*key, *values)).fetchone()[0])

    def category_counts(self) -> dict[str, tuple[int, int]]:
        """Per category spelling: rows, and withdrawn rows (kept by `insert_many` and by
        triggers, see schemas 5 and 6)."""
        with self._errors("read"):
            found = self._db.execute("SELECT category, rows, withdrawn FROM category_counts WHERE rows > 0")
            return {row["category"]: (row["rows"], row["withdrawn"]) for row in found}

    def newest_live(self, categories: Sequence[str] | None, limit: int) -> list[ArticleMeta]:
        """The newest `limit` live rows (of these category spellings; None: of all), newest
        first, ties by id: the order of `history.newest_first`."""
        where, values = _in_categories(categories)
        sql = (
            f"SELECT {_META_COLUMNS} FROM articles WHERE withdrawn = 0 {where}"
            " ORDER BY published DESC, id LIMIT ?"
        )
        with self._errors("read"):
            return list(map(_meta, self._db.execute(sql, (*values, limit))))

    def neighbours(
        self, categories: Sequence[str], meta: ArticleMeta
    ) -> tuple[ArticleMeta | None, ArticleMeta | None]:
        """The live rows (of these category spellings) just older and just newer than `meta`
        in the order of `newest_live`."""
        where, values = _in_categories(categories)
        at = (_seconds(meta.published),) * 2 + (meta.id,)
        older = (
            f"SELECT {_META_COLUMNS} FROM articles WHERE withdrawn = 0 {where}"
            " AND (published < ? OR (published = ? AND id > ?)) ORDER BY published DESC, id LIMIT 1"
        )
        newer = (
            f"SELECT {_META_COLUMNS} FROM articles WHERE withdrawn = 0 {where}"
            " AND (published > ? OR (published = ? AND id < ?)) ORDER BY published, id DESC LIMIT 1"
        )
        with self._errors("read"):
            found = [self._db.execute(sql, (*values, *at)).fetchone() for sql in (older, newer)]
        return (None if found[0] is None else _meta(found[0]), None if found[1] is None else _meta(found[1]))

    def archive_slice(
        self, categories: Sequence[str] | None, offset: int, limit: int, total: int
    ) -> list[ArticleMeta]:
        """Rows `offset` to `offset + limit` of the `total` (of these category spellings; None:
        of all), in archive order, withdrawn ones included: the order of `all_metas`. Counted
        from the end when nearer to it: an OFFSET walks every row it skips."""
        where, values = _in_categories(categories)
        order = "born, published, id"
        from_end = offset > total - offset - limit
        if from_end:
            order, limit, offset = (
                "born DESC, published DESC, id DESC",
                max(0, min(limit, total - offset)),
                max(0, total - offset - limit),
            )
        sql = f"SELECT {_META_COLUMNS} FROM articles WHERE 1 {where} ORDER BY {order} LIMIT ? OFFSET ?"
        with self._errors("read"):
            rows = list(map(_meta, self._db.execute(sql, (*values, limit, offset))))
        return rows[::-1] if from_end else rows

    def last_change(self, categories: Sequence[str] | None) -> dt.datetime | None:
        """The latest `updated` of the rows of these category spellings (None: of all)."""
        where, values = _in_categories(categories)
        with self._errors("read"):
            row = self._db.execute(f"SELECT max(updated) FROM articles WHERE 1 {where}", values).fetchone()
        return None if row[0] is None else _utc(row[0])

    def get(self, seq: int) -> StoredArticle:
        with self._errors("read"):
            row = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE seq = ?", (seq,)).fetchone()
        return from_row(row)

    def lookup(self, reference: str) -> list[StoredArticle]:
        """Articles a user's reference names: the full id, the short id (the id's last hash,
        with its `-2` if any), or the start of a title (case ignored)."""
        exact = self.find(reference)
        if exact is not None:
            return [exact]
        with self._errors("read"):
            short = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id LIKE ? ESCAPE '\\'", (f"%-{_like(reference)}",)
            ).fetchall()
            if short and reference:
                return list(map(from_row, short))
            titled = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE lower(title) LIKE ? ESCAPE '\\' ORDER BY seq",
                (f"{_like(reference.lower())}%",),
            ).fetchall()
        return list(map(from_row, titled)) if reference.strip() else []

    def find(self, article_id: str) -> StoredArticle | None:
        with self._errors("read"):
            row = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return from_row(row) if row else None

    def load(self, seqs: Sequence[int]) -> dict[int, StoredArticle]:
        """Full rows for the given sequence numbers."""
        return {a.seq: a for a in map(from_row, self.rows(seqs))}

    def rows(self, seqs: Sequence[int]) -> list[tuple[Any, ...]]:
        """Full rows for the given sequence numbers as plain tuples, which another process
        makes articles of (`from_row`) at a tenth of the cost of sending it articles."""
        query = f"SELECT {_COLUMNS} FROM articles WHERE seq IN ({{marks}})"
        return list(map(tuple, self._select_in(query, sorted(set(seqs)))))

    def _select_in(self, query: str, values: Sequence[object], *fixed: object) -> list[sqlite3.Row]:
        """Rows of `query`, whose `{marks}` is filled with `values` 500 at a time (SQLite's
        limit on bound parameters is not much higher on older builds); `fixed` parameters
        come first."""
        rows: list[sqlite3.Row] = []
        with self._errors("read"):
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                sql = query.format(marks=",".join("?" * len(chunk)))
                rows += self._db.execute(sql, (*fixed, *chunk)).fetchall()
        return rows

    def insert_many(self, articles: Sequence[StoredArticle]) -> None:
        """Add new articles, in order (their sequence numbers follow it), and count them
        in their categories.

        On this thread: a second one gained nothing (measured at 100k rows). Each row SQLite
        writes hands Python's lock back and takes it again; while this thread reads and cleans
        the next records, the other waited for the lock at every row."""
        rows = [
            (
                a.id,
                a.link,
                a.day.isoformat(),
                a.title,
                a.title_key,
                a.category,
                a.body,
                int(a.truncated),
                _seconds(a.published),
                _seconds(a.updated),
                int(a.withdrawn),
                a.origin,
                a.changed,
                a.born,
                content_digest(a.title, a.category, a.body, a.truncated),
            )
            for a in articles
        ]
        with self._errors("write"):
            self._db.executemany(_INSERT_ARTICLE, rows)
            self._db.executemany(
                "INSERT INTO category_counts VALUES (?, ?, ?) ON CONFLICT (category) DO UPDATE"
                " SET rows = rows + excluded.rows, withdrawn = withdrawn + excluded.withdrawn",
                _counts(articles),
            )

    def update(self, article: StoredArticle) -> None:
        """Rewrite the mutable fields of a row (its `changed` generation becomes the store's
        `last_update`); id, link, day and published never change."""
        self.set_meta("last-update", str(article.changed))
        with self._errors("write"):
            before = self._db.execute(
                "SELECT category, withdrawn FROM articles WHERE seq = ?", (article.seq,)
            ).fetchone()
            if before is None or tuple(before) != (article.category, int(article.withdrawn)):
                self.set_meta("last-regroup", str(article.changed))
            self._db.execute(
                "UPDATE articles SET title = ?, title_key = ?, category = ?, body = ?, truncated = ?,"
                " updated = ?, withdrawn = ?, origin = ?, changed = ?, retracted = ?, digest = ?"
                " WHERE seq = ?",
                (
                    article.title,
                    article.title_key,
                    article.category,
                    article.body,
                    int(article.truncated),
                    _seconds(article.updated),
                    int(article.withdrawn),
                    article.origin,
                    article.changed,
                    int(article.retracted),
                    content_digest(article.title, article.category, article.body, article.truncated),
                    article.seq,
                ),
            )

    def iter_articles(self, *, include_withdrawn: bool = False) -> Iterator[StoredArticle]:
        where = "" if include_withdrawn else "WHERE withdrawn = 0"
        with self._errors("read"):
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM articles {where} ORDER BY published DESC, id")
            yield from map(from_row, rows)

    # -- held records (embargo.py) -------------------------------------------------------------

    def hold(self, record: CleanRecord, title_key: str) -> None:
        with self._errors("write"):
            self._db.execute(
                "INSERT OR REPLACE INTO held VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.day.isoformat(), title_key, record.origin, record.category, record.title,
                 record.body, int(record.truncated)),
            )  # fmt: skip

    def due(self, today: dt.date) -> list[tuple[tuple[dt.date, str], CleanRecord]]:
        """Held records dated `today` or before, taken out of the held ones, oldest first."""
        from pressfeed.types import CleanRecord

        sql = "SELECT * FROM held WHERE day <= ? ORDER BY day, title_key"
        with self._errors("read"):
            rows = self._db.execute(sql, (today.isoformat(),)).fetchall()
        with self._errors("write"):
            self._db.execute("DELETE FROM held WHERE day <= ?", (today.isoformat(),))
        found = []
        for day, key, origin, category, title, body, truncated in rows:
            when = dt.date.fromisoformat(day)
            found.append(((when, key), CleanRecord(origin, category, title, body, when, bool(truncated))))
        return found

    def held(self) -> list[tuple[dt.date, str]]:
        """(day, title) of every held record, by day."""
        with self._errors("read"):
            rows = self._db.execute("SELECT day, title FROM held ORDER BY day, title_key").fetchall()
        return [(dt.date.fromisoformat(day), title) for day, title in rows]

    def first_held_day(self) -> dt.date | None:
        with self._errors("read"):
            row = self._db.execute("SELECT min(day) FROM held").fetchone()
        return None if row[0] is None else dt.date.fromisoformat(row[0])

    # -- inputs and rendered documents ---------------------------------------------------------

    def input_snapshot(self, path: str) -> Snapshot | None:
        with self._errors("read"):
            row = self._db.execute("SELECT snapshot FROM inputs WHERE path = ?", (path,)).fetchone()
        return Snapshot.from_json(row["snapshot"]) if row else None

    def set_input_snapshot(self, path: str, snapshot: Snapshot) -> None:
        with self._errors("write"):
            self._db.execute(
                "INSERT OR REPLACE INTO inputs (path, size, mtime_ns, snapshot) VALUES (?, ?, ?, ?)",
                (path, snapshot.size, snapshot.mtime_ns, snapshot.to_json()),
            )

    def rendered(self, output: str) -> dict[str, str]:
        """Fingerprints of the documents last published into `output`, by relative path."""
        with self._errors("read"):
            rows = self._db.execute("SELECT relpath, fingerprint FROM rendered WHERE output = ?", (output,))
            return {row["relpath"]: row["fingerprint"] for row in rows}

    def rendered_among(self, output: str, relpaths: Iterable[str]) -> dict[str, str]:
        """Fingerprints of those of `relpaths` last published into `output`."""
        sql = "SELECT relpath, fingerprint FROM rendered WHERE output = ? AND relpath IN ({marks})"
        rows = self._select_in(sql, sorted(set(relpaths)), output)
        return {row["relpath"]: row["fingerprint"] for row in rows}

    def rendered_top(self, output: str) -> list[str]:
        """The relative paths last published at the top of `output` (no folder in them)."""
        with self._errors("read"):
            sql = "SELECT relpath FROM rendered WHERE output = ? AND instr(relpath, '/') = 0"
            return [row["relpath"] for row in self._db.execute(sql, (output,))]

    def set_rendered(self, output: str, fingerprints: dict[str, str]) -> None:
        with self._errors("write"):
            self._db.executemany(
                "INSERT OR REPLACE INTO rendered (output, relpath, fingerprint) VALUES (?, ?, ?)",
                [(output, relpath, fp) for relpath, fp in fingerprints.items()],
            )

    def uploads(self, destination: str) -> dict[str, str]:
        """SHA-256 of every object last uploaded to `destination`, by key."""
        with self._errors("read"):
            rows = self._db.execute("SELECT key, sha256 FROM uploads WHERE destination = ?", (destination,))
            return {row["key"]: row["sha256"] for row in rows}

    def set_upload(self, destination: str, key: str, sha256: str) -> None:
        with self._errors("write"):
            self._db.execute(
                "INSERT OR REPLACE INTO uploads (destination, key, sha256) VALUES (?, ?, ?)",
                (destination, key, sha256),
            )

    def forget_upload(self, destination: str, key: str) -> None:
        with self._errors("write"):
            self._db.execute("DELETE FROM uploads WHERE destination = ? AND key = ?", (destination, key))

    def forget_uploads(self, destination: str) -> None:
        with self._errors("write"):
            self._db.execute("DELETE FROM uploads WHERE destination = ?", (destination,))

    def forget_rendered_paths(self, output: str, relpaths: Iterable[str]) -> None:
        with self._errors("write"):
            self._db.executemany(
                "DELETE FROM rendered WHERE output = ? AND relpath = ?", [(output, r) for r in relpaths]
            )

    def forget_rendered(self, output: str) -> None:
        with self._errors("write"):
            self._db.execute("DELETE FROM rendered WHERE output = ?", (output,))


def open_store(path: Path) -> Store:
    """Open (creating or migrating) the store at `path`; refuse a newer or foreign file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise StoreError(describe(path, "open", exc)) from exc
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc.strerror or exc}") from exc
    connection.row_factory = sqlite3.Row
    try:
        _prepare(connection, path)
    except BaseException:
        connection.close()
        raise
    return Store(connection, path)


def backup(path: Path, target: Path) -> int:
    """Copy the store at `path` into `target`, consistent as of one moment, while builds may
    run (SQLite's online backup, in one step: one read transaction); returns its article count.

    The copy is written beside `target` and renamed over it once whole."""
    if not path.is_file() or path.stat().st_size == 0:
        raise StoreError(f"{path}: no store to back up (run a build first)")
    if target.exists() and target.resolve() == path.resolve():
        raise StoreError(f"{target}: is the store itself; name another file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{target}: cannot write the backup: {exc.strerror or exc}") from exc
    temp = Path(name)
    try:
        with open_store(path) as store, contextlib.closing(sqlite3.connect(temp)) as copy:
            store._db.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            count = int(copy.execute("SELECT count(*) FROM articles").fetchone()[0])
        with temp.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except sqlite3.Error as exc:
        raise StoreError(describe(target, "write the backup of", exc)) from exc
    except OSError as exc:
        raise StoreError(f"{target}: cannot write the backup: {exc.strerror or exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return count


def _prepare(connection: sqlite3.Connection, path: Path) -> None:
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: the store was written by a newer pressfeed (schema {version}, this one knows "
                f"up to {SCHEMA_VERSION}); upgrade pressfeed or point store.path elsewhere"
            )
        if version == 0 and _has_tables(connection):
            raise StoreError(f"{path}: not a pressfeed store (it holds other tables)")
        if version == 0:
            connection.execute("PRAGMA page_size = 16384")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        # A 64 MiB page cache: an import inserts into three indexes at random places, and
        # SQLite's 2 MiB default turns that into disk reads within the transaction.
        connection.execute("PRAGMA cache_size = -65536")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.create_function("pressfeed_digest", 4, content_digest, deterministic=True)
        for number in range(version, SCHEMA_VERSION):
            script = f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
            try:
                connection.executescript(script)
            except BaseException:
                if connection.in_transaction:
                    connection.rollback()
                raise
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(path, "open", exc)) from exc


# SQLite's primary result codes (the low byte of an extended one).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 3, 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26
#: Free space under which a disk I/O error is taken to be a full disk.
NEARLY_FULL = 1 << 20


def describe(path: Path, doing: str, exc: sqlite3.Error) -> str:
    """One line saying what went wrong with the store and what to do: a full disk, a read-only
    folder and real damage read differently (SQLite says "disk I/O error" for more than one)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    folder = path.parent
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _free(folder) < NEARLY_FULL):
        return (
            f"{path}: the disk holding the store is full; the store was left as it was "
            "(free some space, then run again)"
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN, _SQLITE_IOERR) and not _writable(path):
        return (
            f"{path}: the store or its folder is read-only; the store was left as it was "
            f"(make {folder} and the store writable, then run again)"
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return (
            f"{path}: the store is damaged ({exc}); restore it from a backup, or rebuild it from "
            "the published feeds with 'pressfeed recover'"
        )
    return f"{path}: cannot {doing} the store: {exc}"


def _free(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return NEARLY_FULL


def _writable(path: Path) -> bool:
    writable_file = not path.exists() or os.access(path, os.W_OK)
    return writable_file and os.access(path.parent, os.W_OK | os.X_OK)


def _counts(articles: Sequence[StoredArticle]) -> list[tuple[str, int, int]]:
    """Per category spelling of these articles: rows, and withdrawn rows."""
    counts: dict[str, tuple[int, int]] = {}
    for a in articles:
        rows, withdrawn = counts.get(a.category, (0, 0))
        counts[a.category] = (rows + 1, withdrawn + a.withdrawn)
    return [(name, rows, withdrawn) for name, (rows, withdrawn) in counts.items()]


def _has_tables(connection: sqlite3.Connection) -> bool:
    count: int = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return count > 0
