"""The plain values that flow through the pipeline: dump → RawRecord → Article → feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pressfeed.formats import PARTS, FeedFormat

__all__ = ["PARTS", "FeedFormat"]  # defined in formats.py, light to import; the rest below


@dataclass(frozen=True, slots=True)
class Problem:
    """A record the parser or normalizer rejected, or a warning about one."""

    #: The input file, as the user named it.
    path: str
    #: 1-based line number in that file where the record (or the fault) is.
    line: int
    #: What is wrong, phrased so the user knows what to fix.
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as it stands in the dump, before any cleaning."""

    #: The input file, as the user named it.
    path: str
    #: 1-based line number of the record's `-` line.
    line: int
    #: The category line, stripped of surrounding whitespace.
    category: str
    #: The title line, stripped of surrounding whitespace.
    title: str
    #: The body without its final date marker; lines joined with "\n".
    body: str
    #: The calendar day the record carries, in the publisher's timezone.
    day: dt.date
    #: True when its text needs no cleaning (NFC, printable, single spaces): the parser's
    #: fast path found it so.
    clean: bool = False


@dataclass(frozen=True, slots=True)
class CleanRecord:
    """A record after text cleaning, before it meets the store."""

    #: Where it came from, for messages: "FILE:LINE".
    origin: str
    #: The category as the dump spells it, cleaned (NFC, controls removed, spaces collapsed).
    category: str
    title: str
    #: Lines of the dump kept as paragraphs, joined with "\n".
    body: str
    #: Calendar day in the publisher's timezone.
    day: dt.date
    #: True when the body does not end like a finished sentence (cut at the source).
    truncated: bool


@dataclass(frozen=True)
class Category:
    """A category as published: its feeds are named after `slug`."""

    #: Display name (the canonical name from config, or the cleaned dump name).
    name: str
    #: Lowercase ASCII `[a-z0-9-]+`, never empty, unique within a build.
    slug: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article, ready to render."""

    #: Permanent `tag:` URI (RFC 4151); never changes once published.
    id: str
    #: Absolute URL of the article's page under the site's base URL.
    link: str
    #: NFC, whitespace collapsed, XML-safe.
    title: str
    #: NFC, XML-safe; paragraphs kept as "\n" between lines of the dump.
    body: str
    #: Plain-text summary; ends with "…" when it is shorter than the body.
    summary: str
    #: True when the body does not end like a finished sentence (cut at the source).
    truncated: bool
    category: Category
    #: Calendar day of the article in the publisher's timezone.
    day: dt.date
    #: First publication time; always timezone-aware, in the publisher's timezone.
    published: dt.datetime
    #: Last significant change; timezone-aware; never earlier than `published`.
    updated: dt.datetime
    #: Where the article came from, for messages: "FILE:LINE".
    origin: str


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """A full row of the store."""

    seq: int
    id: str
    link: str
    day: dt.date
    title: str
    title_key: str
    #: The cleaned category name as the dump spells it; resolved against the config when rendered.
    category: str
    body: str
    truncated: bool
    #: Timezone-aware, UTC.
    published: dt.datetime
    #: Timezone-aware, UTC; never earlier than `published`.
    updated: dt.datetime
    withdrawn: bool
    origin: str
    #: Store generation of the row's last change.
    changed: int
    #: Store generation that first stored it; archive pages follow (born, published, id).
    born: int = 0
    #: Withdrawn by an editor (`pressfeed articles withdraw`): stays withdrawn whatever the
    #: dumps say, until restored.
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What planning and matching need of a row, without its body."""

    seq: int
    id: str
    day: dt.date
    title_key: str
    category: str
    published: dt.datetime
    updated: dt.datetime
    withdrawn: bool
    changed: int
    truncated: bool
    born: int = 0
    #: The article page's URL (minted once).
    link: str = ""
    #: Digest of its title, category, body and cut-off flag (store.content_digest).
    digest: str = ""


@dataclass(frozen=True)
class FeedSpec:
    """One feed document to produce: a subscription feed or one of its archive pages."""

    format: FeedFormat
    #: Path relative to the output folder, with "/" separators.
    relpath: str
    #: Absolute public URL of the file (the document's `self` link).
    url: str
    #: Feed title, as readers show it.
    title: str
    #: None for the overall feed.
    category: Category | None
    #: The logical feed's id: its subscription document's URL, shared by its archive pages.
    feed_id: str
    #: The feed's `updated`: the newest entry's (or, with no entries, the newest member's).
    updated: dt.datetime
    #: The newest entry's `published` (RSS `pubDate`); `updated` when there is no entry.
    newest: dt.datetime
    #: RFC 5005 links as (rel, href): "current", "prev-archive", "next-archive".
    history: tuple[tuple[str, str], ...] = ()
    #: True for an archive page (RFC 5005 `fh:archive`).
    archive: bool = False
    #: WebSub hubs the document advertises (`rel="hub"`).
    hubs: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedResult:
    """What a build did with one feed file."""

    spec: FeedSpec
    path: Path
    entries: int
    #: True when the file's bytes changed and it was written.
    written: bool


@dataclass(frozen=True)
class BuildReport:
    """What `build()` did; the CLI prints it."""

    #: Every document of the build (subscription feeds and archive pages), in write order.
    feeds: tuple[FeedResult, ...]
    #: Records accepted from the inputs.
    accepted: int
    problems: tuple[Problem, ...]
    #: Articles new to the store, changed in it, and withdrawn from the feeds.
    added: int = 0
    updated: int = 0
    withdrawn: tuple[StoredArticle, ...] = ()
    #: True when nothing changed since the last build, so nothing was read or rendered.
    skipped: bool = False
    #: Site files (pages, OPML, host files) in the build, and how many were written.
    site_files: int = 0
    site_written: int = 0
    #: Archive pages in the folder (`feeds` holds those the build planned).
    archive_pages: int = 0
    #: Articles a dump corrected (title, category or body), as they are now.
    corrected: tuple[StoredArticle, ...] = ()
    #: New or corrected articles flagged as cut off at the source, for an editor to check.
    cut_off: tuple[StoredArticle, ...] = ()
    #: Files pressfeed wrote before and no longer produces: kept (`stale`), or removed.
    stale: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: Records dated after the build's day, waiting for it: (day, title).
    held: tuple[tuple[dt.date, str], ...] = ()
