"""The `pressfeed` command: thin click wrappers over the library.

Exit codes: 0 ok; 1 nothing published: bad input, config, output or store (one line per fault
on stderr); 2 usage; 3 (`build`) published, but some records were rejected (listed on stderr).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import zoneinfo
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pressfeed import __version__
from pressfeed.errors import PressfeedError

if TYPE_CHECKING:
    from pressfeed.config import Config
    from pressfeed.types import BuildReport, Problem

F = TypeVar("F", bound=Callable[..., Any])

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config.yaml"),
    show_default=True,
    help="The config file; relative paths in it are relative to its folder.",
)
input_option = click.option(
    "--input",
    "inputs",
    type=click.Path(path_type=Path),
    multiple=True,
    help="A dump file to read instead of the config's inputs (repeatable).",
)


def _user_errors(command: F) -> F:
    """Turn pressfeed's own errors into one line per fault on stderr and exit code 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PressfeedError as exc:
            for problem in getattr(exc, "problems", ()):
                click.echo(str(problem), err=True)
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


def _load(config_path: Path, inputs: Iterable[Path], output: Path | None = None) -> Config:
    from pressfeed.config import load_config

    config = load_config(config_path)
    overrides: dict[str, Any] = {}
    if inputs:
        overrides["inputs"] = tuple(inputs)
    if output is not None:
        overrides["output_dir"] = output
    return dataclasses.replace(config, **overrides)


def _report_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pressfeed")
def main() -> None:
    """Turn a press office's text dump into feeds and a site: Atom 1.0, RSS 2.0 and JSON Feed,
    overall and per category, with RFC 5005 archives, a page per article, front and category
    pages, and an OPML list of every feed; then upload them (S3, SFTP, a folder).

    Start with: pressfeed init DIR --title ... --base-url ...; the manual is in docs/."""


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--title", prompt="Site title", help="The feeds' title, e.g. 'Ministry of X Press Releases'.")
@click.option("--base-url", prompt="Public URL of the site", help="Where the output folder is published.")
@click.option(
    "--timezone", default="UTC", show_default=True, help="The publisher's IANA zone, e.g. Asia/Seoul."
)
@click.option("--language", default="en", show_default=True, help="A language tag, e.g. en, ko-KR.")
@click.option("--author", default="", help="The publisher's name (default: the title).")
@_user_errors
def init(folder: Path, title: str, base_url: str, timezone: str, language: str, author: str) -> None:
    """Start a new site in FOLDER: a commented config.yaml, an input/ folder, a .gitignore.

    Example: pressfeed init news --title "Press" --base-url https://example.org/news --timezone Asia/Seoul"""
    from pressfeed.newsite import create

    for path in create(
        folder, title=title, base_url=base_url, timezone=timezone, language=language, author=author
    ):
        click.echo(f"wrote {path}")
    click.echo(
        f"next: put your dump in {folder / 'input' / 'releases.txt'}, then run: "
        f"pressfeed build --config {folder / 'config.yaml'}"
    )


output_option = click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="The output folder instead of the config's output.dir.",
)


@main.command()
@config_option
@input_option
@output_option
@click.option("--strict", is_flag=True, help="Any rejected record fails the build; nothing is written.")
@click.option("--full", is_flag=True, help="Read every input whole, not only what is new in it.")
@click.option(
    "--formats", metavar="LIST", help="Only these formats, comma-separated (atom,rss); default: all."
)
@click.option("--publish", "publish_after", is_flag=True, help="Then upload what changed (see publish).")
@click.option(
    "--include-future", is_flag=True, help="Publish records dated after today now (they wait by default)."
)
@click.option(
    "--new-store",
    is_flag=True,
    help="Start a new store although the output folder holds published feeds (see recover).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and errors.")
