"""Crash test: builds killed with SIGKILL at random moments, or failing at a commit or a rename,
must never leave a broken site.

    python tests/crash.py --kills 200 [--seed N]      # the full run (a few minutes)
    python tests/crash.py --kills 0 --faults 60       # only injected failures

Each cycle grows the dump by new articles on top, starts `pressfeed build` in a subprocess,
and either kills it after a random delay (up to the length of a whole build) or makes one step
fail: the store's first or second commit fails as a full disk does (`database or disk is
full`), or one rename of the output fails with ENOSPC. Then it checks:

- every feed file is whole: each one is byte for byte either its version before the build or
  its version after it (as a clean reference build of the same dump produced), and every
  document a reader can reach from the subscription feeds passes the conformance check
  (well-formed, every feed link resolves; a new page that nothing links to yet is not judged);
- the store opens, passes SQLite's integrity check, and its generation is the old or the new one;

and then runs the build again to completion and checks that the folder is exactly the new set,
with no temporary file left. tests/test_crash.py runs a few cycles of the same.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synth import write_dump  # noqa: E402

from pressfeed.conformance import check_folder  # noqa: E402

CONFIG = """\
site:
  title: Crash
  base_url: https://example.org/crash
  timezone: Asia/Seoul
  author: {name: Crash}
