"""Atom 1.0 (RFC 4287) with feedgen: text constructs are plain text (type="text")."""

from __future__ import annotations

from collections.abc import Sequence

from pressfeed.config import Config
from pressfeed.render.common import new_feed
from pressfeed.render.names import ATOM_TYPE as MEDIA_TYPE
from pressfeed.render.names import TRUNCATION_NOTE, site_url, with_stylesheet
from pressfeed.types import Article, FeedSpec


def render(spec: FeedSpec, articles: Sequence[Article], config: Config) -> bytes:
    fg = new_feed(spec, config)
    fg.id(spec.feed_id)
    if config.subtitle:
        fg.subtitle(config.subtitle)
    author = config.author
    fg.author(name=author.name, email=author.email, uri=author.uri)
    fg.link(href=spec.url, rel="self", type=MEDIA_TYPE)
    fg.link(href=site_url(config), rel="alternate", type="text/html")
    for rel, href in spec.history:
        fg.link(href=href, rel=rel, type=MEDIA_TYPE)
    for hub in spec.hubs:
        fg.link(href=hub, rel="hub")
    for article in articles:
        entry = fg.add_entry(order="append")
        entry.id(article.id)
        entry.title(article.title)
        # feedgen drops rel/type on entry links; a link without rel is "alternate" in Atom.
        entry.link(href=article.link)
        entry.published(article.published)
        entry.updated(article.updated)
        entry.category(term=article.category.slug, label=article.category.name)
        entry.summary(article.summary, type="text")
        entry.content(full_text(article), type="text")
    data: bytes = fg.atom_str(pretty=True, encoding="UTF-8")
    return with_stylesheet(data, spec.relpath)


def full_text(article: Article) -> str:
    """The body, with a note on its own line where the source cut it off."""
    return f"{article.body}\n{TRUNCATION_NOTE}" if article.truncated else article.body