@_user_errors
def build(
    config_path: Path,
    inputs: tuple[Path, ...],
    output: Path | None,
    strict: bool,
    full: bool,
    formats: str | None,
    publish_after: bool,
    include_future: bool,
    new_store: bool,
    quiet: bool,
) -> None:
    """Merge what is new in the input into the store and write the feeds whose content changed.

    Exit codes: 0 done; 3 published, but some records were rejected; 1 nothing published.

    Example, from cron: pressfeed build -q --publish"""
    from pressfeed.formats import PARTS
    from pressfeed.pipeline import build as run_build
    from pressfeed.pipeline import clock, nothing_new

    chosen = _formats(formats)
    config = _load(config_path, inputs, output)
    # The cron fast path, kept lean (nothing_new never takes a 0-byte or missing store as news).
    if not (full or publish_after or new_store or include_future) and nothing_new(config, chosen or PARTS):
        if not quiet:
            click.echo(NOTHING_NEW)
        return
    report = run_build(
        config,
        strict=strict,
        now=clock(),
        full=full,
        formats=chosen,
        new_store=new_store,
        include_future=include_future,
        progress=None if quiet else _progress,
    )
    _report_problems(report.problems)
    if not quiet:
        _print_report(report)
    if publish_after:
        _publish(config, None, None, dry_run=False)
    if report.problems:
        raise SystemExit(PUBLISHED_WITH_REJECTIONS)


@main.command()
@config_option
@output_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and errors.")
@_user_errors
def rebuild(config_path: Path, output: Path | None, quiet: bool) -> None:
    """Render every feed, archive page and site page from the store again (reads no input);
    only files whose bytes differ are written.

    Example, after editing a template: pressfeed rebuild"""
    from pressfeed.pipeline import rebuild as run_rebuild

    report = run_rebuild(_load(config_path, (), output))
    if not quiet:
        _print_report(report)


@main.command()
@config_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_user_errors
def backup(config_path: Path, file: Path) -> None:
    """Copy the store into FILE, consistent as of one moment, while builds may run.

    Example, in cron before the build: pressfeed backup backups/pressfeed-$(date +%a).db"""
    from pressfeed.pipeline import backup_store

    count = backup_store(_load(config_path, ()), file)
    click.echo(f"{file}: {count} articles backed up")


@main.command()
@config_option
@click.option(
    "--from",
    "source",
    metavar="DIR_OR_URL",
    help="Where the feeds are published: a folder, or the site's URL; default: the output folder.",
)
@_user_errors
def recover(config_path: Path, source: str | None) -> None:
    """Rebuild a lost store from the published feeds' archives (same ids, same times).

    Example: pressfeed recover --from https://example.org/motie"""
    from pressfeed.pipeline import recover_store

    config = _load(config_path, ())
    report = recover_store(config, source)
    click.echo(
        f"{config.store_path}: {report.articles} articles recovered from {report.documents} feed documents "
        f"({len(report.categories)} categories); the next build reads the inputs whole"
    )


@main.command("import")
@config_option
@click.argument("dumps", nargs=-1, required=True, type=click.Path(path_type=Path))
@_user_errors
def import_(config_path: Path, dumps: tuple[Path, ...]) -> None:
    """Merge DUMPS into the store, in order, without writing any feed (to load history; the
    next build publishes).

    Example: pressfeed import archive-2019.txt archive-2020.txt && pressfeed build"""
    from pressfeed.pipeline import clock, import_dumps

    config = _load(config_path, ())
    report = import_dumps(config, dumps, now=clock(), progress=_progress)
    _report_problems(report.problems)
    for article in report.withdrawn:
        click.echo(f"withdrawn: {article.id}  {article.title}")
    click.echo(
        f"{report.added} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.withdrawn)} withdrawn, {len(report.problems)} rejected"
    )


def _progress(path: Path | None, done: int, total: int) -> None:
    """Progress of a large dump (path), or of rendering (None), on stderr when it is a terminal."""
    large = total >= 8 << 20 if path is not None else total >= RENDERING_SHOWN
    if large and _is_terminal() and done * 100 // total != (done - 1) * 100 // total:
        what = path if path is not None else "rendering"
        click.echo(f"\r{what}: {done * 100 // total}%", err=True, nl=done >= total)


