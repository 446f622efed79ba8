"""RawRecord → CleanRecord (text cleaning, categories), and the pieces every article gets:
safe slugs, ids and links minted from day and title, summaries.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator
from urllib.parse import quote, urlsplit

from pressfeed.config import OVERALL_FEED_KEY, CategoryRule, Config, category_key
from pressfeed.render.names import article_path
from pressfeed.types import Article, Category, CleanRecord, Problem, RawRecord, StoredArticle

#: C0 and C1 controls (tab and newline are whitespace and survive as spaces) and the
#: two BMP non-characters XML 1.0 forbids.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: A finished sentence ends with one of these, possibly followed by closing quotes/brackets.
_SENTENCE_ENDS = ".!?…。！？"
_FINISHED = re.compile(rf"[{_SENTENCE_ENDS}]['\"”’»)\]]*\s*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_SLUG_MAX = 80
ELLIPSIS = "…"


def clean_line(text: str) -> str:
    """NFC, XML-forbidden and control characters removed, whitespace collapsed."""
    if not text.isascii():  # ASCII text is NFC already
        text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        # Nothing to remove, and the only whitespace a printable text holds is " ".
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = " ".join(text.split())
        return text
    return " ".join(_UNWANTED.sub("", text).split())


def clean_body(text: str) -> str:
    """Like clean_line for each line, keeping line breaks between non-empty lines."""
    if "\n" not in text:
        return clean_line(text)
    return "\n".join(line for line in map(clean_line, text.split("\n")) if line)


def make_slug(text: str, fallback: str) -> str:
    """Lowercase ASCII `[a-z0-9-]`, never empty, never a Windows device name."""
    slug = python_slugify(text) or fallback
    return f"{slug}-feed" if slug in _WINDOWS_RESERVED else slug


def python_slugify(text: str) -> str:
    """python-slugify's (frozen, legacy) slug of `text`, with text-unidecode transliteration.

    The same steps as the library, with its per-character transliteration replaced by a
    cached table looked up for the non-ASCII characters only: titles are slugged for every new
    article, and the library's loop was most of an import. Text with "&" (HTML entities, which
    the library decodes) goes to the library itself. tests/test_normalize.py holds the two equal.
    """
    if "&" in text:
        return _library_slug(text)
    if "'" in text:
        text = _QUOTES.sub("-", text)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = _NON_ASCII.sub(_transliterated, text)
        if "&" in text:
            return _library_slug(text)
        text = unicodedata.normalize("NFKD", text)
    text = text.lower()
    if "'" in text:
        text = _QUOTES.sub("", text)
    if "," in text:
        text = _NUMBER_COMMAS.sub("", text)
    # One pass for the library's two (any run of non-alphanumerics, dashes included, is one "-").
    if not text.isascii():
        text = _NOT_ALNUM.sub("-", text).strip("-")
        if len(text) < _SLUG_MAX:
            return text
        from slugify import smart_truncate

        return str(smart_truncate(text, _SLUG_MAX, True, "-"))
    words = [word for word in text.encode().translate(_DASH_FOR_NOT_ALNUM).decode().split("-") if word]
    return _truncate_words(words, _SLUG_MAX)


def _truncate_words(words: list[str], limit: int) -> str:
    """`smart_truncate("-".join(words), limit, word_boundary=True, separator="-")`: whole
    words that fit, in order; a word too long is skipped and a later, shorter one may follow."""
    joined = "-".join(words)
    if len(joined) < limit:
        return joined
    if len(words) == 1:
        return joined[:limit]
    kept: list[str] = []
    length = 0  # of the words kept with a "-" after each
    for word in words:
        if length + len(word) < limit:
            kept.append(word)
            length += len(word) + 1
        elif length + len(word) == limit:
            kept.append(word)
            break
    return "-".join(kept) if kept else joined[:limit].strip("-")


def _library_slug(text: str) -> str:
    # An explicit transliteration backend: "auto" would pick `unidecode` when it happens to be
    # installed, and the same title would get another slug (and id) on another machine.
    from slugify import slugify  # imported on first use: most titles never need it

    return str(slugify(text, max_length=_SLUG_MAX, word_boundary=True, backend="text-unidecode"))


class _Transliteration(dict[int, str]):
    """text-unidecode's table, filled in as characters are met. The punctuation press titles
    use most is there from the start (tests/test_normalize.py holds it to the library's): the
    library's table takes 5 ms to load, a noticeable share of a cron run."""

    def __init__(self) -> None:
        # ‘ ’ “ ” – — …
        super().__init__(
            {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "--", 0x2026: "..."}
        )

    def __missing__(self, codepoint: int) -> str:
        from text_unidecode import _replaces

        value = "\x00" if codepoint == 0 else _replaces[codepoint - 1] if codepoint <= len(_replaces) else ""
        self[codepoint] = value
        return value


_UNIDECODE = _Transliteration()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _transliterated(match: re.Match[str]) -> str:
    return _UNIDECODE[ord(match[0])]


_QUOTES = re.compile(r"[']+")
_NUMBER_COMMAS = re.compile(r"(?<=\d),(?=\d)")
_NOT_ALNUM = re.compile(r"[^a-zA-Z0-9]+")
_DASH_FOR_NOT_ALNUM = bytes(c if chr(c).isalnum() and c < 128 else ord("-") for c in range(256))


def is_truncated(body: str, complete_endings: tuple[str, ...] = (), detect: bool = True) -> bool:
    """True when the body does not end like a finished sentence (cut off at the source), nor
    with one of the endings a press office uses to close a release (`(끝)`, `###`, `-30-`), nor
    with a contact line (an e-mail address in its last line)."""
    if not detect or (body and body[-1] in _SENTENCE_ENDS):
        return False
    if _FINISHED.search(body[-16:]) is not None:
        return False
    tail = body.rstrip()
    if any(tail.endswith(ending) for ending in complete_endings):
        return False
    last_line = tail.rsplit("\n", 1)[-1][-200:]
    return _EMAIL_IN_LINE.search(last_line) is None


#: A contact line ends many complete releases: "Contact: Kim Min-ji, press@motie.go.kr".
_EMAIL_IN_LINE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def summarize(body: str, truncated: bool, length: int) -> str:
    """Plain text of at most `length` characters; ends with "…" when the body goes on."""
    if len(body) <= length:
        flat = body.replace("\n", " ")
        return flat + ELLIPSIS if truncated else flat
    cut = body[: length - 1].replace("\n", " ")
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + ELLIPSIS


def digest(*parts: str) -> str:
    """8 hex digits of SHA-256: short, stable, and apart for different inputs."""
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:8]


