"""`pressfeed publish` against a real S3-compatible server on 127.0.0.1 (moto), and file://."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result
from moto.server import ThreadedMotoServer

from conftest import SAMPLE, record
from pressfeed.cli import main
from pressfeed.config import Config
from pressfeed.errors import PublishError
from pressfeed.pipeline import build, publish_output
from pressfeed.upload import plan_uploads

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BUCKET = "feeds-bucket"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def site(config: Config, endpoint: str) -> Config:
    build(config, now=NOW)
    return dataclasses.replace(config, publish_to=f"s3://{BUCKET}/motie", endpoint_url=endpoint)


def keys(client: object) -> set[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)  # type: ignore[attr-defined]
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_the_first_publish_uploads_the_site_with_the_right_headers(site: Config, s3: object) -> None:
    order: list[str] = []
    report = publish_output(site, on_upload=order.append)
    planned = [u.key for u in plan_uploads(site.output_dir)]
    assert sorted(report.uploaded) == sorted(planned) == sorted(order)
    assert report.uploaded == order
    assert keys(s3) == {f"motie/{key}" for key in planned}
    head = s3.head_object(Bucket=BUCKET, Key="motie/all.atom.xml")  # type: ignore[attr-defined]
    assert (head["ContentType"], head["CacheControl"]) == (
        "application/atom+xml; charset=utf-8",
        "public, max-age=300",
    )
    packed = s3.head_object(Bucket=BUCKET, Key="motie/all.json.gz")  # type: ignore[attr-defined]
    assert (packed["ContentType"], packed["ContentEncoding"]) == (
        "application/feed+json; charset=utf-8",
        "gzip",
    )
    page = s3.head_object(Bucket=BUCKET, Key="motie/index.html")  # type: ignore[attr-defined]
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert not any(key.endswith(("_headers", ".htaccess", "nginx.conf")) for key in keys(s3))
    body = s3.get_object(Bucket=BUCKET, Key="motie/all.rss.xml")["Body"].read()  # type: ignore[attr-defined]
    assert body == (site.output_dir / "all.rss.xml").read_bytes()


def links_of(config: Config) -> dict[str, frozenset[str]]:
    return {u.key: u.links for u in plan_uploads(config.output_dir, config.base_url)}


#: What a subscriber fetches first: the feeds and the OPML list at the top of the site.
def entry_point(key: str) -> bool:
    return "/" not in key and key.endswith((".atom.xml", ".rss.xml", ".json", ".opml"))


def dangling_after_each_upload(
    order: list[str], new: dict[str, frozenset[str]], old: dict[str, frozenset[str]]
) -> list[str]:
    """For every prefix of the upload sequence: each document a reader can reach (from the
    feeds and the OPML list, or any object the destination held before) links only to objects
    that are there. Returns the faults found."""
    present = set(old)
    current = dict(old)
    faults = []
    for step, key in enumerate(order):
        present.add(key)
        current[key] = new[key]
        frontier = [k for k in present if entry_point(k) or k in old]
        reached = set(frontier)
        while frontier:
            document = frontier.pop()
            for target in current.get(document, frozenset()):
                if target not in present:
                    faults.append(f"after {step + 1} uploads ({key}): {document} links to missing {target}")
                elif target not in reached:
                    reached.add(target)
                    frontier.append(target)
    return faults


def test_the_first_publish_shows_a_reader_no_missing_page(site: Config, s3: object) -> None:
    """On an empty destination the feeds and the pages link each other in a circle (entries
    link pages, pages advertise the feeds): the feeds and the OPML list go up last, in one
    wave, and only a link to one of them can miss while that wave runs."""
    order: list[str] = []
    report = publish_output(site, on_upload=order.append)
    faults = dangling_after_each_upload(order, links_of(site), {})
    assert [f for f in faults if not entry_point(f.rpartition(" ")[2])] == []
    assert report.waves >= 4
    assert order.index("index.html") < order.index("all.atom.xml")
    assert max(order.index(k) for k in order if k.startswith("articles/")) < order.index("all.atom.xml")


def test_every_prefix_of_an_update_links_only_to_objects_that_are_there(
    config: Config, endpoint: str, s3: object, tmp_path: Path
) -> None:
    """A site with archive pages gains articles (a new archive page, a page gaining its
    `next-archive`, new article pages, changed listings): at every step of the upload,
    whatever a reader can reach links only to objects already there."""
    from conftest import write_dump

    dump = tmp_path / "many.txt"
    small = dataclasses.replace(
        config,
        inputs=(dump,),
        max_entries=4,
        archive_page_size=3,
        publish_to=f"s3://{BUCKET}/grow",
        endpoint_url=endpoint,
    )
    write_dump(20, dump)
    build(small, now=NOW)
    publish_output(small)
    old = links_of(small)
    write_dump(24, dump)
    build(small, now=NOW)
    order: list[str] = []
    publish_output(small, on_upload=order.append)
    assert any(k.startswith("archive/all/") for k in order) and "all.atom.xml" in order
    assert dangling_after_each_upload(order, links_of(small), old) == []


def test_a_rerun_with_nothing_new_uploads_nothing(site: Config, s3: object) -> None:
    first = publish_output(site)
    stamps = {k: s3.head_object(Bucket=BUCKET, Key=k)["LastModified"] for k in keys(s3)}  # type: ignore[attr-defined]
    again = publish_output(site)
    assert (again.uploaded, again.unchanged) == ([], len(first.uploaded))
    assert {k: s3.head_object(Bucket=BUCKET, Key=k)["LastModified"] for k in keys(s3)} == stamps  # type: ignore[attr-defined]


def test_one_new_article_uploads_only_what_changed(site: Config, s3: object, tmp_path: Path) -> None:
    publish_output(site)
    before = {u.key: u.sha256 for u in plan_uploads(site.output_dir)}
    grown = tmp_path / "grown.txt"
    grown.write_text(record("Industry", "Fresh", "News.", "2025-10-01") + SAMPLE.read_text("utf-8"), "utf-8")
    build(dataclasses.replace(site, inputs=(grown,)), now=NOW)
    after = {u.key: u.sha256 for u in plan_uploads(site.output_dir)}
    changed = [k for k in after if before.get(k) != after[k]]
    order: list[str] = []
    report = publish_output(site, on_upload=order.append)
    assert sorted(report.uploaded) == sorted(changed)
    assert any(k.startswith("articles/2025-10-01/fresh-") for k in order)
    assert "all.atom.xml" in order and "fta-economic-cooperation.atom.xml" not in order
    # The feeds go up after the page they announce (the page before it in its category changed
    # too, to link to it; nothing new waits for that one).
    new_page = [order.index(k) for k in order if k.startswith("articles/2025-10-01/fresh-")]
    assert order.index("all.atom.xml") > max(new_page)


def test_a_dry_run_changes_nothing(site: Config, s3: object) -> None:
    report = publish_output(site, dry_run=True)
    assert report.dry_run and report.uploaded
    assert keys(s3) == set()
    assert sorted(publish_output(site).uploaded) == sorted(report.uploaded)


def test_an_interrupted_publish_resumes_where_it_stopped(
    site: Config, s3: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sixth upload fails: the uploads already done are recorded, no later wave starts,
    and the rerun uploads exactly the rest."""
    import pressfeed.upload

    real_put, calls = pressfeed.upload._Target.put, []

    def failing_put(self: object, upload: object) -> None:
        calls.append(upload)
        if len(calls) == 6:
            raise PublishError("network down")
        real_put(self, upload)  # type: ignore[arg-type]

    monkeypatch.setattr(pressfeed.upload._Target, "put", failing_put)
    with pytest.raises(PublishError, match=r"network down; \d+ uploaded; the next publish uploads the rest"):
        publish_output(site)
    first = len(keys(s3))
    monkeypatch.setattr(pressfeed.upload._Target, "put", real_put)
    total = len(plan_uploads(site.output_dir))
    assert 0 < first < total
    report = publish_output(site)
    assert (len(report.uploaded), report.unchanged) == (total - first, first)


