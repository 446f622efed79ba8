"""pressfeed benchmark, side by side with a naive feedgen build, a parsing floor, and the
static site generators a press office would otherwise use (Hugo, Pelican; see others.py).

    python bench/run.py                      # N = 1k and 10k (a few minutes)
    python bench/run.py --large              # also 100k (about forty minutes)
    python bench/run.py --sizes 1000 --repeat 1

Every step runs in a fresh process; wall time and peak memory are the best of --repeat runs
(the short steps, `--version`, the no-change rerun and the one-new-article build, three times
in each run: the best of nine). Peak memory is that of the whole process tree (the sum of each
process's proportional share, sampled every 20 ms, or the largest process's own peak if
higher): pressfeed's full build forks workers, Hugo runs threads.
Hugo is skipped with a note when it is not installed (`apt-get install hugo`); Pelican is
installed from PyPI into bench/out/pelican-venv, and runs up to --pelican-max articles.
Prints one table and the targets' ratios with pass/fail, and writes bench/out/results.csv.
A benchmark, not a test: nothing here can fail a build.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import others  # noqa: E402
from synth import write_dump  # noqa: E402

CONFIG = """\
site:
  title: Bench
  base_url: https://example.org/bench
  timezone: Asia/Seoul
  author: {name: Bench}
inputs: [dump.txt]
output: {dir: feeds}
categories: [Industry, FTA/Economic Cooperation, Trade/Investment, Energy, Regional Policy]
"""
PYTHON = sys.executable
#: Turns per repeat of the short steps (`--version`, the no-change rerun, the one-new-article
#: build, each new article one more release on top): a step of 0.05 to 0.15 s varies by tens
#: of milliseconds from run to run here, so they are measured more often than the long steps.
SHORT_TURNS = 3
CLI = [PYTHON, "-m", "pressfeed"]


@dataclass
class Measure:
    seconds: float
    peak_mib: float
    output: str = ""


def run(command: list[str], cwd: Path) -> Measure:
    """Run a command in a fresh process; its wall time, peak memory (see the module's help)
    and stdout.

    The files the step before wrote are flushed to disk first (not timed): a rerun measured
    while the kernel writes back a 2 GB rebuild measures the disk, not the rerun."""
    os.sync()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        peak = TreeMemory(process.pid)
        peak.start()
        _, status, _ = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        peak.stop()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{stderr.decode()}")
    # Not the child's ru_maxrss: Linux carries the forking process's high-water mark across
    # exec into it, so a child of this (large) process would report this process's peak.
    return Measure(seconds, peak.mib, stdout.decode())


class TreeMemory(threading.Thread):
    """The largest sum, over a process and its descendants, of each one's proportional set
    size (shared pages split between the processes sharing them), sampled every 20 ms, or the
    largest high-water mark of one of them (VmHWM, exact for a single process) if higher."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.mib, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            tree = _tree(self.pid)
            pss = sum(_proc_kib(pid, "smaps_rollup", "Pss") for pid in tree)
            hwm = max(_proc_kib(pid, "status", "VmHWM") for pid in tree)
            self.mib = max(self.mib, pss / 1024, hwm / 1024)

    def stop(self) -> None:
        self.done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):  # a task that just ended
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def _proc_kib(pid: int, file: str, field: str) -> int:
    """A `field: N kB` line of /proc/PID/FILE (0 for a process that just ended)."""
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found[1]) if found else 0


def best(measures: list[Measure]) -> Measure:
    fastest = min(measures, key=lambda m: m.seconds)
    return Measure(fastest.seconds, min(m.peak_mib for m in measures), fastest.output)


def fresh(work: Path) -> None:
    """Move the last run's output and store aside (into `old/`, emptied between sizes): on
    ext4, files made just after many were deleted take several times as long to create (the
    allocator skips inodes freed in the last half-minute), which would slow the next build."""
    old = work / "old" / str(time.monotonic_ns())
    for name in ("feeds", "naive", "pressfeed.db", "pressfeed.db-wal", "pressfeed.db-shm", "hugo", "pelican"):
        target = work / name
        if target.exists():
            old.mkdir(parents=True, exist_ok=True)
            target.rename(old / name)


def clear_old(work: Path) -> None:
    """Delete what `fresh` moved aside, then wait out ext4's half-minute (see `fresh`)."""
    if (work / "old").exists():
        shutil.rmtree(work / "old")
        os.sync()
        time.sleep(35)


