"""WebSub: after a build changes a feed, tell each hub (`hub.mode=publish`), so subscribers
hear of it at once instead of at their next poll.

A ping never fails or slows a build beyond its short timeout: a hub that does not answer 2xx
is logged, and the ping is kept in the store and tried again at the next run.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

from pressfeed.store import Store

log = logging.getLogger("pressfeed.websub")
PENDING = "websub:pending"
TIMEOUT = 5.0


def pending(store: Store) -> list[tuple[str, str]]:
    """(hub, feed URL) pings that failed before and wait for the next run."""
    try:
        return [(str(hub), str(url)) for hub, url in json.loads(store.get_meta(PENDING, "[]"))]
    except (ValueError, TypeError):
        return []


def announce(store: Store, hubs: Iterable[str], feed_urls: Iterable[str]) -> list[tuple[str, str]]:
    """Ping every hub for every changed feed (and every ping still pending); return the pings
    that failed, which are kept for the next run. The caller holds a transaction."""
    todo = list(dict.fromkeys([*pending(store), *((hub, url) for hub in hubs for url in feed_urls)]))
    failed = [(hub, url) for hub, url in todo if not ping(hub, url)]
    store.set_meta(PENDING, json.dumps(failed))
    return failed


def ping(hub: str, feed_url: str) -> bool:
    """POST hub.mode=publish for one feed; True when the hub answered 2xx."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode("ascii")
    request = urllib.request.Request(
        hub, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # config allows http(s) only
            ok: bool = 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning(
            "WebSub hub %s did not take the ping for %s (%s); trying again next run", hub, feed_url, exc
        )
        return False
    if not ok:
        log.warning("WebSub hub %s answered %s for %s; trying again next run", hub, response.status, feed_url)
    return ok
