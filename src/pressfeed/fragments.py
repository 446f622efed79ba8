"""Entry fragments: rendered, checked and encoded just ahead of the documents that need them.

Articles are loaded in the order documents will need them and rendered a chunk at a time, in
every format the documents use. Each fragment is dropped once every document using it has
taken it, so memory holds a window of the archive, not all of it. Every chunk's fragments are
parsed once (well-formed XML); a document is checked pieces joined, see build_output.py. From
CHECK_APART articles on, a second process parses them while this one goes on (apart.py), and
`verified()` waits for its answer before anything is published.
"""

from __future__ import annotations

import xml.parsers.expat
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pressfeed import apart
from pressfeed.config import Config
from pressfeed.errors import OutputError
from pressfeed.history import Document
from pressfeed.normalize import to_article
from pressfeed.render import fast, json_feed
from pressfeed.store import Store, from_row
from pressfeed.types import Article, Category, FeedFormat

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

#: Articles loaded and rendered per chunk.
CHUNK = 256
#: From this many articles to render on, a second process checks their entries.
CHECK_APART = 8 * CHUNK
#: What asks the checking process for its verdict.
VERDICT = "verdict"


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
        #: The checking process, while it is there.
        self.checker: Connection | None = None
        #: Articles (of `order`) whose entries went to the checking process.
        self.sent = 0

    def get(self, seqs: tuple[int, ...], fmt: FeedFormat) -> list[Any]:
        """Atom and RSS fragments as bytes, JSON Feed items as text (json_feed.item_text)."""
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
        articles, rendered = self._made(chunk)
        self._check(rendered, articles)
        self.ready.update(rendered)

    def _made(self, chunk: list[int]) -> tuple[dict[int, Article], dict[int, dict[FeedFormat, Any]]]:
        """The articles of a chunk, and their fragments in every format asked."""
        articles = renderable(self.store, chunk, self.categories, self.config)
        return articles, {seq: render(articles[seq], self.config, self.formats) for seq in chunk}

    def _check(self, rendered: dict[int, dict[FeedFormat, Any]], articles: dict[int, Article]) -> None:
        parts = _xml_parts(rendered)
        if not parts:
            return
        ids = [articles[seq].id for seq in rendered]
        if self.checker is not None:
            try:
                self.checker.send((ids, [len(part) for part in parts]))
                self.checker.send_bytes(b"".join(parts))
                self.sent = self.asked
                return
            except OSError:
                self.checker = None  # gone: `verified()` checks again what it was sent
        _raise(entry_fault(parts, ids))

    def verified(self) -> None:
        """Wait for the checking process to have checked every entry sent to it; raise
        OutputError naming the first ill-formed one. If the process is gone, the entries sent
        to it are made and checked again here."""
        if not self.sent:
            return
        fault = None
        if self.checker is not None:
            try:
                self.checker.send(VERDICT)
                fault = self.checker.recv()
            except (EOFError, OSError):
                self.checker = None
        if fault is None:
            fault = self._check_again_here()
        _raise(fault)

    def _check_again_here(self) -> str:
        for start in range(0, self.sent, CHUNK):
            chunk = self.order[start : start + CHUNK]
            articles, rendered = self._made(chunk)
            fault = entry_fault(_xml_parts(rendered), [articles[seq].id for seq in chunk])
            if fault:
                return fault
        return ""


@contextmanager
def fragments(
    store: Store, config: Config, categories: dict[str, Category], documents: list[Document]
) -> Iterator[Fragments]:
    """Fragments for these documents, checked by a second process when there are CHECK_APART
    articles or more and one can be forked."""
    made = Fragments(store, config, categories, documents)
    if len(made.order) < CHECK_APART or not apart.can_fork():
        yield made
        return
    with apart.child(_check_apart) as checker:
        made.checker = checker
        yield made


def renderable(
    store: Store, seqs: list[int], categories: dict[str, Category], config: Config
) -> dict[int, Article]:
    """The renderable articles with these sequence numbers."""
    return articles_of(store.rows(seqs), categories, config)


def articles_of(
    rows: list[tuple[Any, ...]], categories: dict[str, Category], config: Config
) -> dict[int, Article]:
    """The renderable articles full rows hold (see Store.rows)."""
    stored = map(from_row, rows)
    return {a.seq: to_article(a, categories[a.category], config) for a in stored}


def render(article: Article, config: Config, formats: frozenset[FeedFormat]) -> dict[FeedFormat, Any]:
    """An article's fragment in each format asked: Atom and RSS encoded, JSON as a mapping."""
    fragments: dict[FeedFormat, Any] = {}
    escaped = None if formats.isdisjoint(_XML_FORMATS) else fast.Escaped.of(article)
    if FeedFormat.ATOM in formats:
        fragments[FeedFormat.ATOM] = fast.entry_atom(article, escaped).encode("utf-8")
    if FeedFormat.RSS in formats:
        fragments[FeedFormat.RSS] = fast.entry_rss(article, config, escaped).encode("utf-8")
    if FeedFormat.JSON in formats:
        fragments[FeedFormat.JSON] = json_feed.item_text(json_feed.item(article))
    return fragments


_WRAP = b'<wrap xmlns:content="c">'
_XML_FORMATS = (FeedFormat.ATOM, FeedFormat.RSS)


def _xml_parts(rendered: dict[int, dict[FeedFormat, Any]]) -> list[bytes]:
    """Each article's XML fragments joined, in order; none when no XML format is rendered."""
    if not any(fmt in fragments for fragments in rendered.values() for fmt in _XML_FORMATS):
        return []
    return [
        b"".join(fragments[fmt] for fmt in _XML_FORMATS if fmt in fragments)
        for fragments in rendered.values()
    ]


def entry_fault(parts: Sequence[bytes], ids: Sequence[str]) -> str:
    """What is wrong with these XML fragments (one per article id) taken together, naming the
    first ill-formed article; "" when they are well-formed."""
    try:
        _parse_wrapped(parts)
    except xml.parsers.expat.ExpatError as exc:
        for what, part in zip(ids, parts, strict=True):
            try:
                _parse_wrapped([part])
            except xml.parsers.expat.ExpatError as one:
                return _ill_formed(what, one)
        return f"the rendered entries are not well-formed XML together ({exc}); nothing was written"
    return ""


def _parse_wrapped(parts: Iterable[bytes]) -> None:
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(_WRAP, False)
    for part in parts:
        parser.Parse(part, False)
    parser.Parse(b"</wrap>", True)


def _raise(fault: str) -> None:
    if fault:
        raise OutputError(fault)


def _check_apart(parent: Connection) -> None:
    """The checking process: parse the entries of each chunk it is sent (ids and lengths, then
    the entries joined); answer each VERDICT with the first fault found, or ""."""
    fault = ""
    for request in apart.requests(parent):
        if request == VERDICT:
            parent.send(fault)
            continue
        ids, lengths = request
        data = parent.recv_bytes()
        if fault:
            continue
        try:
            _parse_wrapped([data])
        except xml.parsers.expat.ExpatError:
            fault = entry_fault(_split(data, lengths), ids)


def _split(data: bytes, lengths: Sequence[int]) -> list[bytes]:
    parts, start = [], 0
    for length in lengths:
        parts.append(data[start : start + length])
        start += length
    return parts


def well_formed(data: bytes, what: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise OutputError(_ill_formed(what, exc)) from exc


def _ill_formed(what: str, error: xml.parsers.expat.ExpatError) -> str:
    return f"{what}: the rendered entry is not well-formed XML ({error}); nothing was written"
