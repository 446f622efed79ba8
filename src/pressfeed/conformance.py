"""An offline conformance check of feed files: the W3C feed validator's key rules for
Atom 1.0 (RFC 4287) and RSS 2.0, RFC 5005 archive links, and links that must resolve.

`check_document()` looks at one file's bytes; `check_folder()` at a whole output folder, where
every feed's `self` link tells the folder's public base URL, and every link under that base
must name a file that exists. `build` runs both before it publishes; `pressfeed check DIR` runs
them on any folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

ATOM = "{http://www.w3.org/2005/Atom}"
HISTORY_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
RFC822 = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d\d:\d\d:\d\d ([+-]\d{4}|GMT|UT)"
)
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
#: Links that must resolve inside the folder; an entry's page link only warns until pages exist.
FEED_RELS = {"self", "current", "prev-archive", "next-archive"}


@dataclass(frozen=True)
class Finding:
    """One broken rule in one file."""

    path: str
    message: str
    #: "error" fails a check; "warning" is reported only.
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Link:
    """A link a document makes: (rel, href), from the feed head or from an entry."""

    rel: str
    href: str
    in_entry: bool


@dataclass(frozen=True)
class Checked:
    """One document's findings and what the folder check needs of it."""

    findings: tuple[Finding, ...]
    links: tuple[Link, ...]
    ids: tuple[str, ...]
    archive: bool


def check_document(name: str, data: bytes) -> Checked:
    """The rules one Atom, RSS or JSON Feed document must keep, whatever folder it sits in."""
    if name.endswith(".json"):
        return _check_json(name, data)
    try:
        root = ElementTree.fromstring(data)  # expat: no external entity is ever fetched
    except ElementTree.ParseError as exc:
        return Checked((Finding(name, f"not well-formed XML: {exc}"),), (), (), False)
    if root.tag == f"{ATOM}feed":
        return _Atom(name, root).check()
    if root.tag == "rss":
        return _Rss(name, root).check()
    return Checked((Finding(name, f"neither an Atom feed nor RSS 2.0 (root <{root.tag}>)"),), (), (), False)


class _Rules:
    def __init__(self, name: str, root: ElementTree.Element) -> None:
        self.name = name
        self.root = root
        self.findings: list[Finding] = []
        self.links: list[Link] = []

    def fault(self, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(self.name, message, severity))

    def require(self, scope: ElementTree.Element, tag: str, where: str) -> str | None:
        found = scope.findall(tag)
        label = tag.replace(ATOM, "atom:").split("}")[-1]
        if not found:
            self.fault(f"{where} has no <{label}>")
            return None
        if len(found) > 1:
            self.fault(f"{where} has {len(found)} <{label}> elements")
        return (found[0].text or "").strip()

    def date(self, value: str | None, pattern: re.Pattern[str], what: str, where: str) -> None:
        if value is not None and not pattern.fullmatch(value):
            standard = "RFC 3339" if pattern is RFC3339 else "RFC 822"
            self.fault(f"{where}: <{what}> {value!r} is not an {standard} date")

    def unique(self, ids: list[str], what: str) -> None:
        seen: set[str] = set()
        for value in ids:
            if value in seen:
                self.fault(f"two entries share the {what} {value!r}")
            seen.add(value)

    def history(self, links: Iterable[tuple[str, str]], archive: bool) -> None:
        rels = [rel for rel, _ in links]
        if rels.count("self") != 1:
            self.fault(f'must have exactly one rel="self" link, has {rels.count("self")}')
        if archive and "current" not in rels:
            self.fault('archive document (fh:archive) without a rel="current" link')


