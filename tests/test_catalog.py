"""Incremental planning: a build after new articles plans, from a few queries, exactly the
documents and pages the new articles changed, with the fingerprints a plan from every row gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WriteConfig, record
from pressfeed import catalog
from pressfeed.config import Config, load_config
from pressfeed.history import plan
from pressfeed.merge import ingest
from pressfeed.normalize import clean
from pressfeed.parse import parse_file
from pressfeed.site import Site
from pressfeed.state import part_settings
from pressfeed.store import Store, open_store
from pressfeed.types import FeedFormat, RawRecord

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
CATEGORIES = ("Industry", "Trade/Investment", "Energy")


def dump(specs: list[tuple[int, int]], first: int, corrected: frozenset[int] = frozenset()) -> str:
    """Records numbered from `first`: (category index, day of September) each, newest first;
    the bodies of those numbered in `corrected` say so."""
    lines = []
    for number, (category, day) in enumerate(specs, start=first):
        body = f"Story {number} about {CATEGORIES[category].lower()} told in its own words."
        if number in corrected:
            body = body.replace("told in", "corrected, told in")
        lines.append(record(CATEGORIES[category], f"Release {number}", body, f"2025-09-{day:02d}"))
    return "".join(lines)


def feed(store: Store, config: Config, text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")
    raw = [r for r in parse_file(path, path.name) if isinstance(r, RawRecord)]
    records, problems = clean(raw, config)
    assert not problems
    with store.transaction():
        ingest(store, records, config, NOW, complete=True)


def documents(config: Config, scope: catalog.Catalog) -> dict[str, str]:
    """Every planned feed document and site page: relative path → fingerprint."""
    planned = {d.spec.relpath: d.fingerprint for d in plan(config, scope)}
    pages = Site(config, scope).plan(part_settings(config, "html"))
    return planned | {p.relpath: p.fingerprint for p in pages}


def whole(store: Store, config: Config) -> dict[str, str]:
    return documents(config, catalog.whole(config, store.all_metas()))


articles = st.lists(st.tuples(st.integers(0, 2), st.integers(1, 28)), min_size=1, max_size=25)


@settings(
    # 60 in every run, more with HYPOTHESIS_PROFILE=long.
    max_examples=max(60, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    old=articles,
    new=articles,
    max_entries=st.integers(1, 6),
    page_size=st.integers(1, 5),
    listing_size=st.integers(1, 5),
    corrected=st.frozensets(st.integers(1, 25), max_size=3),
)
def test_planning_since_a_generation_gives_exactly_what_changed(
    write_config: WriteConfig,
    tmp_path: Path,
    old: list[tuple[int, int]],
    new: list[tuple[int, int]],
    max_entries: int,
    page_size: int,
    listing_size: int,
    corrected: frozenset[int],
) -> None:
    """New articles on top, and maybe corrections to old ones anywhere in the archive."""
    config = load_config(
        write_config(
            limits__max_entries=max_entries, limits__archive_page_size=page_size, site__page_size=listing_size
        )
    )
    store_path = tmp_path / f"store-{max_entries}-{page_size}-{listing_size}-{len(old)}-{len(new)}.db"
    store_path.unlink(missing_ok=True)
    with open_store(store_path) as store:
        feed(store, config, dump(old, first=1), tmp_path / "old.txt")
        generation = store.generation
        before = whole(store, config)
        # The new dump holds newer releases on top of the old ones, as an export grows.
        grown = dump(new, first=len(old) + 1) + dump(old, first=1, corrected=corrected)
        feed(store, config, grown, tmp_path / "new.txt")
        after = whole(store, config)
        since = catalog.since(store, config, generation)
        if {c for c, _ in new} - {c for c, _ in old}:
            assert since is None  # a category first seen: every slug may move
            return
        assert since is not None and not since.complete
        incremental = documents(config, since)
    # What it plans is planned alike from every row...
    assert {relpath: after[relpath] for relpath in incremental} == incremental
    # ...and holds every document or page whose content changed.
    changed = {relpath for relpath, fingerprint in after.items() if before.get(relpath) != fingerprint}
    assert changed <= set(incremental)


def test_new_categories_and_withdrawals_plan_from_every_row(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    config = load_config(write_config(store__authoritative=True))
    with open_store(tmp_path / "store.db") as store:
        feed(store, config, dump([(0, 1), (1, 2), (2, 3)], first=1), tmp_path / "a.txt")
        generation = store.generation
        feed(
            store,
            config,
            dump([(0, 4)], first=4) + dump([(0, 1), (1, 2), (2, 3)], first=1),
            tmp_path / "b.txt",
        )
        assert catalog.since(store, config, generation) is not None  # only new articles
        generation = store.generation
        corrected = dump([(0, 1), (1, 2), (2, 3)], first=1).replace(
            "Story 2 about", "Story 2, corrected, about"
        )
        feed(store, config, dump([(0, 4)], first=4) + corrected, tmp_path / "c.txt")
        since = catalog.since(store, config, generation)  # a correction: its article's pages
        assert since is not None and [m.title_key for m in since.articles] == ["release 2"]
        generation = store.generation
        moved = corrected.replace("Trade/Investment\nRelease 2", "Energy\nRelease 2")
        feed(store, config, dump([(0, 4)], first=4) + moved, tmp_path / "m.txt")
        assert catalog.since(store, config, generation) is None  # moved to another category
        generation = store.generation
        feed(store, config, dump([(0, 4)], first=4), tmp_path / "d.txt")  # three withdrawn
        assert catalog.since(store, config, generation) is None


def test_planning_some_formats_plans_them_as_planning_every_format_does(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A `--formats` build records the fingerprints a full build would: the next full build
    finds those documents done."""
    config = load_config(write_config(limits__max_entries=2, limits__archive_page_size=2))
    with open_store(tmp_path / "store.db") as store:
        feed(store, config, dump([(0, 1), (1, 2), (0, 3), (2, 4), (0, 5)], first=1), tmp_path / "a.txt")
        scope = catalog.whole(config, store.all_metas())
    every = plan(config, scope)
    for formats in ([FeedFormat.ATOM], [FeedFormat.RSS, FeedFormat.JSON]):
        some = plan(config, scope, iter(formats))  # any iterable
        assert {d.spec.format for d in some} == set(formats)
        assert some == [d for d in every if d.spec.format in formats]
