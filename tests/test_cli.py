"""The `pressfeed` command: exact messages, exit codes 0 / 1 / 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import WriteConfig, record
from pressfeed import __version__
from pressfeed.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def config_path(write_config: WriteConfig) -> Path:
    return write_config()


def test_build_prints_a_line_per_feed_and_a_summary(config_path: Path) -> None:
    result = run("build", "--config", str(config_path))
    assert result.exit_code == 0, result.output
    out = config_path.parent / "feeds"
    lines = result.stdout.splitlines()
    assert lines[0] == f"{out}/all.atom.xml  10 entries  written"
    assert f"{out}/industry.rss.xml  4 entries  written" in lines
    assert f"{out}/all.json  10 entries  written" in lines
    assert lines[-3:-1] == [
        "site pages: 25 written, 0 unchanged",
        "cut off at the source? check: be9bee2d  End-Users, Fabless Firms, and Foundries Link Up to Build "
        "Korea’s On-Device AI Semiconductor Ecosystem",
    ]
    assert (
        lines[-1]
        == "10 articles accepted, 0 rejected; 10 new, 0 updated, 0 withdrawn; 37 of 37 files written"
    )
    assert result.stderr == ""


def test_a_first_import_names_twenty_cut_off_articles_and_counts_the_rest(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.txt"
    cut = "A release that stops in the middle of a word and never ends its sente"
    dump.write_text("".join(record("Industry", f"Release {n}", cut) for n in range(30)), encoding="utf-8")
    result = run("build", "--config", str(write_config(inputs=[str(dump)])))
    lines = [line for line in result.stdout.splitlines() if line.startswith("cut off at the source?")]
    assert len(lines) == 21
    assert (
        lines[-1] == "cut off at the source? check: and 10 more (pressfeed articles list shows every article)"
    )


def test_a_second_build_with_nothing_new_says_so_and_writes_nothing(config_path: Path) -> None:
    run("build", "--config", str(config_path))
    result = run("build", "--config", str(config_path))
    assert (result.exit_code, result.stdout) == (0, "nothing changed since the last build; no file written\n")


def test_a_build_over_an_unchanged_store_reports_every_feed_unchanged(config_path: Path) -> None:
    run("build", "--config", str(config_path))
    (config_path.parent / "feeds" / "all.atom.xml").unlink()
    result = run("build", "--config", str(config_path))
    assert result.exit_code == 0
    assert sum(line.endswith("  unchanged") for line in result.stdout.splitlines()) == 11
    assert result.stdout.splitlines()[-1] == "0 new, 0 updated, 0 withdrawn; 1 of 37 files written"


def test_quiet_prints_nothing_on_success(config_path: Path) -> None:
    result = run("build", "-q", "--config", str(config_path))
    assert (result.exit_code, result.output) == (0, "")


def test_input_and_output_options_override_the_config(config_path: Path, tmp_path: Path) -> None:
    dump = tmp_path / "one.txt"
    dump.write_text(record("Industry", "Only one", "Body."), encoding="utf-8")
    result = run(
        "build", "--config", str(config_path), "--input", str(dump), "--output", str(tmp_path / "site")
    )
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'site'}/all.atom.xml  1 entries  written" in result.stdout
    assert not (tmp_path / "feeds").exists()


def test_rejected_records_go_to_stderr_with_file_and_line_and_exit_3(
    config_path: Path, tmp_path: Path
) -> None:
    """The good records are published; exit 3 tells a cron wrapper some were not."""
    dump = tmp_path / "mixed.txt"
    dump.write_text(
        record("Industry", "Good", "Fine.") + "-\nIndustry\nBad\nBody. date2025-02-30\n", encoding="utf-8"
    )
    result = run("build", "-q", "--config", str(config_path), "--input", str(dump))
    assert result.exit_code == 3
    assert (config_path.parent / "feeds" / "all.atom.xml").is_file()
    assert result.stderr == f"{dump}:8: impossible date 2025-02-30 (day is out of range for month)\n"


def test_strict_turns_a_rejection_into_exit_1_with_nothing_written(config_path: Path, tmp_path: Path) -> None:
    dump = tmp_path / "mixed.txt"
    dump.write_text("-\nIndustry\nBad\n" + record("Industry", "Good", "Fine."), encoding="utf-8")
    result = run("build", "--strict", "--config", str(config_path), "--input", str(dump))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{dump}:3: no body",
        "error: 1 record(s) rejected; nothing written (--strict)",
    ]
    assert not (config_path.parent / "feeds").exists()


def test_a_bad_config_is_one_line_per_fault_and_exit_1(write_config: WriteConfig) -> None:
    path = write_config(site__base_url="example.org", limits__max_entries=0)
    result = run("build", "--config", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: site.base_url: must be an absolute http(s) URL, got 'example.org'",
        f"error: {path}: limits.max_entries: must be at least 1, got 0",
    ]
    assert "Traceback" not in result.output


def test_a_missing_input_is_exit_1_and_names_the_file(config_path: Path, tmp_path: Path) -> None:
    result = run("build", "--config", str(config_path), "--input", str(tmp_path / "gone.txt"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'gone.txt'}: no such file\n"


def test_a_missing_config_is_exit_1(tmp_path: Path) -> None:
    result = run("build", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_check_validates_without_writing(config_path: Path) -> None:
    result = run("check", "--config", str(config_path))
    assert (result.exit_code, result.stdout) == (0, "10 articles accepted, 0 rejected\n")
    assert not (config_path.parent / "feeds").exists()


def test_check_fails_when_any_record_is_rejected(config_path: Path, tmp_path: Path) -> None:
    dump = tmp_path / "bad.txt"
    dump.write_text(record("Industry", "Good", "Fine.") + "-\nIndustry\nBad\nNo date\n", encoding="utf-8")
    result = run("check", "--config", str(config_path), "--input", str(dump))
    assert result.exit_code == 1
    assert result.stdout == "1 articles accepted, 1 rejected\n"
    assert result.stderr.startswith(f"{dump}:8: no date")


def test_version_and_help() -> None:
    assert run("--version").stdout == f"pressfeed, version {__version__}\n"
    for args in (["--help"], ["build", "--help"], ["check", "--help"]):
        result = run(*args)
        assert result.exit_code == 0
        assert "Usage: " in result.stdout


def test_usage_errors_exit_2() -> None:
    assert run("build", "--no-such-option").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_import_merges_dumps_without_writing_feeds(config_path: Path, tmp_path: Path) -> None:
    from conftest import SAMPLE

    dump = tmp_path / "more.txt"
    dump.write_text(record("Energy", "Grid plan", "Body.") + "-\nIndustry\nBad\n", encoding="utf-8")
    result = run("import", "--config", str(config_path), str(SAMPLE), str(dump))
    assert result.exit_code == 0, result.output
    assert result.stdout == "11 new, 0 updated, 0 unchanged, 0 withdrawn, 1 rejected\n"
    assert result.stderr == f"{dump}:7: no body\n"
    assert not (config_path.parent / "feeds").exists()
    again = run("import", "--config", str(config_path), str(SAMPLE))
    assert again.stdout == "0 new, 0 updated, 10 unchanged, 0 withdrawn, 0 rejected\n"


def test_import_needs_at_least_one_dump(config_path: Path) -> None:
    assert run("import", "--config", str(config_path)).exit_code == 2


def test_articles_list_and_show(config_path: Path) -> None:
    run("build", "-q", "--config", str(config_path))
    listing = run(
        "articles", "list", "--config", str(config_path), "--category", "fta / economic cooperation"
    )
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert len(lines) == 2
    published, category, short, title = lines[0].split("  ", 3)
    assert (published, category) == ("2025-09-29T00:00:01+09:00", "FTA/Economic Cooperation")
    assert title == "13th East Asia Summit (EAS) Economic Ministers’ Meeting"
    assert len(short) == 8
    shown = run("articles", "show", "--config", str(config_path), short)
    assert shown.exit_code == 0
    article_id = shown.stdout.splitlines()[0].removeprefix("id:        ")
    assert article_id.startswith("tag:example.org,2025-09-29:/motie/articles/2025-09-29/13th-")
    assert article_id.endswith(f"-{short}")
    assert shown.stdout.splitlines()[1:3] == [
        f"link:      https://example.org/motie/articles/2025-09-29/{article_id.rsplit('/', 1)[1]}.html",
        f"title:     {title}",
    ]
    by_title = run("articles", "show", "--config", str(config_path), "13th east asia")
    assert by_title.stdout == shown.stdout
    assert shown.stdout.rstrip().endswith("in the upcoming APEC Summit.")
    assert len(run("articles", "list", "--config", str(config_path)).stdout.splitlines()) == 10


def test_articles_show_of_an_unknown_id_is_exit_1(config_path: Path) -> None:
    run("build", "-q", "--config", str(config_path))
    result = run("articles", "show", "--config", str(config_path), "tag:nope")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no article matches 'tag:nope' in {config_path.parent / 'pressfeed.db'}: give its id, its "
        "short id (see 'pressfeed articles list') or the start of its title\n"
    )


def test_rebuild_rewrites_what_is_missing(config_path: Path) -> None:
    run("build", "-q", "--config", str(config_path))
    (config_path.parent / "feeds" / "industry.atom.xml").unlink()
    result = run("rebuild", "--config", str(config_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "0 new, 0 updated, 0 withdrawn; 1 of 37 files written"


def test_a_newer_store_is_a_clear_error(config_path: Path) -> None:
    import sqlite3

    raw = sqlite3.connect(config_path.parent / "pressfeed.db")
    raw.execute("CREATE TABLE t (x)")
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    result = run("build", "--config", str(config_path))
    assert result.exit_code == 1
    assert "written by a newer pressfeed (schema 99" in result.stderr
    assert "Traceback" not in result.output


def test_formats_limits_a_build(config_path: Path) -> None:
    result = run("build", "--config", str(config_path), "--formats", "atom")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (config_path.parent / "feeds").iterdir()) == [
        "all.atom.xml",
        "fta-economic-cooperation.atom.xml",
        "industry.atom.xml",
        "trade-investment.atom.xml",
    ]
    bad = run("build", "--config", str(config_path), "--formats", "atom,pdf")
    assert bad.exit_code == 2
    assert "unknown format(s) pdf; use atom, rss" in bad.stderr


def test_full_reads_every_input_again(config_path: Path) -> None:
    run("build", "-q", "--config", str(config_path))
    result = run("build", "--full", "--config", str(config_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "10 articles accepted, 0 rejected; 0 new, 0 updated, 0 withdrawn; 0 of 37 files written"
    )


def test_a_cron_build_with_one_new_article_loads_no_library_it_does_not_use(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """Each of these would cost a cron rerun a noticeable share of its time: feedgen (the
    reference renderer) and its lxml, dateutil (only for a midnight a clock change skips), the
    slug library (only for titles our own slugging leaves to it) and its transliteration table
    (not for the punctuation press titles use most), filelock (Windows only); and of the
    standard library, concurrent.futures and its logging (a writer thread is for many files),
    difflib (bodies compared word for word) and html (a CR in a body)."""
    dump = tmp_path / "dump.txt"
    dump.write_text(record("Industry", "First release", "A first release."), encoding="utf-8")
    config_path = write_config(inputs=[str(dump)])
    assert run("build", "-q", "--config", str(config_path)).exit_code == 0
    new = record("Energy", "Korea’s “second” release – on time", "A second release.", day="2025-09-30")
    dump.write_text(new + dump.read_text(encoding="utf-8"), encoding="utf-8")
    code = (
        "import sys\nfrom pressfeed.cli import main\n"
        f"try:\n    main(['build', '--formats', 'atom,rss', '--config', {str(config_path)!r}])\n"
        "except SystemExit as done:\n    print(done.code, *sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *_, summary = ran.stdout.rstrip().split("\n")
    status, *loaded = summary.split()
    assert status == "0" and "pressfeed.build_output" in loaded
    libraries = {name.partition(".")[0] for name in loaded}
    unused = {"feedgen", "lxml", "dateutil", "slugify", "text_unidecode", "filelock"}
    assert not unused & libraries
    assert not {"concurrent", "logging", "difflib", "html"} & libraries


def test_help_says_what_pressfeed_makes_and_every_command_ends_with_an_example() -> None:
    import click

    from pressfeed.cli import main

    top = run("--help").stdout
    assert all(word in top for word in ("Atom", "RSS", "JSON Feed", "OPML", "site"))
    commands: list[tuple[str, ...]] = []
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            commands += [(name, sub) for sub in command.commands]
        commands.append((name,))
    for path in commands:
        described = run(*path, "--help").stdout.split("\nOptions:", 1)[0].rstrip()
        last_paragraph = described.rsplit("\n\n", 1)[-1].strip()
        assert last_paragraph.startswith("Example"), f"pressfeed {' '.join(path)} --help"
