"""`pressfeed serve`: the output folder over HTTP on 127.0.0.1, to preview it as a host would.

Serves at `/` and under the base URL's path (`/motie/...`), with the content types, charsets and
cache headers of site.py, `ETag` and `Last-Modified`, `304 Not Modified` on a matching
`If-None-Match` or `If-Modified-Since`, `HEAD`, and the precompressed `.gz` copy when the client
accepts gzip. Hidden files, temporaries and paths leading out of the folder are 404.
"""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pressfeed.config import is_inside
from pressfeed.site import INDEX, content_type


def make_server(root: Path, prefix: str, port: int) -> ThreadingHTTPServer:
    """A server for `root` on 127.0.0.1 (port 0: any free one); `prefix` is the base URL's path."""
    handler = type("Handler", (_Handler,), {"root": root.resolve(), "prefix": prefix.rstrip("/")})
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


class _Handler(BaseHTTPRequestHandler):
    root: Path
    prefix: str
    server_version = "pressfeed"

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the CLI says where it serves; errors come back to the browser

    def _respond(self, *, body: bool) -> None:
        target = self._file()
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        media, max_age = content_type(target.name)
        compressed = target.with_name(target.name + ".gz")
        use_gzip = "gzip" in self.headers.get("Accept-Encoding", "") and compressed.is_file()
        sent = compressed if use_gzip else target
        stat = sent.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}{"-gz" if use_gzip else ""}"'
        if self._not_modified(etag, target.stat().st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers(etag, target.stat().st_mtime, max_age)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(stat.st_size))
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        self._common_headers(etag, target.stat().st_mtime, max_age)
        self.end_headers()
        if body:
            self.wfile.write(sent.read_bytes())

    def _common_headers(self, etag: str, mtime: float, max_age: int) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        self.send_header("Cache-Control", f"public, max-age={max_age}")
        self.send_header("Vary", "Accept-Encoding")

    def _not_modified(self, etag: str, mtime: float) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return etag in [t.strip() for t in tags.split(",")] or tags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return int(mtime) <= int(when.timestamp())

    def _file(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            path = path[len(self.prefix) :]
        relpath = path.lstrip("/")
        if relpath == "" or relpath.endswith("/"):
            relpath += INDEX
        if not is_inside(relpath) or any(part.startswith(".") for part in relpath.split("/")):
            return None
        target = self.root / relpath
        if not target.is_file() or not target.resolve().is_relative_to(self.root):
            return None
        return target


def watch(check: Callable[[], None], interval: float, stop: threading.Event) -> threading.Thread:
    """Call `check` every `interval` seconds until `stop` is set (rebuilds on input change)."""

    def loop() -> None:
        while not stop.wait(interval):
            check()

    thread = threading.Thread(target=loop, name="pressfeed-watch", daemon=True)
    thread.start()
    return thread
