"""Publish the store into the output folder: plan, render what changed, check, stage, rename.

Documents are rendered one at a time and staged at once (a temporary file beside their
target), so memory holds one document and a bounded cache of entry fragments, whatever the
archive size. Nothing replaces a published file until every document has rendered and passed
its checks; then the staged files are renamed in an order that keeps every file a reader can
reach consistent:

1. files that did not exist before (new archive pages): nothing links to them yet;
2. archive pages that changed (the newest page, a page that gained a `next-archive` link);
3. subscription feeds, which link to the newest archive page.

Checks: every entry fragment is parsed once when it is rendered, and every document's header;
a document is these checked pieces joined, so it is well-formed with unique ids by
construction. Subscription feeds (what readers poll) get the whole conformance check, and the
feed links of every document must name a file that exists or is being written.
"""

from __future__ import annotations

import xml.parsers.expat
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pressfeed.config import Config
from pressfeed.conformance import Link, check_document, dangling
from pressfeed.errors import OutputError
from pressfeed.history import Document, plan, reserved_slugs
from pressfeed.normalize import CategoryResolver, to_article
from pressfeed.output import (
    Staged,
    check_output_folder,
    commit,
    discard,
    flush_all,
    remove_stale_temps,
    stage,
    target_path,
)
from pressfeed.render import fast, json_feed
from pressfeed.render.common import site_url
from pressfeed.state import mark_published, output_key
from pressfeed.store import Store
from pressfeed.types import Article, Category, FeedFormat, FeedResult, FeedSpec

#: Articles loaded and rendered per chunk.
CHUNK = 256
#: Up to this many documents, each staged file is fsynced; past it, one sync() flushes them all.
FSYNC_EACH = 32
#: Rendered documents allowed to wait for the writer thread.
WRITE_AHEAD = 8


@dataclass(frozen=True)
class _Output:
    """A rendered, checked document waiting to be staged."""

    document: Document
    data: bytes
    links: tuple[Link, ...]
    new_file: bool


@dataclass(frozen=True)
class Rendered:
    document: Document
    staged: Staged | None
    links: tuple[Link, ...]
    new_file: bool


def publish(store: Store, config: Config, formats: frozenset[FeedFormat] | None = None) -> list[FeedResult]:
    """Render the documents whose fingerprint changed, check them all, then write them.

    `formats` limits the build to those formats (all by default).
    """
    out = config.output_dir
    check_output_folder(out)
    metas = store.all_metas()
    if all(m.withdrawn for m in metas):
        raise OutputError(f"{store.path}: no article to publish; the feeds in {out} were left alone")
    categories = CategoryResolver(config, reserved_slugs(config)).resolve({m.category for m in metas})
    documents = [d for d in plan(config, metas, categories) if formats is None or d.spec.format in formats]
    output = output_key(config)
    done = store.rendered(output)
    dirty = [
        d
        for d in documents
        if done.get(d.spec.relpath) != d.fingerprint or not (out / d.spec.relpath).is_file()
    ]
    remove_stale_temps(out)
    rendered = _stage_all(config, _render(store, config, dirty, categories), sync=len(dirty) <= FSYNC_EACH)
    try:
        _check_links(config, documents, rendered)
    except BaseException:
        discard(r.staged for r in rendered if r.staged is not None)
        raise
    order = sorted(rendered, key=lambda r: 0 if r.new_file else 1 if r.document.spec.archive else 2)
    if len(dirty) > FSYNC_EACH:
        flush_all()
    commit([r.staged for r in order if r.staged is not None])
    store.set_rendered(output, {r.document.spec.relpath: r.document.fingerprint for r in rendered})
    mark_published(store, config)
    written = {r.staged.target for r in rendered if r.staged is not None}
    paths = [(d, target_path(out, d.spec.relpath)) for d in documents]
    return [FeedResult(d.spec, path, len(d.seqs), path in written) for d, path in paths]


class _Fragments:
    """Rendered, checked, encoded entry fragments, made just ahead of the documents needing them.

    Articles are loaded from the store in the order documents will need them and rendered in
    chunks, in both formats at once. Each fragment is dropped once every document using it has
    taken it, so memory holds a window of the archive, not all of it.
    """

    def __init__(
        self, store: Store, config: Config, categories: dict[str, Category], documents: list[Document]
    ) -> None:
        self.store, self.config, self.categories = store, config, categories
        self.uses = Counter(seq for d in documents for seq in d.seqs)
        self.order = list(dict.fromkeys(seq for d in documents for seq in d.seqs))
        self.ready: dict[int, tuple[bytes, bytes, dict[str, Any]]] = {}
        self.asked = 0

    def get(self, seqs: tuple[int, ...], fmt: FeedFormat) -> list[Any]:
        """Atom and RSS fragments as bytes, JSON Feed items as mappings."""
        while any(seq not in self.ready for seq in seqs):
            self._advance()
        index = _FORMAT_INDEX[fmt]
        fragments = []
        for seq in seqs:
            fragments.append(self.ready[seq][index])
            self.uses[seq] -= 1
            if not self.uses[seq]:
                del self.ready[seq]
        return fragments

    def _advance(self) -> None:
        chunk = self.order[self.asked : self.asked + CHUNK]
        self.asked += len(chunk)
        rows = self.store.load(chunk)
        for seq in chunk:
            article = to_article(rows[seq], self.categories[rows[seq].category], self.config)
            self.ready[seq] = _render_pair(article, self.config)


