"""Entry fragments: rendered, checked and encoded just ahead of the documents that need them.

Articles are loaded in the order documents will need them and rendered a chunk at a time, in
every format the documents use. Each fragment is dropped once every document using it has
taken it, so memory holds a window of the archive, not all of it. Every chunk's fragments are
parsed once (well-formed XML); a document is checked pieces joined, see publish.py.
"""

from __future__ import annotations

import xml.parsers.expat
from collections import Counter
from typing import Any

from pressfeed.config import Config
from pressfeed.errors import OutputError
from pressfeed.history import Document
from pressfeed.normalize import to_article
from pressfeed.render import fast, json_feed
from pressfeed.store import Store
from pressfeed.types import Article, Category, FeedFormat

#: Articles loaded and rendered per chunk.
CHUNK = 256


class Fragments:
    """Fragments of the articles some documents show, made a chunk at a time."""

    def __init__(
        self, store: Store, config: Config, categories: dict[str, Category], documents: list[Document]
    ) -> None:
        self.store, self.config, self.categories = store, config, categories
        self.uses = Counter(seq for d in documents for seq in d.seqs)
        self.order = list(dict.fromkeys(seq for d in documents for seq in d.seqs))
        self.formats = frozenset(d.spec.format for d in documents)
        self.ready: dict[int, dict[FeedFormat, Any]] = {}
        self.asked = 0

    def get(self, seqs: tuple[int, ...], fmt: FeedFormat) -> list[Any]:
        """Atom and RSS fragments as bytes, JSON Feed items as mappings."""
        while any(seq not in self.ready for seq in seqs):
            self._advance()
        fragments = []
        for seq in seqs:
            fragments.append(self.ready[seq][fmt])
            self.uses[seq] -= 1
            if not self.uses[seq]:
                del self.ready[seq]
        return fragments

    def _advance(self) -> None:
        chunk = self.order[self.asked : self.asked + CHUNK]
        self.asked += len(chunk)
        articles = renderable(self.store, chunk, self.categories, self.config)
        rendered = {seq: render(articles[seq], self.config, self.formats) for seq in chunk}
        entries_well_formed(rendered, articles)
        self.ready.update(rendered)


def renderable(
    store: Store, seqs: list[int], categories: dict[str, Category], config: Config
) -> dict[int, Article]:
    """The renderable articles with these sequence numbers."""
    rows = store.load(seqs)
    return {seq: to_article(row, categories[row.category], config) for seq, row in rows.items()}


def render(article: Article, config: Config, formats: frozenset[FeedFormat]) -> dict[FeedFormat, Any]:
    """An article's fragment in each format asked: Atom and RSS encoded, JSON as a mapping."""
    fragments: dict[FeedFormat, Any] = {}
    if FeedFormat.ATOM in formats:
        fragments[FeedFormat.ATOM] = fast.entry_atom(article).encode("utf-8")
    if FeedFormat.RSS in formats:
        fragments[FeedFormat.RSS] = fast.entry_rss(article, config).encode("utf-8")
    if FeedFormat.JSON in formats:
        fragments[FeedFormat.JSON] = json_feed.item(article)
    return fragments


_WRAP = b'<wrap xmlns:content="c">'
_XML_FORMATS = (FeedFormat.ATOM, FeedFormat.RSS)


def entries_well_formed(rendered: dict[int, dict[FeedFormat, Any]], articles: dict[int, Article]) -> None:
    """Check a chunk of XML fragments well-formed at once; on a fault, name the article."""
    if not any(fmt in fragments for fragments in rendered.values() for fmt in _XML_FORMATS):
        return
    xml_parts = [
        b"".join(fragments[fmt] for fmt in _XML_FORMATS if fmt in fragments)
        for fragments in rendered.values()
    ]
    try:
        xml.parsers.expat.ParserCreate().Parse(b"".join((_WRAP, *xml_parts, b"</wrap>")), True)
    except xml.parsers.expat.ExpatError as exc:
        for seq, part in zip(rendered, xml_parts, strict=True):
            well_formed(_WRAP + part + b"</wrap>", articles[seq].id)
        message = f"the rendered entries are not well-formed XML together ({exc}); nothing was written"
        raise OutputError(message) from exc


def well_formed(data: bytes, what: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        message = f"{what}: the rendered entry is not well-formed XML ({exc}); nothing was written"
        raise OutputError(message) from exc
