"""The pipeline: read dumps → normalize → plan feeds → render → verify → write if changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pressfeed.config import Config
from pressfeed.errors import InputError, OutputError
from pressfeed.normalize import group_by_category, normalize
from pressfeed.output import target_path, write_if_changed
from pressfeed.parse import parse_file
from pressfeed.render import render
from pressfeed.types import (
    Article,
    BuildReport,
    Category,
    FeedFormat,
    FeedResult,
    FeedSpec,
    Problem,
    RawRecord,
)


class RejectedRecords(InputError):
    """Raised with --strict when any record was rejected; carries every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} record(s) rejected; nothing written (--strict)")


@dataclass(frozen=True)
class Accepted:
    """What the inputs yield: the articles to publish and every problem met on the way."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]


def read_articles(config: Config) -> Accepted:
    """Parse and normalize every input of the config, in order."""
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for path in config.inputs:
        for item in parse_file(path):
            if isinstance(item, RawRecord):
                records.append(item)
            else:
                problems.append(item)
    articles, more = normalize(records, config, reserved_slugs(config))
    return Accepted(tuple(articles), tuple(problems + more))


def reserved_slugs(config: Config) -> set[str]:
    """Slugs whose category feed would land on an overall feed's file name."""
    reserved = set()
    for overall in config.overall_templates.values():
        for template in config.category_templates.values():
            prefix, _, suffix = template.partition("{slug}")
            middle = overall[len(prefix) : len(overall) - len(suffix)]
            if overall.startswith(prefix) and overall.endswith(suffix) and middle:
                reserved.add(middle)
    return reserved


def plan(config: Config, articles: Iterable[Article]) -> list[tuple[FeedSpec, list[Article]]]:
    """Every feed to produce with its entries: newest first, ties broken by id, capped."""
    ordered = sorted(articles, key=lambda a: a.id)
    ordered.sort(key=lambda a: a.published, reverse=True)
    groups = group_by_category(ordered)
    feeds = [_feed(config, fmt, None, ordered) for fmt in FeedFormat]
    for category in sorted(groups, key=lambda c: c.slug):
        feeds += [_feed(config, fmt, category, groups[category]) for fmt in FeedFormat]
    return feeds


def _feed(
    config: Config, fmt: FeedFormat, category: Category | None, articles: list[Article]
) -> tuple[FeedSpec, list[Article]]:
    if category is None:
        relpath, title = config.overall_templates[fmt], config.title
    else:
        relpath = config.category_templates[fmt].format(slug=category.slug)
        title = f"{config.title} — {category.name}"
    spec = FeedSpec(fmt, relpath, f"{config.base_url}/{relpath}", title, category)
    return spec, articles[: config.max_entries]


def build(config: Config, *, strict: bool = False) -> BuildReport:
    """Build every feed of the config; nothing is written unless every feed renders and checks out."""
    accepted = read_articles(config)
    if strict and accepted.problems:
        raise RejectedRecords(accepted.problems)
    if not accepted.articles:
        inputs = ", ".join(str(p) for p in config.inputs)
        raise OutputError(
            f"no article accepted from {inputs}; the feeds in {config.output_dir} were left as they were"
        )
    rendered = _render_all(config, plan(config, accepted.articles))
    results = []
    for spec, data, count in rendered:
        written = write_if_changed(config.output_dir, spec.relpath, data)
        results.append(FeedResult(spec, config.output_dir / spec.relpath, count, written))
    return BuildReport(tuple(results), len(accepted.articles), accepted.problems)


def _render_all(
    config: Config, feeds: list[tuple[FeedSpec, list[Article]]]
) -> list[tuple[FeedSpec, bytes, int]]:
    from pressfeed.verify import verify

    rendered = []
    faults: list[str] = []
    seen: set[Path] = set()
    for spec, articles in feeds:
        path = target_path(config.output_dir, spec.relpath)
        if path in seen:
            raise OutputError(f"{path}: two feeds would be written to the same file")
        seen.add(path)
        data = render(spec, articles, config)
        faults += verify(spec, data, articles)
        rendered.append((spec, data, len(articles)))
    if faults:
        raise OutputError("; ".join(faults) + "; nothing was written")
    return rendered
