"""The sample's feeds byte for byte, against reviewed golden files.

After a deliberate change to the output: `python tests/regenerate_golden.py`, review
`git diff tests/golden`, then rebuild `feeds/` with `pressfeed build`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import REPO
from pressfeed.config import load_config
from pressfeed.pipeline import build

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_FILES = sorted(
    p.name for pattern in ("*.xml", "*.json", "*.opml", "*.html") for p in GOLDEN.glob(pattern)
)


def test_there_is_a_golden_file_per_sample_feed() -> None:
    # 4 feeds x (Atom, RSS, JSON Feed), the OPML, the front page, the sitemap index and the news sitemap
    assert len(GOLDEN_FILES) == 16


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds")
    store = tmp_path_factory.mktemp("store") / "pressfeed.db"
    config = dataclasses.replace(load_config(REPO / "config.yaml"), output_dir=out, store_path=store)
    build(config)
    return out


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_the_sample_builds_exactly_the_golden_feed(fresh: Path, name: str) -> None:
    assert (fresh / name).read_bytes() == (GOLDEN / name).read_bytes()


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_the_committed_feeds_folder_is_up_to_date(name: str) -> None:
    assert (REPO / "feeds" / name).read_bytes() == (GOLDEN / name).read_bytes()


def test_the_committed_feeds_folder_is_exactly_a_fresh_build(fresh: Path) -> None:
    """Every file: pages, .gz copies and host files too (README command 1 must change no byte)."""

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    committed = files(REPO / "feeds")
    committed.pop(".pressfeed-publishing", None)
    assert committed == files(fresh)
