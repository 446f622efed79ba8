"""The `pressfeed` command: thin click wrappers over the library.

Exit codes: 0 ok, 1 bad input, config or output (one line per fault on stderr), 2 usage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pressfeed import __version__
from pressfeed.errors import PressfeedError

if TYPE_CHECKING:
    from pressfeed.config import Config
    from pressfeed.types import Problem

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
    """Turn press-release text dumps into Atom and RSS feeds."""


@main.command()
@config_option
@input_option
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="The output folder instead of the config's output.dir.",
)
@click.option("--strict", is_flag=True, help="Any rejected record fails the build; nothing is written.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and errors.")
@_user_errors
def build(
    config_path: Path, inputs: tuple[Path, ...], output: Path | None, strict: bool, quiet: bool
) -> None:
    """Build every feed and write the ones whose bytes changed."""
    from pressfeed.pipeline import build as run_build

    report = run_build(_load(config_path, inputs, output), strict=strict)
    _report_problems(report.problems)
    if quiet:
        return
    for feed in report.feeds:
        state = "written" if feed.written else "unchanged"
        click.echo(f"{feed.path}  {feed.entries} entries  {state}")
    written = sum(feed.written for feed in report.feeds)
    click.echo(
        f"{report.accepted} articles accepted, {len(report.problems)} rejected; "
        f"{written} of {len(report.feeds)} feeds written"
    )


@main.command()
@config_option
@input_option
@_user_errors
def check(config_path: Path, inputs: tuple[Path, ...]) -> None:
    """Validate the config and the input without writing; exit 1 if any record is rejected."""
    from pressfeed.pipeline import read_articles

    accepted = read_articles(_load(config_path, inputs))
    _report_problems(accepted.problems)
    click.echo(f"{len(accepted.articles)} articles accepted, {len(accepted.problems)} rejected")
    if accepted.problems or not accepted.articles:
        raise SystemExit(1)