class _Atom(_Rules):
    def check(self) -> Checked:
        feed = self.root
        self.require(feed, f"{ATOM}title", "feed")
        feed_id = self.require(feed, f"{ATOM}id", "feed")
        if feed_id is not None and not ABSOLUTE_IRI.fullmatch(feed_id):
            self.fault(f"feed <id> {feed_id!r} is not an absolute IRI")
        self.date(self.require(feed, f"{ATOM}updated", "feed"), RFC3339, "updated", "feed")
        feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
        head = [(link.get("rel", "alternate"), link.get("href", "")) for link in feed.findall(f"{ATOM}link")]
        archive = feed.find(HISTORY_ARCHIVE) is not None
        self.history(head, archive)
        self.links += [Link(rel, href, in_entry=False) for rel, href in head]
        ids: list[str] = []
        updated: list[str] = []
        for number, entry in enumerate(feed.findall(f"{ATOM}entry"), 1):
            where = f"entry {number}"
            entry_id = self.require(entry, f"{ATOM}id", where)
            if entry_id is not None:
                ids.append(entry_id)
                if not ABSOLUTE_IRI.fullmatch(entry_id):
                    self.fault(f"{where}: <id> {entry_id!r} is not an absolute IRI")
            self.require(entry, f"{ATOM}title", where)
            stamp = self.require(entry, f"{ATOM}updated", where)
            self.date(stamp, RFC3339, "updated", where)
            updated.append(stamp or "")
            published = entry.findtext(f"{ATOM}published")
            self.date(published, RFC3339, "published", where)
            if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
                self.fault(f"{where}: no author, and the feed has none")
            links = entry.findall(f"{ATOM}link")
            if entry.find(f"{ATOM}content") is None and not any(
                link.get("rel", "alternate") == "alternate" for link in links
            ):
                self.fault(f"{where}: neither <content> nor an alternate link")
            self.links += [
                Link(link.get("rel", "alternate"), link.get("href", ""), in_entry=True) for link in links
            ]
        self.unique(ids, "id")
        for stamp in {s for s in updated if updated.count(s) > 1 and s}:
            self.fault(f"entries share the <updated> value {stamp!r}", "warning")
        return Checked(tuple(self.findings), tuple(self.links), tuple(ids), archive)


class _Rss(_Rules):
    def check(self) -> Checked:
        if self.root.get("version") != "2.0":
            self.fault(f"<rss version> is {self.root.get('version')!r}, not '2.0'")
        channel = self.root.find("channel")
        if channel is None:
            self.fault("no <channel>")
            return Checked(tuple(self.findings), (), (), False)
        for tag in ("title", "link", "description"):
            self.require(channel, tag, "channel")
        for tag in ("pubDate", "lastBuildDate"):
            self.date(channel.findtext(tag), RFC822, tag, "channel")
        head = [
            (link.get("rel", "alternate"), link.get("href", "")) for link in channel.findall(f"{ATOM}link")
        ]
        archive = channel.find(HISTORY_ARCHIVE) is not None
        self.history(head, archive)
        self.links += [Link(rel, href, in_entry=False) for rel, href in head]
        ids: list[str] = []
        for number, item in enumerate(channel.findall("item"), 1):
            where = f"item {number}"
            if item.find("title") is None and item.find("description") is None:
                self.fault(f"{where}: neither <title> nor <description>")
            self.date(item.findtext("pubDate"), RFC822, "pubDate", where)
            guid = item.find("guid")
            if guid is None:
                self.fault(f"{where}: no <guid>", "warning")
            else:
                value = (guid.text or "").strip()
                ids.append(value)
                permalink = guid.get("isPermaLink", "true") == "true"
                if permalink and not re.match(r"https?://", value):
                    self.fault(f'{where}: <guid> {value!r} is not a URL; it needs isPermaLink="false"')
            link = item.findtext("link")
            if link:
                self.links.append(Link("alternate", link.strip(), in_entry=True))
        self.unique(ids, "guid")
        return Checked(tuple(self.findings), tuple(self.links), tuple(ids), archive)