def files_written(output: str) -> int:
    found = re.search(r"(\d+) of \d+ files written", output)
    return int(found[1]) if found else 0


def largest_subscription_kib(feeds: Path) -> float:
    sizes = [p.stat().st_size for p in feeds.glob("*.xml")]
    return max(sizes, default=0) / 1024


def corrected_copy(original: Path, out: Path) -> None:
    """The dump with one body changed in its middle record (a correction deep inside)."""
    records = original.read_text(encoding="utf-8").split("\n-\n")
    middle = len(records) // 2
    head, _, marker = records[middle].rpartition(" date")
    records[middle] = f"{head} A correction deep inside. date{marker}"
    out.write_text("\n-\n".join(records), encoding="utf-8")


def bench_size(count: int, repeat: int, out: Path, pelican_max: int) -> dict[str, float]:
    work = out / str(count)
    work.mkdir(parents=True, exist_ok=True)
    original, dump, corrected = work / "original.txt", work / "dump.txt", work / "corrected.txt"
    write_dump(count, original, first=1)
    corrected_copy(original, corrected)
    # The export gains one release on top, then another, and so on, as cron would see it: the
    # first for a whole build, the others for the atom,rss one that target 4 compares.
    grown = [work / f"grown{number}.txt" for number in range(1, 2 + SHORT_TURNS)]
    for number, path in enumerate(grown, start=1):
        write_dump(1, path, first=count + number)
        with (
            path.open("a", encoding="utf-8") as stream,
            (grown[number - 2] if number > 1 else original).open(encoding="utf-8") as old,
        ):
            shutil.copyfileobj(old, stream)
    (work / "config.yaml").write_text(CONFIG, encoding="utf-8")
    steps: dict[str, list[Measure]] = {}

    def record(name: str, measure: Measure) -> None:
        steps.setdefault(name, []).append(measure)

    for _ in range(repeat):
        shutil.copy(original, dump)
        fresh(work)
        record("naive feedgen", run([PYTHON, str(HERE / "naive_feedgen.py"), "dump.txt", "naive"], work))
        record("floor (split)", run([PYTHON, str(HERE / "floor.py"), "dump.txt"], work))
        record("parse+normalize", run([PYTHON, str(HERE / "parse_only.py"), "dump.txt"], work))
        record("full build", run([*CLI, "build", "--formats", "atom,rss"], work))
        fresh(work)
        record("default build", run([*CLI, "build", "-q"], work))
        record("rebuild (full site)", run([*CLI, "rebuild", "-q"], work))
        record("re-read in full", run([*CLI, "build", "--full"], work))
        shutil.copy(dump, work / "moved.txt")  # the same dump under a new name
        (work / "config.yaml").write_text(CONFIG.replace("[dump.txt]", "[moved.txt]"), encoding="utf-8")
        record("re-read, new path", run([*CLI, "build"], work))
        (work / "config.yaml").write_text(CONFIG, encoding="utf-8")
        # Target 3 compares these two: measured in turns, so that drift on a shared machine
        # touches both alike.
        for _ in range(SHORT_TURNS):
            record("--version", run([*CLI, "--version"], work))
            record("no-change rerun", run([*CLI, "build"], work))
        shutil.copy(corrected, dump)
        record("correction inside", run([*CLI, "build"], work))
        shutil.copy(grown[0], dump)
        record("one new article, site", run([*CLI, "build"], work))
        for path in grown[1:]:
            shutil.copy(path, dump)
            record("one new article", run([*CLI, "build", "--formats", "atom,rss"], work))
        if shutil.which("hugo"):
            build_hugo = others.hugo_site(count, work / "hugo")
            record("Hugo full", run(build_hugo, work))
            others.add_article(work / "hugo", count + 1, "hugo")
            record("Hugo one new", run(build_hugo, work))
        if count <= pelican_max:
            build_pelican = others.pelican_site(count, work / "pelican")
            record("Pelican full", run(build_pelican, work))
            others.add_article(work / "pelican", count + 1, "pelican")
            record("Pelican one new (cache)", run(build_pelican, work))
    clear_old(work)
    result: dict[str, float] = {}
    for name, measures in steps.items():
        chosen = best(measures)
        result[f"{name} s"] = chosen.seconds
        result[f"{name} MiB"] = chosen.peak_mib
    result["one new article files"] = files_written(best(steps["one new article"]).output)
    result["one new article, site files"] = files_written(best(steps["one new article, site"]).output)
    result["correction inside files"] = files_written(best(steps["correction inside"]).output)
    result["largest subscription KiB"] = largest_subscription_kib(work / "feeds")
    sizes = [p.stat().st_size for p in (work / "feeds").rglob("*") if p.is_file()]
    result["output MiB"] = sum(sizes) / (1 << 20)
    result["dump MiB"] = original.stat().st_size / (1 << 20)
    return result


