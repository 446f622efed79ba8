"""pressfeed benchmark: each step in a fresh process, wall time and peak RSS, best of N.

    python bench/run.py                      # N = 1k and 10k
    python bench/run.py --large              # also 100k (minutes)
    python bench/run.py --sizes 1000 --repeat 1

Prints one table and writes bench/out/results.csv. Not a test: nothing here can fail a build.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
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
  author: {{name: Bench}}
inputs: [{dump}]
output: {{dir: feeds}}
categories: [Industry, FTA/Economic Cooperation, Trade/Investment, Energy, Regional Policy]
"""


@dataclass
class Measure:
    seconds: float
    peak_mib: float


def run(command: list[str], cwd: Path) -> Measure:
    """Run a command in a fresh process; its wall time and peak resident memory."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{error}")
    return Measure(seconds, usage.ru_maxrss / 1024)


def best(measures: list[Measure]) -> Measure:
    return Measure(min(m.seconds for m in measures), min(m.peak_mib for m in measures))


def fresh(work: Path) -> None:
    for name in ("feeds", "pressfeed.db", "pressfeed.db-wal", "pressfeed.db-shm"):
        target = work / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / (1 << 20)


def bench_size(count: int, repeat: int, out: Path) -> dict[str, Measure | float]:
    work = out / str(count)
    work.mkdir(parents=True, exist_ok=True)
    original, grown, dump = work / "original.txt", work / "grown.txt", work / "dump.txt"
    write_dump(count, original, first=1)
    write_dump(1, grown, first=count + 1)  # one newer article on top of the original
    with grown.open("a", encoding="utf-8") as stream, original.open(encoding="utf-8") as old:
        shutil.copyfileobj(old, stream)
    (work / "config.yaml").write_text(CONFIG.format(dump="dump.txt"), encoding="utf-8")
    cli = [sys.executable, "-m", "pressfeed"]
    results: dict[str, list[Measure]] = {}

    def record(name: str, measure: Measure) -> None:
        results.setdefault(name, []).append(measure)

    for _ in range(repeat):
        shutil.copy(original, dump)
        fresh(work)
        record("import", run([*cli, "import", "--config", "config.yaml", "dump.txt"], work))
        fresh(work)
        record("full build", run([*cli, "build", "-q"], work))
        record("no-change rerun", run([*cli, "build", "-q"], work))
        shutil.copy(grown, dump)  # the export gains one release on top, as cron would see it
        record("one new article", run([*cli, "build", "-q"], work))
    summary: dict[str, Measure | float] = {name: best(values) for name, values in results.items()}
    summary["output MiB"] = folder_mib(work / "feeds")
    summary["dump MiB"] = dump.stat().st_size / (1 << 20)
    return summary


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
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    rows = []
    for count in sizes:
        summary = bench_size(count, args.repeat, args.out)
        for name, value in summary.items():
            if isinstance(value, Measure):
                rows.append((count, name, f"{value.seconds:.3f}", f"{value.peak_mib:.0f}"))
            else:
                rows.append((count, name, f"{value:.1f}", ""))
    print(f"{'N':>7}  {'step':<18}{'seconds / MiB':>14}{'peak RSS MiB':>14}")
    for count, name, value, peak in rows:
        print(f"{count:>7}  {name:<18}{value:>14}{peak:>14}")
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "results.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["n", "step", "seconds_or_mib", "peak_rss_mib"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
