"""config.yaml: loaded safely, validated whole, every fault named by its dotted key."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CONFIG, WriteConfig, base_config_data
from pressfeed.config import load_config
from pressfeed.errors import ConfigError
from pressfeed.types import FeedFormat


def faults_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.faults


def test_the_shipped_config_loads_with_its_values() -> None:
    config = load_config(CONFIG)
    assert config.base_url == "https://example.org/motie"
    assert config.timezone == "Asia/Seoul"
    assert config.id_authority == "example.org"
    assert config.output_dir == CONFIG.parent / "feeds"
    assert config.overall_templates[FeedFormat.ATOM] == "all.atom.xml"
    assert [c.name for c in config.categories] == ["Industry", "FTA/Economic Cooperation", "Trade/Investment"]
    assert config.inputs == (CONFIG.parent / "input" / "motie-english-2025-09.txt",)


def test_defaults_fill_what_the_config_leaves_out(write_config: WriteConfig) -> None:
    data = {
        "site": {"title": "T", "base_url": "https://example.org/", "timezone": "UTC", "author": {"name": "A"}}
    }
    config = load_config(write_config(data))
    assert config.base_url == "https://example.org"
    assert config.language == "en"
    assert config.max_entries == 50
    assert config.summary_length == 280
    assert config.category_templates[FeedFormat.RSS] == "{slug}.rss.xml"
    assert config.unknown_categories == "publish"


def test_every_fault_is_reported_at_once_with_its_key(write_config: WriteConfig) -> None:
    path = write_config(
        site__base_url="example.org",
        site__timezone="Mars/Olympus",
        site__language="English!",
        site__colour="blue",
        limits__max_entries="fifty",
        limits__summary_length=5,
        unknown_categories="drop",
    )
    assert faults_of(path) == [
        "site.colour: unknown key",
        "site.base_url: must be an absolute http(s) URL, got 'example.org'",
        "site.language: must be a language tag such as 'en' or 'ko-KR', got 'English!'",
        "site.timezone: unknown timezone 'Mars/Olympus' (use an IANA name such as 'Asia/Seoul')",
        "unknown_categories: must be 'publish' or 'reject', got 'drop'",
        "limits.max_entries: must be an integer, got 'fifty'",
        "limits.summary_length: must be at least 20, got 5",
    ]


@pytest.mark.parametrize(
    ("changes", "fault"),
    [
        ({"site__title": None}, "site.title: is required"),
        ({"site__title": "  "}, "site.title: must not be empty"),
        ({"site__author": {"email": "x@example.org"}}, "site.author.name: is required"),
        (
            {"site__author__email": "not-an-email"},
            "site.author.email: must be an email address, got 'not-an-email'",
        ),
        (
            {"site__base_url": "ftp://example.org"},
            "site.base_url: must be an absolute http(s) URL, got 'ftp://example.org'",
        ),
        (
            {"site__id_authority": "Example Org"},
            "site.id_authority: must be a lowercase domain name or an email address, got 'Example Org'",
        ),
        (
            {"site__timezone": "../../etc/passwd"},
            "site.timezone: unknown timezone '../../etc/passwd' (use an IANA name such as 'Asia/Seoul')",
        ),
        ({"inputs": []}, "inputs: must list at least one dump file"),
        ({"inputs": "dump.txt"}, "inputs: must be a list, got 'dump.txt'"),
        (
            {"output__overall__atom": "../all.atom.xml"},
            "output.overall.atom: must be a relative file path inside the output folder, got '../all.atom.xml'",
        ),
        (
            {"output__overall__rss": "/tmp/all.rss.xml"},
            "output.overall.rss: must be a relative file path inside the output folder, got '/tmp/all.rss.xml'",
        ),
        (
            {"output__category__atom": "{slug}/../../x.xml"},
            "output.category.atom: must be a relative file path inside the output folder, got '{slug}/../../x.xml'",
        ),
        (
            {"output__category__atom": "cat.atom.xml"},
            "output.category.atom: must use {slug} and no other placeholder, got 'cat.atom.xml'",
        ),
        (
            {"output__category__rss": "{name}.xml"},
            "output.category.rss: must use {slug} and no other placeholder, got '{name}.xml'",
        ),
        (
            {"output__archive__rss": "archive/{feed}.xml"},
            "output.archive.rss: must use {feed} and {page} and no other placeholder, got 'archive/{feed}.xml'",
        ),
        (
            {"output__archive__atom": "../{feed}/{page}.xml"},
            "output.archive.atom: must be a relative file path inside the output folder, got '../{feed}/{page}.xml'",
        ),
        (
            {"output__overall__atom": "{slug}.xml"},
            "output.overall.atom: takes no placeholder, got '{slug}.xml'",
        ),
        ({"limits__archive_page_size": 0}, "limits.archive_page_size: must be at least 1, got 0"),
        ({"site__page_size": 0}, "site.page_size: must be at least 1, got 0"),
        ({"store__authoritative": "yes"}, "store.authoritative: must be true or false, got 'yes'"),
        ({"store__colour": 1}, "store.colour: unknown key"),
        (
            {"output__overall__rss": "all.atom.xml"},
            "output.overall.rss: names the same file as output.overall.atom: 'all.atom.xml'",
        ),
        (
            {"categories": [{"name": "A", "slug": "x"}, {"name": "B", "slug": "x"}]},
            "categories[1].slug: 'x' is already used by categories[0]",
        ),
        (
            {"categories": [{"name": "A"}, {"name": "B", "aliases": [" a "]}]},
            "categories[1]: ' a ' is already used by categories[0]",
        ),
        (
            {"categories": [{"name": "A", "slug": "Bad Slug"}]},
            "categories[0].slug: must be lowercase a-z, 0-9 and single dashes, got 'Bad Slug'",
        ),
        ({"categories": [{"name": "A", "colour": "red"}]}, "categories[0].colour: unknown key"),
        ({"limits__max_entries": True}, "limits.max_entries: must be an integer, got True"),
        ({"site": "oops"}, "site: must be a mapping, got 'oops'"),
    ],
)
def test_each_bad_value_is_named_by_its_dotted_key(
    write_config: WriteConfig, changes: dict[str, object], fault: str
) -> None:
    assert fault in faults_of(write_config(**changes))


def test_the_error_message_names_the_file_on_every_line(write_config: WriteConfig) -> None:
    path = write_config(site__base_url="example.org", site__timezone="Nowhere")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}: site.base_url: must be an absolute http(s) URL, got 'example.org'",
        f"{path}: site.timezone: unknown timezone 'Nowhere' (use an IANA name such as 'Asia/Seoul')",
    ]


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site:\n  title: [unclosed\n  base_url: x\n", encoding="utf-8")
    [fault] = faults_of(path)
    assert fault.startswith("line 3: invalid YAML:")


def test_yaml_tags_are_refused_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("site: !!python/object/apply:os.system ['echo owned']\n", encoding="utf-8")
    [fault] = faults_of(path)
    assert fault.startswith("line 1: invalid YAML: could not determine a constructor")


def test_a_config_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert faults_of(path) == ["must be a YAML mapping of keys (site, output, ...)"]


def test_a_missing_config_is_one_clear_error(tmp_path: Path) -> None:
    assert faults_of(tmp_path / "nope.yaml") == ["no such file"]


def test_relative_paths_are_relative_to_the_config_file(write_config: WriteConfig) -> None:
    data = base_config_data()
    data["output"]["dir"] = "public/feeds"
    path = write_config(data)
    config = load_config(path)
    assert config.output_dir == path.parent / "public" / "feeds"


@pytest.mark.parametrize(
    ("changes", "fault"),
    [
        (
            {"site__title": "Bell\x07 news"},
            "site.title: must not contain control characters, got 'Bell\\x07 news'",
        ),
        (
            {"categories": [{"name": "Esc\x1b"}]},
            "categories[0].name: must be a non-empty string without control characters, got 'Esc\\x1b'",
        ),
    ],
)
def test_text_that_xml_cannot_carry_is_refused(
    write_config: WriteConfig, changes: dict[str, object], fault: str
) -> None:
    assert faults_of(write_config(**changes)) == [fault]


@pytest.mark.parametrize("authority", ["example.org", "press.example.org", "newsroom@example.org"])
def test_the_id_authority_may_be_a_domain_or_an_email(write_config: WriteConfig, authority: str) -> None:
    assert load_config(write_config(site__id_authority=authority)).id_authority == authority
