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

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pressfeed.config import OVERALL_FEED_KEY, Config
from pressfeed.state import settings_fingerprint
from pressfeed.types import ArticleMeta, Category, FeedFormat, FeedSpec


@dataclass(frozen=True)
class Document:
    spec: FeedSpec
    #: Store sequence numbers of the entries, newest first.
    seqs: tuple[int, ...]
    fingerprint: str


def reserved_slugs(config: Config) -> set[str]:
    """Slugs whose category feed would land on an overall feed's file name."""
    reserved = {OVERALL_FEED_KEY}
    for overall in config.overall_templates.values():
        for template in config.category_templates.values():
            prefix, _, suffix = template.partition("{slug}")
            middle = overall[len(prefix) : len(overall) - len(suffix)]
            if overall.startswith(prefix) and overall.endswith(suffix) and middle:
                reserved.add(middle)
    return reserved


def newest_first(metas: Iterable[ArticleMeta]) -> list[ArticleMeta]:
    """Newest `published` first; ties broken by id."""
    ordered = sorted(metas, key=lambda m: m.id)
    ordered.sort(key=lambda m: m.published, reverse=True)
    return ordered


def plan(config: Config, metas: Sequence[ArticleMeta], categories: Mapping[str, Category]) -> list[Document]:
    """Every document, archive pages before the subscription feeds that link to them."""
    settings = settings_fingerprint(config)
    members: dict[Category | None, list[ArticleMeta]] = {None: list(metas)}
    for meta in metas:
        members.setdefault(categories[meta.category], []).append(meta)
    archives: list[Document] = []
    subscriptions: list[Document] = []
    ordered = sorted(members, key=lambda c: "" if c is None else c.slug)
    for category in ordered:
        for fmt in FeedFormat:
            feed = _Feed(config, fmt, category, members[category], categories, settings)
            archives += feed.archive_pages()
            subscriptions.append(feed.subscription())
    return archives + subscriptions


class _Feed:
    """One logical feed in one format."""

    def __init__(
        self,
        config: Config,
        fmt: FeedFormat,
        category: Category | None,
        members: list[ArticleMeta],
        categories: Mapping[str, Category],
        settings: str,
    ) -> None:
        self.config, self.fmt, self.category = config, fmt, category
        self.members, self.categories, self.settings = members, categories, settings
        if category is None:
            self.relpath, self.title = config.overall_templates[fmt], config.title
        else:
            self.relpath = config.category_templates[fmt].format(slug=category.slug)
            self.title = f"{config.title} — {category.name}"
        self.url = self._url(self.relpath)
        live = [m for m in members if not m.withdrawn]
        self.current = newest_first(live)[: config.max_entries]
        shown = {m.seq for m in self.current}
        size = config.archive_page_size
        has_history = any(not m.withdrawn and m.seq not in shown for m in members)
        count = len(members) // size + 1 if has_history else 0
        self.pages = [members[n * size : (n + 1) * size] for n in range(count)]

    def _url(self, relpath: str) -> str:
        return f"{self.config.base_url}/{relpath}"

    def _page_relpath(self, number: int) -> str:
        key = OVERALL_FEED_KEY if self.category is None else self.category.slug
        return self.config.archive_templates[self.fmt].format(feed=key, page=number)

    def subscription(self) -> Document:
        history: tuple[tuple[str, str], ...] = ()
        if self.pages:
            history = (("prev-archive", self._url(self._page_relpath(len(self.pages)))),)
        return self._document(self.relpath, self.current, self.members, history, archive=False)

    def archive_pages(self) -> list[Document]:
        documents = []
        for number in range(1, len(self.pages) + 1):
            history: list[tuple[str, str]] = [("current", self.url)]
            if number > 1:
                history.append(("prev-archive", self._url(self._page_relpath(number - 1))))
            if number < len(self.pages):
                history.append(("next-archive", self._url(self._page_relpath(number + 1))))
            page = self.pages[number - 1]
            entries = newest_first(m for m in page if not m.withdrawn)
            documents.append(
                self._document(self._page_relpath(number), entries, page, tuple(history), archive=True)
            )
        return documents

    def _document(
        self,
        relpath: str,
        entries: list[ArticleMeta],
        scope: list[ArticleMeta],
        history: tuple[tuple[str, str], ...],
        *,
        archive: bool,
    ) -> Document:
        updated = max((m.updated for m in entries or scope), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        tz = zoneinfo.ZoneInfo(self.config.timezone)
        updated = updated.astimezone(tz)
        newest = max((m.published for m in entries), default=updated).astimezone(tz)
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
        state = [(m.id, m.changed, self.categories[m.category].slug) for m in entries]
        digest = hashlib.sha256(repr((self.settings, spec, state)).encode("utf-8")).hexdigest()
        return Document(spec, tuple(m.seq for m in entries), digest)
