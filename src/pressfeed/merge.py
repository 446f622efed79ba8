"""Merge cleaned records into the store: one article per story, ids and times minted once.

Identity: a record is the stored article with the same day and title key (the title
case-folded, compatibility-normalized, punctuation and spacing ignored). Failing that, it is
the stored article of the same day and category, not claimed by its title, whose body is the
same, a cut-off prefix of it, or near-identical (90% of words in sequence; bodies of at least
12 words): a corrected title.

Merge rules, once matched:
- same title, category and body: nothing changes;
- the stored body was cut off and the new one continues it: the new body replaces it;
- the new body is a cut-off prefix of the stored one: the stored body stays;
- anything else that differs is a correction and replaces the stored field.
A change moves `updated` forward (to the build's clock, and at least a second past the last
`updated`); `id`, `link` and `published` never change.

Times of new articles: within a day, the dump lists the newest first. New articles of a day
are stamped from the bottom up: the lowest at local midnight (or one second after the latest
article already stored for that day), each one above it one second later.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from pressfeed.config import Config, category_key
from pressfeed.normalize import CategoryResolver, mint_id_and_link
from pressfeed.store import Store, content_digest
from pressfeed.types import ArticleMeta, CleanRecord, Problem, StoredArticle

SECOND = dt.timedelta(seconds=1)
_WORDS = re.compile(r"\w+")
#: Word-sequence similarity above which two bodies are the same story.
NEAR_IDENTICAL = 0.9
#: Bodies shorter than this (in words) are too generic to identify a story.
MIN_STORY_WORDS = 12


@dataclass
class IngestReport:
    """What an ingest did to the store."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: list[StoredArticle] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Articles corrected by this ingest, as stored now.
    corrected: list[StoredArticle] = field(default_factory=list)
    #: New or corrected articles flagged as cut off at the source.
    cut_off: list[StoredArticle] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.withdrawn)


def title_key(title: str) -> str:
    """What makes two titles the same: their words, case-folded and NFKC-normalized."""
    return " ".join(_WORDS.findall(unicodedata.normalize("NFKC", title).casefold()))


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def continues(longer: str, prefix: str) -> bool:
    """True when `longer` goes on from `prefix` (compared up to whitespace)."""
    a, b = " ".join(longer.split()), " ".join(prefix.split())
    return len(a) > len(b) and a.startswith(b)


def same_story(a: str, b: str) -> bool:
    """Bodies that are equal, one a prefix of the other, or near-identical word for word."""
    wa, wb = _words(a), _words(b)
    short, long_ = sorted((wa, wb), key=len)
    if len(short) < MIN_STORY_WORDS:
        return False
    n = len(short)
    if short[:-1] == long_[: n - 1] and long_[n - 1].startswith(short[-1]):
        return True  # a copy cut off at the source, possibly mid-word
    if len(short) < 0.8 * len(long_):
        return False
    import difflib  # imported on first use: most runs never compare two bodies word for word

    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    # quick_ratio() bounds ratio() from above at a fraction of its cost: most pairs stop there.
    return matcher.quick_ratio() >= NEAR_IDENTICAL and matcher.ratio() >= NEAR_IDENTICAL


@dataclass
class _Pending:
    """A new article of this run, not yet in the store."""

    record: CleanRecord
    key: str