_FORMAT_INDEX = {FeedFormat.ATOM: 0, FeedFormat.RSS: 1, FeedFormat.JSON: 2}


def _render_pair(article: Article, config: Config) -> tuple[bytes, bytes, dict[str, Any]]:
    """An article's Atom and RSS fragments, encoded and checked well-formed, and its JSON item."""
    atom_text, rss_text = fast.entry_pair(article, config)
    atom, rss = atom_text.encode("utf-8"), rss_text.encode("utf-8")
    _well_formed(b'<wrap xmlns:content="c">' + atom + rss + b"</wrap>", article.id)
    return atom, rss, json_feed.item(article)


def _well_formed(data: bytes, what: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        message = f"{what}: the rendered entry is not well-formed XML ({exc}); nothing was written"
        raise OutputError(message) from exc


def _render(
    store: Store, config: Config, documents: list[Document], categories: dict[str, Category]
) -> Iterator[_Output]:
    # Pages in order of their newest article, so that an article's fragment is not kept long
    # between its feed's page and its category's page.
    ordered = sorted(
        documents, key=lambda d: (not d.spec.archive, max(d.seqs, default=0), d.spec.format.value)
    )
    yield from _documents(config, ordered, _Fragments(store, config, categories, ordered))


def _documents(config: Config, ordered: list[Document], fragments: _Fragments) -> Iterator[_Output]:
    out = config.output_dir
    seen: set[Path] = set()
    for document in ordered:
        spec = document.spec
        path = target_path(out, spec.relpath)
        if path in seen:
            raise OutputError(f"{path}: two feeds would be written to the same file; nothing was written")
        seen.add(path)
        if not document.seqs and not spec.archive and not config.allow_empty_feeds:
            raise OutputError(
                f"{spec.relpath}: every article of this feed was withdrawn; "
                "set limits.allow_empty_feeds: true to publish it empty; nothing was written"
            )
        entries = fragments.get(document.seqs, spec.format)
        assemble = _ASSEMBLE[spec.format]
        data = assemble(spec, entries, config)
        if spec.archive:
            # Checked entries plus a header and footer: the header is all that is new here.
            if spec.format is not FeedFormat.JSON:  # json.dumps writes nothing but JSON
                _well_formed(assemble(spec, [], config), spec.relpath)
            links = _spec_links(spec, config)
        else:
            checked = check_document(spec.relpath, data)
            errors = [f"{f.path}: {f.message}" for f in checked.findings if f.severity == "error"]
            if errors:
                raise OutputError("; ".join(errors) + "; nothing was written")
            links = checked.links
        yield _Output(document, data, links, not path.exists())


_ASSEMBLE: dict[FeedFormat, Callable[[FeedSpec, list[Any], Config], bytes]] = {
    FeedFormat.ATOM: fast.atom_document,
    FeedFormat.RSS: fast.rss_document,
    FeedFormat.JSON: json_feed.document,
}


def _spec_links(spec: FeedSpec, config: Config) -> tuple[Link, ...]:
    """The feed-level links a document's header holds, as the renderers write them."""
    head = [("self", spec.url), ("alternate", site_url(config)), *spec.history]
    return tuple(Link(rel, href, in_entry=False) for rel, href in head)


def _stage_all(config: Config, outputs: Iterator[_Output], *, sync: bool) -> list[Rendered]:
    """Stage rendered documents on a writer thread while the next ones render (file writes
    release the GIL); at most WRITE_AHEAD documents wait in memory. On any failure, every
    temporary written so far is removed."""
    done: list[Rendered] = []
    waiting: deque[tuple[_Output, Future[Staged | None]]] = deque()

    def settle(limit: int) -> None:
        while len(waiting) > limit:
            output, future = waiting.popleft()
            done.append(Rendered(output.document, future.result(), output.links, output.new_file))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pressfeed-writer") as writer:
        try:
            for output in outputs:
                relpath = output.document.spec.relpath
                waiting.append(
                    (output, writer.submit(stage, config.output_dir, relpath, output.data, sync=sync))
                )
                settle(WRITE_AHEAD)
            settle(0)
        except BaseException:
            for _, future in waiting:
                staged = future.exception() is None and future.result()
                if staged:
                    discard([staged])
            discard(r.staged for r in done if r.staged is not None)
            raise
    return done


def _check_links(config: Config, documents: list[Document], rendered: list[Rendered]) -> None:
    out = config.output_dir
    present = {d.spec.relpath for d in documents}
    present |= (
        {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} if out.is_dir() else set()
    )
    base = f"{config.base_url}/"
    faults = [
        f"{f.path}: {f.message}"
        for r in rendered
        for f in dangling(r.document.spec.relpath, r.links, base, present)
        if f.severity == "error"
    ]
    if faults:
        raise OutputError("; ".join(faults) + "; nothing was written")
