"""Publishing under faults, against the local S3 server behind a fault-injecting proxy: errors
are retried a bounded number of times, a silent server costs seconds, not minutes, a killed or
failed publish and a wiped or swapped destination all converge on the next publish."""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import yaml
from click.testing import CliRunner, Result

from faultproxy import FaultProxy
from pressfeed.cli import main
from pressfeed.config import Config, UploadLimits
from pressfeed.errors import PublishError
from pressfeed.pipeline import build, publish_output
from pressfeed.upload import plan_uploads
from test_upload import BUCKET, NOW, endpoint, keys, s3  # noqa: F401 (fixtures)

FAST = UploadLimits(concurrency=8, timeout=1.0, retries=2, deadline=60.0)


@pytest.fixture
def proxy(endpoint: str) -> Iterator[FaultProxy]:  # noqa: F811 (the fixture)
    faulty = FaultProxy(endpoint)
    faulty.start()
    yield faulty
    faulty.stop()


def proxied(proxy: FaultProxy) -> str:
    assert proxy._server is not None
    return f"http://127.0.0.1:{proxy._server.server_address[1]}"


@pytest.fixture
def site(config: Config, proxy: FaultProxy) -> Config:
    build(config, now=NOW)
    return dataclasses.replace(
        config, publish_to=f"s3://{BUCKET}/motie", endpoint_url=proxied(proxy), upload_limits=FAST
    )


def matches_folder(client: object, site: Config, prefix: str = "motie") -> bool:
    """The bucket holds every planned object, byte for byte."""
    for upload in plan_uploads(site.output_dir):
        try:
            body = client.get_object(Bucket=BUCKET, Key=f"{prefix}/{upload.key}")["Body"].read()  # type: ignore[attr-defined]
        except Exception:
            return False
        if body != upload.path.read_bytes():
            return False
    return True


def test_answers_503_and_resets_are_retried(site: Config, s3: object, proxy: FaultProxy) -> None:  # noqa: F811
    proxy.inject("PUT", "status", 503, times=2)
    proxy.inject("PUT", "reset")
    report = publish_output(site)
    assert len(report.uploaded) == len(plan_uploads(site.output_dir))
    puts = [path for method, path in proxy.seen if method == "PUT"]
    assert len(puts) == len(report.uploaded) + 3
    assert matches_folder(s3, site)


def test_an_object_failing_every_try_is_named_and_the_rerun_finishes(
    site: Config,
    s3: object,  # noqa: F811
    proxy: FaultProxy,
) -> None:
    victim = plan_uploads(site.output_dir)[0].key
    proxy.inject("PUT", "status", 500, times=FAST.retries + 1, path=victim)
    with pytest.raises(PublishError) as caught:
        publish_output(site)
    message = str(caught.value)
    assert message.startswith(f"s3://{BUCKET}/motie/{victim}: ")
    assert ": the server answered HTTP 500 (" in message and "[Errno" not in message
    assert message.endswith("uploaded; the next publish uploads the rest")
    report = publish_output(site)
    assert report.uploaded and matches_folder(s3, site)


def test_a_silent_server_costs_seconds_not_minutes(site: Config, s3: object, proxy: FaultProxy) -> None:  # noqa: F811
    proxy.inject("PUT", "hang", times=FAST.retries + 1, path=plan_uploads(site.output_dir)[0].key)
    started = time.monotonic()
    with pytest.raises(PublishError, match=r": no answer in time \(the server or network is silent\)"):
        publish_output(site)
    assert time.monotonic() - started < 20  # three tries of 1 s, backoff, the rest of one wave


def test_the_deadline_stops_a_slow_publish_with_a_clear_message(
    site: Config,
    s3: object,  # noqa: F811
    proxy: FaultProxy,
) -> None:
    proxy.delay = 0.05
    slow = dataclasses.replace(site, upload_limits=dataclasses.replace(FAST, concurrency=1, deadline=0.3))
    with pytest.raises(
        PublishError, match=r"stopped at the deadline \(0.3 s, publish.deadline\) with \d+ objects"
    ):
        publish_output(slow)
    proxy.delay = 0
    assert publish_output(site).uploaded and matches_folder(s3, site)


