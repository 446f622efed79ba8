"""Site pages rendered, compressed and staged by worker processes, while this one renders the
feeds: a full build spends most of its time on ten thousand pages of a kind, and one Python
process uses one core.

The workers are forked (see apart.py: Linux, and only while one thread runs), so they start
with the site's plan and templates and are sent only the articles of each chunk of pages. Each
returns what it staged; this process renames it all with the rest, after every check. A worker
that fails names its error here; a worker that dies has its chunk rendered here instead (what it
had staged is swept by the next build, as after a killed run).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pressfeed import apart
from pressfeed.fragments import CHUNK, articles_of
from pressfeed.output import Staged, discard

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from pressfeed.build_output import Rendered, _Output
    from pressfeed.config import Config
    from pressfeed.site import Page, Site
    from pressfeed.store import Store
    from pressfeed.types import Article, Category

#: From this many pages to render on, worker processes render them.
PAGES_APART = 2 * CHUNK
#: Chunks of pages sent to the workers and not yet back, each worker's own.
AHEAD_PER_WORKER = 2

#: Renders one page: (page, its articles) → the file to stage.
RenderPage = Callable[["Page", "dict[int, Article]"], "_Output"]
#: Stages one file and its `.gz` copy.
StageFile = Callable[["_Output"], "list[Rendered]"]

#: What a worker sends back of a staged file: relpath, fingerprint, rank, whether it is new,
#: and the staged (target, temporary) if it changed. Plain values: they pickle fast.
Sent = tuple[str, str, int, bool, "tuple[str, str] | None"]

# In a worker only: what it was forked with (see _start).
_job: tuple[RenderPage, StageFile, dict[str, Category], Config] | None = None


def workers() -> int:
    """Worker processes for a large site: one per core this process may use, at least two (one
    of them shares its core with this process's feeds)."""
    return max(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2)


class Pages:
    """Chunks of pages handed to the workers, and what came back, in order."""

    def __init__(
        self,
        store: Store,
        config: Config,
        categories: dict[str, Category],
        pages: list[Page],
        render: RenderPage,
        stage: StageFile,
        pool: ProcessPoolExecutor | None,
        count: int,
    ) -> None:
        self.store, self.config, self.categories = store, config, categories
        self.render, self.stage, self.pool = render, stage, pool
        self.chunks = deque(_chunks(pages))
        self.waiting: deque[tuple[list[Page], Future[list[Sent]]]] = deque()
        self.done: list[Rendered] = []
        self.ahead = AHEAD_PER_WORKER * count
        #: Called with the number of pages each time some are staged.
        self.on_staged: Callable[[int], None] = lambda count: None

    def here(self) -> Iterator[_Output]:
        """The pages rendered here, a chunk of articles loaded at a time, when no worker renders
        them (a few pages: the caller stages them with the feeds)."""
        if self.pool is not None:
            return
        while self.chunks:
            chunk = self.chunks.popleft()
            articles = self._articles(chunk)
            for page in chunk:
                yield self.render(page, articles)

    def pump(self) -> None:
        """Collect the chunks the workers have finished (in order) and send them more."""
        while self.waiting and self.waiting[0][1].done():
            self._settle()
        while self.pool is not None and self.chunks and len(self.waiting) < self.ahead:
            from concurrent.futures.process import BrokenProcessPool  # not loaded for a few pages

            chunk = self.chunks.popleft()
            rows = self.store.rows([seq for page in chunk for seq in page.seqs])
            try:
                self.waiting.append((chunk, self.pool.submit(_render_chunk, chunk, rows)))
            except BrokenProcessPool:
                self.pool = None
                self.chunks.appendleft(chunk)

    def finish(self) -> list[Rendered]:
        """Every page the workers rendered and staged, in the plan's order (those they could
        not, rendered here)."""
        while self.waiting or self.chunks:
            self.pump()
            if self.waiting:
                self._settle()
            elif self.chunks:
                chunk = self.chunks.popleft()
                self.done += self._here(chunk)
                self.on_staged(len(chunk))
        return self.done

    def discard(self) -> None:
        """Remove every file staged so far, waiting for the chunks still out."""
        self.chunks.clear()
        while self.waiting:
            _, future = self.waiting.popleft()
            if not future.cancel() and future.exception() is None:
                discard(Staged(*sent[4]) for sent in future.result() if sent[4] is not None)
        discard(r.staged for r in self.done if r.staged is not None)
        self.done.clear()

    def _settle(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        chunk, future = self.waiting.popleft()
        try:
            done = [_received(sent) for sent in future.result()]
        except BrokenProcessPool:  # a worker died: this chunk is rendered here
            self.pool = None
            done = self._here(chunk)
        self.done += done
        self.on_staged(len(chunk))

    def _here(self, chunk: list[Page]) -> list[Rendered]:
        articles = self._articles(chunk)
        done: list[Rendered] = []
        try:
            for page in chunk:
                done += self.stage(self.render(page, articles))
        except BaseException:
            discard(r.staged for r in done if r.staged is not None)
            raise
        return done

    def _articles(self, chunk: list[Page]) -> dict[int, Article]:
        rows = self.store.rows([seq for page in chunk for seq in page.seqs])
        return articles_of(rows, self.categories, self.config)


def _chunks(pages: list[Page]) -> Iterator[list[Page]]:
    """Pages in order, a chunk showing about CHUNK articles at most (a listing page shows many)."""
    chunk: list[Page] = []
    shown = 0
    for page in pages:
        if chunk and shown + len(page.seqs) > CHUNK:
            yield chunk
            chunk, shown = [], 0
        chunk.append(page)
        shown += max(1, len(page.seqs))
    if chunk:
        yield chunk


@contextmanager
def pages_apart(
    store: Store,
    config: Config,
    site: Site,
    pages: list[Page],
    render: RenderPage,
    stage: StageFile,
) -> Iterator[Pages]:
    """The pages, rendered by worker processes when they are many and a process can be forked;
    else here, by `finish()`. Enter it before any other thread starts."""
    pool, count = None, workers()
    if len(pages) >= PAGES_APART and apart.can_fork():
        pool = _start((render, stage, site.categories, config), count)
    try:
        yield Pages(store, config, site.categories, pages, render, stage, pool, count)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _start(job: tuple[RenderPage, StageFile, dict[str, Category], Config], count: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context("fork"), initializer=_begin, initargs=(job,)
    )
    pool.submit(int).result()  # forks every worker now, while this process runs one thread
    return pool


def _begin(job: tuple[RenderPage, StageFile, dict[str, Category], Config]) -> None:
    global _job  # a worker's own copy, set once as it starts
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _job = job


def _render_chunk(chunk: list[Page], rows: list[tuple[Any, ...]]) -> list[Sent]:
    """In a worker: render, compress and stage a chunk of pages from the full rows of the
    articles they show."""
    assert _job is not None
    render, stage, categories, config = _job
    articles = articles_of(rows, categories, config)
    done: list[Rendered] = []
    try:
        for page in chunk:
            done += stage(render(page, articles))
    except BaseException:
        discard(r.staged for r in done if r.staged is not None)
        raise
    return [_sent(r) for r in done]


def _sent(rendered: Rendered) -> Sent:
    output, staged = rendered.output, rendered.staged
    where = None if staged is None else (staged.target, staged.temp)
    return (output.relpath, output.fingerprint, output.rank, output.new_file, where)


def _received(sent: Sent) -> Rendered:
    from pressfeed.build_output import Rendered, _Output

    relpath, fingerprint, rank, new_file, where = sent
    output = _Output(relpath, b"", fingerprint, rank, new_file=new_file)
    return Rendered(output, None if where is None else Staged(*where))