class _Ingest:
    def __init__(self, store: Store, config: Config, now: dt.datetime) -> None:
        self.store = store
        self.config = config
        self.now = now
        self.generation = store.generation + 1
        self.resolver = CategoryResolver(config)
        self.report = IngestReport()
        self.by_title: dict[tuple[dt.date, str], ArticleMeta] = {}
        #: (day as ISO text, content digest) → (seq, withdrawn) of the stored articles.
        self.by_digest: dict[tuple[str, str], tuple[int, bool]] = {}
        self.by_category: dict[tuple[dt.date, str], list[ArticleMeta]] = defaultdict(list)
        self.matched: dict[int, str] = {}
        self.pending: dict[tuple[dt.date, str], _Pending] = {}
        self._category_keys: dict[str, str] = {}
        self._title_keys: dict[str, str] = {}

    def merge(self, batch: Sequence[CleanRecord]) -> None:
        """Merge one batch of whole days."""
        self.by_title.clear()
        self.by_category.clear()
        self.pending.clear()
        self._title_keys.clear()
        # A record that is its stored article field for field needs nothing more: the days'
        # digests are read first, and whole rows only for the days of the other records.
        self.by_digest = self.store.digests_on_days({r.day for r in batch})
        rest = [r for r in batch if not self.add_unchanged(r)]
        if not rest:
            return
        self.index(self.store.metas_on_days({r.day for r in rest}))
        # Titles first, so that a body-alike story never takes an article its own title names.
        untitled = [r for r in rest if not self.add_by_title(r)]
        for record in untitled:
            self.add_by_story(record)
        self.insert_pending()

    def index(self, metas: Sequence[ArticleMeta]) -> None:
        for meta in metas:
            self.by_title[(meta.day, meta.title_key)] = meta
            self.by_category[(meta.day, self._category_key(meta.category))].append(meta)

    def _category_key(self, name: str) -> str:
        key = self._category_keys.get(name)
        if key is None:
            key = self._category_keys[name] = category_key(self.resolver.canonical(name))
        return key

    def _title_key(self, title: str) -> str:
        key = self._title_keys.get(title)
        if key is None:
            key = self._title_keys[title] = title_key(title)
        return key

    def add_by_title(self, record: CleanRecord) -> bool:
        """Merge a record whose title names a stored article; False when none does."""
        meta = self.by_title.get((record.day, self._title_key(record.title)))
        if meta is None:
            return False
        if meta.seq in self.matched:
            self._repeat_of_stored(meta, record)
            return True
        self.matched[meta.seq] = record.origin
        self._merge(self.store.get(meta.seq), record)
        return True

    def add_unchanged(self, record: CleanRecord) -> bool:
        """Whether the record is a stored article field for field (its content digest): then
        there is nothing to merge, and neither its title key nor its body is looked at."""
        digest = content_digest(record.title, record.category, record.body, record.truncated)
        seq, withdrawn = self.by_digest.get((record.day.isoformat(), digest), (None, True))
        if seq is None or withdrawn or seq in self.matched:
            return False
        self.matched[seq] = record.origin
        self.report.unchanged += 1
        return True

    def add_by_story(self, record: CleanRecord) -> None:
        """A record no title matched: a corrected title of a stored story, or a new article."""
        key = (record.day, self._title_key(record.title))
        if key in self.pending:
            self._repeat_of_new(self.pending[key], record)
            return
        meta = self._same_story(record)
        if meta is None:
            self.pending[key] = _Pending(record, key[1])
        else:
            self.matched[meta.seq] = record.origin
            self._merge(self.store.get(meta.seq), record)

    def _same_story(self, record: CleanRecord) -> ArticleMeta | None:
        for meta in self.by_category.get((record.day, self._category_key(record.category)), []):
            if meta.seq not in self.matched and same_story(self.store.get(meta.seq).body, record.body):
                return meta
        return None

    def _repeat_of_new(self, first: _Pending, record: CleanRecord) -> None:
        if first.record.truncated and continues(record.body, first.record.body):
            first.record = replace(first.record, body=record.body, truncated=record.truncated)
        self._duplicate(record, first.record.origin)

    def _repeat_of_stored(self, meta: ArticleMeta, record: CleanRecord) -> None:
        stored = self.store.get(meta.seq)
        if stored.truncated and continues(record.body, stored.body):
            self._merge(stored, record)
        self._duplicate(record, self.matched[meta.seq])

    def _duplicate(self, record: CleanRecord, first: str) -> None:
        path, _, line = record.origin.rpartition(":")
        message = f"duplicate of the article at {first} (same date and title)"
        self.report.problems.append(Problem(path, int(line), message))

    def _merge(self, stored: StoredArticle, record: CleanRecord) -> None:
        body, truncated = stored.body, stored.truncated
        if " ".join(body.split()) != " ".join(record.body.split()):
            shorter_copy = record.truncated and continues(stored.body, record.body)
            if not shorter_copy:
                body, truncated = record.body, record.truncated
        else:
            truncated = record.truncated  # the same body: only the rules (truncation.*) changed
        # A spelling that names the same category is no correction (a recovered store holds
        # the canonical names, the dump its own spellings).
        category = record.category
        if self.resolver.canonical(category) == self.resolver.canonical(stored.category):
            category = stored.category
        merged = replace(
            stored,
            title=record.title,
            title_key=title_key(record.title),
            category=category,
            body=body,
            truncated=truncated,
            withdrawn=stored.retracted,  # a dump brings back what it withdrew, not an editor's retraction
        )
        if merged == stored:
            self.report.unchanged += 1
            return
        # Each change of one build gets its own second, so no two entries share an `updated`.
        updated = max(self.now + self.report.updated * SECOND, stored.updated + SECOND)
        corrected = replace(merged, updated=updated, origin=record.origin, changed=self.generation)
        self.store.update(corrected)
        self.report.updated += 1
        self.report.corrected.append(corrected)
        if corrected.truncated:
            self.report.cut_off.append(corrected)

    def insert_pending(self) -> None:
        """Mint ids, links and times for the new articles and store them.

        Ids embed the day, so the articles already stored for the days at hand (all indexed)
        are the only ones a new id can collide with.
        """
        tz = zoneinfo.ZoneInfo(self.config.timezone)
        by_day: dict[dt.date, list[_Pending]] = defaultdict(list)
        for item in self.pending.values():
            by_day[item.record.day].append(item)
        taken = {meta.id for metas in self.by_category.values() for meta in metas}
        latest: dict[dt.date, dt.datetime] = {}
        for metas in self.by_category.values():
            for meta in metas:
                latest[meta.day] = max(latest.get(meta.day, meta.published), meta.published)
        new = []
        for day in sorted(by_day):
            base = latest[day] + SECOND if day in latest else _local_midnight(day, tz)
            for rank, item in enumerate(reversed(by_day[day])):
                new.append(self._mint(item, base + rank * SECOND, taken))
        self.store.insert_many(new)
        self.report.added += len(new)
        self.report.cut_off += [article for article in new if article.truncated]

    def _mint(self, item: _Pending, published: dt.datetime, taken: set[str]) -> StoredArticle:
        stem, link = mint_id_and_link(self.config, item.record)
        suffix, n = "", 1
        while f"{stem}{suffix}" in taken:
            n += 1
            suffix = f"-{n}"
        article_id = f"{stem}{suffix}"
        taken.add(article_id)
        record = item.record
        return StoredArticle(
            seq=0,
            id=article_id,
            link=f"{link.removesuffix('.html')}{suffix}.html",
            day=record.day,
            title=record.title,
            title_key=item.key,
            category=record.category,
            body=record.body,
            truncated=record.truncated,
            published=published,
            updated=published,
            withdrawn=False,
            origin=record.origin,
            changed=self.generation,
            born=self.generation,
        )

    def withdraw_missing(self) -> None:
        for meta in self.store.all_metas():
            if meta.withdrawn or meta.seq in self.matched or meta.changed == self.generation:
                continue
            stored = replace(self.store.get(meta.seq), withdrawn=True, changed=self.generation)
            self.store.update(stored)
            self.report.withdrawn.append(stored)


