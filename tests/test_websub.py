"""WebSub: hubs advertised in every feed, pinged after a change, retried after a failure."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from conftest import WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.pipeline import build

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


class Hub:
    """A hub stub on 127.0.0.1 that records pings and answers with `status`."""

    def __init__(self) -> None:
        self.pings: list[dict[str, str]] = []
        self.status = 204
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                hub.pings.append({key: values[0] for key, values in form.items()})
                self.send_response(hub.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    stub = Hub()
    yield stub
    stub.close()


@pytest.fixture
def hubbed(write_config: WriteConfig, hub: Hub) -> Config:
    return load_config(write_config(websub__hubs=[hub.url]))


def test_every_feed_advertises_the_hub(hubbed: Config, hub: Hub) -> None:
    build(hubbed, now=NOW)
    out = hubbed.output_dir
    atom = etree.parse(str(out / "all.atom.xml")).getroot()
    assert [link.get("href") for link in atom.findall(f"{ATOM}link") if link.get("rel") == "hub"] == [hub.url]
    rss = etree.parse(str(out / "industry.rss.xml")).getroot().find("channel")
    assert [link.get("href") for link in rss.findall(f"{ATOM}link") if link.get("rel") == "hub"] == [hub.url]
    assert json.loads((out / "all.json").read_text("utf-8"))["hubs"] == [{"type": "WebSub", "url": hub.url}]


def test_a_build_pings_each_changed_feed_and_a_quiet_rerun_pings_nothing(
    hubbed: Config, hub: Hub, tmp_path: Path
) -> None:
    build(hubbed, now=NOW)
    assert {p["hub.mode"] for p in hub.pings} == {"publish"}
    assert len(hub.pings) == 12  # 4 feeds x (Atom, RSS, JSON Feed)
    hub.pings.clear()
    assert build(hubbed, now=NOW).skipped
    assert hub.pings == []
    grown = tmp_path / "grown.txt"
    grown.write_text(
        record("Industry", "New", "News.", "2025-10-01") + hubbed.inputs[0].read_text("utf-8"), "utf-8"
    )
    import dataclasses

    build(dataclasses.replace(hubbed, inputs=(grown,)), now=NOW)
    assert sorted(p["hub.url"] for p in hub.pings) == sorted(
        f"https://example.org/motie/{name}"
        for name in (
            "all.atom.xml",
            "all.rss.xml",
            "all.json",
            "industry.atom.xml",
            "industry.rss.xml",
            "industry.json",
        )
    )


def test_a_failing_hub_is_retried_at_the_next_run(hubbed: Config, hub: Hub) -> None:
    hub.status = 503
    report = build(hubbed, now=NOW)
    assert not report.skipped
    failed = len(hub.pings)
    hub.status = 204
    hub.pings.clear()
    again = build(hubbed, now=NOW)
    assert not again.skipped  # pending pings keep a rerun from skipping
    assert len(hub.pings) == failed
    hub.pings.clear()
    assert build(hubbed, now=NOW).skipped
    assert hub.pings == []


def test_a_hub_that_is_down_never_fails_the_build(write_config: WriteConfig) -> None:
    config = load_config(write_config(websub__hubs=["http://127.0.0.1:9/hub"]))
    report = build(config, now=NOW)
    assert report.accepted == 10
