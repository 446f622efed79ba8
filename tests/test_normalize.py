"""The normalizer: clean text, canonical categories, safe slugs, stable ids, summaries."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLE, WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.normalize import CategoryResolver, clean, make_slug, mint_id_and_link, summarize
from pressfeed.parse import parse_file
from pressfeed.types import Category, CleanRecord, Problem, RawRecord


def cleaned(text: str | bytes, config: Config, tmp_path: Path) -> tuple[list[CleanRecord], list[Problem]]:
    path = tmp_path / "dump.txt"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return clean([r for r in parse_file(path, "dump.txt") if isinstance(r, RawRecord)], config)


def categories_of(
    text: str, config: Config, tmp_path: Path, reserved: set[str] | None = None
) -> list[Category]:
    records, _ = cleaned(text, config, tmp_path)
    resolved = CategoryResolver(config, reserved or set()).resolve(r.category for r in records)
    return [resolved[r.category] for r in records]


def ids_of(text: str, config: Config, tmp_path: Path) -> dict[str, str]:
    records, _ = cleaned(text, config, tmp_path)
    return {r.title: mint_id_and_link(config, r)[0] for r in records}


def test_text_is_nfc_with_controls_removed_and_whitespace_collapsed(config: Config, tmp_path: Path) -> None:
    title = "Cafe\u0301 \x07talks\u200b  on\tKorea’s “R&D” – 산업\x1b"
    body = "Line\x00 one\ufffe is   here.\n\n  Line\x0b two – “quoted”."
    [rec], problems = cleaned(record(" industry ", title, body), config, tmp_path)
    assert problems == []
    assert rec.title == "Café talks\u200b on Korea’s “R&D” – 산업"
    assert rec.body == "Line one is here.\nLine two – “quoted”."
    assert rec.category == "industry"


def test_a_field_left_empty_by_cleaning_is_rejected(config: Config, tmp_path: Path) -> None:
    records, problems = cleaned(
        record("Industry", "\ufffe\uffff", "Body.") + record("I", "Fine", "Fine."), config, tmp_path
    )
    assert [r.title for r in records] == ["Fine"]
    assert [str(p) for p in problems] == ["dump.txt:1: title is empty after removing control characters"]


def test_categories_match_config_ignoring_case_whitespace_and_aliases(config: Config, tmp_path: Path) -> None:
    dump = (
        record("  INDUSTRY ", "A", "A.")
        + record("fta / economic   cooperation", "B", "B.")
        + record("Trade and Investment", "C", "C.")
    )
    assert [(c.name, c.slug) for c in categories_of(dump, config, tmp_path)] == [
        ("Industry", "industry"),
        ("FTA/Economic Cooperation", "fta-economic-cooperation"),
        ("Trade/Investment", "trade-investment"),
    ]


def test_an_unknown_category_publishes_under_its_cleaned_name(config: Config, tmp_path: Path) -> None:
    [category] = categories_of(record("Energy  Policy", "A", "A."), config, tmp_path)
    assert (category.name, category.slug) == ("Energy Policy", "energy-policy")


def test_an_unknown_category_is_rejected_when_the_config_says_so(config: Config, tmp_path: Path) -> None:
    strict = dataclasses.replace(config, unknown_categories="reject")
    records, problems = cleaned(record("Energy", "A", "A.") + record("Industry", "B", "B."), strict, tmp_path)
    assert [r.title for r in records] == ["B"]
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
    slugs = [c.slug for c in categories_of(dump, config, tmp_path)]
    assert slugs == [c.slug for c in categories_of(dump, config, tmp_path)]
    assert all(re.fullmatch(r"category-[0-9a-f]{8}", s) for s in slugs)
    assert slugs[0] != slugs[1]


def test_colliding_category_slugs_are_made_unique(config: Config, tmp_path: Path) -> None:
    dump = record("Energy Policy", "A", "A.") + record("Energy-Policy!", "B", "B.")
    assert sorted(c.slug for c in categories_of(dump, config, tmp_path)) == [
        "energy-policy",
        "energy-policy-2",
    ]


def test_reserved_slugs_are_never_given_to_a_category(config: Config, tmp_path: Path) -> None:
    dump = record("All", "A", "A.") + record("Index", "B", "B.")
    assert [c.slug for c in categories_of(dump, config, tmp_path, {"index"})] == ["all-2", "index-2"]


def test_the_truncated_sample_record_is_flagged(config: Config) -> None:
    records, _ = clean([r for r in parse_file(SAMPLE) if isinstance(r, RawRecord)], config)
    assert [r.truncated for r in records] == [True] + [False] * 9


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


def test_ids_and_links_come_from_authority_day_and_title(config: Config, tmp_path: Path) -> None:
    [rec], _ = cleaned(
        record("Industry", "Korea’s Retail Grows", "Body.", day="2025-09-25"), config, tmp_path
    )
    article_id, link = mint_id_and_link(config, rec)
    assert re.fullmatch(
        r"tag:example\.org,2025-09-25:/motie/articles/2025-09-25/koreas-retail-grows-[0-9a-f]{8}", article_id
    )
    assert link == "https://example.org/motie/articles/2025-09-25/" + article_id.rsplit("/", 1)[1] + ".html"


def test_ids_survive_bom_crlf_whitespace_variants_and_other_articles(config: Config, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    plain = ids_of(text, config, tmp_path)
    variant = "\ufeff" + "\r\n".join(f"  {line}  " for line in text.split("\n")) + "\r\n\r\n"
    variant = variant.replace("Ecosystem", "Ecosystem\t ")
    extra = record("Industry", "A later release", "New.", day="2025-10-01")
    assert ids_of(variant, config, tmp_path) == plain
    grown = ids_of(extra + text, config, tmp_path)
    assert {title: grown[title] for title in plain} == plain
    assert len(set(plain.values())) == 10


def test_different_titles_on_one_day_get_different_ids(config: Config, tmp_path: Path) -> None:
    dump = record("Industry", "Korea grows", "A.") + record("Industry", "Korea grows!", "B.")
    assert len(set(ids_of(dump, config, tmp_path).values())) == 2


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
    ids = ids_of(record("Industry", "산업 뉴스 “R&D”", "Body."), config, tmp_path)
    assert all(TAG_URI.fullmatch(i) for i in ids.values()), ids


#: Titles of ASCII words and punctuation around the 80-character limit, where truncation
#: keeps, skips and fits words.
ASCII_TITLES = st.lists(
    st.text("abcXYZ019", min_size=1, max_size=25) | st.sampled_from([",", "-", " ", "(No. 12)", "'s", "--"]),
    max_size=30,
).map(" ".join)


@given(
    st.text(max_size=120)
    | ASCII_TITLES
    | st.sampled_from(["Korea’s “R&D” – 산업", "&amp; &#65; &#x42;", "1,000 won's", "ǅ ﬁ ½"])
)
def test_our_slugs_are_python_slugifys(text: str) -> None:
    from slugify import slugify

    from pressfeed.normalize import python_slugify

    expected = slugify(text, max_length=80, word_boundary=True, backend="text-unidecode")
    assert python_slugify(text) == expected


def test_the_punctuation_transliterated_without_the_library_is_as_the_library_has_it() -> None:
    from text_unidecode import _replaces

    from pressfeed.normalize import _Transliteration

    preset = _Transliteration()
    assert preset and all(value == _replaces[codepoint - 1] for codepoint, value in preset.items())


@pytest.mark.parametrize(
    "text", ["a" * 70 + " " + "b" * 20 + " c", "a" * 78 + " b", "a" * 79 + " b", "a" * 100, "-" * 90 + "a"]
)
def test_long_titles_are_cut_at_words_as_python_slugify_cuts_them(text: str) -> None:
    from slugify import slugify

    from pressfeed.normalize import python_slugify

    assert python_slugify(text) == slugify(text, max_length=80, word_boundary=True, backend="text-unidecode")