def _local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first instant of `day` in `tz` (moved forward when a clock change skips midnight), in UTC."""
    local = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    if local.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        # Skipped by a clock change. dateutil is imported only then: a rerun should not pay for it.
        from dateutil.tz import resolve_imaginary

        local = resolve_imaginary(local)
    return local.astimezone(dt.UTC)


#: Records merged per batch; a batch always holds whole days.
BATCH = 5000


def ingest(
    store: Store,
    records: Iterable[CleanRecord],
    config: Config,
    now: dt.datetime,
    *,
    complete: bool = False,
) -> IngestReport:
    """Merge `records` (in dump order) into the store; the caller holds the transaction.

    Records stream through in batches of whole days, so memory holds one batch whatever the
    dump's size. Identity and duplicates only ever concern articles of the same day, and a
    day's records arrive together in a dump, so batching changes no outcome (a day split
    across distant parts of a dump is merged as if read in two builds).

    `complete`: the records are everything the inputs hold, so with `store.authoritative` the
    stored articles they lack are withdrawn.
    """
    run = _Ingest(store, config, now.astimezone(dt.UTC).replace(microsecond=0))
    for batch in _whole_days(records, BATCH):
        run.merge(batch)
    if config.authoritative and complete:
        run.withdraw_missing()
    if run.report.changed:
        store.set_generation(run.generation)
    return run.report


def _whole_days(records: Iterable[CleanRecord], size: int) -> Iterator[list[CleanRecord]]:
    batch: list[CleanRecord] = []
    for record in records:
        if len(batch) >= size and record.day != batch[-1].day:
            yield batch
            batch = []
        batch.append(record)
    if batch:
        yield batch
