"""Whole builds: deterministic, incremental, and never replacing good feeds with bad ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLE, WriteConfig, record
from pressfeed.apart import can_fork
from pressfeed.config import Config, load_config
from pressfeed.errors import OutputError
from pressfeed.pipeline import NothingAccepted, RejectedRecords, build, import_dumps, rebuild
from pressfeed.store import open_store


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder` (by relative path), with its bytes and mtime."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_sample_builds_its_feeds_and_site(config: Config) -> None:
    report = build(config)
    assert sorted(p.name for p in config.output_dir.glob("*.xml") if "sitemap" not in p.name) + sorted(
        p.name for p in config.output_dir.glob("*.json")
    ) == [
        "all.atom.xml",
        "all.rss.xml",
        "fta-economic-cooperation.atom.xml",
        "fta-economic-cooperation.rss.xml",
        "industry.atom.xml",
        "industry.rss.xml",
        "trade-investment.atom.xml",
        "trade-investment.rss.xml",
        "all.json",
        "fta-economic-cooperation.json",
        "industry.json",
        "trade-investment.json",
    ]
    assert len(list((config.output_dir / "articles").rglob("*.html"))) == 10
    assert (report.site_files, report.site_written) == (25, 25)
    assert report.accepted == 10
    assert report.problems == ()
    assert all(f.written for f in report.feeds)


def test_a_rerun_with_the_same_input_changes_no_byte_and_no_mtime(config: Config) -> None:
    build(config)
    before = snapshot(config.output_dir)
    report = build(config)
    assert not any(f.written for f in report.feeds)
    assert snapshot(config.output_dir) == before


def test_a_new_article_rewrites_only_the_feeds_it_appears_in(config: Config, tmp_path: Path) -> None:
    build(config)
    before = snapshot(config.output_dir)
    grown = tmp_path / "grown.txt"
    new = record("FTA/Economic Cooperation", "A new agreement", "Signed today.", day="2025-10-01")
    grown.write_text(new + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    report = build(dataclasses.replace(config, inputs=(grown,)))
    written = sorted(f.spec.relpath for f in report.feeds if f.written)
    assert written == [
        "all.atom.xml",
        "all.json",
        "all.rss.xml",
        "fta-economic-cooperation.atom.xml",
        "fta-economic-cooperation.json",
        "fta-economic-cooperation.rss.xml",
    ]
    after = snapshot(config.output_dir)
    changed = sorted(name for name in after if after[name] != before.get(name))
    # Its own page, and that of the release before it in its category, which now links to it.
    pages = [n.removesuffix(".gz") for n in changed if n.startswith("articles/")]
    new_page = next(n for n in pages if n.startswith("articles/2025-10-01/a-new-agreement-"))
    before_it = "articles/2025-09-29/13th-east-asia-summit-eas-economic-ministers-meeting-5fd6bb5c.html"
    assert sorted(set(pages)) == sorted([new_page, before_it])
    assert after["industry.atom.xml"] == before["industry.atom.xml"]
    assert after["categories/industry.html"] == before["categories/industry.html"]


def _build_in_subprocess(config_path: Path, env_changes: dict[str, str]) -> dict[str, bytes]:
    env = {**os.environ, **env_changes}
    code = (
        "import sys; from pressfeed.cli import main; sys.exit(main(['build', '-q', '--config', sys.argv[1]]))"
    )
    subprocess.run([sys.executable, "-c", code, str(config_path)], env=env, check=True)
    return {name: data for name, (data, _) in snapshot(config_path.parent / "feeds").items()}


def test_output_is_identical_in_any_timezone_and_locale(write_config: WriteConfig, tmp_path: Path) -> None:
    first = _build_in_subprocess(write_config(), {"TZ": "Pacific/Kiritimati", "LC_ALL": "C"})
    shutil.rmtree(tmp_path / "feeds")
    second = _build_in_subprocess(write_config(), {"TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8"})
    assert first == second
    assert len([name for name in first if name.endswith((".xml", ".json")) and "sitemap" not in name]) == 12


def test_a_dump_with_no_acceptable_article_leaves_the_feeds_alone(config: Config, tmp_path: Path) -> None:
    build(config)
    before = snapshot(config.output_dir)
    bad = tmp_path / "bad.txt"
    bad.write_text("-\nIndustry\nTitle without a body\n", encoding="utf-8")
    with pytest.raises(
        NothingAccepted, match=r"no article accepted from .*bad\.txt; the feeds in .* were left as they were"
    ):
        build(dataclasses.replace(config, inputs=(bad,)))
    assert snapshot(config.output_dir) == before


def test_strict_mode_refuses_any_rejected_record_and_writes_nothing(config: Config, tmp_path: Path) -> None:
    dump = tmp_path / "mixed.txt"
    dump.write_text("-\nIndustry\nBad\nNo date.\n" + record("Industry", "Good", "Fine."), encoding="utf-8")
    with pytest.raises(RejectedRecords) as caught:
        build(dataclasses.replace(config, inputs=(dump,)), strict=True)
    assert [str(p) for p in caught.value.problems] == [
        f"{dump}:4: no date: the body must end with 'date' and YYYY-MM-DD (e.g. 'date2025-09-29')"
    ]
    assert not config.output_dir.exists()


def refused_with_nothing_written(
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    renderer: str,
    breaking: Callable[[Callable[..., Any]], Callable[..., Any]],
    match: str,
) -> None:
    """Publish, break one renderer of render/fast.py, render every feed again: the build fails
    with `match` and the output folder is byte for byte as before."""
    build(config)
    before = snapshot(config.output_dir)
    import pressfeed.render.fast as fast

    monkeypatch.setattr(fast, renderer, breaking(getattr(fast, renderer)))
    config = dataclasses.replace(config, title="A new title, so every feed is rendered again")
    with pytest.raises(OutputError, match=match):
        build(config)
    assert snapshot(config.output_dir) == before


def test_a_feed_that_fails_its_own_checks_blocks_the_whole_publish(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaking(real_document: Callable[..., bytes]) -> Callable[..., bytes]:
        def broken_for_industry(spec, entries, cfg):  # type: ignore[no-untyped-def]
            data = real_document(spec, entries, cfg)
            return data[:-40] if spec.relpath.startswith("industry") else data

        return broken_for_industry

    match = r"industry\.atom\.xml: not well-formed XML.*nothing was written$"
    refused_with_nothing_written(config, monkeypatch, "atom_document", breaking, match)


def check_entries(monkeypatch: pytest.MonkeyPatch, where: str) -> list[int]:
    """Have entries checked `here`, `apart` (by a second process), or by a second process
    that `dies` at once; returns a list that gains an item each time a second process starts."""
    from pressfeed import apart, fragments

    started: list[int] = []
    if where == "here":
        return started
    child = apart.child

    def counted(work: Callable[..., None]) -> Any:
        started.append(1)
        return child(work)

    monkeypatch.setattr(apart, "child", counted)
    monkeypatch.setattr(fragments, "CHECK_APART", 0)
    if where == "dies":
        monkeypatch.setattr(fragments, "_check_apart", lambda parent: None)
    return started


CHECKED = pytest.mark.parametrize(
    "where",
    [
        "here",
        pytest.param("apart", marks=pytest.mark.skipif(not can_fork(), reason="Linux, single-threaded")),
        pytest.param("dies", marks=pytest.mark.skipif(not can_fork(), reason="Linux, single-threaded")),
    ],
)


@CHECKED
def test_an_entry_that_renders_ill_formed_is_named_and_blocks_the_publish(
    config: Config, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    started = check_entries(monkeypatch, where)
    config = dataclasses.replace(config, max_entries=1)  # then "Spiderweb" is in archive pages only

    def breaking(real_entry: Callable[..., str]) -> Callable[..., str]:
        def broken_for_one(article, *escaped):  # type: ignore[no-untyped-def]
            atom = real_entry(article, *escaped)
            return atom.replace("</title>", "", 1) if "Spiderweb" in article.title else atom

        return broken_for_one

    match = r"^tag:.*: the rendered entry is not well-formed XML .*nothing was written$"
    refused_with_nothing_written(config, monkeypatch, "entry_atom", breaking, match)
    assert bool(started) == (where != "here")


@CHECKED
def test_entries_checked_here_or_by_a_second_process_publish_the_same_bytes(
    config: Config, monkeypatch: pytest.MonkeyPatch, where: str, tmp_path: Path
) -> None:
    """Also when the checking process dies at once: what it was sent is checked again here."""
    build(config)
    expected = {path: data for path, (data, _) in snapshot(config.output_dir).items()}
    started = check_entries(monkeypatch, where)
    output = tmp_path / "again"
    store = tmp_path / "again.db"
    build(dataclasses.replace(config, output_dir=output, store_path=store))
    assert {path: data for path, (data, _) in snapshot(output).items()} == expected
    assert bool(started) == (where != "here")


def test_a_category_named_like_the_overall_feed_gets_its_own_file(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    dump = tmp_path / "all.txt"
    dump.write_text(
        record("All", "Everything", "Body.") + record("Industry", "Other", "Body."), encoding="utf-8"
    )
    config = load_config(write_config(inputs=[str(dump)]))
    report = build(config)
    entries = {f.spec.relpath: f.entries for f in report.feeds}
    assert entries["all.atom.xml"] == 2
    assert entries["all-2.atom.xml"] == 1


NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def store_state(config: Config) -> tuple[int, int, list[tuple[str, str, str]]]:
    with open_store(config.store_path) as store:
        rows = [(a.id, a.body, a.updated.isoformat()) for a in store.iter_articles(include_withdrawn=True)]
        return store.count(), store.generation, rows


def test_a_rerun_with_nothing_new_reads_and_renders_nothing(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(config, now=NOW)
    monkeypatch.setattr("pressfeed.pipeline.read_records", None)  # would fail if called
    monkeypatch.setattr("pressfeed.build_output.publish", None)
    report = build(config, now=NOW)
    assert report.skipped
    assert report.feeds == ()


def test_a_touched_but_unchanged_input_writes_nothing(config: Config) -> None:
    build(config, now=NOW)
    before = snapshot(config.output_dir)
    os.utime(config.inputs[0])
    report = build(config, now=NOW)
    assert not report.skipped
    assert not any(f.written for f in report.feeds)
    assert snapshot(config.output_dir) == before


def test_a_deleted_feed_is_written_again_on_the_next_run(config: Config) -> None:
    build(config, now=NOW)
    before = (config.output_dir / "industry.rss.xml").read_bytes()
    (config.output_dir / "industry.rss.xml").unlink()
    report = build(config, now=NOW)
    assert [f.spec.relpath for f in report.feeds if f.written] == ["industry.rss.xml"]
    assert (config.output_dir / "industry.rss.xml").read_bytes() == before


def test_a_crash_mid_build_leaves_store_and_feeds_as_they_were(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(config, now=NOW)
    feeds, store = snapshot(config.output_dir), store_state(config)
    grown = tmp_path / "grown.txt"
    grown.write_text(
        record("Industry", "New", "News.", day="2025-10-01") + SAMPLE.read_text("utf-8"), "utf-8"
    )

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr("pressfeed.build_output.prepare", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        build(dataclasses.replace(config, inputs=(grown,)), now=NOW)
    assert snapshot(config.output_dir) == feeds
    assert store_state(config) == store


def test_rebuild_renders_every_file_from_the_store_alone(config: Config) -> None:
    build(config, now=NOW)
    before = {name: data for name, (data, _) in snapshot(config.output_dir).items()}
    shutil.rmtree(config.output_dir)
    report = rebuild(dataclasses.replace(config, inputs=(Path("/nonexistent"),)))
    assert all(f.written for f in report.feeds)
    assert {name: data for name, (data, _) in snapshot(config.output_dir).items()} == before


def test_imported_dumps_are_published_by_the_next_build(config: Config, tmp_path: Path) -> None:
    extra = tmp_path / "extra.txt"
    extra.write_text(
        record("Industry", "Imported", "From an older dump.", day="2025-09-01"), encoding="utf-8"
    )
    report = import_dumps(config, [SAMPLE, extra], now=NOW)
    assert (report.added, report.problems) == (11, [])
    assert not config.output_dir.exists()
    built = build(config, now=NOW)
    assert built.added == 0
    assert {f.spec.relpath: f.entries for f in built.feeds}["all.atom.xml"] == 11


def test_the_store_sits_beside_the_config_outside_the_feeds(config: Config) -> None:
    build(config, now=NOW)
    assert config.store_path == config.path.parent / "pressfeed.db"
    assert config.store_path.is_file()
    assert not any(p.suffix == ".db" for p in config.output_dir.rglob("*"))


def test_a_dump_grown_on_top_is_read_only_for_its_new_part(config: Config, tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(SAMPLE.read_text("utf-8") + "\n", encoding="utf-8")
    config = dataclasses.replace(config, inputs=(dump,))
    build(config, now=NOW)
    top = record("Industry", "Fresh", "News.", day="2025-09-30")
    stamp = dump.stat().st_mtime_ns + 10**9
    dump.write_text(top + SAMPLE.read_text("utf-8") + "\n", encoding="utf-8")
    os.utime(dump, ns=(stamp, stamp))
    report = build(config, now=NOW)
    assert (report.accepted, report.added) == (1, 1)
    with open_store(config.store_path) as store:
        newest = next(store.iter_articles())
    assert newest.title == "Fresh"
    assert build(config, now=NOW, full=True).accepted == 11


def test_authoritative_inputs_are_always_read_whole(config: Config, tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(SAMPLE.read_text("utf-8") + "\n", encoding="utf-8")
    config = dataclasses.replace(config, inputs=(dump,), authoritative=True)
    build(config, now=NOW)
    stamp = dump.stat().st_mtime_ns + 10**9
    dump.write_text(record("Industry", "Fresh", "News.") + SAMPLE.read_text("utf-8") + "\n", encoding="utf-8")
    os.utime(dump, ns=(stamp, stamp))
    report = build(config, now=NOW)
    assert (report.accepted, report.added, report.withdrawn) == (11, 1, ())


def test_a_large_build_publishes_every_page_consistently(write_config: WriteConfig, tmp_path: Path) -> None:
    """Hundreds of documents: staged without one fsync each, flushed once, all consistent."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from synth import write_dump

    from pressfeed.conformance import check_folder

    dump = tmp_path / "big.txt"
    write_dump(400, dump, first=1)
    config = load_config(write_config(inputs=[str(dump)], limits__max_entries=5, limits__archive_page_size=4))
    report = build(config, now=NOW)
    assert len(report.feeds) > 100
    assert all(f.written for f in report.feeds)
    assert [f for f in check_folder(config.output_dir) if f.severity == "error"] == []
    assert not list(config.output_dir.rglob(".*.tmp"))


