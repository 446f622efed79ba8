"""What the Atom and RSS renderers share: feed-level fields every feedgen feed needs.

feedgen sets any date we leave out to "now", so every date is set here explicitly.
"""

from __future__ import annotations

from feedgen.ext.base import BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from pressfeed.config import Config
from pressfeed.render.names import ATOM_NS, GENERATOR, HISTORY_NS
from pressfeed.types import FeedSpec


def new_feed(spec: FeedSpec, config: Config) -> FeedGenerator:
    """A generator with title, language, generator and `updated` (the spec's, never now)."""
    fg = FeedGenerator()
    fg.title(spec.title)
    fg.language(config.language)
    fg.generator(GENERATOR)
    fg.updated(spec.updated)
    if spec.archive or spec.history or spec.hubs:
        fg.register_extension("history", HistoryExtension)
        fg.history.spec = spec
    return fg


class HistoryExtension(BaseExtension):  # type: ignore[misc]
    """RFC 5005 for feedgen: `fh:archive` on archive pages; in RSS, the history links as
    `atom:link` elements (feedgen writes only the `self` one)."""

    spec: FeedSpec

    def extend_ns(self) -> dict[str, str]:
        return {"fh": HISTORY_NS} if self.spec.archive else {}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.spec.archive:
            etree.SubElement(feed, f"{{{HISTORY_NS}}}archive")
        return feed

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        channel = rss.find("channel")
        for rel, href in self.spec.history:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", rel=rel, href=href)
        for hub in self.spec.hubs:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", rel="hub", href=hub)
        if self.spec.archive:
            etree.SubElement(channel, f"{{{HISTORY_NS}}}archive")
        return rss
