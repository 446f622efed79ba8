"""Rebuild a lost store from the feeds it published: the RFC 5005 archive is the backup.

Every article ever published is in the overall Atom feed's archive chain, with its id, link,
title, full text, category and both dates. Following `prev-archive` from the subscription feed
(in the output folder, or at the public base URL) gives them back with the same ids and times;
the category chains give the order in which they were first stored (which archive page each
one sits on), so that the next build pages the archives exactly as before and rewrites no file.

What the feeds never showed cannot come back: articles withdrawn before the loss, and the
dump's own category spellings (the canonical names are stored; a spelling that maps to the
same name is the same category to a build).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from pressfeed import guard
from pressfeed.config import Config
from pressfeed.errors import StoreError
from pressfeed.render.names import ATOM_NS, TRUNCATION_NOTE
from pressfeed.store import Store
from pressfeed.types import FeedFormat, StoredArticle

_A = f"{{{ATOM_NS}}}"
_DAY = re.compile(r"^tag:[^,]+,(\d{4}-\d{2}-\d{2}):")
#: Seconds an HTTP request for one feed document may take.
TIMEOUT = 30
#: A chain longer than this is taken to loop.
MAX_PAGES = 1_000_000

#: Fetches a document by its public URL; returns its bytes.
Fetch = Callable[[str], bytes]


@dataclass
class _Found:
    """An entry as read from the feeds, and where it stands in the archives."""

    article: StoredArticle
    #: Its category's slug, as the feeds name it (`category term`).
    slug: str
    #: The page of the overall archive holding it (0: none, no archive yet).
    page: int = 0
    #: The page of its category's archive holding it.
    category_page: int = 0


@dataclass
class Recovered:
    """What a recovery read and stored."""

    articles: int = 0
    documents: int = 0
    categories: list[str] = field(default_factory=list)


def source_fetcher(config: Config, source: str | None) -> Fetch:
    """Documents from a local folder (default: the output folder) or from a site's URL,
    addressed by their public URLs under `site.base_url`."""
    base = f"{config.base_url}/"
    where = source or str(config.output_dir)
    remote = urlsplit(where).scheme in ("http", "https")

    def fetch(url: str) -> bytes:
        if not url.startswith(base):
            raise StoreError(f"{url}: a feed link outside site.base_url {config.base_url}; cannot follow it")
        relpath = url[len(base) :]
        if remote:
            return _download(f"{where.rstrip('/')}/{relpath}")
        path = Path(where) / relpath
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read a published feed: {exc.strerror or exc}") from exc

    return fetch


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        raise StoreError(f"{url}: cannot download a published feed: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StoreError(f"{url}: cannot download a published feed: {reason}") from exc


def recover(store: Store, config: Config, fetch: Fetch) -> Recovered:
    """Fill an empty store from the published Atom feeds (the caller holds the transaction)."""
    if store.has_articles():
        raise StoreError(
            f"{store.path}: the store already holds {store.count()} articles; recover only into a "
            "missing or empty store (move this one aside first)"
        )
    report = Recovered()
    found: dict[str, _Found] = {}
    overall = _url(config, config.overall_templates[FeedFormat.ATOM])
    for page, entries in _chain(fetch, overall, report):
        for entry in entries:
            found.setdefault(entry.article.id, entry).page = page
    _check_authority(config, found)
    report.categories = sorted({f.article.category for f in found.values()})
    for slug in sorted({f.slug for f in found.values()}):
        feed = _url(config, config.category_templates[FeedFormat.ATOM].format(slug=slug))
        for page, entries in _chain(fetch, feed, report):
            for entry in entries:
                if entry.article.id in found:
                    found[entry.article.id].category_page = page
    _store(store, config, found)
    report.articles = len(found)
    return report


def _url(config: Config, relpath: str) -> str:
    return f"{config.base_url}/{relpath}"


def _check_authority(config: Config, found: dict[str, _Found]) -> None:
    prefix = f"tag:{config.id_authority},"
    other = next((article_id for article_id in found if not article_id.startswith(prefix)), None)
    if other is not None:
        raise StoreError(
            f"{other}: the feeds hold ids minted for another id authority than the config's "
            f"'{config.id_authority}'; set site.id_authority to the feeds' one, then recover again"
        )


def _chain(fetch: Fetch, url: str, report: Recovered) -> list[tuple[int, list[_Found]]]:
    """(archive page number, entries) of a subscription feed (page 0) and of every page its
    `prev-archive` chain reaches, numbered from the oldest (1)."""
    documents: list[list[_Found]] = []
    seen: set[str] = set()
    next_url: str | None = url
    while next_url is not None and next_url not in seen and len(seen) < MAX_PAGES:
        seen.add(next_url)
        root = _parse(fetch(next_url), next_url)
        documents.append([_entry(entry, next_url) for entry in root.iter(f"{_A}entry")])
        next_url = _link(root, "prev-archive")
        report.documents += 1
    subscription, *pages = documents
    numbered = [(len(pages) - n, entries) for n, entries in enumerate(pages)]
    return [(0, subscription), *numbered]


def _parse(data: bytes, url: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise StoreError(f"{url}: not a well-formed feed ({exc}); cannot recover from it") from exc


def _link(root: ET.Element, rel: str) -> str | None:
    for link in root.findall(f"{_A}link"):
        if link.get("rel") == rel:
            return link.get("href")
    return None


def _entry(entry: ET.Element, url: str) -> _Found:
    def text(name: str) -> str:
        element = entry.find(f"{_A}{name}")
        if element is None or element.text is None:
            raise StoreError(f"{url}: an entry without {name}; cannot recover from this feed")
        return element.text

    article_id = text("id")
    day = _DAY.match(article_id)
    category = entry.find(f"{_A}category")
    link = entry.find(f"{_A}link")
    if day is None or category is None or link is None:
        raise StoreError(f"{url}: entry {article_id} was not published by pressfeed; cannot recover it")
    content = text("content")
    truncated = content.endswith(f"\n{TRUNCATION_NOTE}")
    published = dt.datetime.fromisoformat(text("published")).astimezone(dt.UTC)
    title = text("title")
    article = StoredArticle(
        seq=0,
        id=article_id,
        link=link.get("href") or "",
        day=dt.date.fromisoformat(day.group(1)),
        title=title,
        title_key=_title_key(title),
        category=category.get("label") or category.get("term") or "",
        body=content.removesuffix(f"\n{TRUNCATION_NOTE}") if truncated else content,
        truncated=truncated,
        published=published,
        updated=dt.datetime.fromisoformat(text("updated")).astimezone(dt.UTC),
        withdrawn=False,
        origin=f"{url} (recovered)",
        changed=0,
        born=0,
    )
    return _Found(article, category.get("term") or "")


def _title_key(title: str) -> str:
    from pressfeed.merge import title_key  # merge imports the cleaner: only a recovery needs it here

    return title_key(title)


def _store(store: Store, config: Config, found: dict[str, _Found]) -> None:
    """Insert in archive order: one generation per article, so that (born, published, id)
    gives back each archive page's members."""
    ordered = sorted(
        found.values(), key=lambda f: (f.page, f.category_page, f.article.published, f.article.id)
    )
    articles = [replace(f.article, born=n, changed=n) for n, f in enumerate(ordered, start=1)]
    store.insert_many(articles)
    store.set_generation(len(articles))
    guard.remember_site(store, config)
