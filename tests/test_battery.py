"""Bad input, bad config, bad disks: each is one clear message, exit 1, and the feeds and
store already published stay exactly as they were."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import WriteConfig, record
from pressfeed.cli import main

Site = tuple[Path, Path]  # (config path, output folder)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def snapshot(config_path: Path) -> tuple[dict[str, tuple[bytes, int]], list[str]]:
    """Every published file with its mtime, and every row of the store."""
    out = config_path.parent / "feeds"
    files = {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file()
    }
    uri = f"file:{config_path.parent / 'pressfeed.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as db:
        rows = list(db.iterdump())
    db.close()
    return files, rows


@pytest.fixture
def site(write_config: WriteConfig) -> Path:
    """A config whose sample feeds are already published."""
    path = write_config()
    assert run("build", "-q", "--config", str(path)).exit_code == 0
    return path


def dump(tmp_path: Path, content: bytes, name: str = "bad.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# Each case: how to make the bad input, and the exact stderr lines (with {input} and {out}).
INPUT_CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "empty file": (
        lambda tmp: dump(tmp, b""),
        [
            "{input}:1: empty file: no records",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "only blank lines and a BOM": (
        lambda tmp: dump(tmp, b"\xef\xbb\xbf\r\n\n  \n"),
        [
            "{input}:1: empty file: no records",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "binary file": (
        lambda tmp: dump(tmp, b"\x7fELF\x02\x01\x01" + bytes(2048) + bytes(range(256))),
        ["error: {input}: binary data (NUL bytes), not a text dump; a dump must be UTF-8 text"],
    ),
    "UTF-16 text": (
        lambda tmp: dump(tmp, "-\nIndustry\nTitle\nBody. date2025-09-29\n".encode("utf-16")),
        ["error: {input}: binary data (NUL bytes), not a text dump; a dump must be UTF-8 text"],
    ),
    "invalid UTF-8": (
        lambda tmp: dump(tmp, b"-\nIndustry\nTitle\nCaf\xe9 au lait. date2025-09-29\n"),
        [
            "{input}:4: invalid UTF-8 (byte 4 of the line); record skipped",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "a 100 MB line": (
        lambda tmp: dump(tmp, b"-\nIndustry\nTitle\n" + b"x" * (100 << 20) + b" date2025-09-29\n"),
        [
            "{input}:4: line longer than 1 MiB (104,857,615 bytes); record skipped",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "no record at all": (
        lambda tmp: dump(tmp, b"just some notes\nand more\n"),
        [
            "{input}:1: text outside a record (a record starts with a line '-')",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "impossible date": (
        lambda tmp: dump(tmp, b"-\nIndustry\nTitle\nBody. date2025-02-30\n"),
        [
            "{input}:4: impossible date 2025-02-30 (day is out of range for month)",
            "error: no article accepted from {input}; the feeds in {out} were left as they were",
        ],
    ),
    "missing input": (lambda tmp: tmp / "nowhere.txt", ["error: {input}: no such file"]),
    "a directory as input": (lambda tmp: tmp, ["error: {input}: is a directory, not a dump file"]),
}


@pytest.mark.parametrize("case", INPUT_CASES)
def test_bad_input_is_one_clear_error_and_publishes_nothing(site: Path, tmp_path: Path, case: str) -> None:
    make, expected = INPUT_CASES[case]
    bad = make(_inputs(tmp_path))
    before = snapshot(site)
    result = run("build", "--config", str(site), "--input", str(bad))
    assert result.exit_code == 1
    out = site.parent / "feeds"
    assert result.stderr.splitlines() == [line.format(input=bad, out=out) for line in expected]
    assert "Traceback" not in result.output
    assert snapshot(site) == before


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir(exist_ok=True)
    return folder


def test_an_output_folder_that_is_a_file_is_refused(
    site: Path, tmp_path: Path, write_config: WriteConfig
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    before = snapshot(site)
    write_config(output__dir=str(blocker))
    result = run("build", "--config", str(site))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {blocker}: the output folder is a file, not a folder\n",
    )
    assert snapshot(site) == before
    assert blocker.read_text() == "not a folder"


def test_an_unwritable_output_folder_is_refused(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = site.parent / "feeds"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != out and real_access(p, mode))
    new = dump(_inputs(tmp_path), record("Industry", "New", "News.", day="2025-10-01").encode(), "new.txt")
    before = snapshot(site)
    result = run("build", "--config", str(site), "--input", str(new))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {out}: not writable; cannot write the feeds into {out}\n",
    )
    assert snapshot(site) == before


def test_a_full_disk_replaces_no_file(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The third file written hits ENOSPC: the two before it must not have replaced anything."""
    import pressfeed.output

    real_fsync, calls = os.fsync, []

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(pressfeed.output.os, "fsync", full_disk)
    new = dump(_inputs(tmp_path), record("Industry", "New", "News.", day="2025-10-01").encode(), "new.txt")
    before = snapshot(site)
    result = run("build", "--config", str(site), "--input", str(new))
    assert result.exit_code == 1
    assert result.stderr.endswith(": cannot write: No space left on device\n")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(site) == before
    assert not list((site.parent / "feeds").glob(".*.tmp"))


