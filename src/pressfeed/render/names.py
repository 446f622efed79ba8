"""What every renderer writes the same way: namespaces, media types, the generator's name, the
truncation note and the site link. Nothing here imports feedgen: the string serializer
(fast.py) and JSON Feed need these without paying for it."""

from __future__ import annotations

import posixpath

from pressfeed.config import Config

GENERATOR = "pressfeed"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: RFC 5005's namespace, for the `fh:archive` marker of archive pages.
HISTORY_NS = "http://purl.org/syndication/history/1.0"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
TRUNCATION_NOTE = "[The text was cut off at the source.]"


#: The stylesheet a browser applies to the Atom and RSS feeds (readers ignore it).
STYLESHEET = "feed.xsl"


def stylesheet_line(relpath: str) -> str:
    """The processing instruction that points a feed at the stylesheet, relative to it."""
    href = relative(STYLESHEET, posixpath.dirname(relpath))
    return f'<?xml-stylesheet type="text/xsl" href="{href}"?>\n'


def relative(target: str, folder: str) -> str:
    """`target` (a path from the top of the site) as a link from a page in `folder`: what
    `posixpath.relpath(target, folder or ".")` gives for such clean paths, without its calls
    to the file system for the current folder (a full build makes some 20 links a page)."""
    if not folder:
        return target
    start = folder.split("/")
    parts = target.split("/")
    common = 0
    for mine, theirs in zip(start, parts, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


def with_stylesheet(document: bytes, relpath: str) -> bytes:
    """A feed from feedgen with the stylesheet line after its XML declaration."""
    declaration, _, rest = document.partition(b"\n")
    return b"%s\n%s%s" % (declaration, stylesheet_line(relpath).encode(), rest)


def site_url(config: Config) -> str:
    """The page a feed's `alternate` link points at."""
    return f"{config.base_url}/"


def article_path(link: str) -> str:
    """Where an article's page lives under the base URL (`articles/DAY/FILE.html`), from the
    link it was minted with: links follow `site.base_url`, so a site that moves (staging to
    production) links every page at its new address on the next build."""
    return "/".join(link.rsplit("/", 3)[-3:])