def test_a_wiped_destination_is_noticed_without_verify(site: Config, s3: object) -> None:  # noqa: F811
    publish_output(site)
    for key in keys(s3):
        s3.delete_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    report = publish_output(site)
    assert report.verified
    assert len(report.missing) == len(report.uploaded) == len(plan_uploads(site.output_dir))
    assert matches_folder(s3, site)
    assert publish_output(site).uploaded == []


def test_verify_finds_objects_lost_below_the_top(site: Config, s3: object) -> None:  # noqa: F811
    """Objects lost deep in the destination (not at its top) are found by --verify; one
    changed behind pressfeed's back is uploaded again; with publish.delete, extras go."""
    publish_output(site)
    lost = sorted(k for k in keys(s3) if "/articles/" in k)[:3]
    for key in lost:
        s3.delete_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    s3.put_object(Bucket=BUCKET, Key="motie/categories/industry.html", Body=b"changed")  # type: ignore[attr-defined]
    s3.put_object(Bucket=BUCKET, Key="motie/stray.txt", Body=b"not ours")  # type: ignore[attr-defined]
    assert publish_output(site).uploaded == []  # the top is intact: nothing is noticed
    report = publish_output(dataclasses.replace(site, publish_delete=True), verify=True)
    expected = sorted([k.removeprefix("motie/") for k in lost] + ["categories/industry.html"])
    assert sorted(report.uploaded) == report.missing == expected
    assert report.deleted == ["stray.txt"]
    assert matches_folder(s3, site)


def test_the_same_url_at_another_endpoint_is_another_destination(
    site: Config,
    s3: object,  # noqa: F811
    endpoint: str,  # noqa: F811
) -> None:
    publish_output(site)
    direct = dataclasses.replace(site, endpoint_url=endpoint)
    report = publish_output(direct)  # the same server, reached another way: recorded apart
    assert report.unchanged == len(plan_uploads(site.output_dir))
    assert report.verified and report.uploaded == []


def test_the_cli_says_what_it_found_missing(site: Config, s3: object) -> None:  # noqa: F811
    publish_output(site)
    s3.delete_object(Bucket=BUCKET, Key="motie/all.atom.xml")  # type: ignore[attr-defined]
    data = yaml.safe_load(site.path.read_text(encoding="utf-8"))
    data["publish"] = {"to": site.publish_to, "endpoint_url": site.endpoint_url}
    site.path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result: Result = CliRunner().invoke(main, ["publish", "--config", str(site.path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        f"s3://{BUCKET}/motie: 1 objects uploaded before were missing or different there (first: all.atom.xml)",
        f"s3://{BUCKET}/motie: 1 uploaded, {len(plan_uploads(site.output_dir)) - 1} unchanged, 0 deleted; "
        "the whole destination was checked",
    ]


def test_publishes_killed_at_random_moments_converge(
    site: Config,
    s3: object,  # noqa: F811
    proxy: FaultProxy,
) -> None:
    """`pressfeed publish` in a subprocess, through 20 ms of latency, killed with SIGKILL at
    random moments; the next publish always completes the bucket."""
    data = yaml.safe_load(site.path.read_text(encoding="utf-8"))
    data["publish"] = {"to": site.publish_to, "endpoint_url": site.endpoint_url, "concurrency": 4}
    site.path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proxy.delay = 0.02
    rng = random.Random(17)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "pressfeed", "publish", "--config", str(site.path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        time.sleep(rng.uniform(0.5, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    proxy.delay = 0
    result = subprocess.run(
        [sys.executable, "-m", "pressfeed", "publish", "--config", str(site.path)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert matches_folder(s3, site)
