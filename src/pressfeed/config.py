"""Load config.yaml and validate it whole: every fault is reported at once, by dotted key."""

from __future__ import annotations

import re
import string
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

from pressfeed.errors import ConfigError
from pressfeed.formats import FeedFormat

T = TypeVar("T")

#: Defaults live here and nowhere else.
DEFAULTS: dict[str, Any] = {
    "site.subtitle": "",
    "site.language": "en",
    "inputs": ["input/motie-english-2025-09.txt"],
    "output.dir": "feeds",
    "output.overall.atom": "all.atom.xml",
    "output.overall.rss": "all.rss.xml",
    "output.overall.json": "all.json",
    "output.category.atom": "{slug}.atom.xml",
    "output.category.rss": "{slug}.rss.xml",
    "output.category.json": "{slug}.json",
    "output.archive.atom": "archive/{feed}/{page}.atom.xml",
    "output.archive.rss": "archive/{feed}/{page}.rss.xml",
    "output.archive.json": "archive/{feed}/{page}.json",
    "store.path": "pressfeed.db",
    "store.authoritative": False,
    "store.lock_timeout": 60,
    "output.gzip": True,
    "output.prune": False,
    "websub.hubs": [],
    "publish.delete": False,
    "publish.concurrency": 16,
    "publish.timeout": 10,
    "publish.retries": 3,
    "publish.deadline": 600,
    "limits.allow_empty_feeds": False,
    "categories": [],
    "unknown_categories": "publish",
    "limits.max_entries": 50,
    "limits.summary_length": 280,
    "limits.archive_page_size": 100,
    "site.page_size": 25,
    "truncation.detect": True,
    # How press offices close a complete release: Korean "(끝)" (the end), "###" and "-30-" in
    # English newsrooms, "- END -", "Ends".
    "truncation.complete_endings": ["(끝)", "<끝>", "###", "-30-", "- END -", "-END-", "Ends", "ENDS"],
}

#: The placeholders each kind of file name template must use (and the only ones it may use).
PLACEHOLDERS: dict[str, set[str]] = {"overall": set(), "category": {"slug"}, "archive": {"feed", "page"}}
#: The `{feed}` of the overall feed's archive pages; never given to a category as its slug.
OVERALL_FEED_KEY = "all"