def _check_json(name: str, data: bytes) -> Checked:
    """JSON Feed 1.1: version, title and items required; items need an id and some content."""
    findings: list[Finding] = []

    def fault(message: str) -> None:
        findings.append(Finding(name, message))

    try:
        feed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return Checked((Finding(name, f"not valid JSON: {exc}"),), (), (), False)
    if not isinstance(feed, dict):
        return Checked((Finding(name, "not a JSON Feed (the top level is not an object)"),), (), (), False)
    if not str(feed.get("version", "")).startswith("https://jsonfeed.org/version/"):
        fault(f"version {feed.get('version')!r} is not a JSON Feed version URL")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        fault("no title")
    items = feed.get("items")
    if not isinstance(items, list):
        fault("no items list")
        items = []
    links = [Link("self", str(feed["feed_url"]), False)] if "feed_url" in feed else []
    if "next_url" in feed:
        links.append(Link("prev-archive", str(feed["next_url"]), False))
    ids: list[str] = []
    for number, entry in enumerate(items, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            fault(f"item {number}: no id")
            continue
        ids.append(entry["id"])
        if "content_text" not in entry and "content_html" not in entry:
            fault(f"item {number}: neither content_text nor content_html")
        if "url" in entry:
            links.append(Link("alternate", str(entry["url"]), True))
    if len(set(ids)) != len(ids):
        fault("two items share an id")
    if sum(link.rel == "self" for link in links) != 1:
        fault("no feed_url")
    archive = isinstance(feed.get("_archive"), dict)
    if archive:
        links.append(Link("current", str(feed["_archive"].get("current", "")), False))
    return Checked(tuple(findings), tuple(links), tuple(ids), archive)


FEED_SUFFIXES = (".atom.xml", ".rss.xml", ".xml", ".atom", ".rss", ".json")


def feed_files(folder: Path) -> list[Path]:
    """The feed documents in a folder, sorted; temporary and hidden files are skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.name.endswith(FEED_SUFFIXES)
        and not any(part.startswith(".") for part in p.parts)
        and not _is_sitemap(p.relative_to(folder).as_posix())
    )


def _is_sitemap(relpath: str) -> bool:
    """Sitemaps are XML too, and no feeds (sitemaps.py names them)."""
    return relpath in ("sitemap.xml", "news-sitemap.xml") or relpath.startswith("sitemaps/")


def check_folder(folder: Path, extra: Iterable[str] = (), *, reachable_only: bool = False) -> list[Finding]:
    """Every document's rules, plus: one public base URL for the folder, and every link under
    it naming a file that exists (`extra`: relative paths about to be written).

    `reachable_only`: judge only the documents a reader can reach from the subscription feeds
    by their feed links (mid-publish, a new page nothing links to yet may still link ahead).
    """
    findings: list[Finding] = []
    checked: dict[str, Checked] = {}
    for path in feed_files(folder):
        relpath = path.relative_to(folder).as_posix()
        result = check_document(relpath, path.read_bytes())
        findings += result.findings
        checked[relpath] = result
    base = _base_url(checked, findings)
    if base is None:
        return findings
    present = (
        set(checked)
        | set(extra)
        | {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    )
    judged = _reachable(checked, base) if reachable_only else set(checked)
    findings = [f for f in findings if f.path in judged or f.path not in checked]
    for relpath, result in checked.items():
        if relpath in judged:
            findings += dangling(relpath, result.links, base, present)
    return findings


def _reachable(checked: dict[str, Checked], base: str) -> set[str]:
    """Documents reached from the subscription feeds (those without fh:archive) by feed links."""
    todo = [relpath for relpath, result in checked.items() if not result.archive]
    reached = set(todo)
    while todo:
        for link in checked[todo.pop()].links:
            target = link.href[len(base) :] if link.href.startswith(base) else None
            if link.rel in FEED_RELS and target in checked and target not in reached:
                reached.add(target)
                todo.append(target)
    return reached


def _base_url(checked: dict[str, Checked], findings: list[Finding]) -> str | None:
    """The URL the folder is published at, as the documents' self links say."""
    bases: dict[str, str] = {}
    for relpath, result in checked.items():
        for link in result.links:
            if link.rel == "self" and not link.in_entry:
                if link.href.endswith("/" + relpath):
                    bases.setdefault(link.href[: -len(relpath)], relpath)
                else:
                    findings.append(
                        Finding(relpath, f"its self link {link.href!r} does not end with its own path")
                    )
    if len(bases) > 1:
        first, second = sorted(bases)[:2]
        findings.append(
            Finding(
                bases[second],
                f"self links disagree on the folder's URL: {first!r} ({bases[first]}) vs {second!r}",
            )
        )
        return None
    return next(iter(bases), None)


def link_target(href: str, base: str) -> str | None:
    """The file a URL under `base` names, relative to it; None for other URLs and for folder
    URLs (the site's front page, which pressfeed does not make)."""
    if not href.startswith(base):
        return None
    target = href[len(base) :].split("#", 1)[0]
    return None if target == "" or target.endswith("/") else target


def link_targets(links: Iterable[Link], base: str) -> set[str]:
    return {target for link in links if (target := link_target(link.href, base)) is not None}


def dangling(relpath: str, links: Iterable[Link], base: str, present: set[str]) -> list[Finding]:
    """Links under `base` that name no file in `present`: errors for feed links, warnings for
    entry links (article pages)."""
    found = []
    for link in links:
        target = link_target(link.href, base)
        if target is None or target in present:
            continue
        severity = "warning" if link.in_entry or link.rel not in FEED_RELS else "error"
        found.append(
            Finding(relpath, f"rel={link.rel!r} link to {link.href} names no file in the folder", severity)
        )
    return found