def test_deleting_removed_objects_is_opt_in_and_last(site: Config, s3: object) -> None:
    publish_output(site)
    (site.output_dir / "feeds.opml").unlink()
    (site.output_dir / "feeds.opml.gz").unlink()
    assert publish_output(site).deleted == []
    assert "motie/feeds.opml" in keys(s3)
    report = publish_output(dataclasses.replace(site, publish_delete=True))
    assert report.deleted == ["feeds.opml", "feeds.opml.gz"]
    assert "motie/feeds.opml" not in keys(s3)


def publish_command(site: Config, *extra: str) -> Result:
    """`pressfeed publish` to the site's destination, given on the command line."""
    to, endpoint = site.publish_to or "", site.endpoint_url or ""
    return CliRunner().invoke(
        main, ["publish", "--config", str(site.path), "--to", to, "--endpoint-url", endpoint, *extra]
    )


def test_missing_credentials_are_one_clear_error(
    site: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = publish_command(site)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: s3://{BUCKET}/motie: no AWS credentials")
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_bucket_is_one_clear_error(site: Config, s3: object) -> None:
    with pytest.raises(PublishError, match=r"s3://no-such-bucket/.*: no such bucket"):
        publish_output(dataclasses.replace(site, publish_to="s3://no-such-bucket"))


def test_file_destinations_take_the_same_path(config: Config, tmp_path: Path) -> None:
    build(config, now=NOW)
    target = tmp_path / "mirror"
    report = publish_output(config, to=f"file://{target}")
    assert report.uploaded
    copied = {
        p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in target.rglob("*")
        if p.is_file()
    }
    assert copied == {u.key: u.sha256 for u in plan_uploads(config.output_dir)}
    assert publish_output(config, to=f"file://{target}").uploaded == []


def test_the_cli_prints_what_it_uploaded(site: Config, s3: object) -> None:
    result = publish_command(site, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(line.startswith(f"would upload: s3://{BUCKET}/motie/") for line in lines[:-1])
    assert any(line.startswith(f"would upload: s3://{BUCKET}/motie/articles/") for line in lines)
    assert result.stdout.splitlines()[-1].endswith(
        "would upload, 0 unchanged, 0 deleted; the whole destination was checked"
    )
    assert keys(s3) == set()


def test_publish_needs_a_destination(config: Config) -> None:
    with pytest.raises(PublishError, match=r"no destination: give --to URL or set publish\.to in the config"):
        publish_output(config)