@dataclass(frozen=True)
class UploadLimits:
    """How hard `pressfeed publish` tries (publish.concurrency, timeout, retries, deadline)."""

    #: Uploads running at once within a wave (SFTP: at most 4 connections).
    concurrency: int
    #: Seconds to connect, and to wait for an answer, per request.
    timeout: float
    #: Retries of a failed request (5xx, throttling, resets, timeouts), with backoff.
    retries: int
    #: Seconds after which a publish starts no new upload.
    deadline: float

    @classmethod
    def defaults(cls) -> UploadLimits:
        return cls(
            *(DEFAULTS[f"publish.{name}"] for name in ("concurrency", "timeout", "retries", "deadline"))
        )


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_EMAIL = re.compile(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: RFC 4151 authority, as feed validators accept it: a domain, or a plain email address.
_AUTHORITY = re.compile(r"([a-z0-9._-]+@)?([a-z0-9-]+\.)*[a-z0-9-]+")
#: Characters XML 1.0 cannot carry (or that readers choke on) in a config text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class Author:
    name: str
    email: str | None
    uri: str | None


@dataclass(frozen=True)
class CategoryRule:
    """A category the publisher knows: dump spellings matching `name` or an alias map to it."""

    name: str
    #: Explicit slug; None means derived from the name.
    slug: str | None
    aliases: tuple[str, ...]
    #: Slugs the category was published under before a rename: old feed URLs keep working.
    former_slugs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    #: The config file itself; relative paths in it are relative to its folder.
    path: Path
    title: str
    subtitle: str
    #: Absolute http(s) URL without a trailing slash; the output folder is published here.
    base_url: str
    language: str
    #: IANA timezone name of the publisher (the dump's dates are days in this zone).
    timezone: str
    author: Author
    #: Authority of the `tag:` ids (RFC 4151): a domain name or an email address.
    id_authority: str
    inputs: tuple[Path, ...]
    #: The encoding of each input not in UTF-8 (`inputs: [{path: ..., encoding: cp949}]`).
    input_encodings: Mapping[Path, str]
    output_dir: Path
    #: File name templates relative to output_dir; category ones contain "{slug}", archive
    #: ones "{feed}" (OVERALL_FEED_KEY or a category slug) and "{page}" (1 = oldest).
    overall_templates: Mapping[FeedFormat, str]
    category_templates: Mapping[FeedFormat, str]
    archive_templates: Mapping[FeedFormat, str]
    categories: tuple[CategoryRule, ...]
    #: "publish" (under its own cleaned name) or "reject".
    unknown_categories: str
    max_entries: int
    summary_length: int
    #: Entries per archive page (RFC 5005), counted from the oldest article.
    archive_page_size: int
    #: The SQLite article store.
    store_path: Path
    #: True: an article missing from the inputs is withdrawn from the feeds.
    authoritative: bool
    #: Seconds a run waits for another one holding the store before giving up.
    lock_timeout: int
    #: True: a feed whose articles were all withdrawn is published empty instead of refused.
    allow_empty_feeds: bool
    #: A folder of Jinja2 templates replacing the built-in ones by name; None: built-in only.
    templates: Path | None = None
    #: A folder copied into the output as it is (logo, favicon, CSS); None: nothing.
    static: Path | None = None
    #: Articles per site listing page (front, category and listing history pages).
    page_size: int = 25
    #: Write a byte-stable `.gz` beside every published file.
    gzip: bool = True
    #: WebSub hubs every feed advertises and each changed feed is announced to.
    hubs: tuple[str, ...] = ()
    #: Where `publish` uploads the output folder (an fsspec URL: s3://bucket/prefix, file://...).
    publish_to: str | None = None
    #: The S3 API endpoint for non-AWS stores (R2, MinIO, B2).
    endpoint_url: str | None = None
    #: Delete objects that are no longer in the output folder (after everything else).
    publish_delete: bool = False
    #: Site words replacing or adding to the built-in ones (labels.py), by label name.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Remove files pressfeed published before and no longer produces (an article page of a
    #: withdrawn article is removed whatever this says).
    prune: bool = False
    #: Flag bodies that do not end like a finished sentence as cut off at the source.
    detect_truncation: bool = True
    #: Endings that mean a body is complete (`(끝)`, `###`, ...), besides sentence ends.
    complete_endings: tuple[str, ...] = ()
    #: How hard `publish` tries: concurrency, timeouts, retries, deadline.
    upload_limits: UploadLimits = field(default_factory=lambda: UploadLimits.defaults())


def _upload_limits(r: _Reader) -> UploadLimits | None:
    def number(key: str, kind: type[int], least: int) -> int | None:
        value = r.get(key, kind)
        message = f"must be a whole number, at least {least}, got {{value!r}}"
        return r.check(key, value, lambda v: v >= least, message)

    concurrency = number("publish.concurrency", int, 1)
    timeout = number("publish.timeout", int, 1)
    retries = number("publish.retries", int, 0)
    deadline = number("publish.deadline", int, 1)
    if concurrency is None or timeout is None or retries is None or deadline is None:
        return None
    return UploadLimits(concurrency, float(timeout), retries, float(deadline))


class _Reader:
    """Walks the YAML tree, collecting faults instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.faults: list[str] = []

    def fault(self, key: str, message: str) -> None:
        self.faults.append(f"{key}: {message}")

    def get(self, key: str, kind: type[T], *, required: bool = False) -> T | None:
        node: Any = self.data
        for part in key.split("."):
            if node is not None and not isinstance(node, Mapping):
                return None  # its parent is not a mapping, which is reported already
            node = node.get(part) if node is not None else None
        if node is None:
            if required:
                self.fault(key, "is required")
                return None
            node = DEFAULTS.get(key)
            if node is None:
                return None
        if (kind is int and isinstance(node, bool)) or not isinstance(node, kind):
            self.fault(key, f"must be {_KIND_NAMES[kind]}, got {node!r}")
            return None
        return node

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.get(key, str, required=required)
        if value is not None and required and not value.strip():
            self.fault(key, "must not be empty")
            return None
        if value is not None and _CONTROL.search(value):
            self.fault(key, f"must not contain control characters, got {value!r}")
            return None
        return value.strip() if value is not None else None

    def check(self, key: str, value: T | None, test: Callable[[T], bool], message: str) -> T | None:
        if value is not None and not test(value):
            self.fault(key, message.format(value=value))
            return None
        return value

    def no_unknown_keys(self, key: str, node: Any, known: set[str]) -> None:
        if not isinstance(node, Mapping):
            if node is not None:
                self.fault(key or "(top level)", f"must be a mapping, got {node!r}")
            return
        for name in sorted(set(map(str, node)) - known):
            self.fault(f"{key}.{name}" if key else name, "unknown key")


_KIND_NAMES: dict[type, str] = {
    bool: "true or false",
    str: "a string",
    int: "an integer",
    list: "a list",
    dict: "a mapping",
}

#: The keys of each entry of a list (`inputs[]` may also be a plain path, `categories[]` a name).
LIST_ITEMS: dict[str, set[str]] = {
    "inputs[]": {"path", "encoding"},
    "categories[]": {"name", "slug", "aliases", "former_slugs"},
}

#: The keys of every mapping of the config, by its dotted path.
SCHEMA: dict[str, set[str]] = {
    "": {
        "site",
        "inputs",
        "output",
        "categories",
        "unknown_categories",
        "limits",
        "store",
        "websub",
        "publish",
        "truncation",
    },
    "site": {
        "title",
        "subtitle",
        "base_url",
        "language",
        "timezone",
        "author",
        "id_authority",
        "templates",
        "labels",
        "static",
        "page_size",
    },
    "site.author": {"name", "email", "uri"},
    "output": {"dir", "overall", "category", "archive", "gzip", "prune"},
    "output.overall": {"atom", "rss", "json"},
    "output.category": {"atom", "rss", "json"},
    "output.archive": {"atom", "rss", "json"},
    "limits": {"max_entries", "summary_length", "archive_page_size", "allow_empty_feeds"},
    "store": {"path", "authoritative", "lock_timeout"},
    "websub": {"hubs"},
    "publish": {"to", "endpoint_url", "delete", "concurrency", "timeout", "retries", "deadline"},
    "truncation": {"detect", "complete_endings"},
}


def load_config(path: Path) -> Config:
    """Read and validate a config file; raise ConfigError listing every fault."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(name, ["no such file"]) from exc
    except IsADirectoryError as exc:
        raise ConfigError(name, ["is a directory, not a config file"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(name, [f"cannot read: {exc}"]) from exc
    data = _parse_yaml(name, text)
    return parse_config(data, path)


class _SafeUniqueLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice (YAML would silently keep the last)."""


def _unique_mapping(loader: _SafeUniqueLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node)


_SafeUniqueLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _parse_yaml(name: str, text: str) -> Mapping[str, Any]:
    try:
        data = yaml.load(text, Loader=_SafeUniqueLoader)  # a SafeLoader: no tags run code
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(name, [f"{where}invalid YAML: {exc.problem or exc.context}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(name, [f"invalid YAML: {exc}"]) from exc
    if not isinstance(data, Mapping):
        raise ConfigError(name, ["must be a YAML mapping of keys (site, output, ...)"])
    return data


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Validate an already-loaded YAML mapping; `path` anchors relative paths."""
    r = _Reader(data)
    for key, known in SCHEMA.items():
        node = _node(data, key)
        r.no_unknown_keys(key, node, known)

    title = r.text("site.title", required=True)
    subtitle = r.text("site.subtitle")
    base_url = r.check(
        "site.base_url",
        r.text("site.base_url", required=True),
        _is_http_url,
        "must be an absolute http(s) URL, got {value!r}",
    )
    language = r.check(
        "site.language",
        r.text("site.language"),
        lambda v: _LANGUAGE.fullmatch(v) is not None,
        "must be a language tag such as 'en' or 'ko-KR', got {value!r}",
    )
    timezone = r.check(
        "site.timezone",
        r.text("site.timezone", required=True),
        _is_timezone,
        "unknown timezone {value!r} (use an IANA name such as 'Asia/Seoul')",
    )
    author = _author(r)
    authority = r.check(
        "site.id_authority",
        r.text("site.id_authority"),
        lambda v: _AUTHORITY.fullmatch(v) is not None,
        "must be a lowercase domain name or an email address, got {value!r}",
    )
    if authority is None and base_url is not None:
        authority = (urlsplit(base_url).hostname or "").lower()

    read = _inputs(r, path.parent)
    inputs, input_encodings = read if read is not None else (None, {})
    output_dir = r.text("output.dir")
    templates = {
        section: {fmt: _template(r, f"output.{section}.{fmt.value}", section) for fmt in FeedFormat}
        for section in PLACEHOLDERS
    }
    _distinct_templates(r, templates)
    categories = _categories(r)
    unknown = r.check(
        "unknown_categories",
        r.text("unknown_categories"),
        lambda v: v in ("publish", "reject"),
        "must be 'publish' or 'reject', got {value!r}",
    )
    max_entries = r.check(
        "limits.max_entries",
        r.get("limits.max_entries", int),
        lambda v: v >= 1,
        "must be at least 1, got {value}",
    )
    summary_length = r.check(
        "limits.summary_length",
        r.get("limits.summary_length", int),
        lambda v: v >= 20,
        "must be at least 20, got {value}",
    )

    archive_page_size = r.check(
        "limits.archive_page_size",
        r.get("limits.archive_page_size", int),
        lambda v: v >= 1,
        "must be at least 1, got {value}",
    )
    page_size = r.check(
        "site.page_size",
        r.get("site.page_size", int),
        lambda v: v >= 1,
        "must be at least 1, got {value}",
    )
    store_path = r.text("store.path")
    authoritative = r.get("store.authoritative", bool)
    lock_timeout = r.check(
        "store.lock_timeout",
        r.get("store.lock_timeout", int),
        lambda v: v >= 0,
        "must be a number of seconds, 0 or more, got {value}",
    )
    allow_empty = r.get("limits.allow_empty_feeds", bool)
    labels = _labels(r)
    static_dir = r.text("site.static")
    if static_dir is not None and not (path.parent / static_dir).is_dir():
        r.fault("site.static", f"must be a folder of files to publish, got {static_dir!r}")
    template_dir = r.text("site.templates")
    if template_dir is not None and not (path.parent / template_dir).is_dir():
        r.fault("site.templates", f"must be a folder of templates, got {template_dir!r}")
    gzip = r.get("output.gzip", bool)
    prune = r.get("output.prune", bool)
    hubs = _hubs(r)
    publish_to = r.check(
        "publish.to",
        r.text("publish.to"),
        lambda v: "://" in v,
        "must be a destination URL such as 's3://bucket/prefix' or 'file:///srv/feeds', got {value!r}",
    )
    endpoint_url = r.check(
        "publish.endpoint_url",
        r.text("publish.endpoint_url"),
        _is_http_url,
        "must be an absolute http(s) URL, got {value!r}",
    )
    publish_delete = r.get("publish.delete", bool)
    upload_limits = _upload_limits(r)
    detect_truncation = r.get("truncation.detect", bool)
    complete_endings = _texts(r, "truncation.complete_endings")

    if r.faults:
        raise ConfigError(str(path), r.faults)
    assert title is not None and subtitle is not None and base_url is not None
    assert language is not None and timezone is not None and author is not None
    assert authority is not None and inputs is not None and output_dir is not None
    assert unknown is not None and max_entries is not None and summary_length is not None
    assert archive_page_size is not None and store_path is not None and authoritative is not None
    assert lock_timeout is not None and allow_empty is not None and gzip is not None
    assert publish_delete is not None and upload_limits is not None
    assert detect_truncation is not None and complete_endings is not None and prune is not None
    assert labels is not None and page_size is not None
    return Config(
        path=path,
        title=title,
        subtitle=subtitle,
        base_url=base_url.rstrip("/"),
        language=language,
        timezone=timezone,
        author=author,
        id_authority=authority,
        inputs=inputs,
        input_encodings=input_encodings,
        output_dir=path.parent / output_dir,
        overall_templates=_checked(templates["overall"]),
        category_templates=_checked(templates["category"]),
        archive_templates=_checked(templates["archive"]),
        categories=categories,
        unknown_categories=unknown,
        max_entries=max_entries,
        summary_length=summary_length,
        archive_page_size=archive_page_size,
        store_path=path.parent / store_path,
        authoritative=authoritative,
        lock_timeout=lock_timeout,
        allow_empty_feeds=allow_empty,
        templates=path.parent / template_dir if template_dir is not None else None,
        static=path.parent / static_dir if static_dir is not None else None,
        page_size=page_size,
        gzip=gzip,
        hubs=hubs,
        publish_to=publish_to,
        endpoint_url=endpoint_url,
        publish_delete=publish_delete,
        upload_limits=upload_limits,
        detect_truncation=detect_truncation,
        complete_endings=complete_endings,
        prune=prune,
        labels=labels,
    )


def _node(data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in filter(None, key.split(".")):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.query
        and not parts.fragment
        and not any(c.isspace() for c in value)
    )


def _is_timezone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _author(r: _Reader) -> Author | None:
    name = r.text("site.author.name", required=True)
    email = r.check(
        "site.author.email",
        r.text("site.author.email"),
        lambda v: _EMAIL.fullmatch(v) is not None,
        "must be an email address, got {value!r}",
    )
    uri = r.check(
        "site.author.uri",
        r.text("site.author.uri"),
        _is_http_url,
        "must be an absolute http(s) URL, got {value!r}",
    )
    return Author(name, email, uri) if name is not None else None


def _labels(r: _Reader) -> dict[str, str] | None:
    """site.labels: label name → the words to show (any label of labels.ENGLISH)."""
    from pressfeed.labels import ENGLISH

    items = r.get("site.labels", dict)
    if items is None:
        return {}
    found = {}
    for name, words in items.items():
        if name not in ENGLISH:
            r.fault(f"site.labels.{name}", f"unknown label; known: {', '.join(sorted(ENGLISH))}")
        elif not isinstance(words, str) or not words.strip():
            r.fault(f"site.labels.{name}", f"must be a non-empty text, got {words!r}")
        else:
            found[str(name)] = words.strip()
    return found


def _texts(r: _Reader, key: str) -> tuple[str, ...] | None:
    """A list of non-empty strings."""
    items = r.get(key, list)
    if items is None:
        return None
    texts = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            r.fault(f"{key}[{index}]", f"must be a non-empty text, got {item!r}")
            continue
        texts.append(item.strip())
    return tuple(texts)


def _hubs(r: _Reader) -> tuple[str, ...]:
    items = r.get("websub.hubs", list) or []
    hubs = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not _is_http_url(item):
            r.fault(f"websub.hubs[{index}]", f"must be an absolute http(s) URL, got {item!r}")
            continue
        hubs.append(item)
    return tuple(hubs)


def _inputs(r: _Reader, base: Path) -> tuple[tuple[Path, ...], dict[Path, str]] | None:
    """The dump files, and the encoding of those not in UTF-8 (`- {path: x.txt, encoding: cp949}`)."""
    items = r.get("inputs", list)
    if items is None:
        return None
    if not items:
        r.fault("inputs", "must list at least one dump file")
    paths, encodings = [], {}
    for index, item in enumerate(items):
        encoding = None
        if isinstance(item, Mapping):
            r.no_unknown_keys(f"inputs[{index}]", item, LIST_ITEMS["inputs[]"])
            encoding = _encoding(r, f"inputs[{index}].encoding", item.get("encoding", "utf-8"))
            item = item.get("path")
        if not isinstance(item, str) or not item.strip():
            r.fault(f"inputs[{index}]", f"must be a file path, or path and encoding, got {item!r}")
            continue
        paths.append(base / item.strip())
        if encoding is not None and encoding != "utf-8":
            encodings[paths[-1]] = encoding
    return tuple(paths), encodings


def _encoding(r: _Reader, key: str, name: object) -> str | None:
    """A text encoding Python knows, by its canonical name (cp949, euc_kr, shift_jis, gb18030)."""
    import codecs

    try:
        return codecs.lookup(str(name)).name if isinstance(name, str) else None
    except LookupError:
        r.fault(
            key, f"must be a text encoding such as utf-8, cp949, euc-kr, shift_jis or gb18030, got {name!r}"
        )
        return None


def _template(r: _Reader, key: str, section: str) -> str | None:
    value = r.text(key)
    if value is None:
        return None
    wanted = PLACEHOLDERS[section]
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        rendered = value.format(**dict.fromkeys(wanted, "x"))
    except (KeyError, IndexError, ValueError):
        used = {"?"}
        rendered = value
    if used != wanted:
        names = " and ".join(f"{{{name}}}" for name in sorted(wanted))
        r.fault(
            key,
            f"must use {names} and no other placeholder, got {value!r}"
            if wanted
            else f"takes no placeholder, got {value!r}",
        )
        return None
    if not is_inside(rendered):
        r.fault(key, f"must be a relative file path inside the output folder, got {value!r}")
        return None
    return value


def is_inside(relpath: str) -> bool:
    """True when `relpath` names a file strictly inside the folder it is relative to."""
    if not relpath or "\\" in relpath or "\0" in relpath or relpath.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in relpath.split("/"))


def _distinct_templates(r: _Reader, templates: dict[str, dict[FeedFormat, str | None]]) -> None:
    seen: dict[str, str] = {}
    for section, by_format in templates.items():
        for fmt, value in by_format.items():
            if value is None:
                continue
            key = f"output.{section}.{fmt.value}"
            if value in seen:
                r.fault(key, f"names the same file as {seen[value]}: {value!r}")
            seen[value] = key


def _checked(templates: dict[FeedFormat, str | None]) -> dict[FeedFormat, str]:
    return {fmt: value for fmt, value in templates.items() if value is not None}


def _categories(r: _Reader) -> tuple[CategoryRule, ...]:
    items = r.get("categories", list) or []
    rules: list[CategoryRule] = []
    seen_names: dict[str, str] = {}
    seen_slugs: dict[str, str] = {}
    for index, item in enumerate(items):
        key = f"categories[{index}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            r.fault(key, f"must be a name or a mapping with name, slug, aliases; got {item!r}")
            continue
        r.no_unknown_keys(key, item, LIST_ITEMS["categories[]"])
        rule = _category(r, key, item)
        if rule is None:
            continue
        for spelling in (rule.name, *rule.aliases):
            match = category_key(spelling)
            if seen_names.get(match, key) != key:
                r.fault(key, f"{spelling!r} is already used by {seen_names[match]}")
            seen_names[match] = key
        if rule.slug is not None:
            if rule.slug in seen_slugs:
                r.fault(f"{key}.slug", f"{rule.slug!r} is already used by {seen_slugs[rule.slug]}")
            seen_slugs[rule.slug] = key
        rules.append(rule)
    return tuple(rules)


def _category(r: _Reader, key: str, item: Mapping[str, Any]) -> CategoryRule | None:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or _CONTROL.search(name):
        r.fault(f"{key}.name", f"must be a non-empty string without control characters, got {name!r}")
        return None
    slug = item.get("slug")
    if slug is not None and (not isinstance(slug, str) or not _SLUG.fullmatch(slug)):
        r.fault(f"{key}.slug", f"must be lowercase a-z, 0-9 and single dashes, got {slug!r}")
        return None
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        r.fault(f"{key}.aliases", f"must be a list of non-empty strings, got {aliases!r}")
        return None
    former = item.get("former_slugs", [])
    if not isinstance(former, list) or not all(isinstance(f, str) and _SLUG.fullmatch(f) for f in former):
        r.fault(
            f"{key}.former_slugs", f"must be a list of slugs (lowercase a-z, 0-9, dashes), got {former!r}"
        )
        return None
    if former and slug is None:
        r.fault(f"{key}.slug", "must be given with former_slugs (the new slug the old ones lead to)")
        return None
    if slug in former:
        r.fault(f"{key}.former_slugs", f"must not hold the category's own slug {slug!r}")
        return None
    return CategoryRule(" ".join(name.split()), slug, tuple(aliases), tuple(former))


def category_key(name: str) -> str:
    """How category spellings are compared: case- and whitespace-insensitively."""
    return "".join(unicodedata.normalize("NFC", name).casefold().split())
