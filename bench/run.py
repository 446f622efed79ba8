"""pressfeed benchmark, side by side with a naive feedgen build and a parsing floor.

    python bench/run.py                      # N = 1k and 10k (about a minute)
    python bench/run.py --large              # also 100k (about ten minutes)
    python bench/run.py --sizes 1000 --repeat 1

Every step runs in a fresh process; wall time and peak RSS are the best of --repeat runs (the
short steps, `--version`, the no-change rerun and the one-new-article build, three times in
each run: the best of nine).
Prints one table and the targets' ratios with pass/fail, and writes bench/out/results.csv.
A benchmark, not a test: nothing here can fail a build.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

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
    """Run a command in a fresh process; its wall time, peak resident memory and stdout.

    The files the step before wrote are flushed to disk first (not timed): a rerun measured
    while the kernel writes back a 2 GB rebuild measures the disk, not the rerun."""
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = process.stdout.read() if process.stdout else b""
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{stderr.decode()}")
    return Measure(seconds, usage.ru_maxrss / 1024, stdout.decode())


def best(measures: list[Measure]) -> Measure:
    fastest = min(measures, key=lambda m: m.seconds)
    return Measure(fastest.seconds, min(m.peak_mib for m in measures), fastest.output)


def fresh(work: Path) -> None:
    for name in ("feeds", "naive", "pressfeed.db", "pressfeed.db-wal", "pressfeed.db-shm"):
        target = work / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def files_written(output: str) -> int:
    found = re.search(r"(\d+) of \d+ files written", output)
    return int(found[1]) if found else 0


def largest_subscription_kib(feeds: Path) -> float:
    sizes = [p.stat().st_size for p in feeds.glob("*.xml")]
    return max(sizes, default=0) / 1024


def bench_size(count: int, repeat: int, out: Path) -> dict[str, float]:
    work = out / str(count)
    work.mkdir(parents=True, exist_ok=True)
    original, dump = work / "original.txt", work / "dump.txt"
    write_dump(count, original, first=1)
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
        record("rebuild (full site)", run([*CLI, "rebuild", "-q"], work))
        # Target 3 compares these two: measured in turns, so that drift on a shared machine
        # touches both alike.
        for _ in range(SHORT_TURNS):
            record("--version", run([*CLI, "--version"], work))
            record("no-change rerun", run([*CLI, "build"], work))
        shutil.copy(grown[0], dump)
        record("one new article, site", run([*CLI, "build"], work))
        for path in grown[1:]:
            shutil.copy(path, dump)
            record("one new article", run([*CLI, "build", "--formats", "atom,rss"], work))
    result: dict[str, float] = {}
    for name, measures in steps.items():
        chosen = best(measures)
        result[f"{name} s"] = chosen.seconds
        result[f"{name} MiB"] = chosen.peak_mib
    result["one new article files"] = files_written(best(steps["one new article"]).output)
    result["one new article, site files"] = files_written(best(steps["one new article, site"]).output)
    result["largest subscription KiB"] = largest_subscription_kib(work / "feeds")
    sizes = [p.stat().st_size for p in (work / "feeds").rglob("*") if p.is_file()]
    result["output MiB"] = sum(sizes) / (1 << 20)
    result["dump MiB"] = original.stat().st_size / (1 << 20)
    return result


def targets(results: dict[int, dict[str, float]]) -> list[tuple[str, float, float, bool]]:
    """(target, measured ratio or value, limit, pass) at the largest N (and 10k for growth)."""
    n = max(results)
    r = results[n]
    rows = [
        ("1. full build time / naive", r["full build s"] / r["naive feedgen s"], 0.5),
        ("1. full build peak RSS / naive", r["full build MiB"] / r["naive feedgen MiB"], 0.5),
        ("2. parse+normalize / floor", r["parse+normalize s"] / r["floor (split) s"], 2.0),
        ("3. no-change rerun / --version", r["no-change rerun s"] / r["--version s"], 2.0),
        ("4. one new article / full build", r["one new article s"] / r["full build s"], 0.01),
        ("4. files written for one new article", r["one new article files"], 20),
        ("5. largest subscription doc (KiB)", r["largest subscription KiB"], 1024),
    ]
    if 10_000 in results and n > 10_000:
        per_small = results[10_000]["full build s"] / 10_000
        rows.append(("6. per-article build time, N vs 10k", (r["full build s"] / n) / per_small, 1.3))
    return [(name, value, limit, value <= limit) for name, value, limit in rows]


def environment() -> str:
    versions = []
    for package in ("pressfeed", "feedgen", "lxml", "PyYAML", "click"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
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
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.large else [])
    # Byte-compiled, as `pip install` leaves it (an editable install, or PYTHONDONTWRITEBYTECODE,
    # would have every run compile pressfeed's modules again).
    import pressfeed

    package = Path(pressfeed.__file__).parent
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)
    print(environment())
    results = {count: bench_size(count, args.repeat, args.out) for count in sizes}
    names = list(next(iter(results.values())))
    print(f"{'measure':<28}" + "".join(f"{count:>12}" for count in sizes))
    for name in names:
        print(f"{name:<28}" + "".join(f"{results[count][name]:>12.3f}" for count in sizes))
    print(f"\ntargets at N = {max(sizes)}:")
    checks = targets(results)
    for name, value, limit, ok in checks:
        print(f"  {'pass' if ok else 'FAIL'}  {name}: {value:.3f} (at most {limit})")
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "results.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["n", "measure", "value"])
        for count in sizes:
            writer.writerows((count, name, f"{results[count][name]:.4f}") for name in names)
        for name, value, _, ok in checks:
            writer.writerow(("targets", name, f"{value:.4f} {'pass' if ok else 'FAIL'}"))


if __name__ == "__main__":
    main()
