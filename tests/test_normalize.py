"""The normalizer: clean text, canonical categories, safe slugs, aware dates, stable ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import SAMPLE, WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.normalize import make_slug, normalize, summarize
from pressfeed.parse import parse_file
from pressfeed.types import Article, Problem, RawRecord


def articles_of(text: str | bytes, config: Config, tmp_path: Path) -> tuple[list[Article], list[Problem]]:
    path = tmp_path / "dump.txt"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    records = [r for r in parse_file(path, "dump.txt") if isinstance(r, RawRecord)]
    return normalize(records, config)


def sample_articles(config: Config) -> list[Article]:
    records = [r for r in parse_file(SAMPLE) if isinstance(r, RawRecord)]
    return normalize(records, config)[0]


def test_text_is_nfc_with_controls_removed_and_whitespace_collapsed(config: Config, tmp_path: Path) -> None:
    title = "Cafe\u0301 \x07talks\u200b  on\tKorea’s “R&D” – 산업\x1b"
    body = "Line\x00 one\ufffe is   here.\n\n  Line\x0b two – “quoted”."
    [article], problems = articles_of(record(" industry ", title, body), config, tmp_path)
    assert problems == []
    assert article.title == "Café talks\u200b on Korea’s “R&D” – 산업"
    assert article.body == "Line one is here.\nLine two – “quoted”."


def test_categories_match_config_ignoring_case_whitespace_and_aliases(config: Config, tmp_path: Path) -> None:
    dump = (
        record("  INDUSTRY ", "A", "A.")
        + record("fta / economic   cooperation", "B", "B.")
        + record("Trade and Investment", "C", "C.")
    )
    articles, _ = articles_of(dump, config, tmp_path)
    assert [(a.category.name, a.category.slug) for a in articles] == [
        ("Industry", "industry"),
        ("FTA/Economic Cooperation", "fta-economic-cooperation"),
        ("Trade/Investment", "trade-investment"),
    ]


def test_an_unknown_category_publishes_under_its_cleaned_name(config: Config, tmp_path: Path) -> None:
    [article], problems = articles_of(record("Energy  Policy", "A", "A."), config, tmp_path)
    assert problems == []
    assert (article.category.name, article.category.slug) == ("Energy Policy", "energy-policy")


def test_an_unknown_category_is_rejected_when_the_config_says_so(config: Config, tmp_path: Path) -> None:
    strict = dataclasses.replace(config, unknown_categories="reject")
    dump = record("Energy", "A", "A.") + record("Industry", "B", "B.")
    articles, problems = articles_of(dump, strict, tmp_path)
    assert [a.title for a in articles] == ["B"]
    assert [str(p) for p in problems] == [
        "dump.txt:1: unknown category 'Energy' (unknown_categories is 'reject' in the config)"
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("산업 통상", "saneob-tongsang"),
        ("../../etc/passwd", "etc-passwd"),
        ("con", "con-feed"),
        ("Ünïcode Café", "unicode-cafe"),
        ("a/b", "a-b"),
    ],
)
def test_slugs_are_lowercase_ascii_and_safe(name: str, slug: str) -> None:
    assert make_slug(name, "fallback") == slug


def test_a_name_with_no_usable_letters_gets_a_deterministic_slug(config: Config, tmp_path: Path) -> None:
    dump = record("!!!", "A", "A.") + record("???", "B", "B.")
    first, _ = articles_of(dump, config, tmp_path)
    again, _ = articles_of(dump, config, tmp_path)
    slugs = [a.category.slug for a in first]
    assert slugs == [a.category.slug for a in again]
    assert all(re.fullmatch(r"category-[0-9a-f]{8}", s) for s in slugs)
    assert slugs[0] != slugs[1]


def test_colliding_category_slugs_are_made_unique(config: Config, tmp_path: Path) -> None:
    dump = record("Energy Policy", "A", "A.") + record("Energy-Policy!", "B", "B.")
    articles, _ = articles_of(dump, config, tmp_path)
    assert sorted(a.category.slug for a in articles) == ["energy-policy", "energy-policy-2"]


def test_reserved_slugs_are_never_given_to_a_category(config: Config, tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(record("All", "A", "A."), encoding="utf-8")
    records = [r for r in parse_file(path) if isinstance(r, RawRecord)]
    [article], _ = normalize(records, config, reserved_slugs={"all"})
    assert article.category.slug == "all-2"


def test_sample_dates_are_aware_in_the_publisher_timezone(config: Config) -> None:
    articles = sample_articles(config)
    for article in articles:
        assert article.published.utcoffset() == dt.timedelta(hours=9)
        assert article.published.date() == article.day
        assert article.updated == article.published
    assert articles[0].published.astimezone(dt.UTC) == dt.datetime(2025, 9, 29, 15, 0, tzinfo=dt.UTC)


def test_same_day_articles_get_distinct_times_earlier_in_dump_is_newer(config: Config) -> None:
    articles = sample_articles(config)
    day_29 = [a for a in articles if a.day == dt.date(2025, 9, 29)]
    assert len(day_29) == 3
    assert day_29[0].published > day_29[1].published > day_29[2].published
    assert len({a.published for a in articles}) == len(articles)


def test_a_new_record_on_top_of_a_day_leaves_older_timestamps_alone(config: Config, tmp_path: Path) -> None:
    older = record("Industry", "Older", "Old.") + record("Industry", "Oldest", "Old.")
    before, _ = articles_of(older, config, tmp_path)
    after, _ = articles_of(record("Industry", "Newest", "New.") + older, config, tmp_path)
    assert [a.published for a in after[1:]] == [a.published for a in before]
    assert after[0].published > after[1].published


def test_midnight_that_does_not_exist_moves_forward(write_config: WriteConfig, tmp_path: Path) -> None:
    """Sao Paulo skipped 2018-11-04 00:00-01:00 for daylight saving time."""
    config = load_config(write_config(**{"site__timezone": "America/Sao_Paulo"}))
    [article], _ = articles_of(record("Industry", "A", "A.", day="2018-11-04"), config, tmp_path)
    assert article.published.isoformat() == "2018-11-04T01:00:00-02:00"


def test_the_truncated_sample_record_is_flagged_and_its_summary_says_so(config: Config) -> None:
    articles = sample_articles(config)
    assert [a.truncated for a in articles] == [True] + [False] * 9
    assert articles[0].summary.endswith("…")


@pytest.mark.parametrize(
    ("body", "truncated", "summary"),
    [
        ("Short and done.", False, "Short and done."),
        ("Short but cut", True, "Short but cut…"),
        ("word " * 100 + "end.", False, ("word " * 55).strip() + "…"),
    ],
)
def test_summaries_are_short_plain_text(body: str, truncated: bool, summary: str) -> None:
    assert summarize(body, truncated, 280) == summary
    assert len(summarize(body, truncated, 280)) <= 280


def test_ids_are_tag_uris_from_authority_date_and_title(config: Config) -> None:
    articles = sample_articles(config)
    pattern = r"tag:example\.org,2025-09-\d\d:/motie/articles/2025-09-\d\d/[a-z0-9-]+-[0-9a-f]{8}"
    assert all(re.fullmatch(pattern, a.id) for a in articles)
    assert len({a.id for a in articles}) == 10
    assert all(a.link.startswith("https://example.org/motie/articles/2025-09-") for a in articles)
    assert all(a.link.endswith(".html") for a in articles)


def test_ids_survive_bom_crlf_whitespace_variants_and_other_articles(config: Config, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    plain = {a.title: a.id for a in articles_of(text, config, tmp_path)[0]}
    variant = "\ufeff" + "\r\n".join(f"  {line}  " for line in text.split("\n")) + "\r\n\r\n"
    variant = variant.replace("Ecosystem", "Ecosystem\t ")
    extra = record("Industry", "A later release", "New.", day="2025-10-01")
    assert {a.title: a.id for a in articles_of(variant, config, tmp_path)[0]} == plain
    grown = {a.title: a.id for a in articles_of(extra + text, config, tmp_path)[0]}
    assert {title: grown[title] for title in plain} == plain


def test_articles_with_near_identical_titles_get_distinct_ids(config: Config, tmp_path: Path) -> None:
    dump = record("Industry", "Korea’s Growth", "A.") + record("Industry", "Korea's Growth", "B.")
    articles, _ = articles_of(dump, config, tmp_path)
    assert len({a.id for a in articles}) == 2
    assert len({a.link for a in articles}) == 2


def test_a_repeated_record_is_published_once_and_reported(config: Config, tmp_path: Path) -> None:
    dump = record("Industry", "Same", "Body.") + record("Industry", "Same", "Other body.")
    articles, problems = articles_of(dump, config, tmp_path)
    assert [a.body for a in articles] == ["Body."]
    assert [str(p) for p in problems] == [
        "dump.txt:5: duplicate of the article at dump.txt:1 (same date and title)"
    ]


def test_a_repeat_that_completes_a_cut_body_fills_it_in(config: Config, tmp_path: Path) -> None:
    dump = record("Industry", "Same", "The Allia") + record("Industry", "Same", "The Alliance was formed.")
    [article], _ = articles_of(dump, config, tmp_path)
    assert article.body == "The Alliance was formed."
    assert not article.truncated


#: RFC 4151 tag URIs as feed validators check them.
TAG_URI = re.compile(
    r"tag:([a-z0-9._-]+@)?[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+"
)


@pytest.mark.parametrize(
    "base_url", ["https://example.org/motie", "https://example.org/", "https://example.org/뉴스 룸/"]
)
def test_ids_are_valid_tag_uris_whatever_the_base_path(
    write_config: WriteConfig, tmp_path: Path, base_url: str
) -> None:
    config = load_config(write_config(site__base_url=base_url.replace(" ", "%20")))
    articles, _ = articles_of(record("Industry", "산업 뉴스 “R&D”", "Body."), config, tmp_path)
    assert all(TAG_URI.fullmatch(a.id) for a in articles), [a.id for a in articles]
