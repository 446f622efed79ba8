"""Sitemaps: valid against the protocol's schemas, every article listed once, stable files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from conftest import site as make_site
from conftest import write_dump
from pressfeed.config import Config, load_config
from pressfeed.pipeline import build

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "n": "http://www.google.com/schemas/sitemap-news/0.9",
}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = load_config(
        make_site(tmp_path_factory.mktemp("maps"), 130, max_entries=20, archive_page_size=40)
    )
    build(config, now=NOW)
    return config


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def test_every_sitemap_is_valid(built: Config) -> None:
    sitemap, news = schema("sitemap.xsd"), schema("news.xsd")
    out = built.output_dir
    for path in [out / "sitemap.xml", out / "news-sitemap.xml", *(out / "sitemaps").glob("*.xml")]:
        document = etree.parse(str(path))
        assert sitemap.validate(document), (path.name, sitemap.error_log)
    items = etree.parse(str(out / "news-sitemap.xml")).findall("s:url/n:news", NS)
    assert items
    for item in items:
        assert news.validate(etree.ElementTree(item)), news.error_log


def test_the_index_names_every_sitemap_and_they_list_every_page_once(built: Config) -> None:
    out = built.output_dir
    base = built.base_url
    named = [e.text for e in etree.parse(str(out / "sitemap.xml")).findall("s:sitemap/s:loc", NS)]
    files = sorted(f"{base}/sitemaps/{p.name}" for p in (out / "sitemaps").glob("*.xml"))
    assert sorted(named) == files
    listed = [
        e.text or ""
        for name in files
        for e in etree.parse(str(out / name.removeprefix(f"{base}/"))).findall("s:url/s:loc", NS)
    ]
    pages = sorted(
        f"{base}/{p.relative_to(out).as_posix()}" for p in out.rglob("*.html") if p.name != "404.html"
    )
    assert sorted(url if not url.endswith("/") else f"{url}index.html" for url in listed) == pages


def test_the_news_sitemap_holds_the_last_two_days_of_the_newest_article(built: Config) -> None:
    dates = [
        dt.datetime.fromisoformat(e.text or "")
        for e in etree.parse(str(built.output_dir / "news-sitemap.xml")).findall(
            "s:url/n:news/n:publication_date", NS
        )
    ]
    assert dates and max(dates) - min(dates) <= dt.timedelta(days=2)


def test_a_new_article_rewrites_the_newest_article_sitemap_only(built: Config) -> None:
    out = built.output_dir
    before = {p.name: p.read_bytes() for p in (out / "sitemaps").glob("*.xml")}
    write_dump(131, built.inputs[0])
    build(built, now=NOW)
    after = {p.name: p.read_bytes() for p in (out / "sitemaps").glob("*.xml")}
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed == ["4.xml", "site.xml"] or changed == ["4.xml"]