def _is_terminal() -> bool:
    return sys.stderr.isatty()


#: From this many files to render on, `build` shows its progress on a terminal.
RENDERING_SHOWN = 500


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@config_option
@input_option
@_user_errors
def check(folder: Path | None, config_path: Path, inputs: tuple[Path, ...]) -> None:
    """Check FOLDER's feeds offline (Atom, RSS, RFC 5005 and link rules), or, without FOLDER,
    the config and the input; nothing is written. Exit 1 on any error.

    Example: pressfeed check feeds/"""
    if folder is not None:
        _check_folder(folder)
        return
    from pressfeed.pipeline import read_records

    accepted = read_records(_load(config_path, inputs))
    _report_problems(accepted.problems)
    click.echo(f"{len(accepted.records)} articles accepted, {len(accepted.problems)} rejected")
    if accepted.problems or not accepted.records:
        raise SystemExit(1)


def _check_folder(folder: Path) -> None:
    from pressfeed.conformance import check_folder, feed_files

    findings = check_folder(folder)
    for finding in findings:
        click.echo(f"{folder / finding.path}: {finding.severity}: {finding.message}", err=True)
    errors = sum(f.severity == "error" for f in findings)
    click.echo(
        f"{len(feed_files(folder))} feed files checked: {errors} errors, {len(findings) - errors} warnings"
    )
    if errors:
        raise SystemExit(1)


@main.command()
@config_option
@output_option
@click.option(
    "--to", "to", metavar="URL", help="Destination (s3://bucket/prefix, file:///path); default: publish.to."
)
@click.option(
    "--endpoint-url", metavar="URL", help="S3 API endpoint for R2, MinIO, B2; default: publish.endpoint_url."
)
@click.option("--dry-run", is_flag=True, help="Say what would be uploaded; upload nothing.")
@click.option(
    "--verify", is_flag=True, help="List the whole destination; upload whatever is missing or different."
)
@_user_errors
def publish(
    config_path: Path,
    output: Path | None,
    to: str | None,
    endpoint_url: str | None,
    dry_run: bool,
    verify: bool,
) -> None:
    """Upload what changed in the output folder (S3, SFTP, a folder), in a safe order.

    Example: pressfeed publish --to sftp://www@press.example.org/srv/www/news --verify"""
    _publish(_load(config_path, (), output), to, endpoint_url, dry_run, verify=verify)


def _publish(
    config: Config, to: str | None, endpoint_url: str | None, dry_run: bool, *, verify: bool = False
) -> None:
    from pressfeed.pipeline import publish_output

    report = publish_output(config, to=to, endpoint_url=endpoint_url, dry_run=dry_run, verify=verify)
    verb = "would upload" if report.dry_run else "uploaded"
    for key in report.uploaded:
        click.echo(f"{verb}: {report.destination}/{key}")
    for key in report.deleted:
        click.echo(f"{'would delete' if report.dry_run else 'deleted'}: {report.destination}/{key}")
    if report.missing:
        click.echo(
            f"{report.destination}: {len(report.missing)} objects uploaded before were missing or different "
            f"there (first: {report.missing[0]})"
        )
    checked = "; the whole destination was checked" if report.verified else ""
    click.echo(
        f"{report.destination}: {len(report.uploaded)} {verb}, {report.unchanged} unchanged, "
        f"{len(report.deleted)} deleted{checked}"
    )


