"""Articles → feed bytes, one module per format; `render()` picks the module."""

from __future__ import annotations

from collections.abc import Sequence

from pressfeed.config import Config
from pressfeed.errors import OutputError
from pressfeed.types import Article, FeedFormat, FeedSpec


def render(spec: FeedSpec, articles: Sequence[Article], config: Config) -> bytes:
    """The feed file for `spec`, entries in the order given (newest first)."""
    from pressfeed.render import atom, json_feed, rss

    renderer = {FeedFormat.ATOM: atom.render, FeedFormat.RSS: rss.render, FeedFormat.JSON: json_feed.render}[
        spec.format
    ]
    try:
        return renderer(spec, articles, config)
    except ValueError as exc:  # feedgen and lxml refuse text that is not XML-safe
        raise OutputError(f"{spec.relpath}: cannot render the feed: {exc}") from exc