inputs: [dump.txt]
limits: {max_entries: 5, archive_page_size: 4}
"""


@dataclass
class Report:
    kills: int = 0
    #: How many builds were made to fail at a commit or a rename.
    faults: int = 0
    #: How many kills landed while the build was still running (not after it ended).
    interrupted: int = 0
    #: Kills after which the folder held some new files and some old ones (a consistent mix).
    mixed: int = 0
    failures: list[str] = field(default_factory=list)


def files(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every visible file in a folder."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*.tmp")] if folder.is_dir() else []


#: Failures a cycle can inject: (what fails, at which call of it).
FAULTS = [("commit", 1), ("commit", 2), *(("rename", n) for n in (1, 2, 5, 20, 60))]


def pressfeed(work: Path, *args: str, fault: tuple[str, int] | None = None) -> subprocess.Popen[bytes]:
    launch = ["-m", "pressfeed"] if fault is None else [__file__, "--inject", f"{fault[0]}:{fault[1]}", "--"]
    return subprocess.Popen(
        [sys.executable, *launch, *args],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )


def finish(work: Path) -> None:
    process = pressfeed(work, "build", "-q")
    _, error = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"build failed in {work}: {error.decode()}")


def generation(store: Path) -> int:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError("integrity check failed")
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    db.close()
    return int(row[0]) if row else 0


def grow(dumps: Path, work: Path, reference: Path, articles: int) -> None:
    """The next dump, with `articles` in all, newest first, into both folders."""
    write_dump(articles, dumps / "dump.txt", first=1)
    for folder in (work, reference):
        shutil.copy(dumps / "dump.txt", folder / "dump.txt")


def inject(fault: str, args: list[str]) -> None:
    """Run pressfeed with one failure: `commit:N` (the Nth store commit fails as a full disk
    does) or `rename:N` (the Nth rename in the output folder fails with ENOSPC)."""
    import errno

    import pressfeed.output
    import pressfeed.store
    from pressfeed.cli import main as pressfeed_main

    what, _, nth = fault.partition(":")
    calls = 0

    def due() -> bool:
        nonlocal calls
        calls += 1
        return calls == int(nth)

    class FailingCommit(sqlite3.Connection):
        def commit(self) -> None:
            if due():
                error = sqlite3.OperationalError("database or disk is full")
                error.sqlite_errorcode = 13  # type: ignore[attr-defined]
                raise error
            super().commit()

    real_connect, real_replace = sqlite3.connect, os.replace

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        return real_connect(*args, factory=FailingCommit, **kwargs)  # type: ignore[arg-type,call-overload,no-any-return]

    def replace(source: str, target: str) -> None:
        if due():
            raise OSError(errno.ENOSPC, "No space left on device", target)
        real_replace(source, target)

    if what == "commit":
        pressfeed.store.sqlite3.connect = connect  # type: ignore[assignment]
    else:
        pressfeed.output.os.replace = replace  # type: ignore[assignment]
    pressfeed_main(args, prog_name="pressfeed")


def run(kills: int, seed: int, root: Path, start: int = 40, step: int = 2, faults: int = 0) -> Report:
    rng = random.Random(seed)
    work, reference, dumps = root / "work", root / "reference", root / "dumps"
    for folder in (work, reference, dumps):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    grow(dumps, work, reference, start)
    began = time.perf_counter()
    finish(work)
    finish(reference)
    duration = (time.perf_counter() - began) / 2
    report = Report()
    articles = start
    for cycle in range(kills + faults):
        old_files, old_generation = files(work / "feeds"), generation(work / "pressfeed.db")
        articles += step
        grow(dumps, work, reference, articles)
        finish(reference)
        new_files, new_generation = files(reference / "feeds"), generation(reference / "pressfeed.db")
        if cycle < kills:
            process = pressfeed(work, "build", "-q")
            time.sleep(rng.uniform(0, duration * 1.2))
            still_running = process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.communicate()
            report.kills += 1
            report.interrupted += still_running
        else:
            fault = FAULTS[(cycle - kills) % len(FAULTS)]
            process = pressfeed(work, "build", "-q", fault=fault)
            _, error = process.communicate()
            report.faults += 1
            if process.returncode == 0 and fault[1] <= 2:
                report.failures.append(f"cycle {cycle}: the build did not fail at {fault}")
            elif process.returncode not in (0, 1) or b"Traceback" in error:
                report.failures.append(f"cycle {cycle}: {fault} was not one clear error: {error.decode()}")
            if fault == ("commit", 1) and files(work / "feeds") != old_files:
                report.failures.append(f"cycle {cycle}: the store did not commit, yet files were replaced")
        _check_after_kill(cycle, work, old_files, new_files, {old_generation, new_generation}, report)
        finish(work)
        if files(work / "feeds") != new_files or temps(work / "feeds"):
            report.failures.append(f"cycle {cycle}: after recovery the folder is not the new set")
        if [f for f in check_folder(work / "feeds") if f.severity == "error"]:
            report.failures.append(f"cycle {cycle}: after recovery the folder fails the conformance check")
    return report


def _check_after_kill(
    cycle: int, work: Path, old: dict[str, str], new: dict[str, str], generations: set[int], report: Report
) -> None:
    now = files(work / "feeds")
    torn = [name for name, digest in now.items() if digest not in (old.get(name), new.get(name))]
    if torn:
        report.failures.append(f"cycle {cycle}: files neither old nor new: {torn[:3]}")
    if now != old and now != new:
        report.mixed += 1
    errors = [str(f) for f in check_folder(work / "feeds", reachable_only=True) if f.severity == "error"]
    if errors:
        report.failures.append(f"cycle {cycle}: conformance errors after the kill: {errors[:3]}")
    try:
        if generation(work / "pressfeed.db") not in generations:
            report.failures.append(f"cycle {cycle}: store generation is neither the old nor the new one")
    except (sqlite3.Error, ValueError) as exc:
        report.failures.append(f"cycle {cycle}: store unusable after the kill: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--faults", type=int, default=0, help="then this many builds with a failure injected")
    parser.add_argument("--inject", help=argparse.SUPPRESS)
    parser.add_argument("pressfeed_args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder (default: a temporary one)")
    args = parser.parse_args()
    if args.inject:
        inject(args.inject, args.pressfeed_args)
        return
    import tempfile

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        report = run(args.kills, args.seed, root, faults=args.faults)
    print(
        f"{report.kills} kills ({report.interrupted} mid-build), {report.faults} injected failures, "
        f"{report.mixed} leaving a consistent old/new mix, {len(report.failures)} failures, "
        f"{time.perf_counter() - started:.0f} s"
    )
    for failure in report.failures:
        print(failure)
    raise SystemExit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