@main.command()
@config_option
@output_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port."
)
@click.option("--watch", is_flag=True, help="Rebuild whenever an input changes (checked every 2 s).")
@_user_errors
def serve(config_path: Path, output: Path | None, port: int, watch: bool) -> None:
    """Preview the output folder on http://127.0.0.1 (at / and under the base URL's path).

    Example: pressfeed serve --watch --port 8080"""
    import threading
    from urllib.parse import urlsplit

    from pressfeed.serve import make_server
    from pressfeed.serve import watch as start_watching

    config = _load(config_path, (), output)
    prefix = urlsplit(config.base_url).path.rstrip("/")
    try:
        server = make_server(config.output_dir, prefix, port)
    except OSError as exc:
        raise SystemExit(_fail(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}")) from exc
    address = f"http://127.0.0.1:{server.server_address[1]}"
    click.echo(f"serving {config.output_dir} at {address}/" + (f" and {address}{prefix}/" if prefix else ""))
    stop = threading.Event()
    if watch:
        start_watching(lambda: _rebuild_quietly(config), 2.0, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


def _rebuild_quietly(config: Config) -> None:
    from pressfeed.pipeline import build as run_build
    from pressfeed.pipeline import clock

    try:
        report = run_build(config, now=clock())
    except PressfeedError as exc:
        click.echo(f"error: {exc}", err=True)
        return
    if not report.skipped:
        click.echo(f"rebuilt: {report.added} new, {report.updated} updated")


@main.group()
def articles() -> None:
    """Look at the articles in the store, withdraw or restore one.

    Example: pressfeed articles list --withdrawn"""


@articles.command("list")
@config_option
@click.option("--category", help="Only this category (any spelling the config maps to it).")
@click.option("--withdrawn", is_flag=True, help="Include withdrawn articles.")
@_user_errors
def articles_list(config_path: Path, category: str | None, withdrawn: bool) -> None:
    """One line per article, newest first: published, category, short id, title.

    Example: pressfeed articles list --category Industry --withdrawn"""
    from pressfeed.articles import short_id
    from pressfeed.config import category_key
    from pressfeed.normalize import CategoryResolver
    from pressfeed.store import open_store

    config = _load(config_path, ())
    resolver = CategoryResolver(config)
    wanted = category_key(resolver.canonical(category)) if category else None
    with open_store(config.store_path) as store:
        for article in store.iter_articles(include_withdrawn=withdrawn):
            name = resolver.canonical(article.category)
            if wanted is None or category_key(name) == wanted:
                mark = "  (withdrawn)" if article.withdrawn else ""
                published = _local(article.published, config).isoformat()
                click.echo(f"{published}  {name}  {short_id(article.id)}  {article.title}{mark}")


@articles.command("show")
@config_option
@click.argument("reference", metavar="ID")
@_user_errors
def articles_show(config_path: Path, reference: str) -> None:
    """Every stored field of one article, then its body. ID: the full id, the short id, or
    the start of the title.

    Example: pressfeed articles show 8dbd74c4"""
    from pressfeed.articles import find
    from pressfeed.normalize import CategoryResolver
    from pressfeed.store import open_store

    config = _load(config_path, ())
    with open_store(config.store_path) as store:
        article = find(store, reference)
    fields = {
        "id": article.id,
        "link": article.link,
        "title": article.title,
        "category": CategoryResolver(config).canonical(article.category),
        "day": article.day.isoformat(),
        "published": _local(article.published, config).isoformat(),
        "updated": _local(article.updated, config).isoformat(),
        "truncated": "yes" if article.truncated else "no",
        "withdrawn": "yes" if article.withdrawn else "no",
        "source": article.origin,
    }
    for name, value in fields.items():
        click.echo(f"{name + ':':<11}{value}")
    click.echo()
    click.echo(article.body)


@articles.command("withdraw")
@config_option
@click.argument("reference", metavar="ID")
@_user_errors
def articles_withdraw(config_path: Path, reference: str) -> None:
    """Take one article out of every feed, page and archive page (the next build publishes
    it); its id is never reused, and no dump brings it back. ID: the full id, the short id, or
    the start of the title.

    Example: pressfeed articles withdraw 8dbd74c4 && pressfeed build"""
    _withdraw(config_path, reference, restore=False)


@articles.command("restore")
@config_option
@click.argument("reference", metavar="ID")
@_user_errors
def articles_restore(config_path: Path, reference: str) -> None:
    """Put a withdrawn article back where it was (the next build publishes it).

    Example: pressfeed articles restore 8dbd74c4 && pressfeed build"""
    _withdraw(config_path, reference, restore=True)


def _withdraw(config_path: Path, reference: str, *, restore: bool) -> None:
    from pressfeed.articles import short_id
    from pressfeed.pipeline import withdraw_article

    article = withdraw_article(_load(config_path, ()), reference, restore=restore)
    verb = "restored" if restore else "withdrawn"
    click.echo(f"{verb}: {short_id(article.id)}  {article.title}; the next build publishes it")


def _formats(value: str | None) -> frozenset[str] | None:
    from pressfeed.formats import PARTS

    if value is None:
        return None
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = sorted(names - set(PARTS))
    if unknown or not names:
        message = f"unknown format(s) {', '.join(unknown) or '(none)'}; use {', '.join(PARTS)}"
        raise click.BadParameter(message, param_hint="'--formats'")
    return frozenset(names)


def _fail(message: str) -> int:
    click.echo(f"error: {message}", err=True)
    return 1


def _local(when: dt.datetime, config: Config) -> dt.datetime:
    return when.astimezone(zoneinfo.ZoneInfo(config.timezone))


NOTHING_NEW = "nothing changed since the last build; no file written"
#: `build`'s exit code when it published, but some records were rejected (listed on stderr).
PUBLISHED_WITH_REJECTIONS = 3


def _print_report(report: BuildReport) -> None:
    if report.skipped:
        click.echo(NOTHING_NEW)
        return
    subscriptions = [feed for feed in report.feeds if not feed.spec.archive]
    for feed in subscriptions:
        state = "written" if feed.written else "unchanged"
        click.echo(f"{feed.path}  {feed.entries} entries  {state}")
    if report.archive_pages:
        written_pages = sum(feed.written for feed in report.feeds if feed.spec.archive)
        click.echo(
            f"archive pages: {written_pages} written, {report.archive_pages - written_pages} unchanged"
        )
    if report.site_files:
        unchanged = report.site_files - report.site_written
        click.echo(f"site pages: {report.site_written} written, {unchanged} unchanged")
    _print_notices(report)
    written = sum(feed.written for feed in report.feeds) + report.site_written
    counts = f"{report.added} new, {report.updated} updated, {len(report.withdrawn)} withdrawn; "
    accepted = (
        f"{report.accepted} articles accepted, {len(report.problems)} rejected; " if report.accepted else ""
    )
    files = len(subscriptions) + report.archive_pages + report.site_files
    click.echo(f"{accepted}{counts}{written} of {files} files written")


#: Articles named per kind of notice: a first import of a large archive may flag thousands.
NOTICES_SHOWN = 20


def _print_notices(report: BuildReport) -> None:
    """One line per article an editor may want to look at, and per file no longer produced."""
    from pressfeed.articles import short_id

    for label, articles in (
        ("updated", report.corrected),
        ("withdrawn", report.withdrawn),
        ("cut off at the source? check", report.cut_off),
    ):
        for article in articles[:NOTICES_SHOWN]:
            click.echo(f"{label}: {short_id(article.id)}  {article.title}")
        if len(articles) > NOTICES_SHOWN:
            more = len(articles) - NOTICES_SHOWN
            click.echo(f"{label}: and {more} more (pressfeed articles list shows every article)")
    for day, title in report.held:
        click.echo(f"held until {day.isoformat()}: {title}")
    for relpath in report.removed:
        click.echo(f"removed: {relpath} (no longer produced)")
    for relpath in report.stale:
        click.echo(f"no longer produced: {relpath} (kept; output.prune: true removes it)")
