"""In which order to upload a site so that a reader never meets a link to a missing object.

A document may go up only once every object it links to is there: each new object it links
to (one the destination did not hold before) is uploaded in an earlier wave. The links are read
from the files themselves (`href`, `src`, OPML's `xmlUrl`/`htmlUrl`, RSS `<link>`, JSON Feed's
URLs), so the order follows what the site really links, not its paths: a new article page
before the archive page and the feeds listing it; a new archive page before the page that gains
a `next-archive` link to it; a new category's feeds before the pages that advertise them.

New documents can link each other in a circle (on a first publish, archive pages link their
neighbours and `current`; the front page and the feeds link each other): such a group is
unreachable until a document outside it links in, and that one goes up after the whole group.
Inside a group, waves follow the kind of document: article pages and other leaves, archive
pages, HTML pages, subscription feeds, then the rest (OPML, sitemaps). So on an empty
destination the front page goes up just before the feeds it advertises: its feed links are the
only ones that can miss, for the length of one wave.

Uploads within a wave are independent and run concurrently; a wave starts when the one before
it is done.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

#: Links in any of the files a build writes: HTML/Atom/OPML attributes, RSS `<link>`, JSON Feed.
_LINKS = re.compile(
    rb'(?:href|src|xmlUrl|htmlUrl)="([^"]*)"'
    rb"|<link>([^<]*)</link>"
    rb'|"(?:url|feed_url|next_url|home_page_url)":\s*"([^"]*)"'
)
_TEXT_ENDINGS = (".html", ".xml", ".json", ".opml", ".txt")


def kind(key: str) -> int:
    """The wave order inside a group that links in a circle: 0 article pages and other leaves,
    1 archive pages, 2 HTML pages, 3 subscription feeds, 4 the rest (OPML, sitemaps)."""
    plain = key.removesuffix(".gz")
    if plain.startswith("archive/"):
        return 1
    if plain.endswith(".html"):
        return 0 if "/" in plain and not plain.startswith("categories/") else 2
    if "/" not in plain and plain.endswith((".atom.xml", ".rss.xml", ".json")):
        return 3
    return 0 if "/" in plain else 4


def links(key: str, data: bytes, base_url: str) -> set[str]:
    """The keys of the site's objects that the file `key` links to."""
    if not key.endswith(_TEXT_ENDINGS):
        return set()
    base = f"{base_url}/"
    found = set()
    for match in _LINKS.finditer(data):
        raw = next(group for group in match.groups() if group is not None)
        target = _key_of(raw.decode("utf-8", "replace").strip(), key, base)
        if target is not None:
            found.add(target)
    found.discard(key)
    return found


def _key_of(link: str, source: str, base: str) -> str | None:
    link = link.split("#", 1)[0].split("?", 1)[0].replace("&amp;", "&")
    if link.startswith(base):
        path = link[len(base) :]
    elif "://" in link or link.startswith(("//", "mailto:", "data:")) or not link:
        return None
    elif link.startswith("/"):
        return None  # an absolute path: outside what the folder can tell
    else:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(source), link))
        if path.startswith(".."):
            return None
    if path in ("", ".") or path.endswith("/"):
        path = f"{path}index.html".removeprefix("./")
    return path


def waves(keys: Iterable[str], linked: Mapping[str, set[str]], present: set[str]) -> list[list[str]]:
    """Keys to upload in waves: every new object a key links to is in an earlier wave, except
    inside a group of new objects that link each other (see the module's docstring).

    `linked`: key → the keys it links to; `present`: what the destination held before."""
    keys = list(keys)
    uploading = set(keys)
    # A `.gz` copy goes up with its original (nothing links to it; it is the same document).
    copies = {key: key.removesuffix(".gz") for key in keys if key.endswith(".gz")}
    copies = {copy: original for copy, original in copies.items() if original in uploading}
    documents = [key for key in keys if key not in copies]
    needs = {
        key: {t for t in linked.get(key, ()) if t in uploading and t not in present} for key in documents
    }
    level: dict[str, int] = {}
    for group in _groups(documents, needs):  # dependencies first
        members = set(group)
        start = 1 + max((level[t] for key in group for t in needs[key] - members), default=-1)
        kinds = sorted({kind(key) for key in group})
        for key in group:
            level[key] = start + kinds.index(kind(key))
    for copy, original in copies.items():
        level[copy] = level[original]
    ordered: dict[int, list[str]] = {}
    for key in keys:
        ordered.setdefault(level[key], []).append(key)
    return [ordered[number] for number in sorted(ordered)]


def _groups(keys: list[str], needs: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of `needs`, each after the groups it needs (Tarjan's
    algorithm, without recursion: a site's links can chain thousands deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in keys:
        if root in index:
            continue
        work = [(root, iter(sorted(needs[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(needs[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
    return groups
