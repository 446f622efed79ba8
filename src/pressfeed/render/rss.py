"""RSS 2.0 with feedgen. `description` and `content:encoded` are HTML, so text is escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

from pressfeed.config import Config
from pressfeed.render.common import new_feed
from pressfeed.render.fast import title_for_rss
from pressfeed.render.names import RSS_TYPE as MEDIA_TYPE
from pressfeed.render.names import TRUNCATION_NOTE, site_url, with_stylesheet
from pressfeed.types import Article, FeedSpec


def render(spec: FeedSpec, articles: Sequence[Article], config: Config) -> bytes:
    fg = new_feed(spec, config)
    fg.description(config.subtitle or config.title)
    # The channel <link> is the last link added: self first, the site last.
    fg.link(href=spec.url, rel="self", type=MEDIA_TYPE)
    fg.link(href=site_url(config), rel="alternate")
    fg.pubDate(spec.newest)
    for article in articles:
        item = fg.add_entry(order="append")
        item.title(title_for_rss(article.title))
        item.link(href=article.link)
        item.guid(article.id, permalink=False)
        item.pubDate(article.published)
        item.category(term=article.category.slug, label=article.category.name)
        if config.author.email:
            item.author(name=config.author.name, email=config.author.email)
        item.description(html.escape(article.summary, quote=False))
        item.content(body_html(article))
    data: bytes = fg.rss_str(pretty=True, encoding="UTF-8")
    return with_stylesheet(data, spec.relpath)


def body_html(article: Article) -> str:
    """The body as HTML paragraphs, one per line of the dump."""
    body = f"{article.body}\n{TRUNCATION_NOTE}" if article.truncated else article.body
    return "<p>" + html.escape(body, quote=False).replace("\n", "</p><p>") + "</p>"