def clean(records: Iterable[RawRecord], config: Config) -> tuple[list[CleanRecord], list[Problem]]:
    """Clean every record's text; reject empty fields and (if so configured) unknown categories."""
    problems: list[Problem] = []
    return list(clean_stream(records, config, problems)), problems


def clean_stream(
    records: Iterable[RawRecord], config: Config, problems: list[Problem]
) -> Iterator[CleanRecord]:
    """`clean()`, one record at a time; rejected records are appended to `problems`."""
    resolver = CategoryResolver(config)
    categories: dict[str, str] = {}  # a dump spells its few categories over and over
    for raw in records:
        category = categories.get(raw.category)
        if category is None:
            category = categories[raw.category] = clean_line(raw.category)
        title, body = (raw.title, raw.body) if raw.clean else (clean_line(raw.title), clean_body(raw.body))
        empty = "category" if not category else "title" if not title else "body" if not body else None
        if empty:
            problems.append(
                Problem(raw.path, raw.line, f"{empty} is empty after removing control characters")
            )
        elif config.unknown_categories == "reject" and resolver.rule_for(category) is None:
            message = f"unknown category {category!r} (unknown_categories is 'reject' in the config)"
            problems.append(Problem(raw.path, raw.line, message))
        else:
            origin = f"{raw.path}:{raw.line}"
            truncated = is_truncated(body, config.complete_endings, config.detect_truncation)
            yield CleanRecord(origin, category, title, body, raw.day, truncated)


class CategoryResolver:
    """Maps dump spellings to published categories with unique, file-safe slugs."""

    def __init__(self, config: Config, reserved_slugs: Iterable[str] = ()) -> None:
        self._rules: dict[str, CategoryRule] = {}
        for rule in config.categories:
            for spelling in (rule.name, *rule.aliases):
                self._rules[category_key(spelling)] = rule
        self._config = config
        self._reserved = {OVERALL_FEED_KEY, *reserved_slugs}

    def rule_for(self, name: str) -> CategoryRule | None:
        return self._rules.get(category_key(name))

    def canonical(self, name: str) -> str:
        """The name a dump spelling is published under."""
        rule = self.rule_for(name)
        return rule.name if rule is not None else name

    def resolve(self, names: Iterable[str]) -> dict[str, Category]:
        """A Category for each dump spelling given.

        Configured categories claim their slugs first (explicit, then derived, in config order),
        then unknown ones in sorted order; a clash gets "-2", "-3", ...
        """
        names = sorted(set(names))
        taken = set(self._reserved)
        by_rule: dict[CategoryRule, Category] = {}
        for configured in sorted(self._config.categories, key=lambda r: r.slug is None):
            slug = _unique(configured.slug or make_slug(configured.name, _fallback(configured.name)), taken)
            by_rule[configured] = Category(configured.name, slug)
        unknown: dict[str, Category] = {}
        for name in sorted(names, key=category_key):
            key = category_key(name)
            if self.rule_for(name) is None and key not in unknown:
                unknown[key] = Category(name, _unique(make_slug(name, _fallback(key)), taken))
        result = {}
        for name in names:
            matched = self.rule_for(name)
            result[name] = by_rule[matched] if matched is not None else unknown[category_key(name)]
        return result


def _fallback(name: str) -> str:
    return f"category-{digest(category_key(name))}"


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def mint_id_and_link(config: Config, record: CleanRecord) -> tuple[str, str]:
    """The permanent `tag:` id and page link of a new article, from its day and title."""
    day = record.day.isoformat()
    slug = f"{make_slug(record.title, 'article')}-{digest(day, record.title)}"
    base_path = _tag_path(config.base_url)
    article_id = f"tag:{config.id_authority},{day}:{base_path}/articles/{day}/{slug}"
    return article_id, f"{config.base_url}/articles/{day}/{slug}.html"


@functools.lru_cache(maxsize=8)
def _tag_path(base_url: str) -> str:
    """A tag URI's specific part is ASCII: the base path with whatever else it holds percent-encoded."""
    return quote(urlsplit(base_url).path, safe="/;:@&=+$,!~*'()%-._")


def to_article(stored: StoredArticle, category: Category, config: Config) -> Article:
    """The renderable form of a stored article, dates in the publisher's timezone."""
    tz = zoneinfo.ZoneInfo(config.timezone)
    return Article(
        id=stored.id,
        link=f"{config.base_url}/{article_path(stored.link)}",
        title=stored.title,
        body=stored.body,
        summary=summarize(stored.body, stored.truncated, config.summary_length),
        truncated=stored.truncated,
        category=category,
        day=stored.day,
        published=stored.published.astimezone(tz),
        updated=stored.updated.astimezone(tz),
        origin=stored.origin,
    )