# Each case: config changes (dotted keys joined by "__"), or raw YAML text, and the exact fault.
CONFIG_CASES: list[tuple[dict[str, Any] | str, str]] = [
    ({"site__title": None}, "site.title: is required"),
    ({"site__title": ""}, "site.title: must not be empty"),
    ({"site__title": 42}, "site.title: must be a string, got 42"),
    ({"site__base_url": None}, "site.base_url: is required"),
    ({"site__base_url": "example.org"}, "site.base_url: must be an absolute http(s) URL, got 'example.org'"),
    (
        {"site__base_url": "ftp://example.org/x"},
        "site.base_url: must be an absolute http(s) URL, got 'ftp://example.org/x'",
    ),
    (
        {"site__base_url": "https://example.org/x?y=1"},
        "site.base_url: must be an absolute http(s) URL, got 'https://example.org/x?y=1'",
    ),
    ({"site__timezone": None}, "site.timezone: is required"),
    (
        {"site__timezone": "Mars/Base"},
        "site.timezone: unknown timezone 'Mars/Base' (use an IANA name such as 'Asia/Seoul')",
    ),
    ({"site__timezone": 9}, "site.timezone: must be a string, got 9"),
    (
        {"site__language": "english please"},
        "site.language: must be a language tag such as 'en' or 'ko-KR', got 'english please'",
    ),
    ({"site__author": None}, "site.author.name: is required"),
    ({"site__author": "Ministry"}, "site.author: must be a mapping, got 'Ministry'"),
    ({"site__author__email": "nobody"}, "site.author.email: must be an email address, got 'nobody'"),
    ({"site__author__uri": "/about"}, "site.author.uri: must be an absolute http(s) URL, got '/about'"),
    (
        {"site__id_authority": "Not A Domain"},
        "site.id_authority: must be a lowercase domain name or an email address, got 'Not A Domain'",
    ),
    ({"site__colour": "red"}, "site.colour: unknown key"),
    ({"extra": 1}, "extra: unknown key"),
    ({"inputs": []}, "inputs: must list at least one dump file"),
    ({"inputs": [""]}, "inputs[0]: must be a file path, or path and encoding, got ''"),
    ({"output__dir": ["feeds"]}, "output.dir: must be a string, got ['feeds']"),
    (
        {"output__overall__atom": "../all.atom.xml"},
        "output.overall.atom: must be a relative file path inside the output folder, got '../all.atom.xml'",
    ),
    (
        {"output__overall__rss": "/etc/all.rss.xml"},
        "output.overall.rss: must be a relative file path inside the output folder, got '/etc/all.rss.xml'",
    ),
    (
        {"output__category__atom": "{slug}/../../../x"},
        "output.category.atom: must be a relative file path inside the output folder, got '{slug}/../../../x'",
    ),
    (
        {"output__category__rss": "feed.rss.xml"},
        "output.category.rss: must use {slug} and no other placeholder, got 'feed.rss.xml'",
    ),
    (
        {"output__archive__atom": "archive/{page}.xml"},
        "output.archive.atom: must use {feed} and {page} and no other placeholder, got 'archive/{page}.xml'",
    ),
    (
        {"output__overall__rss": "all.atom.xml"},
        "output.overall.rss: names the same file as output.overall.atom: 'all.atom.xml'",
    ),
    (
        {"categories": [{"name": "A", "slug": "same"}, {"name": "B", "slug": "same"}]},
        "categories[1].slug: 'same' is already used by categories[0]",
    ),
    (
        {"categories": [{"name": "A", "slug": "../etc"}]},
        "categories[0].slug: must be lowercase a-z, 0-9 and single dashes, got '../etc'",
    ),
    (
        {"categories": [{"slug": "x"}]},
        "categories[0].name: must be a non-empty string without control characters, got None",
    ),
    ({"categories": "Industry"}, "categories: must be a list, got 'Industry'"),
    ({"unknown_categories": "ignore"}, "unknown_categories: must be 'publish' or 'reject', got 'ignore'"),
    ({"limits__max_entries": 0}, "limits.max_entries: must be at least 1, got 0"),
    ({"limits__max_entries": "many"}, "limits.max_entries: must be an integer, got 'many'"),
    ({"limits__archive_page_size": -5}, "limits.archive_page_size: must be at least 1, got -5"),
    ({"store__authoritative": "yes"}, "store.authoritative: must be true or false, got 'yes'"),
    ({"store__lock_timeout": -1}, "store.lock_timeout: must be a number of seconds, 0 or more, got -1"),
    (
        {"publish__to": "bucket-name"},
        "publish.to: must be a destination URL such as 's3://bucket/prefix' or 'file:///srv/feeds', got 'bucket-name'",
    ),
    (
        {"publish__endpoint_url": "minio:9000"},
        "publish.endpoint_url: must be an absolute http(s) URL, got 'minio:9000'",
    ),
    ({"websub__hubs": ["not a url"]}, "websub.hubs[0]: must be an absolute http(s) URL, got 'not a url'"),
    (
        {"site__templates": "no-such-folder"},
        "site.templates: must be a folder of templates, got 'no-such-folder'",
    ),
    ({"output__gzip": "yes"}, "output.gzip: must be true or false, got 'yes'"),
    (
        "site: !!python/object/apply:os.system ['echo owned']\n",
        "line 1: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "site:\n  title: A\n  title: B\n",
        "line 3: invalid YAML: duplicate key 'title' (first given on line 2)",
    ),
    ("site: [unclosed\n", "line 2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("- a\n- list\n", "must be a YAML mapping of keys (site, output, ...)"),
    ("", "must be a YAML mapping of keys (site, output, ...)"),
]


@pytest.mark.parametrize(("change", "fault"), CONFIG_CASES)
def test_a_broken_config_is_one_line_naming_the_key(
    site: Path, write_config: WriteConfig, change: dict[str, Any] | str, fault: str
) -> None:
    before = snapshot(site)
    good = site.read_text(encoding="utf-8")
    if isinstance(change, str):
        site.write_text(change, encoding="utf-8")
    else:
        write_config(**change)
    result = run("build", "--config", str(site))
    site.write_text(good, encoding="utf-8")
    assert result.exit_code == 1
    assert result.stderr == f"error: {site}: {fault}\n"
    assert snapshot(site) == before


def test_the_battery_holds_at_least_thirty_config_faults() -> None:
    assert len(CONFIG_CASES) >= 30
