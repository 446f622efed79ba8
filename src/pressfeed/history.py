"""Plan every document of a build: subscription feeds and their RFC 5005 archive pages.

Each logical feed (overall, and one per category) in each format is:
- a subscription document with the newest `max_entries` live articles;
- once the feed holds an article the subscription document no longer shows, archive pages
  cutting its whole history into pages of `archive_page_size` articles, counted from the
  oldest: articles first stored by earlier imports come first, and within one import the
  older article first (order: born, published, id). A page is created (empty) as soon as
  the one before it is full, so a full page keeps its members and its links forever: a new
  article only ever rewrites the subscription document and the newest page. The subscription
  document links the newest page as `prev-archive`; each page links `current` and its
  neighbours.

Planning reads only row metadata. A document's fingerprint covers everything its bytes depend
on, so a build renders only the documents whose fingerprint changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pressfeed.catalog import Catalog, FeedRows, newest_first, page_count
from pressfeed.config import OVERALL_FEED_KEY, Config
from pressfeed.state import settings_fingerprint
from pressfeed.types import ArticleMeta, Category, FeedFormat, FeedSpec


@dataclass(frozen=True)
class Document:
    spec: FeedSpec
    #: Store sequence numbers of the entries, newest first.
    seqs: tuple[int, ...]
    fingerprint: str


def former_slugs(config: Config, category: Category | None) -> tuple[str, ...]:
    """The slugs a category had before a rename (config: categories[].former_slugs)."""
    if category is None:
        return ()
    for rule in config.categories:
        if rule.slug == category.slug:
            return rule.former_slugs
    return ()


def plan(config: Config, catalog: Catalog, formats: Iterable[FeedFormat] = FeedFormat) -> list[Document]:
    """The catalog's documents in these formats (all by default), archive pages before the
    subscription feeds that link to them."""
    settings = settings_fingerprint(config)
    wanted = set(formats)
    chosen = [fmt for fmt in FeedFormat if fmt in wanted]
    archives: list[Document] = []
    subscriptions: list[Document] = []
    for rows in catalog.feeds:
        newest = _Shown.of(list(rows.newest), rows.newest, catalog.categories)
        pages = {
            number: _Shown.of(newest_first(m for m in page if not m.withdrawn), page, catalog.categories)
            for number, page in rows.pages.items()
        }
        for fmt in chosen:
            feed = _Feed(config, fmt, rows, settings)
            archives += feed.archive_pages(pages)
            subscriptions.append(feed.subscription(newest))
            subscriptions += feed.former(newest)
    return archives + subscriptions


@dataclass(frozen=True)
class _Shown:
    """What a document's entries give it, the same in every format: worked out once."""

    #: The entries' sequence numbers, newest first.
    seqs: tuple[int, ...]
    #: The latest `updated` of the entries (of every member, when none is live), if any.
    updated: dt.datetime | None
    #: The latest `published` of the entries, if any.
    newest: dt.datetime | None
    #: The entries' ids, generations and category slugs, as the fingerprint holds them.
    state: str

    @classmethod
    def of(
        cls, entries: list[ArticleMeta], members: Sequence[ArticleMeta], categories: Mapping[str, Category]
    ) -> _Shown:
        updated = max((m.updated for m in entries or members), default=None)
        newest = max((m.published for m in entries), default=None)
        state = repr([(m.id, m.changed, categories[m.category].slug) for m in entries])
        return cls(tuple(m.seq for m in entries), updated, newest, state)


class _Feed:
    """One logical feed in one format."""

    def __init__(
        self,
        config: Config,
        fmt: FeedFormat,
        rows: FeedRows,
        settings: str,
    ) -> None:
        self.config, self.fmt, self.rows = config, fmt, rows
        self.category, self.settings = rows.category, settings
        self.tz = zoneinfo.ZoneInfo(config.timezone)
        if self.category is None:
            self.relpath, self.title = config.overall_templates[fmt], config.title
        else:
            self.relpath = config.category_templates[fmt].format(slug=self.category.slug)
            self.title = f"{config.title} — {self.category.name}"
        self.url = self._url(self.relpath)
        self.count = page_count(rows.total, rows.live, config)

    def _url(self, relpath: str) -> str:
        return f"{self.config.base_url}/{relpath}"

    def _page_relpath(self, number: int) -> str:
        key = OVERALL_FEED_KEY if self.category is None else self.category.slug
        return self.config.archive_templates[self.fmt].format(feed=key, page=number)

    def subscription(self, newest: _Shown) -> Document:
        """The subscription document, showing the feed's newest live articles."""
        history: tuple[tuple[str, str], ...] = ()
        if self.count:
            history = (("prev-archive", self._url(self._page_relpath(self.count))),)
        return self._document(self.relpath, newest, history, archive=False, last_change=self.rows.last_change)

    def former(self, newest: _Shown) -> list[Document]:
        """A renamed category's feeds at the file names of its former slugs: the same entries,
        under the old feed's own address and id, with an RFC 5005 `current` link to the new
        one, so that subscribers of the old URL keep receiving every release."""
        documents = []
        for slug in former_slugs(self.config, self.category):
            relpath = self.config.category_templates[self.fmt].format(slug=slug)
            history: tuple[tuple[str, str], ...] = (("current", self.url),)
            if self.count:
                history = (("prev-archive", self._url(self._page_relpath(self.count))), *history)
            document = self._document(
                relpath, newest, history, archive=False, last_change=self.rows.last_change
            )
            spec = dataclasses.replace(document.spec, feed_id=self._url(relpath))
            documents.append(Document(spec, document.seqs, f"{document.fingerprint}:{slug}"))
        return documents

    def archive_pages(self, shown: Mapping[int, _Shown]) -> list[Document]:
        """The archive pages the catalog holds (all of them, or those a change touched), each
        showing its live members, newest first."""
        documents = []
        for number in sorted(shown):
            history: list[tuple[str, str]] = [("current", self.url)]
            if number > 1:
                history.append(("prev-archive", self._url(self._page_relpath(number - 1))))
            if number < self.count:
                history.append(("next-archive", self._url(self._page_relpath(number + 1))))
            relpath = self._page_relpath(number)
            documents.append(self._document(relpath, shown[number], tuple(history), archive=True))
        return documents

    def _document(
        self,
        relpath: str,
        shown: _Shown,
        history: tuple[tuple[str, str], ...],
        *,
        archive: bool,
        last_change: dt.datetime | None = None,
    ) -> Document:
        updated = (shown.updated or last_change or _EPOCH).astimezone(self.tz)
        newest = (shown.newest or updated).astimezone(self.tz)
        spec = FeedSpec(
            format=self.fmt,
            relpath=relpath,
            url=self._url(relpath),
            title=self.title,
            category=self.category,
            feed_id=self.url,
            updated=updated,
            newest=newest,
            history=history,
            archive=archive,
            hubs=() if archive else self.config.hubs,
        )
        # The repr of (settings, spec, state), with the entries' part worked out once.
        digest = hashlib.sha256(f"({self.settings!r}, {spec!r}, {shown.state})".encode()).hexdigest()
        return Document(spec, shown.seqs, digest)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
