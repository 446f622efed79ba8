"""Shared fixtures: the shipped sample and config, and helpers to write dumps and configs."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressfeed.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "input" / "motie-english-2025-09.txt"
CONFIG = REPO / "config.yaml"
sys.path.insert(0, str(REPO / "bench"))
from synth import write_dump  # noqa: E402


def site(folder: Path, articles: int, page_size: int | None = None, **limits: int) -> Path:
    """A site folder with a synthetic dump of `articles` (bench/synth.py) and a config writing
    into `feeds/`, the store beside it; returns the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "site": {
            "title": "Recovery",
            "base_url": "https://example.org/recovery",
            "timezone": "Asia/Seoul",
            "author": {"name": "Press office"},
        },
        "inputs": ["dump.txt"],
        "limits": limits,
    }
    if page_size is not None:
        data["site"]["page_size"] = page_size
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    write_dump(articles, folder / "dump.txt")
    return config


def files(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below `folder`: its SHA-256 and mtime."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def record(category: str, title: str, body: str, day: str = "2025-09-29") -> str:
    """One record in dump syntax, ending with its date marker."""
    return f"-\n{category}\n{title}\n{body} date{day}\n"


def base_config_data() -> dict[str, Any]:
    """The shipped config.yaml as a dict, for tests to alter."""
    data: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write a config.yaml into tmp_path (the shipped one, with `changes` merged by dotted key)."""

    def write(data: dict[str, Any] | None = None, **changes: Any) -> Path:
        data = base_config_data() if data is None else data
        data["inputs"] = [str(SAMPLE)]
        for dotted, value in changes.items():
            node = data
            *parents, last = dotted.split("__")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    return write


@pytest.fixture
def config(write_config: WriteConfig) -> Config:
    """The shipped config, writing into tmp_path/feeds."""
    return load_config(write_config())


@pytest.fixture
def dump_file(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Write a dump (text as UTF-8, or exact bytes) and return its path."""

    def write(content: str | bytes, name: str = "dump.txt") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mount a real file system of a given size (a tmpfs) and return its folder; skipped
    where this user may not mount (tests of a full or read-only disk need a real one)."""
    mounted: list[Path] = []

    def mount(kib: int) -> Path:
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        command = ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(folder)]
        if os.geteuid() != 0 or subprocess.run(command, capture_output=True).returncode != 0:
            pytest.skip("needs a small real file system: run as root where mount(8) may mount a tmpfs")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> None:
    """Fill the file system holding `folder` until about `leave` bytes are free."""
    free = shutil.disk_usage(folder).free - leave
    if free > 0:
        (folder / "filler").write_bytes(b"\0" * free)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


# Property tests: a quick profile for every run, a long one on demand:
#     HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
