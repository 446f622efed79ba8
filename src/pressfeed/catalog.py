"""What planning needs to know of the store: for each logical feed, its counts, its newest
articles and the archive pages to plan; for the site, the articles whose pages to plan.

Two ways to gather it, giving the same documents where they overlap:
- `whole()`: from every row's metadata, planning every document (a first build, `--full`,
  changed settings, corrections, withdrawals);
- `since()`: from a few indexed queries, planning only what new and corrected articles can
  have changed since the generation last published: the subscription documents, the newest
  archive pages (new articles are always last in archive order), the pages holding a corrected
  article, the new and corrected articles' pages and the listings.
  A cron run with one new article then reads a few hundred rows, not the whole archive.

It also owns the rules of order and paging that it and history.py (the documents) both follow:
`newest_first`, `page_count`, `reserved_slugs`. history.py imports this module, never the reverse.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pressfeed.config import OVERALL_FEED_KEY, Config
from pressfeed.normalize import CategoryResolver
from pressfeed.store import Store
from pressfeed.types import ArticleMeta, Category

#: Past this many changed rows, planning from every row is as quick and simpler to trust.
INCREMENTAL_LIMIT = 2000


@dataclass(frozen=True)
class FeedRows:
    """One logical feed (overall: category None) as planning needs it."""

    category: Category | None
    #: Members, withdrawn ones included, and live members.
    total: int
    live: int
    #: The newest live members, newest first, at most `max_entries`.
    newest: tuple[ArticleMeta, ...]
    #: The archive pages to plan: page number (from 1) → members in archive order.
    pages: Mapping[int, Sequence[ArticleMeta]]
    #: With no live member: the latest `updated` of any member (the empty feed's `updated`).
    last_change: dt.datetime | None = None
    #: The site's listing pages to plan (`site.page_size` members each, page 1 the oldest):
    #: page number → members in archive order.
    listing: Mapping[int, Sequence[ArticleMeta]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    #: Every category spelling in the store → the category it is published under.
    categories: dict[str, Category]
    #: The overall feed, then each category's, by slug.
    feeds: tuple[FeedRows, ...]
    #: Live articles whose pages to plan.
    articles: tuple[ArticleMeta, ...]
    #: True when every document and page is planned.
    complete: bool
    #: Each planned article's live neighbours in its category (older, newer); None: all
    #: articles are planned, and the site finds them (`neighbours`).
    neighbours: Mapping[int, tuple[ArticleMeta | None, ArticleMeta | None]] | None = None


def whole(config: Config, metas: Sequence[ArticleMeta]) -> Catalog:
    """Every document and page, from every row's metadata (in archive order)."""
    categories = CategoryResolver(config, reserved_slugs(config)).resolve({m.category for m in metas})
    members: dict[Category | None, list[ArticleMeta]] = {None: list(metas)}
    for meta in metas:
        members.setdefault(categories[meta.category], []).append(meta)
    feeds = []
    for category in _ordered(members):
        rows = members[category]
        live = [m for m in rows if not m.withdrawn]
        pages = _cut(rows, config.archive_page_size, page_count(len(rows), len(live), config))
        listing = _cut(rows, config.page_size, listing_count(len(rows), len(live), config))
        newest = tuple(newest_first(live)[: config.max_entries])
        last_change = None if live else max((m.updated for m in rows), default=None)
        feeds.append(FeedRows(category, len(rows), len(live), newest, pages, last_change, listing))
    articles = tuple(m for m in metas if not m.withdrawn)
    return Catalog(categories, tuple(feeds), articles, complete=True)