def test_a_lost_deep_page_comes_back_with_full(config: Config) -> None:
    build(config, now=NOW)
    [page] = (config.output_dir / "articles" / "2025-09-25").glob("koreas-retail-*.html")
    before = page.read_bytes()
    page.unlink()
    assert build(config, now=NOW).skipped  # a cron rerun does not stat every page
    build(config, now=NOW, full=True)
    assert page.read_bytes() == before


def test_full_reads_every_record_but_plans_from_every_row_only_when_a_file_is_gone(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressfeed import catalog

    build(config, now=NOW)
    planned_whole: list[int] = []
    whole = catalog.whole
    monkeypatch.setattr(catalog, "whole", lambda *args: planned_whole.append(1) or whole(*args))
    report = build(config, now=NOW, full=True)
    assert (report.accepted, planned_whole) == (10, [])
    (config.output_dir / "categories" / "industry.html").unlink()
    build(config, now=NOW, full=True)
    assert planned_whole == [1] and (config.output_dir / "categories" / "industry.html").is_file()


def test_full_knows_unchanged_records_by_their_digest_alone(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading an unchanged dump again loads no article's metadata and compares no body: the
    stored content digests of the days at hand tell every record unchanged."""
    from pressfeed import merge
    from pressfeed.store import Store

    build(config, now=NOW)
    loaded: list[object] = []
    monkeypatch.setattr(Store, "metas_on_days", lambda *args: loaded.append(args) or [])
    monkeypatch.setattr(merge, "same_story", lambda *args: loaded.append(args) or False)
    report = build(config, now=NOW, full=True)
    assert (report.accepted, report.added, report.updated, loaded) == (10, 0, 0, [])


def test_full_over_a_quick_build_of_some_formats_misses_no_file_it_never_wrote(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build of the feeds only writes no `.gz` copies: reading it whole again is no reason to
    plan every document."""
    from pressfeed import catalog

    xml = frozenset({"atom", "rss"})
    build(config, now=NOW, formats=xml)
    planned_whole: list[int] = []
    whole = catalog.whole
    monkeypatch.setattr(catalog, "whole", lambda *args: planned_whole.append(1) or whole(*args))
    report = build(config, now=NOW, full=True, formats=xml)
    assert (report.accepted, planned_whole) == (10, [])


def test_a_quick_build_of_some_formats_then_a_whole_one_writes_the_rest(config: Config) -> None:
    xml = frozenset({"atom", "rss"})
    build(config, now=NOW, formats=xml)
    assert not (config.output_dir / "all.json").exists() and not (config.output_dir / "index.html").exists()
    assert build(config, now=NOW, formats=xml).skipped
    report = build(config, now=NOW)
    assert not report.skipped
    assert (config.output_dir / "all.json").is_file() and (config.output_dir / "index.html").is_file()
    assert build(config, now=NOW).skipped


@pytest.mark.parametrize("titles", [["One more"], ["Three", "Two", "One more"]])
def test_builds_that_plan_only_what_changed_end_as_a_rebuild_of_everything(
    write_config: WriteConfig, tmp_path: Path, titles: list[str]
) -> None:
    config = load_config(write_config(limits__max_entries=3, limits__archive_page_size=3))
    dump = tmp_path / "grown.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    dump.write_text(text, encoding="utf-8")
    config = dataclasses.replace(config, inputs=(dump,))
    build(config, now=NOW)
    for day, title in enumerate(titles, start=1):
        text = record("Industry", title, f"{title} happened.", day=f"2025-10-{day:02d}") + text
        dump.write_text(text, encoding="utf-8")
        build(config, now=NOW)
    again = dataclasses.replace(config, output_dir=tmp_path / "again")
    rebuild(again)
    incremental, whole = snapshot(config.output_dir), snapshot(again.output_dir)
    assert sorted(incremental) == sorted(whole)
    assert [name for name in incremental if incremental[name][0] != whole[name][0]] == []


@pytest.mark.parametrize("fail", [False, True])
def test_files_are_written_with_short_thread_turns_then_the_callers_come_back(
    config: Config, monkeypatch: pytest.MonkeyPatch, fail: bool
) -> None:
    """While the writer thread stages files, Python switches threads every WRITER_TURNS
    seconds; after the build, even a failed one, the caller's interval is back."""
    from pressfeed import build_output as publish

    during: list[float] = []
    real_stage = publish.stage

    def stage(*args: Any, **kwargs: Any) -> Any:
        during.append(sys.getswitchinterval())
        if fail and len(during) == 3:
            raise OutputError("disk full")
        return real_stage(*args, **kwargs)

    monkeypatch.setattr(publish, "stage", stage)
    monkeypatch.setattr(publish, "FSYNC_EACH", 0)  # many files: the writer thread's way
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.002)
    try:
        if fail:
            with pytest.raises(OutputError, match="disk full"):
                build(config)
            assert not list(config.output_dir.rglob("*.tmp"))  # the two staged are removed
        else:
            build(config)
        assert during == pytest.approx([publish.WRITER_TURNS] * len(during)) != []
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(previous)


def numbered_records(first: int, count: int) -> list[str]:
    """Records numbered first .. first+count-1, one day each, in dump syntax."""
    start = dt.date(2020, 1, 1)
    return [
        record(
            "Industry",
            f"Release number {n}",
            f"Body of release {n}.",
            (start + dt.timedelta(days=n)).isoformat(),
        )
        for n in range(first, first + count)
    ]


def feed_ids(folder: Path) -> set[str]:
    """Entry ids of the overall Atom feed and of every page of its archive."""
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    files = [folder / "all.atom.xml", *sorted((folder / "archive" / "all").glob("*.atom.xml"))]
    return {e.text or "" for f in files for e in ET.parse(f).getroot().findall("a:entry/a:id", ns)}


def test_a_dump_growing_while_builds_run_loses_no_article(config: Config, tmp_path: Path) -> None:
    """A writer appends records in pieces, a few ms apart, while builds run one after another:
    every build exits cleanly, and once the writer is done every record is in the store and
    in the feeds (no record is taken as read before it was whole)."""
    import random
    import threading
    import time

    dump = tmp_path / "growing.txt"
    dump.write_text("".join(numbered_records(0, 30)), encoding="utf-8")
    grown = dataclasses.replace(config, inputs=(dump,), max_entries=5, archive_page_size=10)
    added = numbered_records(30, 90)
    rng = random.Random(16)

    def write() -> None:
        with dump.open("a", encoding="utf-8") as stream:
            for text in added:
                cuts = sorted(rng.sample(range(1, len(text)), 2))
                for piece in (text[: cuts[0]], text[cuts[0] : cuts[1]], text[cuts[1] :]):
                    stream.write(piece)
                    stream.flush()
                    time.sleep(rng.uniform(0, 0.004))

    writer = threading.Thread(target=write)
    writer.start()
    builds = 0
    while writer.is_alive():
        build(grown, formats=frozenset({"atom"}))
        builds += 1
    writer.join()
    build(grown, formats=frozenset({"atom"}))
    assert builds >= 3
    with open_store(grown.store_path) as store:
        assert store.count() == 120
        stored = {a.id for a in store.iter_articles()}
    assert feed_ids(grown.output_dir) == stored
    assert build(grown, formats=frozenset({"atom"})).skipped
