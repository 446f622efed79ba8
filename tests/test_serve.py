"""`pressfeed serve`, hit with a real HTTP client on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import gzip
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.utils import formatdate

import pytest

from pressfeed.config import Config
from pressfeed.pipeline import build
from pressfeed.serve import make_server

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def server(config: Config) -> Iterator[str]:
    build(config, now=NOW)
    httpd = make_server(config.output_dir, "/motie", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_feeds_and_pages_come_with_their_content_types(server: str, config: Config) -> None:
    for path, media in [
        ("/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("/all.rss.xml", "application/rss+xml; charset=utf-8"),
        ("/all.json", "application/feed+json; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ]:
        status, headers, body = fetch(server + path)
        assert (status, headers["Content-Type"]) == (200, media), path
        name = path.strip("/") or "index.html"
        assert body == (config.output_dir / name).read_bytes()
        assert headers["ETag"] and headers["Last-Modified"] and "max-age" in headers["Cache-Control"]


def test_the_base_url_path_works_too(server: str, config: Config) -> None:
    status, _, body = fetch(server + "/motie/industry.rss.xml")
    assert (status, body) == (200, (config.output_dir / "industry.rss.xml").read_bytes())
    assert fetch(server + "/motie/")[0] == 200


def test_conditional_gets_answer_304_without_a_body(server: str) -> None:
    _, headers, _ = fetch(server + "/all.atom.xml")
    status, again, body = fetch(server + "/all.atom.xml", **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    assert fetch(server + "/all.atom.xml", **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    old = formatdate(0, usegmt=True)
    assert fetch(server + "/all.atom.xml", **{"If-Modified-Since": old})[0] == 200
    assert fetch(server + "/all.atom.xml", **{"If-None-Match": '"other"'})[0] == 200


def test_head_sends_the_headers_alone(server: str, config: Config) -> None:
    status, headers, body = fetch(server + "/all.json", method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == (config.output_dir / "all.json").stat().st_size


def test_gzip_goes_to_clients_that_accept_it(server: str, config: Config) -> None:
    status, headers, body = fetch(server + "/all.atom.xml", **{"Accept-Encoding": "gzip, br"})
    assert (status, headers["Content-Encoding"], headers["Vary"]) == (200, "gzip", "Accept-Encoding")
    assert gzip.decompress(body) == (config.output_dir / "all.atom.xml").read_bytes()
    plain_etag = fetch(server + "/all.atom.xml")[1]["ETag"]
    assert headers["ETag"] != plain_etag


@pytest.mark.parametrize(
    "path", ["/nowhere.xml", "/../config.yaml", "/%2e%2e/config.yaml", "/.htaccess", "/archive/"]
)
def test_what_is_not_a_published_file_is_404(server: str, path: str) -> None:
    assert fetch(server + path)[0] == 404


def test_the_cli_refuses_a_busy_port(config: Config) -> None:
    from click.testing import CliRunner

    from pressfeed.cli import main

    httpd = make_server(config.output_dir, "", 0)
    try:
        port = str(httpd.server_address[1])
        result = CliRunner().invoke(main, ["serve", "--config", str(config.path), "--port", port])
    finally:
        httpd.server_close()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}:")


def test_watch_calls_back_until_stopped() -> None:
    from pressfeed.serve import watch

    calls: list[int] = []
    stop = threading.Event()
    thread = watch(lambda: calls.append(1), 0.01, stop)
    while len(calls) < 3:
        stop.wait(0.01)
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