def targets(results: dict[int, dict[str, float]]) -> list[tuple[str, float, float, bool]]:
    """(target, measured ratio or value, limit, pass) at the largest N (and 10k for growth)."""
    n = max(results)
    r = results[n]
    parse = r["parse+normalize s"]
    rows = []
    for size in sorted({10_000, n} & set(results)):
        s = results[size]
        if "Hugo full s" in s:
            k = f"{size // 1000}k"
            rows.append(
                (f"1. default build time / Hugo's, {k}", s["default build s"] / s["Hugo full s"], 1.0)
            )
            rows.append(
                (f"1. default build memory / Hugo's, {k}", s["default build MiB"] / s["Hugo full MiB"], 0.25)
            )
    rows += [
        ("1. atom+rss full build time / naive", r["full build s"] / r["naive feedgen s"], 0.85),
        ("1. atom+rss full build memory / naive", r["full build MiB"] / r["naive feedgen MiB"], 0.5),
        ("2. build --full, unchanged / parse+normalize", r["re-read in full s"] / parse, 2.0),
        ("2. same dump, new path / parse+normalize", r["re-read, new path s"] / parse, 2.0),
        ("3. correction inside / parse+normalize", r["correction inside s"] / parse, 2.0),
        ("3. files written for a correction inside", r["correction inside files"], 20),
        ("4. parse+normalize / floor", r["parse+normalize s"] / r["floor (split) s"], 2.0),
        ("4. no-change rerun / --version", r["no-change rerun s"] / r["--version s"], 2.0),
        ("4. one new article / atom+rss full build", r["one new article s"] / r["full build s"], 0.01),
        ("4. files written for one new article", r["one new article files"], 20),
        ("4. largest subscription doc (KiB)", r["largest subscription KiB"], 1024),
    ]
    if 10_000 in results and n > 10_000:
        per_small = results[10_000]["default build s"] / 10_000
        rows.append(
            ("4. per-article default build time, N vs 10k", (r["default build s"] / n) / per_small, 1.3)
        )
    return [(name, value, limit, value <= limit) for name, value, limit in rows]


def environment() -> str:
    versions = []
    for package in ("pressfeed", "feedgen", "lxml", "PyYAML", "click"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    if shutil.which("hugo"):
        versions.append(subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1])
    return (
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; " + ", ".join(versions)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--large", action="store_true", help="add 100000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best is kept")
    parser.add_argument("--pelican-max", type=int, default=10_000, help="largest N Pelican builds")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.large else [])
    # Byte-compiled, as `pip install` leaves it (an editable install, or PYTHONDONTWRITEBYTECODE,
    # would have every run compile pressfeed's modules again).
    import pressfeed

    package = Path(pressfeed.__file__).parent
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)
    print(environment())
    if not shutil.which("hugo"):
        print("note: Hugo is not installed (apt-get install hugo): its rows and ratios are left out")
    results = {count: bench_size(count, args.repeat, args.out, args.pelican_max) for count in sizes}
    names = list(dict.fromkeys(name for result in results.values() for name in result))
    print(f"{'measure':<32}" + "".join(f"{count:>12}" for count in sizes))
    for name in names:
        print(f"{name:<32}" + "".join(f"{results[count].get(name, float('nan')):>12.3f}" for count in sizes))
    print(f"\ntargets at N = {max(sizes)}:")
    checks = targets(results)
    for name, value, limit, ok in checks:
        print(f"  {'pass' if ok else 'FAIL'}  {name}: {value:.3f} (at most {limit})")
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "results.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["n", "measure", "value"])
        for count in sizes:
            writer.writerows(
                (count, name, f"{results[count][name]:.4f}") for name in names if name in results[count]
            )
        for name, value, _, ok in checks:
            writer.writerow(("targets", name, f"{value:.4f} {'pass' if ok else 'FAIL'}"))


if __name__ == "__main__":
    main()
