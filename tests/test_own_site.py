"""A press office's own site, from `pressfeed init` through a week of cron, through the CLI."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import record
from pressfeed.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
#: SOURCE_DATE_EPOCH of each day of the week (noon in Seoul).
MONDAY = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)


def run(*args: str, day: int = 0, stdin: str | None = None) -> Result:
    epoch = int((MONDAY + dt.timedelta(days=day)).timestamp())
    return CliRunner().invoke(main, list(args), input=stdin, env={"SOURCE_DATE_EPOCH": str(epoch)})


def new_site(folder: Path, **extra: object) -> Path:
    result = run(
        "init", str(folder), "--title", "Ministry News", "--base-url", "https://staging.example.org/news",
        "--timezone", "Asia/Seoul", "--language", "ko-KR",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    config = folder / "config.yaml"
    if extra:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data.update(extra)
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def dump(folder: Path, *records: str) -> None:
    (folder / "input" / "releases.txt").write_text("".join(records), encoding="utf-8")


def entries(feed: Path) -> dict[str, tuple[str, str]]:
    """id → (title, link) of an Atom feed's entries."""
    root = ET.parse(feed).getroot()
    return {
        (e.findtext(f"{ATOM}id") or ""): (
            e.findtext(f"{ATOM}title") or "",
            e.find(f"{ATOM}link").get("href") or "",
        )  # type: ignore[union-attr]
        for e in root.iter(f"{ATOM}entry")
    }


def test_init_writes_a_commented_config_input_folder_and_gitignore(tmp_path: Path) -> None:
    config = new_site(tmp_path / "news")
    text = config.read_text(encoding="utf-8")
    assert 'base_url: "https://staging.example.org/news"' in text
    assert 'id_authority: "staging.example.org"' in text and text.count("#") > 10
    assert (tmp_path / "news" / "input").is_dir()
    assert "pressfeed.db" in (tmp_path / "news" / ".gitignore").read_text(encoding="utf-8")
    again = run("init", str(tmp_path / "news"), "--title", "x", "--base-url", "https://x.org")
    assert again.exit_code == 1
    assert again.stderr == f"error: {config}: already exists; pressfeed init writes a new site only\n"


def test_init_asks_for_what_it_is_not_given(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "asked"), stdin="Asked Site\nhttps://example.org/asked\n")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "asked" / "config.yaml").read_text(encoding="utf-8"))
    assert (data["site"]["title"], data["site"]["base_url"]) == ("Asked Site", "https://example.org/asked")


