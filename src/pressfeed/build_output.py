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

import contextlib
import dataclasses
import gzip as gzip_module
import os
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pressfeed import catalog
from pressfeed.catalog import Catalog, page_count
from pressfeed.config import Config
from pressfeed.conformance import Link, check_document, dangling, link_targets
from pressfeed.errors import OutputError
from pressfeed.fragments import Fragments, fragments, well_formed
from pressfeed.history import Document, plan
from pressfeed.output import (
    Staged,
    check_output_folder,
    commit,
    discard,
    flush_all,
    remove_files,
    remove_stale_temps,
    stage,
    target_path,
)
from pressfeed.render import fast, json_feed
from pressfeed.render.names import site_url
from pressfeed.site import Page, Site
from pressfeed.site_workers import Pages, RenderPage, pages_apart
from pressfeed.state import mark_published, output_key, part_settings, published_since
from pressfeed.store import Store
from pressfeed.types import PARTS as ALL_PARTS
from pressfeed.types import Article, FeedFormat, FeedResult, FeedSpec

#: Rename rank of host files (_headers, .htaccess): last, and never gzipped.
HOST_RANK = 5
#: Up to this many documents, each staged file is fsynced; past it, one sync() flushes them all.
FSYNC_EACH = 32
#: Rendered documents allowed to wait for the writer threads.
WRITE_AHEAD = 8
#: Threads that compress and stage rendered files while the next ones render.
WRITERS = 2
#: Seconds the rendering thread keeps Python's lock while the writer thread waits for it (see
#: `_writer_gets_turns`); Python's default is 5 ms.
WRITER_TURNS = 0.005


@dataclass(frozen=True)
class _Output:
    """A rendered, checked file waiting to be staged."""

    relpath: str
    data: bytes
    fingerprint: str
    #: Rename order: 1 article pages, 2 archive pages, 3 subscription feeds, 4 the rest.
    rank: int
    links: tuple[Link, ...] = ()
    #: Whether the folder lacks this file (found when it is staged).
    new_file: bool = False
    #: The feed document it is, None for a site page.
    document: Document | None = None


@dataclass(frozen=True)
class Rendered:
    output: _Output
    staged: Staged | None

    @classmethod
    def of(cls, output: _Output, staged: Staged | None) -> Rendered:
        """What the commit needs of a staged output, not its bytes: they are in the staged file."""
        new_file = staged is not None and staged.new
        return cls(dataclasses.replace(output, data=b"", new_file=new_file), staged)


@dataclass(frozen=True)
class Published:
    """What a publish did: every feed document, and how many site files there were and changed."""

    feeds: list[FeedResult]
    site_files: int
    site_written: int
    #: Archive pages in the folder, planned or not.
    archive_pages: int
    #: Files published before that this build no longer produces: kept, and removed.
    stale: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def publish(
    store: Store, config: Config, parts: frozenset[str] | None = None, *, full: bool = False
) -> Published:
    """Prepare, rename and record in one go (for a caller that holds no transaction of its
    own to commit in between; a build does, see pipeline.py)."""
    return prepare(store, config, parts, full=full).finish(store)


