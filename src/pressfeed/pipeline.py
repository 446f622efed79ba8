"""The pipeline: read dumps → clean → merge into the store → plan → render → verify → write.

A build runs in three steps, so that no failure leaves the published folder ahead of the store:

1. one transaction merges the inputs, renders, checks and stages every changed file beside
   its target, then commits: a failure up to and including the commit (a full disk under the
   store) removes the staged files and leaves the store and the folder as they were;
2. the staged files are renamed over their targets;
3. a second transaction records what was published.

A failure in step 2 or 3 leaves the store ahead of the folder (what it records as published is
older than its articles), and the next build renders and renames what is missing, converging on
what a build from scratch gives.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pressfeed import embargo, guard, lock, sources
from pressfeed.config import Config
from pressfeed.errors import BusyError, InputError, StoreError
from pressfeed.formats import PARTS
from pressfeed.sources import Span
from pressfeed.state import is_published, output_key
from pressfeed.store import Store, open_store

if TYPE_CHECKING:
    from pressfeed.build_output import Prepared
    from pressfeed.merge import IngestReport
    from pressfeed.recover import Recovered
    from pressfeed.types import BuildReport, CleanRecord, FeedResult, Problem, RawRecord, StoredArticle
    from pressfeed.upload import PublishReport

# Rendering, merging and cleaning are imported where they are used: a rerun that finds
# nothing new should not pay for loading them.


class RejectedRecords(InputError):
    """Raised with --strict when any record was rejected; carries every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} record(s) rejected; nothing written (--strict)")


