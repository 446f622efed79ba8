"""A small HTTP proxy on 127.0.0.1 that injects faults in front of a real server (the local S3
server in the tests): added latency, error answers, connection resets, silence.

    proxy = FaultProxy("http://127.0.0.1:5000")
    proxy.delay = 0.05                      # every request waits 50 ms
    proxy.inject("PUT", "status", 503)      # the next PUT is answered 503
    proxy.inject("PUT", "reset")            # the one after that has its connection reset
    proxy.inject("PUT", "hang")             # and the next gets no answer at all
    url = proxy.start(); ...; proxy.stop()

or on its own (the publishing benchmark runs it apart, so that it does not share Python's lock
with the client it measures):

    python tests/faultproxy.py http://127.0.0.1:5000 --delay 0.05     # prints its URL

Everything it sends goes to the one upstream it was given; it stops by itself with the test.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

#: Headers not passed on (they describe one hop, not the message).
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
#: How long a silent ("hang") answer lasts at most.
HANG_SECONDS = 60.0


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        #: Seconds every request waits before it is passed on.
        self.delay = 0.0
        #: Requests seen: (method, path).
        self.seen: list[tuple[str, str]] = []
        self._faults: deque[tuple[str, str, int, str]] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def inject(self, method: str, action: str, status: int = 500, times: int = 1, path: str = "") -> None:
        """The next `times` requests with this method (and a path ending with `path`) get
        `action`: 'status' (answered `status`), 'reset' (connection reset, no answer) or
        'hang' (no answer, ever)."""
        with self._lock:
            self._faults.extend([(method, action, status, path)] * times)

    def _take(self, method: str, path: str) -> tuple[str, int] | None:
        with self._lock:
            for index, (wanted, action, status, part) in enumerate(self._faults):
                if wanted == method and path.split("?")[0].endswith(part):
                    del self._faults[index]
                    return action, status
        return None

    def start(self) -> str:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _relay(self) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner.seen.append((self.command, self.path))
        if owner.delay:
            time.sleep(owner.delay)
        fault = owner._take(self.command, self.path)
        if fault is not None and self._fault(*fault):
            return
        upstream = http.client.HTTPConnection(*owner.upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _fault(self, action: str, status: int) -> bool:
        """Carry out a fault; True when the request is done with."""
        if action == "status":
            code = "SlowDown" if status == 503 else "InternalError"
            data = f"<Error><Code>{code}</Code><Message>injected {status}</Message></Error>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return True
        if action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return True
        if action == "hang":
            self.owner._stopping.wait(HANG_SECONDS)
            self.close_connection = True
            return True
        return False

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Relay HTTP to one upstream, adding latency.")
    parser.add_argument("upstream")
    parser.add_argument("--delay", type=float, default=0.0)
    arguments = parser.parse_args()
    alone = FaultProxy(arguments.upstream)
    alone.delay = arguments.delay
    print(alone.start(), flush=True)
    threading.Event().wait()
