"""Sitemaps: what search engines read to find every page.

- `sitemap.xml`: a sitemap index naming the others;
- `sitemaps/site.xml`: the front page, the category pages and every listing page;
- `sitemaps/{n}.xml`: article pages, one file per page of the overall feed's archive (the same
  members, so a full file never changes, and a new article rewrites the newest file only; a
  site too small for an archive has one, `sitemaps/1.xml`); `lastmod` is the article's `updated`;
- `news-sitemap.xml`: a Google News sitemap of the articles published within two days of the
  newest one (not of the build's day: the same input gives the same bytes whenever it is built).

`robots.txt` points at `sitemap.xml`. Each file stays far below the protocol's 50,000 URLs (an
archive page holds `limits.archive_page_size`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pressfeed.catalog import newest_first, page_count
from pressfeed.render.fast import text
from pressfeed.types import Article

if TYPE_CHECKING:
    from pressfeed.site import Page, Site

INDEX = "sitemap.xml"
SITE = "sitemaps/site.xml"
CHUNK = "sitemaps/{number}.xml"
NEWS = "news-sitemap.xml"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
#: A news sitemap lists the articles of this span before the newest one.
NEWS_SPAN = dt.timedelta(days=2)
#: Google reads at most this many articles from a news sitemap.
NEWS_MAX = 1000


def plan(site: Site, settings: str) -> list[Page]:
    """The sitemap files a build plans (the article files the catalog's changes touch)."""
    overall = site.rows[None]
    count = page_count(overall.total, overall.live, site.config)
    pages = [site.page(INDEX, "sitemap-index", (), settings, max(count, 1))]
    pages.append(site.page(SITE, "sitemap-site", (), settings, _listing_paths(site)))
    if count == 0:
        every = tuple(m.seq for m in overall.newest)
        pages.append(site.page(CHUNK.format(number=1), "sitemap", every, settings, 1))
    for number, members in sorted(overall.pages.items()):
        live = tuple(m.seq for m in newest_first(m for m in members if not m.withdrawn))
        pages.append(site.page(CHUNK.format(number=number), "sitemap", live, settings, number))
    newest = overall.newest
    recent = tuple(m.seq for m in newest if m.published >= newest[0].published - NEWS_SPAN)
    pages.append(site.page(NEWS, "news-sitemap", recent[:NEWS_MAX], settings, ()))
    return pages


def _listing_paths(site: Site) -> tuple[str, ...]:
    from pressfeed.site import CATEGORY_PAGE, archive_page
    from pressfeed.site import INDEX as FRONT

    paths = [FRONT]
    for category in (None, *site.ordered_categories):
        if category is not None:
            paths.append(CATEGORY_PAGE.format(slug=category.slug))
        paths += [archive_page(category, n) for n in range(1, site.listing_count(category) + 1)]
    return tuple(paths)


def render(site: Site, page: Page, articles: Mapping[int, Article]) -> bytes:
    base = site.config.base_url
    if page.kind == "sitemap-index":
        overall = site.rows[None]
        count = max(page_count(overall.total, overall.live, site.config), 1)
        names = [SITE, *(CHUNK.format(number=n) for n in range(1, count + 1))]
        body = "".join(f"  <sitemap><loc>{text(f'{base}/{name}')}</loc></sitemap>\n" for name in names)
        return _document("sitemapindex", body, "")
    if page.kind == "sitemap-site":
        urls = [f"{base}/" if path == "index.html" else f"{base}/{path}" for path in _listing_paths(site)]
        return _document("urlset", "".join(f"  <url><loc>{text(url)}</loc></url>\n" for url in urls), "")
    chosen = [articles[seq] for seq in page.seqs]
    if page.kind == "sitemap":
        body = "".join(
            f"  <url><loc>{text(a.link)}</loc><lastmod>{a.updated.isoformat()}</lastmod></url>\n"
            for a in chosen
        )
        return _document("urlset", body, "")
    language = site.config.language.split("-", 1)[0].lower()
    name = text(site.config.title)
    body = "".join(
        f"  <url><loc>{text(a.link)}</loc><news:news><news:publication><news:name>{name}</news:name>"
        f"<news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
        f"<news:title>{text(a.title)}</news:title></news:news></url>\n"
        for a in chosen
    )
    return _document("urlset", body, f' xmlns:news="{NEWS_NS}"')


def _document(root: str, body: str, extra_ns: str) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{SITEMAP_NS}"{extra_ns}>\n'
    return f"{head}{body}</{root}>\n".encode()