class NothingAccepted(InputError):
    """No input record could be published; carries the problems that say why."""

    def __init__(self, config: Config, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        inputs = ", ".join(str(p) for p in config.inputs)
        super().__init__(
            f"no article accepted from {inputs}; the feeds in {config.output_dir} were left as they were"
        )


@dataclass(frozen=True)
class Accepted:
    """What the inputs yield: clean records in dump order and every problem met on the way."""

    records: tuple[CleanRecord, ...]
    problems: tuple[Problem, ...]


@contextmanager
def exclusive(config: Config) -> Iterator[None]:
    """Hold the store's lock file for a whole run: overlapping cron runs take turns.

    A run waits up to `store.lock_timeout` seconds, then gives up with BusyError.
    """
    lock_path = config.store_path.with_name(config.store_path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock.held(lock_path, config.lock_timeout):
            yield
    except lock.LockTimeout as exc:
        raise BusyError(
            f"{lock_path}: another pressfeed run is still at work (waited {config.lock_timeout} s); "
            "nothing was read or written"
        ) from exc
    except OSError as exc:
        if exc.filename is None or Path(exc.filename) != lock_path:
            raise
        raise StoreError(f"{lock_path}: cannot create or take the lock file: {exc.strerror or exc}") from exc


def clock() -> dt.datetime:
    """The build's notion of now: SOURCE_DATE_EPOCH when set (reproducible builds), else the time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


#: Called as progress(path, bytes_read, total_bytes) while a dump is read, and by a build as
#: progress(None, files_rendered, files_to_render) while it renders.
Progress = Callable[[Path | None, int, int], None]


def read_records(
    config: Config,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
    spans: Mapping[Path, Span] | None = None,
) -> Accepted:
    """Parse and clean the given dumps (default: the config's inputs), in order.

    `spans` limits reading to part of a file (see sources.py); the default is all of it.
    """
    reading = _Reading(config, config.inputs if paths is None else paths, progress, spans or {})
    records = tuple(reading.records())
    return Accepted(records, tuple(reading.problems))


class _Reading:
    """Records streamed from dumps, one at a time; problems and line counts gathered on the way."""

    def __init__(
        self, config: Config, paths: Sequence[Path], progress: Progress | None, spans: Mapping[Path, Span]
    ) -> None:
        self.config, self.paths, self.progress, self.spans = config, paths, progress, spans
        self.problems: list[Problem] = []
        #: What was read of each file, and its line count.
        self.seen: dict[Path, tuple[sources.Seen, int, bool]] = {}
        #: Last records kept back as unfinished (reported by the next build if still so).
        self.held: list[Problem] = []
        self.accepted = 0

    def records(self) -> Iterator[CleanRecord]:
        from pressfeed.normalize import clean_stream

        for record in clean_stream(self._raw(), self.config, self.problems):
            self.accepted += 1
            yield record

    def _raw(self) -> Iterator[RawRecord]:
        from pressfeed.parse import ParseStats, parse_file
        from pressfeed.types import RawRecord

        for path in self.paths:
            per_file = None if self.progress is None else functools.partial(self.progress, path)
            stats = ParseStats()
            encoding = self.config.input_encodings.get(path, "utf-8")
            span = self.spans.get(path, Span())
            invalid = 0
            for item in parse_file(path, progress=per_file, span=span, stats=stats, encoding=encoding):
                if isinstance(item, RawRecord):
                    yield item
                else:
                    self.problems.append(item)
                    invalid += item.message.startswith("invalid UTF-8")
            if invalid:
                self._hint_encoding(path)
            if stats.held is not None:
                self.held.append(stats.held)
            if stats.seen is not None:
                self.seen[path] = (stats.seen, stats.last_line, stats.held is not None)

    def _hint_encoding(self, path: Path) -> None:
        """A dump with invalid UTF-8 that reads cleanly in a legacy encoding: say which to set."""
        from pressfeed import legacy
        from pressfeed.types import Problem

        found = legacy.guess(path)
        if found is not None:
            encoding, language = found
            message = (
                f"this file is not UTF-8 but reads cleanly as {encoding} ({language}): set it in "
                f"config.yaml, inputs: [{{path: {path.name}, encoding: {encoding}}}]"
            )
            self.problems.append(Problem(str(path), 1, message))


def import_dumps(
    config: Config, paths: Sequence[Path], *, now: dt.datetime | None = None, progress: Progress | None = None
) -> IngestReport:
    """Merge dumps into the store without rendering."""
    from pressfeed.merge import ingest

    reading = _Reading(config, paths, progress, {})
    with exclusive(config), open_store(config.store_path) as store, store.transaction():
        report = ingest(store, reading.records(), config, now or clock())
        _remember(store, {path: Span() for path in paths}, reading)
    report.problems[:0] = reading.problems
    return report


def build(
    config: Config,
    *,
    strict: bool = False,
    now: dt.datetime | None = None,
    full: bool = False,
    formats: frozenset[str] | None = None,
    new_store: bool = False,
    include_future: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Merge what is new in the config's inputs into the store, then publish every document
    whose content changed. `full` reads every input whole, whatever changed; `formats` limits
    the build to some formats (a quick run; the others are left as they are). A missing or
    empty store beside published feeds is refused (guard.py) unless `new_store`. Records
    dated after today wait for their day (embargo.py) unless `include_future`. `progress` is
    called while dumps are read (path, bytes, total) and files rendered (None, files, total).

    Records stream from the dumps into the store inside one transaction, which also stages
    the files to publish: a rejection under `strict`, an input with nothing to accept, or any
    failure up to the commit rolls it all back and leaves the folder as it was. Renames follow
    the commit (see the module's docstring).
    """
    from pressfeed.types import BuildReport

    parts = PARTS if formats is None else formats
    lost = None if new_store else guard.lost_file(config)
    now = now or clock()
    today = _today(config, now)
    if not (full or include_future) and nothing_new(config, parts, today):
        return BuildReport(feeds=(), accepted=0, problems=(), skipped=True)
    from pressfeed.build_output import prepare, published_missing
    from pressfeed.merge import ingest

    with exclusive(config), _undone_if_refused(config, lost), open_store(config.store_path) as store:
        if not new_store:
            lost = guard.check_store(store, config, lost)
        spans = _spans(store, config, full)
        waiting = embargo.is_due(store, today) or (include_future and store.first_held_day() is not None)
        if not spans and is_published(store, config, parts) and not _pings_pending(store) and not waiting:
            return BuildReport(feeds=(), accepted=0, problems=(), skipped=True)
        reading = _Reading(config, list(spans), progress, spans)
        whole = len(spans) == len(config.inputs) and all(span.whole for span in spans.values())

        def merge_and_stage() -> tuple[IngestReport, Prepared]:
            records: Iterable[CleanRecord] = reading.records()
            if not include_future:
                records = embargo.hold_future(store, records, today)
            records = embargo.with_released(store, records, dt.date.max if include_future else today)
            report = ingest(store, records, config, now, complete=whole)
            if strict and reading.problems:
                raise RejectedRecords(reading.problems)
            if whole and not reading.accepted:
                raise NothingAccepted(config, [*reading.problems, *reading.held])
            _remember(store, spans, reading)
            guard.remember_site(store, config)
            rendering = None if progress is None else functools.partial(progress, None)
            # Reading whole plans whole only when a published file is gone: otherwise what the
            # records changed is planned as on any build.
            checked = full and published_missing(store, config, parts)
            prepared = prepare(store, config, formats, full=checked, progress=rendering)
            if lost is not None and prepared.replaces_published():
                prepared.discard()
                raise guard.refusal(config, lost)
            return report, prepared

        report, prepared = _committed(store, merge_and_stage)
        published = prepared.finish(store)
        _announce(store, config, published.feeds)
        held = tuple(store.held())
    return BuildReport(
        feeds=tuple(published.feeds),
        site_files=published.site_files,
        site_written=published.site_written,
        archive_pages=published.archive_pages,
        accepted=reading.accepted,
        problems=tuple(reading.problems) + tuple(report.problems),
        added=report.added,
        updated=report.updated,
        withdrawn=tuple(report.withdrawn),
        corrected=tuple(report.corrected),
        cut_off=tuple(report.cut_off),
        stale=published.stale,
        removed=published.removed,
        held=held,
    )


T = TypeVar("T")


@contextmanager
def _undone_if_refused(config: Config, lost: guard.Lost | None) -> Iterator[None]:
    """A build refused for a lost store leaves the store file as it found it."""
    try:
        yield
    except StoreError:
        if lost is not None:
            lost.undo(config.store_path)
        raise


def _committed(store: Store, work: Callable[[], tuple[T, Prepared]]) -> tuple[T, Prepared]:
    """Run `work` (which stages a publish) in one transaction and commit it; if anything
    fails, the commit included, the staged files are removed and the folder stays as it was."""
    prepared: Prepared | None = None
    try:
        with store.transaction():
            result, prepared = work()
    except BaseException:
        if prepared is not None:
            prepared.discard()
        raise
    return result, prepared


def _announce(store: Store, config: Config, feeds: Sequence[FeedResult]) -> None:
    """WebSub pings for the subscription feeds this build changed (and any left pending)."""
    if not config.hubs:
        return
    from pressfeed import websub

    changed = [feed.spec.url for feed in feeds if feed.written and not feed.spec.archive]
    if changed or websub.pending(store):
        with store.transaction():
            websub.announce(store, config.hubs, changed)


def publish_output(
    config: Config,
    *,
    to: str | None = None,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    verify: bool = False,
    on_upload: Callable[[str], None] | None = None,
) -> PublishReport:
    """Upload what changed in the output folder to `to` (default: the config's publish.to)."""
    from pressfeed.errors import PublishError
    from pressfeed.upload import publish_folder

    destination = to or config.publish_to
    if destination is None:
        raise PublishError("no destination: give --to URL or set publish.to in the config")
    with exclusive(config), open_store(config.store_path) as store:
        return publish_folder(
            store,
            config.output_dir,
            destination,
            endpoint_url=endpoint_url or config.endpoint_url,
            base_url=config.base_url,
            delete=config.publish_delete,
            dry_run=dry_run,
            verify=verify,
            limits=config.upload_limits,
            on_upload=on_upload,
        )


def backup_store(config: Config, target: Path) -> int:
    """A consistent copy of the store into `target`, while builds may run; its article count."""
    from pressfeed.store import backup

    return backup(config.store_path, target)


def recover_store(config: Config, source: str | None = None) -> Recovered:
    """Fill a missing or empty store from the published feeds: the output folder, or `source`
    (another folder, or the site's public URL). The next build then rewrites no file."""
    from pressfeed.recover import recover, source_fetcher

    with exclusive(config), open_store(config.store_path) as store, store.transaction():
        return recover(store, config, source_fetcher(config, source))


def withdraw_article(config: Config, reference: str, *, restore: bool = False) -> StoredArticle:
    """Withdraw one article from every feed and page (or restore it); the next build publishes."""
    from pressfeed.articles import withdraw

    with exclusive(config), open_store(config.store_path) as store, store.transaction():
        return withdraw(store, config, reference, restore=restore)


def _pings_pending(store: Store) -> bool:
    return store.get_meta("websub:pending", "[]") != "[]"


def _today(config: Config, now: dt.datetime) -> dt.date:
    """The build's day in the publisher's timezone (embargoed records wait for theirs)."""
    import zoneinfo

    return now.astimezone(zoneinfo.ZoneInfo(config.timezone)).date()


def nothing_new(config: Config, parts: Iterable[str] = PARTS, today: dt.date | None = None) -> bool:
    """The cheap check a cron rerun makes before taking the lock: no input changed since the
    last publish of these parts, which saw the store as it is, and no held record is due.
    (A run busy meanwhile publishes its own work.)"""
    if not config.store_path.is_file() or config.store_path.stat().st_size == 0:
        return False
    with open_store(config.store_path) as store:
        unchanged = all(
            sources.plan(path, store.input_snapshot(_input_key(path))) is None for path in config.inputs
        )
        due = embargo.is_due(store, today or _today(config, clock()))
        return unchanged and not due and is_published(store, config, parts) and not _pings_pending(store)


def _spans(store: Store, config: Config, full: bool) -> dict[Path, Span]:
    """What to read of each input: only those that changed, only their new part where possible.

    With `store.authoritative`, any change means reading every input whole: what is missing
    can only be told from all of them.
    """
    spans = {}
    for path in config.inputs:
        span = sources.plan(path, store.input_snapshot(_input_key(path)), full=full)
        if span is not None:
            spans[path] = span
    if config.authoritative and spans:
        return {path: Span() for path in config.inputs}
    return spans


def _remember(store: Store, spans: Mapping[Path, Span], reading: _Reading) -> None:
    """Keep what was read of each input, as read (not as it may be by now)."""
    for path, span in spans.items():
        if path not in reading.seen:
            continue  # not read to the end: the next build reads it again
        seen, last_line, held = reading.seen[path]
        key = _input_key(path)
        lines = sources.lines_after(span, store.input_snapshot(key), last_line)
        store.set_input_snapshot(key, seen.snapshot(lines, held=held))


def _input_key(path: Path) -> str:
    return str(path.resolve())


def rebuild(config: Config) -> BuildReport:
    """Render every document from the store, whatever was rendered before (no input is read)."""
    from pressfeed.build_output import prepare
    from pressfeed.types import BuildReport

    def forget_and_stage() -> tuple[None, Prepared]:
        store.forget_rendered(output_key(config))
        return None, prepare(store, config, full=True)

    with exclusive(config), open_store(config.store_path) as store:
        guard.check_store(store, config, None)
        _, prepared = _committed(store, forget_and_stage)
        published = prepared.finish(store)
        _announce(store, config, published.feeds)
    return BuildReport(
        feeds=tuple(published.feeds),
        accepted=0,
        problems=(),
        site_files=published.site_files,
        site_written=published.site_written,
        archive_pages=published.archive_pages,
    )
