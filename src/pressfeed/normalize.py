"""RawRecord → Article: clean text, canonical categories and slugs, aware dates, stable ids.

Timestamps: a dump gives only a day. Within a day the dump lists the newest first, so the
record nearest the end of the day's group gets local midnight, and each record above it one
second more. Records added later above the existing ones get later times, and the ones already
published keep theirs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

from dateutil.tz import resolve_imaginary
from slugify import slugify

from pressfeed.config import CategoryRule, Config, category_key
from pressfeed.types import Article, Category, Problem, RawRecord

#: C0 and C1 controls (tab and newline are whitespace and survive as spaces) and the
#: two BMP non-characters XML 1.0 forbids.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
#: A finished sentence ends with one of these, possibly followed by closing quotes/brackets.
_FINISHED = re.compile(r"[.!?…。！？]['\"”’»)\]]*\s*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_SLUG_MAX = 80
ELLIPSIS = "…"


def clean_line(text: str) -> str:
    """NFC, XML-forbidden and control characters removed, whitespace collapsed."""
    text = _UNWANTED.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def clean_body(text: str) -> str:
    """Like clean_line for each line, keeping line breaks between non-empty lines."""
    return "\n".join(line for line in map(clean_line, text.split("\n")) if line)


def make_slug(text: str, fallback: str) -> str:
    """Lowercase ASCII `[a-z0-9-]`, never empty, never a Windows device name."""
    slug = slugify(text, max_length=_SLUG_MAX, word_boundary=True) or fallback
    return f"{slug}-feed" if slug in _WINDOWS_RESERVED else slug


def is_truncated(body: str) -> bool:
    """True when the body does not end like a finished sentence (cut off at the source)."""
    return _FINISHED.search(body) is None


def summarize(body: str, truncated: bool, length: int) -> str:
    """Plain text of at most `length` characters; ends with "…" when the body goes on."""
    flat = " ".join(body.split("\n"))
    if len(flat) <= length:
        return flat + ELLIPSIS if truncated else flat
    cut = flat[: length - 1]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + ELLIPSIS


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class _Cleaned:
    raw: RawRecord
    category: str
    title: str
    body: str


class CategoryResolver:
    """Maps dump spellings to published categories with unique, file-safe slugs."""

    def __init__(self, config: Config, reserved_slugs: Iterable[str] = ()) -> None:
        self._rules: dict[str, CategoryRule] = {}
        for rule in config.categories:
            for spelling in (rule.name, *rule.aliases):
                self._rules[category_key(spelling)] = rule
        self._config = config
        self._reserved = set(reserved_slugs)

    def rule_for(self, name: str) -> CategoryRule | None:
        return self._rules.get(category_key(name))

    def resolve(self, names: Iterable[str]) -> dict[str, Category]:
        """Categories for the cleaned dump names given; unknown ones only if allowed.

        Configured categories claim their slugs first (explicit, then derived, in config order),
        then unknown ones in sorted order; a clash gets "-2", "-3", ...
        """
        taken = set(self._reserved)
        by_rule: dict[CategoryRule, Category] = {}
        ordered = sorted(self._config.categories, key=lambda r: r.slug is None)
        for rule in ordered:
            slug = _unique(rule.slug or make_slug(rule.name, _fallback(rule.name)), taken)
            by_rule[rule] = Category(rule.name, slug)
        result: dict[str, Category] = {}
        unknown: dict[str, str] = {}
        for name in names:
            matched = self.rule_for(name)
            if matched is not None:
                result[name] = by_rule[matched]
            elif self._config.unknown_categories == "publish":
                unknown.setdefault(category_key(name), name)
        for key in sorted(unknown):
            display = unknown[key]
            category = Category(display, _unique(make_slug(display, _fallback(key)), taken))
            for name in names:
                if category_key(name) == key:
                    result[name] = category
        return result


def _fallback(name: str) -> str:
    return f"category-{_digest(category_key(name))}"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def normalize(
    records: Sequence[RawRecord], config: Config, reserved_slugs: Iterable[str] = ()
) -> tuple[list[Article], list[Problem]]:
    """Clean records into Articles in dump order; report what cannot be published.

    A second record with the same day and title is the same article: it is skipped and
    reported, unless it completes a body the first one had cut off.
    """
    problems: list[Problem] = []
    cleaned = [c for c in (_clean(r, problems) for r in records) if c is not None]
    resolver = CategoryResolver(config, reserved_slugs)
    categories = resolver.resolve(sorted({c.category for c in cleaned}))
    publishable = []
    for c in cleaned:
        if c.category in categories:
            publishable.append(c)
        else:
            problems.append(Problem(c.raw.path, c.raw.line, _unknown_category(c.category)))
    unique = _dedupe(publishable, problems)
    times = _timestamps([c.raw.day for c in unique], zoneinfo.ZoneInfo(config.timezone))
    mint = _minter(config)
    articles = [mint(c, categories[c.category], when) for c, when in zip(unique, times, strict=True)]
    return articles, problems


def _unknown_category(name: str) -> str:
    return f"unknown category {name!r} (unknown_categories is 'reject' in the config)"


def _clean(raw: RawRecord, problems: list[Problem]) -> _Cleaned | None:
    fields = {"category": clean_line(raw.category), "title": clean_line(raw.title)}
    body = clean_body(raw.body)
    for what, value in (*fields.items(), ("body", body)):
        if not value:
            problems.append(Problem(raw.path, raw.line, f"{what} is empty after removing control characters"))
            return None
    return _Cleaned(raw, fields["category"], fields["title"], body)


def _dedupe(cleaned: list[_Cleaned], problems: list[Problem]) -> list[_Cleaned]:
    kept: dict[tuple[dt.date, str], int] = {}
    result: list[_Cleaned] = []
    for c in cleaned:
        key = (c.raw.day, c.title)
        if key not in kept:
            kept[key] = len(result)
            result.append(c)
            continue
        first = result[kept[key]]
        if is_truncated(first.body) and _extends(c.body, first.body):
            result[kept[key]] = replace(first, body=c.body)
        where = f"{first.raw.path}:{first.raw.line}"
        problems.append(
            Problem(c.raw.path, c.raw.line, f"duplicate of the article at {where} (same date and title)")
        )
    return result


def _extends(longer: str, prefix: str) -> bool:
    """True when `longer` continues `prefix` (compared up to whitespace)."""
    a, b = " ".join(longer.split()), " ".join(prefix.split())
    return len(a) > len(b) and a.startswith(b)


def _timestamps(days: Sequence[dt.date], tz: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """One aware time per record: local midnight of its day plus its rank from the bottom."""
    remaining = Counter(days)
    midnight: dict[dt.date, dt.datetime] = {}
    times = []
    for day in days:
        remaining[day] -= 1
        if day not in midnight:
            local = resolve_imaginary(dt.datetime.combine(day, dt.time(0), tzinfo=tz))
            midnight[day] = local.astimezone(dt.UTC)
        seconds = min(remaining[day], 86_399)
        times.append((midnight[day] + dt.timedelta(seconds=seconds)).astimezone(tz))
    return times


def _minter(config: Config) -> Callable[[_Cleaned, Category, dt.datetime], Article]:
    # A tag URI's specific part is ASCII: percent-encode whatever else the base path holds.
    base_path = quote(urlsplit(config.base_url).path, safe="/;:@&=+$,!~*'()%-._")

    def mint(c: _Cleaned, category: Category, when: dt.datetime) -> Article:
        day = c.raw.day.isoformat()
        slug = f"{make_slug(c.title, 'article')}-{_digest(day, c.title)}"
        truncated = is_truncated(c.body)
        return Article(
            id=f"tag:{config.id_authority},{day}:{base_path}/articles/{day}/{slug}",
            link=f"{config.base_url}/articles/{day}/{slug}.html",
            title=c.title,
            body=c.body,
            summary=summarize(c.body, truncated, config.summary_length),
            truncated=truncated,
            category=category,
            day=c.raw.day,
            published=when,
            updated=when,
            origin=f"{c.raw.path}:{c.raw.line}",
        )

    return mint


def group_by_category(articles: Iterable[Article]) -> dict[Category, list[Article]]:
    groups: dict[Category, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.category].append(article)
    return dict(groups)