@dataclass
class Prepared:
    """A publish rendered, checked and staged: nothing published has been touched yet.

    A build commits the store between `prepare()` and `finish()`, so that no failure leaves
    the folder ahead of the store: a failed commit `discard()`s the staged files; a failed
    rename or record leaves the store ahead of the folder, which the next build catches up on
    (what it last recorded as published is older than the store).
    """

    config: Config
    parts: frozenset[str]
    rendered: list[Rendered]
    results: list[FeedResult]
    site_written: int
    archive_pages: int
    #: Site files in the folder, to remember once published (None: not counted this time).
    site_count: int | None
    #: Files published before and produced no more: removed after the renames, or kept.
    remove: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()

    def replaces_published(self) -> bool:
        """Whether renaming would change a file that is there now."""
        return any(r.staged is not None and not r.output.new_file for r in self.rendered)

    def discard(self) -> None:
        """Remove every staged file: the folder stays as it was."""
        discard(r.staged for r in self.rendered if r.staged is not None)
        (self.config.output_dir / PUBLISHING).unlink(missing_ok=True)

    def finish(self, store: Store) -> Published:
        """Rename the staged files over their targets, then record what was published (in a
        transaction of its own unless the caller holds one)."""
        order = sorted(self.rendered, key=lambda r: (not r.output.new_file, r.output.rank))
        commit([r.staged for r in order if r.staged is not None])
        remove_files(self.config.output_dir, [*self.remove, *(f"{r}.gz" for r in self.remove)])
        if store.in_transaction:
            self._record(store)
        else:
            with store.transaction():
                self._record(store)
        (self.config.output_dir / PUBLISHING).unlink(missing_ok=True)
        return Published(
            self.results, self.site_count or 0, self.site_written, self.archive_pages, self.keep, self.remove
        )

    def _record(self, store: Store) -> None:
        output = output_key(self.config)
        fingerprints = {r.output.relpath: r.output.fingerprint for r in self.rendered if r.output.fingerprint}
        store.set_rendered(output, fingerprints)
        store.forget_rendered_paths(output, self.remove)
        mark_published(store, self.config, self.parts)
        if self.site_count is not None:
            store.set_meta(f"site-files:{output}", str(self.site_count))


#: Called as progress(files_rendered, files_to_render) while a build renders.
RenderProgress = Callable[[int, int], None]


def prepare(
    store: Store,
    config: Config,
    parts: frozenset[str] | None = None,
    *,
    full: bool = False,
    progress: RenderProgress | None = None,
) -> Prepared:
    """Render the documents and pages whose fingerprint changed, check them all, and stage
    them beside their targets; nothing published is replaced yet.

    `parts` limits the build to some of PARTS (all by default). Files below the top of the
    folder are trusted to be as last published unless `full`, which checks every one (a cron
    run should not stat a hundred thousand pages).
    """
    chosen = PARTS if parts is None else parts
    out = config.output_dir
    check_output_folder(out)
    output = output_key(config)
    # A top-level file gone (a deleted output folder, say): check every file this time.
    full = full or any(not (out / relpath).is_file() for relpath in store.rendered_top(output))
    scope = _catalog(store, config, chosen, full=full)
    if not any(feed.live for feed in scope.feeds):
        held = store.held()
        why = (
            f" yet: {len(held)} release{'s are' if len(held) > 1 else ' is'} held until its day"
            if held
            else ""
        )
        first = f" (the first on {held[0][0].isoformat()})" if held else ""
        raise OutputError(
            f"{store.path}: no article to publish{why}{first}; the feeds in {out} were left alone"
        )
    categories = scope.categories
    documents = plan(config, scope, [fmt for fmt in FeedFormat if fmt.value in chosen])
    site = Site(config, scope)
    pages = site.plan(part_settings(config, "html")) if "html" in chosen else []
    planned = [d.spec.relpath for d in documents] + [p.relpath for p in pages]
    done = store.rendered(output) if scope.complete else store.rendered_among(output, planned)
    gzip = config.gzip and "gz" in chosen

    def stale(relpath: str, fingerprint: str) -> bool:
        if done.get(relpath) != fingerprint:
            return True
        if not full and "/" in relpath:
            return False
        return not (out / relpath).is_file() or (gzip and not (out / f"{relpath}.gz").is_file())

    dirty = [d for d in documents if stale(d.spec.relpath, d.fingerprint)]
    dirty_pages = [p for p in pages if stale(p.relpath, p.fingerprint)]
    sync_each = len(dirty) + len(dirty_pages) <= FSYNC_EACH
    marker = out / PUBLISHING
    if full or marker.exists():
        remove_stale_temps(out)  # a run was killed while staging: its temporaries are litter
    if dirty or dirty_pages:
        out.mkdir(parents=True, exist_ok=True)
        marker.touch()
    ordered = _render_order(dirty)
    inside: set[Path] = set()  # folders found inside the output folder
    staging = _Staging(out, gzip=gzip, sync=sync_each, inside=inside)
    counter = _Counter(progress, len(ordered) + len(dirty_pages))
    try:
        with (
            fragments(store, config, categories, ordered) as entries,
            pages_apart(store, config, site, dirty_pages, _page_renderer(site), staging) as site_pages,
        ):
            site_pages.on_staged = counter.add
            feeds = _pumping(_documents(config, ordered, entries, inside), site_pages)
            outputs = _counted(_chain(feeds, site_pages.here()), counter)
            rendered = _stage_checked(store, config, outputs, entries, set(planned), staging, site_pages)
        if not sync_each:
            flush_all()
    except BaseException:
        marker.unlink(missing_ok=True)  # everything staged was removed: nothing to sweep later
        raise
    written = {r.output.relpath for r in rendered if r.staged is not None}
    results = [
        FeedResult(d.spec, out / d.spec.relpath, len(d.seqs), d.spec.relpath in written) for d in documents
    ]
    site_written = sum(1 for p in pages if p.relpath in written)
    formats = sum(1 for fmt in FeedFormat if fmt.value in chosen)
    archive_pages = formats * sum(page_count(f.total, f.live, config) for f in scope.feeds)
    site_count = _site_files(store, config, pages, rendered, complete=scope.complete)
    gone = sorted(set(done) - set(planned)) if scope.complete and chosen == PARTS else []
    remove = tuple(r for r in gone if config.prune or r.startswith(ARTICLE_PAGES))
    keep = tuple(r for r in gone if r not in remove)
    return Prepared(
        config,
        chosen,
        rendered,
        results,
        site_written,
        archive_pages,
        site_count,
        remove,
        keep,
    )


