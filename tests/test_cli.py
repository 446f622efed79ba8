"""The `pressfeed` command: exact messages, exit codes 0 / 1 / 2, never a traceback."""

from __future__ import annotations

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
    assert (
        lines[-1] == "10 articles accepted, 0 rejected; 10 new, 0 updated, 0 withdrawn; 8 of 8 files written"
    )
    assert result.stderr == ""


def test_a_second_build_with_nothing_new_says_so_and_writes_nothing(config_path: Path) -> None:
    run("build", "--config", str(config_path))
    result = run("build", "--config", str(config_path))
    assert (result.exit_code, result.stdout) == (0, "nothing changed since the last build; no file written\n")


def test_a_build_over_an_unchanged_store_reports_every_feed_unchanged(config_path: Path) -> None:
    run("build", "--config", str(config_path))
    (config_path.parent / "feeds" / "all.atom.xml").unlink()
    result = run("build", "--config", str(config_path))
    assert result.exit_code == 0
    assert sum(line.endswith("  unchanged") for line in result.stdout.splitlines()) == 7
    assert result.stdout.splitlines()[-1] == (
        "10 articles accepted, 0 rejected; 0 new, 0 updated, 0 withdrawn; 1 of 8 files written"
    )


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


def test_rejected_records_go_to_stderr_with_file_and_line(config_path: Path, tmp_path: Path) -> None:
    dump = tmp_path / "mixed.txt"
    dump.write_text(
        record("Industry", "Good", "Fine.") + "-\nIndustry\nBad\nBody. date2025-02-30\n", encoding="utf-8"
    )
    result = run("build", "-q", "--config", str(config_path), "--input", str(dump))
    assert result.exit_code == 0
    assert result.stderr == f"{dump}:8: impossible date 2025-02-30 (day is out of range for month)\n"


def test_strict_turns_a_rejection_into_exit_1_with_nothing_written(config_path: Path, tmp_path: Path) -> None:
    dump = tmp_path / "mixed.txt"
    dump.write_text(record("Industry", "Good", "Fine.") + "-\nIndustry\nBad\n", encoding="utf-8")
    result = run("build", "--strict", "--config", str(config_path), "--input", str(dump))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{dump}:7: no body",
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
