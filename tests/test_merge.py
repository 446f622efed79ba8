"""Merging dumps into the store: one article per story, ids and times minted once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLE, WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.merge import IngestReport, ingest, same_story, title_key
from pressfeed.normalize import clean
from pressfeed.parse import parse_file
from pressfeed.store import Store, open_store
from pressfeed.types import RawRecord, StoredArticle

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
SEOUL = dt.timezone(dt.timedelta(hours=9))
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
CUT = "Operation of the AI Semiconductor M.AX Alliance The Allia"
COMPLETED = SAMPLE_TEXT.replace(CUT, CUT + "nce will meet again in December.", 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "store.db") as opened:
        yield opened


def feed(store: Store, text: str, config: Config, tmp_path: Path, now: dt.datetime = NOW) -> IngestReport:
    path = tmp_path / "dump.txt"
    path.write_text(text, encoding="utf-8")
    records, problems = clean([r for r in parse_file(path, "dump.txt") if isinstance(r, RawRecord)], config)
    assert problems == []
    with store.transaction():
        return ingest(store, records, config, now, complete=True)


def articles(store: Store) -> dict[str, StoredArticle]:
    return {a.id: a for a in store.iter_articles(include_withdrawn=True)}


def by_title(store: Store) -> dict[str, StoredArticle]:
    return {a.title: a for a in store.iter_articles(include_withdrawn=True)}


def test_the_sample_gets_seoul_midnights_and_distinct_times_in_dump_order(
    store: Store, config: Config, tmp_path: Path
) -> None:
    report = feed(store, SAMPLE_TEXT, config, tmp_path)
    assert (report.added, report.updated, report.unchanged) == (10, 0, 0)
    stored = list(store.iter_articles())
    assert stored[0].published.astimezone(SEOUL) == dt.datetime(2025, 9, 30, 0, 0, tzinfo=SEOUL)
    day_29 = [a for a in stored if a.day == dt.date(2025, 9, 29)]
    assert [a.published.astimezone(SEOUL).time() for a in day_29] == [
        dt.time(0, 0, 2),
        dt.time(0, 0, 1),
        dt.time(0, 0),
    ]
    assert len({a.published for a in stored}) == 10
    assert all(a.updated == a.published for a in stored)


def test_a_rerun_on_the_same_dump_changes_nothing(
    store: Store, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed(store, SAMPLE_TEXT, config, tmp_path)
    before, generation = articles(store), store.generation
    loaded: list[int] = []
    get = store.get
    monkeypatch.setattr(store, "get", lambda seq: loaded.append(seq) or get(seq))
    report = feed(store, SAMPLE_TEXT, config, tmp_path, now=NOW + dt.timedelta(days=1))
    assert loaded == []  # known unchanged by the stored digest: no body loaded or compared
    assert (report.added, report.updated, report.unchanged, report.changed) == (0, 0, 10, False)
    assert articles(store) == before
    assert store.generation == generation


def test_articles_first_seen_later_in_a_day_are_newer_and_old_times_stay(
    store: Store, config: Config, tmp_path: Path
) -> None:
    older = record("Industry", "Older", "Old.") + record("Industry", "Oldest", "Old.")
    feed(store, older, config, tmp_path)
    before = {t: a.published for t, a in by_title(store).items()}
    feed(
        store,
        record("Industry", "Newer", "New.") + record("Industry", "Newest?", "New.") + older,
        config,
        tmp_path,
    )
    after = by_title(store)
    assert {t: after[t].published for t in before} == before
    assert after["Newer"].published > after["Newest?"].published > max(before.values())


def test_midnight_that_does_not_exist_moves_forward(
    store: Store, write_config: WriteConfig, tmp_path: Path
) -> None:
    """Sao Paulo skipped 2018-11-04 00:00-01:00 for daylight saving time."""
    config = load_config(write_config(**{"site__timezone": "America/Sao_Paulo"}))
    feed(store, record("Industry", "A", "A.", day="2018-11-04"), config, tmp_path)
    [article] = store.iter_articles()
    assert article.published == dt.datetime(2018, 11, 4, 3, 0, tzinfo=dt.UTC)


def test_a_fuller_body_completes_the_cut_one_in_place(store: Store, config: Config, tmp_path: Path) -> None:
    feed(store, SAMPLE_TEXT, config, tmp_path)
    [cut] = [a for a in store.iter_articles() if a.truncated]
    report = feed(store, COMPLETED, config, tmp_path)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 9)
    done = articles(store)[cut.id]
    assert done.body.endswith("The Alliance will meet again in December.")
    assert not done.truncated
    assert (done.link, done.published, done.seq) == (cut.link, cut.published, cut.seq)
    assert done.updated == NOW > cut.updated


def test_a_later_shorter_cut_copy_never_replaces_the_full_body(
    store: Store, config: Config, tmp_path: Path
) -> None:
    feed(store, COMPLETED, config, tmp_path)
    before = articles(store)
    report = feed(store, SAMPLE_TEXT, config, tmp_path)
    assert (report.updated, report.unchanged) == (0, 10)
    assert articles(store) == before


def test_a_corrected_title_updates_the_same_article(store: Store, config: Config, tmp_path: Path) -> None:
    body = "The ministry announced a plan to support exporters with new credit lines this year."
    feed(store, record("Trade", "Minstry anounces export plan", body), config, tmp_path)
    [first] = store.iter_articles()
    report = feed(store, record("Trade", "Ministry Announces Export Plan", body), config, tmp_path)
    assert (report.added, report.updated) == (0, 1)
    [fixed] = store.iter_articles()
    assert (fixed.id, fixed.title) == (first.id, "Ministry Announces Export Plan")


def test_a_corrected_body_with_the_same_title_updates_it(
    store: Store, config: Config, tmp_path: Path
) -> None:
    feed(store, record("Trade", "Exports rise", "Exports rose 5 percent."), config, tmp_path)
    feed(store, record("Trade", "Exports Rise", "Exports rose 6 percent."), config, tmp_path)
    [article] = store.iter_articles()
    assert (article.title, article.body) == ("Exports Rise", "Exports rose 6 percent.")


def test_title_identity_ignores_case_quotes_and_punctuation() -> None:
    assert (
        title_key("Korea’s “Growth” – Plan") == title_key('korea\'s "growth" - plan') == "korea s growth plan"
    )
    assert title_key("Growth Plan") != title_key("Growth Plans")


def test_same_story_is_a_prefix_or_a_near_identical_body() -> None:
    text = " ".join(f"word{n}" for n in range(50))
    assert same_story(text, text[:100])
    assert not same_story(text, "")
    assert same_story(text, text.replace("word7 ", "word7b "))
    assert not same_story(text, " ".join(f"other{n}" for n in range(50)))


def test_overlapping_dumps_in_either_order_give_the_same_articles(config: Config, tmp_path: Path) -> None:
    older = SAMPLE_TEXT
    newer_window = COMPLETED.split("\n-\nTrade/Investment\nNew Free Economic Zone")[0]
    newer = record("Industry", "October release", "Brand new.", day="2025-10-01") + newer_window
    results = []
    for name, order in (("forward", (older, newer)), ("backward", (newer, older))):
        with open_store(tmp_path / f"{name}.db") as store:
            for text in order:
                feed(store, text, config, tmp_path)
            results.append(
                {a.id: (a.title, a.body, a.withdrawn) for a in store.iter_articles(include_withdrawn=True)}
            )
    assert results[0] == results[1]
    assert len(results[0]) == 11
    assert sum(body.endswith("meet again in December.") for _, body, _ in results[0].values()) == 1


def test_a_repeated_record_in_one_dump_is_stored_once_and_reported(
    store: Store, config: Config, tmp_path: Path
) -> None:
    dump = record("Industry", "Same", "Body.") + record("Industry", "Same", "Other body.")
    report = feed_problems(store, dump, config, tmp_path)
    assert [a.body for a in store.iter_articles()] == ["Body."]
    assert [str(p) for p in report.problems] == [
        "dump.txt:5: duplicate of the article at dump.txt:1 (same date and title)"
    ]


def test_a_repeat_that_completes_a_cut_body_fills_it_in(store: Store, config: Config, tmp_path: Path) -> None:
    dump = record("Industry", "Same", "The Allia") + record("Industry", "Same", "The Alliance was formed.")
    feed_problems(store, dump, config, tmp_path)
    [article] = store.iter_articles()
    assert (article.body, article.truncated) == ("The Alliance was formed.", False)


def feed_problems(store: Store, text: str, config: Config, tmp_path: Path) -> IngestReport:
    path = tmp_path / "dump.txt"
    path.write_text(text, encoding="utf-8")
    records, _ = clean([r for r in parse_file(path, "dump.txt") if isinstance(r, RawRecord)], config)
    with store.transaction():
        return ingest(store, records, config, NOW)


def test_missing_articles_stay_published_by_default(store: Store, config: Config, tmp_path: Path) -> None:
    feed(store, SAMPLE_TEXT, config, tmp_path)
    report = feed(store, record("Industry", "Only this", "Body.", day="2025-10-02"), config, tmp_path)
    assert report.withdrawn == []
    assert len(list(store.iter_articles())) == 11


def test_an_authoritative_input_withdraws_what_it_no_longer_holds(
    store: Store, config: Config, tmp_path: Path
) -> None:
    authoritative = dataclasses.replace(config, authoritative=True)
    feed(store, SAMPLE_TEXT, authoritative, tmp_path)
    dropped = SAMPLE_TEXT.split("\n-\nIndustry\nKorea’s Retail Industry")[0]
    report = feed(store, dropped, authoritative, tmp_path)
    assert [a.title for a in report.withdrawn] == ["Korea’s Retail Industry Grows 3.7% in August"]
    assert len(list(store.iter_articles())) == 9
    again = feed(store, SAMPLE_TEXT, authoritative, tmp_path)
    assert (again.updated, again.withdrawn) == (1, [])
    assert len(list(store.iter_articles())) == 10


def test_ids_never_collide_after_a_title_correction(store: Store, config: Config, tmp_path: Path) -> None:
    body = "A long enough body that identifies the story by its words and nothing else at all."
    feed(store, record("Trade", "Original title", body), config, tmp_path)
    feed(store, record("Trade", "Corrected title", body), config, tmp_path)
    feed(
        store,
        record("Trade", "Original title", "A different story entirely, with other words."),
        config,
        tmp_path,
    )
    ids = sorted(articles(store))
    assert len(ids) == 2
    assert ids[1] == ids[0] + "-2"


def test_ids_links_and_times_never_change_as_more_dumps_arrive(
    store: Store, config: Config, tmp_path: Path
) -> None:
    feed(store, SAMPLE_TEXT, config, tmp_path)
    first = {a.id: (a.link, a.published, a.seq) for a in store.iter_articles()}
    feed(store, record("Industry", "Later", "News.", day="2025-09-29") + COMPLETED, config, tmp_path)
    feed(store, record("Trade", "Much later", "News.", day="2025-12-01"), config, tmp_path)
    after = {a.id: (a.link, a.published, a.seq) for a in store.iter_articles()}
    assert {i: after[i] for i in first} == first
    assert len(after) == 12


def test_batches_of_whole_days_change_no_outcome(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = "".join(record("Industry", f"New {n}", "x.", day="2025-10-01") for n in range(3))
    dump = top + COMPLETED.replace(
        "date2025-09-25", "date2025-09-25\n" + record("Trade", "Repeat", "y.", "2025-09-25"), 1
    )
    dump += record("Trade", "Repeat", "y.", "2025-09-25")

    def content(store: Store) -> list[StoredArticle]:
        """Everything but the row number, in archive order."""
        return [
            dataclasses.replace(a, seq=0)
            for a in sorted(articles(store).values(), key=lambda a: (a.born, a.published, a.id))
        ]

    with open_store(tmp_path / "whole.db") as store:
        whole = feed_problems(store, dump, config, tmp_path)
        expected = content(store)
    monkeypatch.setattr("pressfeed.merge.BATCH", 2)
    with open_store(tmp_path / "batched.db") as store:
        batched = feed_problems(store, dump, config, tmp_path)
        assert content(store) == expected
    assert (batched.added, batched.updated, [str(p) for p in batched.problems]) == (
        whole.added,
        whole.updated,
        [str(p) for p in whole.problems],
    )