def published_missing(store: Store, config: Config, parts: Collection[str]) -> bool:
    """Whether a file last published into the output folder (or its `.gz` copy, when a build of
    these parts writes one) is gone: one listing of each folder, not a plan of every document
    and a look at each of its files."""
    from pressfeed.site import HOST_FILES

    gzip = config.gzip and "gz" in parts
    out = config.output_dir
    present: set[str] = set()
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(out / folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            relpath = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append(relpath)
            else:
                present.add(relpath)
    for relpath in store.rendered(output_key(config)):
        gone = relpath not in present
        if gone or (gzip and relpath not in HOST_FILES and f"{relpath}.gz" not in present):
            return True
    return False


#: Where article pages live: the page of a withdrawn article is removed, whatever output.prune.
ARTICLE_PAGES = "articles/"


def _site_files(
    store: Store, config: Config, pages: list[Page], rendered: list[Rendered], *, complete: bool
) -> int | None:
    """Site files in the folder: all those planned when all were, else the count last
    published plus the pages new to the folder; None when no page was planned."""
    if not pages:
        return None
    if complete:
        return len(pages)
    new = (r.output for r in rendered if r.output.document is None and r.output.fingerprint)
    last = int(store.get_meta(f"site-files:{output_key(config)}", "0"))
    return last + sum(1 for output in new if output.new_file)


#: Present in the output folder while a publish stages files; found at the start of the next
#: one, it means the last was killed and left temporaries to sweep.
PUBLISHING = ".pressfeed-publishing"


#: What a build can be limited to (`build --formats`): the feed formats, the HTML site
#: (pages, OPML, host files) and the precompressed copies.
PARTS = frozenset(ALL_PARTS)


def _catalog(store: Store, config: Config, parts: frozenset[str], *, full: bool) -> Catalog:
    """Only what changed since these parts were last published, when that can be told from a
    few queries; else everything (see catalog.py)."""
    generation = None if full else published_since(store, config, parts)
    changes = None if generation is None else catalog.since(store, config, generation)
    return changes or catalog.whole(config, store.all_metas())


@dataclass
class _Counter:
    """Files rendered so far, told to `progress` (if any) as they come."""

    progress: RenderProgress | None
    total: int
    done: int = 0

    def add(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)


def _counted(outputs: Iterator[_Output], counter: _Counter) -> Iterator[_Output]:
    for output in outputs:
        yield output
        counter.add(1)


def _pumping(outputs: Iterator[_Output], pages: Pages) -> Iterator[_Output]:
    """`outputs`, keeping the page workers busy between two of them."""
    for output in outputs:
        pages.pump()
        yield output


def _chain(*streams: Iterator[_Output]) -> Iterator[_Output]:
    for stream in streams:
        yield from stream


def _render_order(documents: list[Document]) -> list[Document]:
    """Pages in order of their newest article, so that an article's fragment is not kept long
    between its feed's page and its category's page."""
    return sorted(documents, key=lambda d: (not d.spec.archive, max(d.seqs, default=0), d.spec.format.value))


def _documents(
    config: Config, ordered: list[Document], fragments: Fragments, inside: set[Path]
) -> Iterator[_Output]:
    out = config.output_dir
    seen: set[Path] = set()
    for document in ordered:
        spec = document.spec
        path = target_path(out, spec.relpath, inside)
        if path in seen:
            raise OutputError(f"{path}: two feeds would be written to the same file; nothing was written")
        seen.add(path)
        if not document.seqs and not spec.archive and not config.allow_empty_feeds:
            raise OutputError(
                f"{spec.relpath}: every article of this feed was withdrawn; "
                "set limits.allow_empty_feeds: true to publish it empty; nothing was written"
            )
        entries = fragments.get(document.seqs, spec.format)
        assemble = _assembler(spec.format)
        data = assemble(spec, entries, config)
        if spec.archive:
            # Checked entries plus a header and footer: the header is all that is new here.
            if spec.format is not FeedFormat.JSON:  # json.dumps writes nothing but JSON
                well_formed(assemble(spec, [], config), spec.relpath)
            links = _spec_links(spec, config)
        else:
            checked = check_document(spec.relpath, data)
            errors = [f"{f.path}: {f.message}" for f in checked.findings if f.severity == "error"]
            if errors:
                fragments.verified()  # an ill-formed entry is named before the feed showing it
                raise OutputError("; ".join(errors) + "; nothing was written")
            links = checked.links
        rank = 2 if spec.archive else 3
        yield _Output(spec.relpath, data, document.fingerprint, rank, links, document=document)


def _assembler(fmt: FeedFormat) -> Callable[[FeedSpec, list[Any], Config], bytes]:
    if fmt is FeedFormat.ATOM:
        return fast.atom_document
    return fast.rss_document if fmt is FeedFormat.RSS else json_feed.document


def _spec_links(spec: FeedSpec, config: Config) -> tuple[Link, ...]:
    """The feed-level links a document's header holds, as the renderers write them."""
    head = [("self", spec.url), ("alternate", site_url(config)), *spec.history]
    return tuple(Link(rel, href, in_entry=False) for rel, href in head)


@dataclass(frozen=True)
class _Staging:
    """How rendered files are staged in the output folder `root`."""

    root: Path
    #: Add a byte-stable `.gz` copy (no name, mtime 0) of each file but the host files.
    gzip: bool
    #: fsync each file (a few documents, see FSYNC_EACH); else `flush_all` does it at once.
    sync: bool
    #: Folders found inside the output folder so far (see output.target_path).
    inside: set[Path]

    def __call__(self, output: _Output) -> list[Rendered]:
        """Stage one file and its `.gz` copy. On a writer thread, all of it runs beside the
        rendering: zlib and file system calls let go of Python's lock."""
        outputs = [output]
        if self.gzip and output.rank != HOST_RANK:
            data = gzip_module.compress(output.data, compresslevel=6, mtime=0)
            outputs.append(_Output(f"{output.relpath}.gz", data, "", output.rank))
        done: list[Rendered] = []
        try:
            for item in outputs:
                staged = stage(self.root, item.relpath, item.data, sync=self.sync, inside=self.inside)
                done.append(Rendered.of(item, staged))
        except BaseException:
            discard(r.staged for r in done if r.staged is not None)
            raise
        return done


def _stage_all(outputs: Iterator[_Output], staging: _Staging) -> list[Rendered]:
    """Stage rendered documents; on any failure, every temporary written so far is removed.

    A few documents (see FSYNC_EACH) are staged and fsynced in turn, here: a cron run writing
    eight files has no use for a thread. Else on WRITERS threads while the next ones render;
    at most WRITE_AHEAD documents wait in memory."""
    if staging.sync:
        return _stage_here(outputs, staging)
    with _writer_gets_turns():
        return _stage_on_writers(outputs, staging)


def _stage_here(outputs: Iterator[_Output], staging: _Staging) -> list[Rendered]:
    done: list[Rendered] = []
    try:
        for output in outputs:
            done += staging(output)
    except BaseException:
        discard(r.staged for r in done if r.staged is not None)
        raise
    return done


@contextlib.contextmanager
def _writer_gets_turns() -> Iterator[None]:
    """Python's switch interval shortened for the while: a writer thread gives Python's lock
    away at each system call and must wait for the rendering thread to let go of it. Publishing
    a 100k archive (4,024 files) waited 1.3 to 2.9 s for the writer with the default 5 ms, 1.6
    to 1.8 s with 0.5 ms (four interleaved runs each). The caller's interval is restored."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(WRITER_TURNS)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _stage_on_writers(outputs: Iterator[_Output], staging: _Staging) -> list[Rendered]:
    """Files staged unsynced: `flush_all` flushes them at once before the renames."""
    from concurrent.futures import Future, ThreadPoolExecutor  # a few documents need neither

    done: list[Rendered] = []
    waiting: deque[Future[list[Rendered]]] = deque()

    def settle(limit: int) -> None:
        while len(waiting) > limit:
            done.extend(waiting.popleft().result())

    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="pressfeed-writer") as writers:
        try:
            for output in outputs:
                waiting.append(writers.submit(staging, output))
                settle(WRITE_AHEAD)
            settle(0)
        except BaseException:
            for future in waiting:
                if not future.cancel() and future.exception() is None:
                    discard(r.staged for r in future.result() if r.staged is not None)
            discard(r.staged for r in done if r.staged is not None)
            raise
    return done


def _stage_checked(
    store: Store,
    config: Config,
    outputs: Iterator[_Output],
    entries: Fragments,
    planned: set[str],
    staging: _Staging,
    pages: Pages,
) -> list[Rendered]:
    """Stage every output and the pages, then wait for the entries' checks and check the
    links; on any failure, nothing staged is left."""
    rendered: list[Rendered] = []
    try:
        rendered += _stage_all(outputs, staging)
        rendered += pages.finish()
        entries.verified()
        _check_links(store, config, planned, rendered)
    except BaseException:
        pages.discard()
        discard(r.staged for r in rendered if r.staged is not None)
        raise
    return rendered


def _check_links(store: Store, config: Config, planned: set[str], rendered: list[Rendered]) -> None:
    """Every feed link of every new document names a file planned now or published before."""
    base = f"{config.base_url}/"
    named = {target for r in rendered for target in link_targets(r.output.links, base)}
    present = planned | set(store.rendered_among(output_key(config), named - planned))
    faults = [
        f"{f.path}: {f.message}"
        for r in rendered
        for f in dangling(r.output.relpath, r.output.links, base, present)
        if f.severity == "error"
    ]
    if faults:
        raise OutputError("; ".join(faults) + "; nothing was written")


def _page_renderer(site: Site) -> RenderPage:
    def render(page: Page, articles: dict[int, Article]) -> _Output:
        rank = {"article": 1, "host": HOST_RANK}.get(page.kind, 4)
        return _Output(page.relpath, site.render(page, articles), page.fingerprint, rank)

    return render
