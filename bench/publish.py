"""Publishing benchmark: the first publish of a 3,000-article site to the local S3 server (moto)
on 127.0.0.1, through the tests' fault proxy adding 50 ms to every request, with the default
concurrency and with concurrency 1, side by side in one run.

    python bench/publish.py                        # 3,000 articles, 50 ms (several minutes)
    python bench/publish.py --articles 300 --delay 0.02

Prints objects, waves, both times and their ratio (the target: at least 8 times faster).
A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CONFIG  # noqa: E402
from synth import write_dump  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    import boto3

    from pressfeed.config import load_config
    from pressfeed.pipeline import build, publish_output

    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    # The server and the proxy run in processes of their own, as they would on other machines:
    # in this one they would take Python's lock from the client being measured.
    port = _free_port()
    upstream = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(port)
    proxy = subprocess.Popen(
        [sys.executable, str(HERE.parent / "tests" / "faultproxy.py"), upstream, "--delay", str(args.delay)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proxy.stdout is not None
    endpoint = proxy.stdout.readline().strip()
    client = boto3.client("s3", endpoint_url=upstream, region_name="us-east-1")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
            write_dump(args.articles, folder / "dump.txt")
            config = load_config(folder / "config.yaml")
            build(config)
            times = {}
            for concurrency in (args.concurrency, 1):
                bucket = f"bench-{concurrency}"
                client.create_bucket(Bucket=bucket)
                limits = dataclasses.replace(config.upload_limits, concurrency=concurrency, deadline=3600.0)
                run = dataclasses.replace(config, upload_limits=limits)
                started = time.perf_counter()
                report = publish_output(run, to=f"s3://{bucket}/site", endpoint_url=endpoint)
                times[concurrency] = time.perf_counter() - started
                print(
                    f"concurrency {concurrency:>2}: {len(report.uploaded)} objects in {report.waves} waves, "
                    f"{times[concurrency]:.1f} s",
                    flush=True,
                )
            ratio = times[1] / times[args.concurrency]
            verdict = "pass" if ratio >= 8 else "FAIL"
            print(
                f"{args.articles} articles, +{args.delay * 1000:.0f} ms per request: {ratio:.1f}x faster "
                f"with concurrency {args.concurrency} (target at least 8x: {verdict})"
            )
    finally:
        proxy.terminate()
        server.terminate()
        proxy.wait()
        server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the S3 server did not start on port {port}")


if __name__ == "__main__":
    main()