def since(store: Store, config: Config, generation: int) -> Catalog | None:
    """What articles first stored or corrected after `generation` can have changed, or None
    when other changes happened since (a withdrawal, a new category or category spelling:
    these can move articles between pages or rename slugs) or too many: then plan from every
    row."""
    if store.last_regroup > generation:
        return None
    changed = store.born_after(generation)
    corrected = store.corrected_after(generation) if store.last_update > generation else []
    if len(changed) + len(corrected) > INCREMENTAL_LIMIT or any(m.withdrawn for m in changed):
        return None
    counts = store.category_counts()
    new = Counter(m.category for m in changed)
    if not counts or any(new[name] == rows for name, (rows, _) in counts.items()):
        return None  # a spelling never seen before: it can take another category's slug
    categories = CategoryResolver(config, reserved_slugs(config)).resolve(counts)
    spellings: dict[Category | None, list[str]] = defaultdict(list)
    for name in sorted(counts):
        spellings[None].append(name)
        spellings[categories[name]].append(name)
    newest: dict[Category | None, list[ArticleMeta]] = {
        c: store.newest_live(names, config.max_entries) for c, names in spellings.items() if c
    }
    # Every article has a category: the newest overall are among each category's newest.
    newest[None] = newest_first(m for metas in newest.values() for m in metas)[: config.max_entries]
    feeds = []
    for category in _ordered(spellings):
        names = spellings[category]
        rows = sum(counts[n][0] for n in names)
        live = rows - sum(counts[n][1] for n in names)
        added = sum(new[n] for n in names)
        scope = None if category is None else names
        # The feed's archive pages, and the site's listing pages, that hold a new or corrected
        # member.
        kinds = ((page_count, config.archive_page_size), (listing_count, config.page_size))
        touched = [set(_touched(count, rows, live, added, config)) for count, _ in kinds]
        paged = [count(rows, live, config) > 0 for count, _ in kinds]
        for meta in corrected:
            if any(paged) and (category is None or categories[meta.category] == category):
                at = store.position(scope, meta)
                for (_, size), numbers, exists in zip(kinds, touched, paged, strict=True):
                    if exists:
                        numbers.add(at // size + 1)
        pages, listing = (
            {n: store.archive_slice(scope, (n - 1) * size, size, rows) for n in sorted(numbers)}
            for (_, size), numbers in zip(kinds, touched, strict=True)
        )
        last_change = None if live else store.last_change(scope)
        feeds.append(FeedRows(category, rows, live, tuple(newest[category]), pages, last_change, listing))
    planned, around = _with_neighbours(store, categories, spellings, [*corrected, *changed])
    return Catalog(categories, tuple(feeds), planned, complete=False, neighbours=around)


Neighbours = dict[int, tuple[ArticleMeta | None, ArticleMeta | None]]
#: How many pages of one kind a feed has, from its members and live members (`page_count`,
#: `listing_count`).
PageCount = Callable[[int, int, Config], int]


def _with_neighbours(
    store: Store,
    categories: dict[str, Category],
    spellings: Mapping[Category | None, list[str]],
    changed: list[ArticleMeta],
) -> tuple[tuple[ArticleMeta, ...], Neighbours]:
    """The changed articles and their neighbours in their categories (whose pages link to
    them by title), each with its own neighbours."""

    def around(meta: ArticleMeta) -> tuple[ArticleMeta | None, ArticleMeta | None]:
        return store.neighbours(spellings[categories[meta.category]], meta)

    found: Neighbours = {m.seq: around(m) for m in changed}
    planned = {m.seq: m for m in changed}
    for seq in list(found):
        for meta in found[seq]:
            if meta is not None and meta.seq not in planned:
                planned[meta.seq] = meta
                found[meta.seq] = around(meta)
    return tuple(planned.values()), found


def neighbours(articles: Iterable[ArticleMeta], categories: Mapping[str, Category]) -> Neighbours:
    """Every live article's neighbours in its category, (older, newer), from all of them."""
    by_category: dict[Category, list[ArticleMeta]] = defaultdict(list)
    for meta in articles:
        if not meta.withdrawn:
            by_category[categories[meta.category]].append(meta)
    found: Neighbours = {}
    for metas in by_category.values():
        ordered = newest_first(metas)
        for n, meta in enumerate(ordered):
            newer = ordered[n - 1] if n else None
            older = ordered[n + 1] if n + 1 < len(ordered) else None
            found[meta.seq] = (older, newer)
    return found


def _cut(rows: Sequence[ArticleMeta], size: int, count: int) -> dict[int, Sequence[ArticleMeta]]:
    """Pages 1 to `count` of `size` rows each."""
    return {n: rows[(n - 1) * size : n * size] for n in range(1, count + 1)}


def _touched(count: PageCount, rows: int, live: int, new: int, config: Config) -> range:
    """The pages (archive or listing pages, counted by `count`) that `new` articles appended to
    a feed can have changed: every page when its history has just begun; else the newest page
    before them (being filled, or gaining a link to a newer page) and those after it."""
    after = count(rows, live, config)
    if not new or not after:
        return range(0)
    return range(count(rows - new, live - new, config) or 1, after + 1)


def _ordered(feeds: Mapping[Category | None, object]) -> list[Category | None]:
    return sorted(feeds, key=lambda c: "" if c is None else c.slug)


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


def front_size(config: Config) -> int:
    """Articles on the front page and on each category page: their newest."""
    return min(config.page_size, config.max_entries)


def listing_count(total: int, live: int, config: Config) -> int:
    """The site's listing pages of a feed: none while its front or category page shows every
    live member; then its members cut into pages of `site.page_size`, the last maybe not full."""
    return -(-total // config.page_size) if live > front_size(config) else 0


def page_count(total: int, live: int, config: Config) -> int:
    """Archive pages of a feed: none until it holds a live article its subscription document
    no longer shows; then its members cut into pages, plus the (maybe empty) page being filled."""
    return total // config.archive_page_size + 1 if live > config.max_entries else 0
