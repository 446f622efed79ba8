"""What every renderer writes the same way: namespaces, media types, the generator's name, the
truncation note and the site link. Nothing here imports feedgen: the string serializer
(fast.py) and JSON Feed need these without paying for it."""

from __future__ import annotations

from pressfeed.config import Config

GENERATOR = "pressfeed"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: RFC 5005's namespace, for the `fh:archive` marker of archive pages.
HISTORY_NS = "http://purl.org/syndication/history/1.0"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
TRUNCATION_NOTE = "[The text was cut off at the source.]"


def site_url(config: Config) -> str:
    """The page a feed's `alternate` link points at."""
    return f"{config.base_url}/"


def article_path(link: str) -> str:
    """Where an article's page lives under the base URL (`articles/DAY/FILE.html`), from the
    link it was minted with: links follow `site.base_url`, so a site that moves (staging to
    production) links every page at its new address on the next build."""
    return "/".join(link.rsplit("/", 3)[-3:])