def test_releases_ending_with_an_end_mark_or_a_contact_line_are_not_cut_off(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    dump(
        site,
        record("산업", "반도체 수출 역대 최고", "산업통상자원부는 수출이 늘었다고 밝혔다 (끝)"),
        record("Industry", "Press note", "The ministry met exporters\n###"),
        record("Industry", "Contacts", "The plan starts in May\nContact: Kim Min-ji, press@motie.go.kr"),
        record("Industry", "Really cut", "The ministry said that exports of"),
    )
    result = run("build", "--config", str(config))
    assert result.exit_code == 0, result.output
    flagged = [line for line in result.stdout.splitlines() if line.startswith("cut off at the source?")]
    assert len(flagged) == 1 and flagged[0].endswith("  Really cut")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["truncation"] = {"detect": False}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("build", "--full", "--config", str(config))
    assert "cut off at the source?" not in result.stdout
    assert "updated: " in result.stdout and "  Really cut" in result.stdout


def test_a_cp949_dump_gets_a_hint_then_reads_with_its_encoding(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    text = record(
        "산업", "반도체 수출 역대 최고", "산업통상자원부는 반도체 수출이 역대 최고를 기록했다고 밝혔다."
    )
    (site / "input" / "releases.txt").write_bytes(text.encode("cp949"))
    result = run("build", "--config", str(config))
    assert result.exit_code == 1
    assert (
        f"{site / 'input' / 'releases.txt'}:1: this file is not UTF-8 but reads cleanly as cp949 (Korean): "
        "set it in config.yaml, inputs: [{path: releases.txt, encoding: cp949}]"
    ) in result.stderr.splitlines()
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["inputs"] = [{"path": "input/releases.txt", "encoding": "cp949"}]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("build", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "반도체 수출 역대 최고" in (site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")


def test_a_week_of_cron(tmp_path: Path) -> None:
    """New releases on top, a typo fixed, a cut-off body completed, a bad date, a category
    renamed by the CMS, a withdrawal, an embargoed release and a move from staging to
    production: the feeds are right entry by entry each day, and no reader-visible id moves."""
    site = tmp_path / "site"
    config = new_site(
        site,
        categories=[{"name": "Industry", "slug": "industry"}, {"name": "Energy", "slug": "energy"}],
    )
    first = [
        record("Energy", "Grid plan announced", "The grid plan was announced today.", "2026-11-30"),
        record("Industry", "Exports rise", "Exports rose by ten percent in the", "2026-11-29"),
        record("Industry", "Retail grows", "Retail grew in October.", "2026-11-28"),
    ]
    dump(site, *first)
    assert run("build", "-q", "--config", str(config)).exit_code == 0
    ids = entries(site / "feeds" / "all.atom.xml")
    assert sorted(title for title, _ in ids.values()) == [
        "Exports rise",
        "Grid plan announced",
        "Retail grows",
    ]

    # Tuesday: a new release on top, a typo fixed, the cut-off body completed, a bad date.
    tuesday = [
        record("Industry", "Chips lead exports", "Chip exports led the growth.", "2026-12-01"),
        record("Energy", "Grid plan announced", "The grid plan was announced today.", "2026-11-30"),
        record(
            "Industry", "Exports rise", "Exports rose by ten percent in the year to October.", "2026-11-29"
        ),
        record("Industry", "Retail grows", "Retail grew in October.", "2026-11-28"),
        record("Industry", "Wrong date", "A body.", "2026-02-30"),
    ]
    dump(site, *tuesday)
    result = run("build", "--config", str(config), day=1)
    assert result.exit_code == 3
    assert "impossible date 2026-02-30" in result.stderr
    assert any(
        line.startswith("updated: ") and line.endswith("  Exports rise")
        for line in result.stdout.splitlines()
    )
    now = entries(site / "feeds" / "all.atom.xml")
    assert {k: v for k, v in now.items() if k in ids} == ids  # same ids, same titles, same links
    assert "[The text was cut off" not in (site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")

    # Wednesday: the CMS renames Industry to Manufacturing; an embargoed release for Friday.
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["categories"][0] = {
        "name": "Manufacturing", "slug": "manufacturing", "aliases": ["Industry"], "former_slugs": ["industry"],
    }  # fmt: skip
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    wednesday = [
        record("Manufacturing", "Friday briefing", "The minister briefs on Friday.", "2026-12-04"),
        *tuesday[:4],
    ]
    dump(site, *wednesday)
    result = run("build", "--config", str(config), day=2)
    assert result.exit_code == 0, result.output
    assert "held until 2026-12-04: Friday briefing" in result.stdout
    old_feed = entries(site / "feeds" / "industry.atom.xml")
    assert old_feed == entries(site / "feeds" / "manufacturing.atom.xml")
    assert "Friday briefing" not in str(entries(site / "feeds" / "all.atom.xml"))

    # Thursday: a release is withdrawn. Nothing else changes.
    listing = run("articles", "list", "--config", str(config), day=3).stdout
    short = next(line.split("  ")[2] for line in listing.splitlines() if line.endswith("Retail grows"))
    assert run("articles", "withdraw", "--config", str(config), "retail", day=3).exit_code == 0
    result = run("build", "--config", str(config), day=3)
    assert result.exit_code == 0, result.output
    assert "Retail grows" not in str(entries(site / "feeds" / "all.atom.xml"))
    assert not list((site / "feeds" / "articles").glob(f"*/*{short}.html"))

    # Friday: the embargoed release comes out though the dump did not change.
    result = run("build", "--config", str(config), day=4)
    assert result.exit_code == 0, result.output
    assert "Friday briefing" in str(entries(site / "feeds" / "all.atom.xml"))

    # Saturday: the site moves from staging to production. Links follow; ids stay.
    before = entries(site / "feeds" / "all.atom.xml")
    text = config.read_text(encoding="utf-8").replace(
        "https://staging.example.org/news", "https://example.org/news"
    )
    config.write_text(text, encoding="utf-8")
    result = run("build", "--config", str(config), day=5)
    assert result.exit_code == 0, result.output
    after = entries(site / "feeds" / "all.atom.xml")
    assert after.keys() == before.keys()
    assert all(link.startswith("https://example.org/news/articles/") for _, link in after.values())
    assert [title for title, _ in after.values()] == [title for title, _ in before.values()]
    page = (site / "feeds" / "index.html").read_text(encoding="utf-8")
    assert 'href="index.html">Chips' not in page
    assert re.search(r'href="articles/2026-12-01/chips-lead-exports-[0-9a-f]{8}\.html"', page)
    every_id = set(ids) | set(now) | set(after)
    assert all(i.startswith("tag:staging.example.org,") for i in every_id)

    # Sunday: the withdrawn release is restored.
    assert run("articles", "restore", "--config", str(config), short, day=6).exit_code == 0
    assert run("build", "-q", "--config", str(config), day=6).exit_code == 0
    assert "Retail grows" in str(entries(site / "feeds" / "all.atom.xml"))
    assert set(entries(site / "feeds" / "all.atom.xml")) <= every_id | set(after)


@pytest.mark.parametrize("reference", ["nothing-like-it", "e"])
def test_withdraw_names_what_it_cannot_find_or_tell_apart(tmp_path: Path, reference: str) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    dump(site, record("Industry", "Exports rise", "Up."), record("Industry", "Exports fall", "Down."))
    run("build", "-q", "--config", str(config))
    result = run("articles", "withdraw", "--config", str(config), reference)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    if reference == "e":
        assert "names 2 articles" in result.stderr
    else:
        assert "no article matches 'nothing-like-it'" in result.stderr


def test_include_future_publishes_an_embargoed_release_now(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    dump(
        site,
        record("Industry", "Next year", "Soon.", "2027-01-05"),
        record("Industry", "Today", "Now.", "2026-11-30"),
    )
    held = run("build", "--config", str(config))
    assert "held until 2027-01-05: Next year" in held.stdout
    assert run("build", "-q", "--include-future", "--config", str(config)).exit_code == 0
    assert "Next year" in str(entries(site / "feeds" / "all.atom.xml"))


def test_a_record_without_its_category_line_is_reported_as_such(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    bad = "-\nMinistry announces a plan for the semiconductor industry\nThe plan. date2026-11-30\n"
    dump(site, bad, record("Industry", "Fine", "Fine."))
    result = run("build", "-q", "--config", str(config))
    assert result.exit_code == 3
    assert result.stderr == (
        f"{site / 'input' / 'releases.txt'}:2: no category line (expected category, title, then body)\n"
    )


def test_prune_removes_files_no_longer_produced(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    dump(site, record("Industry", "One", "One."), record("Energy", "Two", "Two."))
    run("build", "-q", "--config", str(config))
    dump(site, record("Industry", "One", "One."))
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["output"]["prune"] = True
    data["store"] = {"authoritative": True}
    data["limits"]["allow_empty_feeds"] = True
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("build", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "withdrawn: " in result.stdout
    assert not list((site / "feeds" / "articles").glob("*/two-*.html"))


@pytest.mark.parametrize("quiet", [False, True])
def test_a_long_build_shows_its_progress_on_a_terminal_only_without_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    import pressfeed.cli

    monkeypatch.setattr(pressfeed.cli, "_is_terminal", lambda: True)
    monkeypatch.setattr(pressfeed.cli, "RENDERING_SHOWN", 10)
    site = tmp_path / "site"
    config = new_site(site)
    dump(site, *(record("Industry", f"Release {n}", "Text.", f"2026-11-{n + 1:02d}") for n in range(12)))
    result = run("build", *(["-q"] if quiet else []), "--config", str(config))
    assert result.exit_code == 0, result.output
    if quiet:
        assert result.stderr == ""
    else:
        assert result.stderr.startswith("\rrendering: ") and result.stderr.endswith("\rrendering: 100%\n")


def test_a_first_build_whose_only_release_is_embargoed_publishes_nothing_and_says_why(tmp_path: Path) -> None:
    site = tmp_path / "site"
    config = new_site(site)
    dump(site, record("Industry", "Next week", "Soon.", "2026-12-07"))
    result = run("build", "--config", str(config))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr == (
        f"error: {site / 'pressfeed.db'}: no article to publish yet: 1 release is held until its day "
        f"(the first on 2026-12-07); the feeds in {site / 'feeds'} were left alone\n"
    )
    assert run("build", "-q", "--config", str(config), day=7).exit_code == 0
