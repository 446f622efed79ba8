"""Site pages rendered by worker processes publish the same bytes as pages rendered here, and
fail as safely."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import site
from pressfeed import site_workers
from pressfeed.apart import can_fork
from pressfeed.config import Config, load_config
from pressfeed.errors import OutputError
from pressfeed.pipeline import build

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked: Linux, single-threaded")


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def small_site(folder: Path) -> Config:
    return load_config(site(folder, 120, max_entries=10, archive_page_size=20))


@pytest.fixture(scope="module")
def rendered_here(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What a build renders in this process alone."""
    config = small_site(tmp_path_factory.mktemp("here"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(site_workers, "PAGES_APART", 10**9)
        build(config, now=NOW)
    return digests(config.output_dir)


def with_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers for any number of pages, a chunk of a few articles each; the pools started."""
    started: list[int] = []
    start = site_workers._start

    def counted(*args: Any) -> Any:
        started.append(1)
        return start(*args)

    monkeypatch.setattr(site_workers, "PAGES_APART", 0)
    monkeypatch.setattr(site_workers, "CHUNK", 7)
    monkeypatch.setattr(site_workers, "_start", counted)
    return started


def test_pages_rendered_by_workers_are_the_bytes_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered_here: dict[str, str]
) -> None:
    started = with_workers(monkeypatch)
    config = small_site(tmp_path)
    build(config, now=NOW)
    assert started == [1]
    assert digests(config.output_dir) == rendered_here
    assert not list(config.output_dir.rglob("*.tmp"))


RENDER_CHUNK = site_workers._render_chunk


def dies_on_an_article(chunk: list[Any], rows: list[tuple[Any, ...]]) -> Any:
    """A worker's job that kills its worker when it meets article No. 60."""
    if any("(No. 60)" in str(row) for row in rows):
        os._exit(9)
    return RENDER_CHUNK(chunk, rows)


def test_a_worker_that_dies_has_its_pages_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered_here: dict[str, str]
) -> None:
    with_workers(monkeypatch)
    monkeypatch.setattr(site_workers, "_render_chunk", dies_on_an_article)
    config = small_site(tmp_path)
    build(config, now=NOW)
    # What the dead worker staged is litter, swept by the next build; the rest is as rendered here.
    assert {k: v for k, v in digests(config.output_dir).items() if not k.endswith(".tmp")} == rendered_here


def test_a_template_error_in_a_worker_is_named_and_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_workers(monkeypatch)
    path = site(tmp_path, 120, max_entries=10, archive_page_size=20)
    data = yaml.safe_load(path.read_text("utf-8"))
    data["site"]["templates"] = "my-templates"
    path.write_text(yaml.safe_dump(data), "utf-8")
    (tmp_path / "my-templates").mkdir()
    config = load_config(path)
    build(config, now=NOW)
    before = digests(config.output_dir)
    broken = "<p>{{ article.title }}</p>\n<p>{{ nosuch.title }}</p>\n"
    (tmp_path / "my-templates" / "article.html").write_text(broken, "utf-8")
    with pytest.raises(OutputError, match=r"article\.html:2: 'nosuch' is undefined; nothing was written$"):
        build(config, now=NOW)
    assert digests(config.output_dir) == before
