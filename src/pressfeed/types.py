"""The plain values that flow through the pipeline: dump → RawRecord → Article → feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class RawRecord:
    """One record as it stands in the dump, before any cleaning."""

    #: The input file, as the user named it.
    path: str
    #: 1-based line number of the record's `-` line.
    line: int
    #: 0-based position of the record among the accepted records of its file.
    position: int
    #: The category line, stripped of surrounding whitespace.
    category: str
    #: The title line, stripped of surrounding whitespace.
    title: str
    #: The body without its final date marker; lines joined with "\n".
    body: str
    #: The calendar day the record carries, in the publisher's timezone.
    day: dt.date


@dataclass(frozen=True)
class Category:
    """A category as published: its feeds are named after `slug`."""

    #: Display name (the canonical name from config, or the cleaned dump name).
    name: str
    #: Lowercase ASCII `[a-z0-9-]+`, never empty, unique within a build.
    slug: str


@dataclass(frozen=True)
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


class FeedFormat(Enum):
    ATOM = "atom"
    RSS = "rss"


@dataclass(frozen=True)
class FeedSpec:
    """One feed file to produce."""

    format: FeedFormat
    #: Path relative to the output folder, with "/" separators.
    relpath: str
    #: Absolute public URL of the file (the feed's `self` link).
    url: str
    #: Feed title, as readers show it.
    title: str
    #: None for the overall feed.
    category: Category | None


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

    feeds: tuple[FeedResult, ...]
    accepted: int
    problems: tuple[Problem, ...]
