"""The output folder as a static site: every link resolves, every feed is discoverable, every
entry link opens its article page, and the extras (JSON Feed, OPML, .gz, host files) are right."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import html
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree

from conftest import WriteConfig, record
from pressfeed.config import Config, load_config
from pressfeed.errors import OutputError
from pressfeed.pipeline import build

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BASE = "https://example.org/motie/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plus a hostile article, with small pages so that archives exist."""
    import yaml

    from conftest import SAMPLE, base_config_data

    work = tmp_path_factory.mktemp("site")
    hostile = record(
        "Industry", "Alert <script>alert(1)</script> & “quotes”", "Body <b>bold</b> & R&D.", "2025-10-01"
    )
    (work / "dump.txt").write_text(hostile + SAMPLE.read_text("utf-8"), encoding="utf-8")
    data = base_config_data()
    data["inputs"] = ["dump.txt"]
    data["limits"] = {"max_entries": 3, "archive_page_size": 3}
    (work / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    build(load_config(work / "config.yaml"), now=NOW)
    return work / "feeds"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links.append((tag, dict(attrs)))


def html_tags(path: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Links()
    parser.feed(path.read_text("utf-8"))
    return parser.links


def targets(site: Path, path: Path) -> list[str]:
    """Every URL a produced file links to."""
    text = path.read_text("utf-8")
    if path.suffix == ".html":
        return [attrs[key] or "" for _, attrs in html_tags(path) for key in ("href", "src") if key in attrs]
    if path.suffix == ".json":
        feed = json.loads(text)
        urls = [feed.get("feed_url", ""), feed.get("home_page_url", ""), feed.get("next_url", "")]
        return [u for u in urls + [item["url"] for item in feed["items"]] if u]
    return re.findall(r'(?:href|xmlUrl|htmlUrl)="([^"]+)"', text) + re.findall(r"<link>([^<]+)</link>", text)


def resolve(site: Path, page: Path, url: str) -> Path | None:
    """The file a link names inside the site, or None for a link elsewhere."""
    if url.startswith(BASE):
        relpath = url[len(BASE) :] or "index.html"
    elif "://" in url or url.startswith(("mailto:", "#")):
        return None
    else:
        relpath = posixpath.normpath(posixpath.join(page.parent.relative_to(site).as_posix(), url))
    if relpath.endswith("/") or relpath in ("", "."):
        relpath = (relpath.rstrip("/") + "/index.html").lstrip("/")
    return site / relpath


def test_every_link_inside_the_site_resolves_to_a_file(site: Path) -> None:
    checked = 0
    for path in site.rglob("*"):
        if path.suffix not in {".html", ".xml", ".json", ".opml"}:
            continue
        for url in targets(site, path):
            target = resolve(site, path, url)
            if target is not None:
                assert target.is_file(), f"{path.relative_to(site)} links to {url}"
                checked += 1
    assert checked > 300


def test_the_front_page_lets_a_reader_discover_every_overall_feed(site: Path) -> None:
    found = {
        (attrs["type"], attrs["href"])
        for tag, attrs in html_tags(site / "index.html")
        if tag == "link" and attrs.get("rel") == "alternate"
    }
    assert found == {
        ("application/atom+xml", "all.atom.xml"),
        ("application/rss+xml", "all.rss.xml"),
        ("application/feed+json", "all.json"),
    }
    text = (site / "index.html").read_text("utf-8")
    assert '<html lang="en">' in text
    for category in ("industry", "trade-investment", "fta-economic-cooperation"):
        assert f'href="categories/{category}.html"' in text


def test_each_category_page_discovers_its_own_feeds(site: Path) -> None:
    hrefs = {
        attrs["href"]
        for tag, attrs in html_tags(site / "categories" / "industry.html")
        if tag == "link" and attrs.get("rel") == "alternate"
    }
    assert hrefs == {"../industry.atom.xml", "../industry.rss.xml", "../industry.json"}


def test_every_entry_link_opens_its_article_page(site: Path) -> None:
    root = etree.parse(str(site / "all.atom.xml")).getroot()
    entries = list(root.iter(f"{ATOM}entry"))
    for page in sorted((site / "archive" / "all").glob("*.atom.xml")):
        entries += list(etree.parse(str(page)).getroot().iter(f"{ATOM}entry"))
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 11
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        page = (site / link.removeprefix(BASE)).read_text("utf-8")
        title = entry.findtext(f"{ATOM}title")
        assert f"<h1>{html.escape(title, quote=False)}</h1>" in page
        category = entry.find(f"{ATOM}category").get("label")
        assert category in page
        first_line = entry.findtext(f"{ATOM}content").split("\n")[0]
        assert html.escape(first_line[:60], quote=False) in page.replace("&#39;", "'")


def test_a_truncated_article_page_says_so(site: Path) -> None:
    [page] = (site / "articles" / "2025-09-30").glob("end-users-*.html")
    text = page.read_text("utf-8")
    assert "The text was cut off at the source" in text
    assert '<time datetime="2025-09-30T00:00:00+09:00">30 September 2025</time>' in text


def test_markup_in_articles_never_reaches_a_page_as_markup(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>" not in text and "<b>bold" not in text, page
    [hostile] = (site / "articles" / "2025-10-01").glob("*.html")
    assert "Alert &lt;script&gt;alert(1)&lt;/script&gt; &amp; “quotes”" in hostile.read_text("utf-8")


def test_json_feeds_have_the_required_fields_and_chain_to_every_item(site: Path) -> None:
    feed = json.loads((site / "all.json").read_text("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert (feed["title"], feed["home_page_url"], feed["feed_url"]) == (
        "MOTIE Press Releases",
        BASE,
        BASE + "all.json",
    )
    assert feed["authors"] == [{"name": "Ministry of Trade, Industry and Energy"}]
    assert feed["language"] == "en"
    ids = []
    page = feed
    while True:
        for item in page["items"]:
            assert {
                "id",
                "url",
                "title",
                "content_text",
                "summary",
                "date_published",
                "date_modified",
                "tags",
            } <= set(item)
            ids.append(item["id"])
        if "next_url" not in page:
            break
        page = json.loads((site / page["next_url"].removeprefix(BASE)).read_text("utf-8"))
        assert page["_archive"] == {"current": BASE + "all.json"}
    atom_ids = {
        e.findtext(f"{ATOM}id")
        for e in etree.parse(str(site / "all.atom.xml")).getroot().iter(f"{ATOM}entry")
    }
    assert set(ids) >= atom_ids
    assert len(set(ids)) == 11


def test_the_opml_lists_every_feed(site: Path) -> None:
    root = etree.parse(str(site / "feeds.opml")).getroot()
    outlines = root.findall("body/outline")
    assert len(outlines) == 4 * 3
    for outline in outlines:
        assert outline.get("type") == "rss"
        assert (site / outline.get("xmlUrl").removeprefix(BASE)).is_file()
        assert (site / outline.get("htmlUrl").removeprefix(BASE)).is_file()
        assert outline.get("title") == outline.get("text")


def test_every_published_file_has_a_byte_stable_gz_beside_it(site: Path) -> None:
    published = [
        p for p in site.rglob("*") if p.is_file() and p.suffix != ".gz" and not p.name.startswith(("_", "."))
    ]
    published = [p for p in published if p.name != "pressfeed.nginx.conf"]
    for path in published:
        packed = path.with_name(path.name + ".gz").read_bytes()
        assert gzip.decompress(packed) == path.read_bytes()
        assert packed[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
    assert not (site / "_headers.gz").exists()


def test_a_rerun_leaves_gz_files_alone(config: Config) -> None:
    build(config, now=NOW)
    packed = config.output_dir / "all.atom.xml.gz"
    mtime = packed.stat().st_mtime_ns
    build(config, now=NOW, full=True)
    assert packed.stat().st_mtime_ns == mtime


def test_host_files_give_every_format_its_content_type(site: Path) -> None:
    headers = (site / "_headers").read_text("utf-8")
    htaccess = (site / ".htaccess").read_text("utf-8")
    nginx = (site / "pressfeed.nginx.conf").read_text("utf-8")
    for media in ("application/atom+xml", "application/rss+xml", "application/feed+json", "text/x-opml"):
        assert f"Content-Type: {media}; charset=utf-8" in headers
        assert media in htaccess
        assert f"default_type {media};" in nginx
    assert "Cache-Control: public, max-age=300" in headers
    assert "gzip_static on;" in nginx


def test_templates_can_be_replaced_from_the_config(write_config: WriteConfig, tmp_path: Path) -> None:
    templates = tmp_path / "my-templates"
    templates.mkdir()
    (templates / "article.html").write_text("<p>Mine: {{ article.title }}</p>\n", encoding="utf-8")
    config = load_config(write_config(site__templates="my-templates"))
    build(config, now=NOW)
    [page] = (config.output_dir / "articles" / "2025-09-25").glob("koreas-retail-*.html")
    assert page.read_text("utf-8") == "<p>Mine: Korea’s Retail Industry Grows 3.7% in August</p>\n"
    assert "<!doctype html>" in (config.output_dir / "index.html").read_text("utf-8")


def test_editing_a_template_renders_the_pages_again_on_the_next_build(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    templates = tmp_path / "my-templates"
    templates.mkdir()
    (templates / "article.html").write_text("<p>Mine: {{ article.title }}</p>\n", encoding="utf-8")
    config = load_config(write_config(site__templates="my-templates"))
    build(config, now=NOW)
    assert build(config, now=NOW).skipped
    (templates / "article.html").write_text("<p>Edited: {{ article.title }}</p>\n", encoding="utf-8")
    report = build(config, now=NOW)
    assert not report.skipped and report.site_written == 10
    [page] = (config.output_dir / "articles" / "2025-09-25").glob("koreas-retail-*.html")
    assert page.read_text("utf-8") == "<p>Edited: Korea’s Retail Industry Grows 3.7% in August</p>\n"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<p>{% if %}</p>\n", r"article\.html:1: Expected an expression, got 'end of statement block'"),
        (
            "<p>{{ article.title }}</p>\n<p>{{ nosuch.title }}</p>\n",
            r"article\.html:2: 'nosuch' is undefined",
        ),
    ],
)
def test_a_broken_template_is_one_error_at_its_line_and_changes_nothing(
    write_config: WriteConfig, tmp_path: Path, template: str, message: str
) -> None:
    templates = tmp_path / "my-templates"
    templates.mkdir()
    config = load_config(write_config(site__templates="my-templates"))
    build(config, now=NOW)
    before = {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()}
    (templates / "article.html").write_text(template, encoding="utf-8")
    with pytest.raises(OutputError, match=message + "; nothing was written$"):
        build(config, now=NOW)
    assert {p: p.read_bytes() for p in config.output_dir.rglob("*") if p.is_file()} == before


def test_article_pages_that_list_the_categories_follow_a_new_category(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    templates = tmp_path / "my-templates"
    templates.mkdir()
    listing = "{% for c in categories %}{{ c.name }};{% endfor %}\n"
    (templates / "article.html").write_text(listing, encoding="utf-8")
    config = load_config(write_config(site__templates="my-templates"))
    build(config, now=NOW)
    [page] = (config.output_dir / "articles" / "2025-09-25").glob("koreas-retail-*.html")
    assert page.read_text("utf-8") == "Industry;FTA/Economic Cooperation;Trade/Investment;"
    grown = tmp_path / "grown.txt"
    new = record("Energy", "A new plant", "It opened today.", day="2025-10-01")
    grown.write_text(new + config.inputs[0].read_text(encoding="utf-8"), encoding="utf-8")
    build(dataclasses.replace(config, inputs=(grown,)), now=NOW)
    assert page.read_text("utf-8") == "Industry;FTA/Economic Cooperation;Trade/Investment;Energy;"


def korean_site(write_config: WriteConfig, tmp_path: Path, **labels: str) -> Config:
    dump = tmp_path / "ko.txt"
    dump.write_text(
        record("산업", "2025년 12월 1일자 채용 공고", "산업통상자원부는 채용 공고를 냈다.", "2025-12-01"),
        "utf-8",
    )
    config = load_config(write_config(site__language="ko-KR", site__labels=labels))
    return dataclasses.replace(config, inputs=(dump,))


def test_a_korean_site_speaks_korean_and_keeps_words_whole(write_config: WriteConfig, tmp_path: Path) -> None:
    config = korean_site(write_config, tmp_path)
    build(config, now=NOW)
    page = (config.output_dir / "index.html").read_text("utf-8")
    assert '<html lang="ko-KR">' in page
    assert "<h2>최신 보도자료</h2>" in page and "전체 피드 목록 (OPML)" in page
    assert ">2025년 12월 1일</time>" in page
    assert ":lang(ko) { word-break: keep-all; }" in page
    assert "Latest" not in page and "Subscribe" not in page


def test_site_labels_replace_the_built_in_words(write_config: WriteConfig, tmp_path: Path) -> None:
    config = korean_site(write_config, tmp_path, latest="새 소식")
    build(config, now=NOW)
    assert "<h2>새 소식</h2>" in (config.output_dir / "index.html").read_text("utf-8")


def test_an_unknown_label_is_a_config_error(write_config: WriteConfig) -> None:
    from pressfeed.errors import ConfigError

    with pytest.raises(ConfigError, match=r"site\.labels\.lastest: unknown label; known: all_feeds, "):
        load_config(write_config(site__labels={"lastest": "x"}))


def test_article_pages_offer_their_category_feeds_and_describe_themselves(site: Path) -> None:
    page = next((site / "articles").glob("*/koreas-retail-*.html")).read_text("utf-8")
    assert (
        'rel="alternate" type="application/atom+xml" title="MOTIE Press Releases — Industry (Atom)" href="../../industry.atom.xml"'
        in page
    )
    assert (
        "<p>This category:</p>" in page
        and '<a href="../../industry.rss.xml" type="application/rss+xml">RSS</a>' in page
    )
    assert (
        "<p>Everything:</p>" in page
        and '<a href="../../all.atom.xml" type="application/atom+xml">Atom</a>' in page
    )
    assert re.search(
        r'<link rel="canonical" href="https://example.org/motie/articles/2025-09-25/koreas-retail-[^"]+\.html">',
        page,
    )
    assert '<meta property="og:type" content="article">' in page
    assert re.search(
        r'<meta name="description" content="The Ministry of Trade, Industry and Energy \(MOTIE\) announced',
        page,
    )
    assert '<a href="../../categories/trade-investment.html">Trade/Investment</a>' in page  # the menu


def test_the_404_page_links_absolutely_and_robots_may_crawl(site: Path) -> None:
    page = (site / "404.html").read_text("utf-8")
    assert '<a href="https://example.org/motie/index.html">Front page</a>' in page
    assert 'href="https://example.org/motie/all.atom.xml"' in page
    assert (site / "robots.txt").read_text("utf-8") == (
        "User-agent: *\nAllow: /\nSitemap: https://example.org/motie/sitemap.xml\n"
    )


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def reachable_pages(folder: Path) -> set[str]:
    """Every HTML page reached from index.html by following its links (and theirs)."""
    seen, todo = {"index.html"}, ["index.html"]
    while todo:
        page = todo.pop()
        parser = _Anchors()
        parser.feed((folder / page).read_text("utf-8"))
        for href in parser.hrefs:
            if "://" in href or not href.endswith(".html"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
            if target not in seen and (folder / target).is_file():
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """300 synthetic articles, feeds of 20 and archive pages of 40, site pages of 15."""
    from conftest import site as make_site

    folder = tmp_path_factory.mktemp("large")
    config = load_config(make_site(folder, 300, page_size=15, max_entries=20, archive_page_size=40))
    build(config, now=NOW)
    return config


def listed_articles(page: Path) -> list[str]:
    """The article pages a listing page lists, in its order."""
    return [str(a["href"]) for tag, a in html_tags(page) if tag == "a" and "articles/" in str(a.get("href"))]


def test_listing_pages_hold_site_page_size_articles_page_one_the_oldest(large_site: Config) -> None:
    out = large_site.output_dir
    total = len(list((out / "articles").rglob("*.html")))
    assert len(listed_articles(out / "index.html")) == 15
    pages = sorted((out / "archive" / "all").glob("*.html"), key=lambda p: int(p.stem))
    assert [p.name for p in pages] == [f"{n}.html" for n in range(1, -(-total // 15) + 1)]
    sizes = [len(listed_articles(p)) for p in pages]
    assert sizes[:-1] == [15] * (len(pages) - 1) and 1 <= sizes[-1] <= 15
    assert len({href.rpartition("/")[2] for p in pages for href in listed_articles(p)}) == total

    def days(page: Path) -> list[str]:  # articles/{day}/{slug}.html
        return [href.split("/")[-2] for href in listed_articles(page)]

    assert max(days(pages[0])) <= min(days(pages[1])) and max(days(pages[-2])) <= min(days(pages[-1]))


def test_every_article_page_is_reachable_from_the_front_page(large_site: Config) -> None:
    out = large_site.output_dir
    articles = {p.relative_to(out).as_posix() for p in (out / "articles").rglob("*.html")}
    assert len(articles) == 300
    assert articles - reachable_pages(out) == set()


def test_a_new_article_rewrites_a_few_listing_pages_only(large_site: Config) -> None:
    from conftest import write_dump

    out = large_site.output_dir
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    write_dump(301, large_site.inputs[0])
    report = build(large_site, now=NOW)
    assert report.added == 1
    changed = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.html") if before.get(p) != p.stat().st_mtime_ns
    )
    listings = [p for p in changed if not p.startswith("articles/")]
    # The front page, its category's page, and the newest archive page of each (a full page
    # never changes): at most two of each kind, whatever the archive's size.
    assert len(listings) <= 6, listings
    # The new article's page, and that of the article before it in its category, which now
    # links to it.
    assert len([p for p in changed if p.startswith("articles/")]) == 2


def test_a_new_page_size_cuts_the_listings_again_and_leaves_the_feeds_alone(tmp_path: Path) -> None:
    from conftest import site as make_site

    config = load_config(make_site(tmp_path, 60, page_size=10, max_entries=5))
    build(config, now=NOW)
    out = config.output_dir
    feeds = {p: p.stat().st_mtime_ns for p in out.rglob("*.xml") if "sitemap" not in p.as_posix()}
    assert len(list((out / "archive" / "all").glob("*.html"))) == 6
    report = build(dataclasses.replace(config, page_size=20), now=NOW)
    assert report.added == 0
    assert len(listed_articles(out / "index.html")) == 5  # limits.max_entries is the ceiling
    assert [len(listed_articles(out / "archive" / "all" / f"{n}.html")) for n in (1, 2, 3)] == [20, 20, 20]
    assert {p: p.stat().st_mtime_ns for p in feeds} == feeds


def category_chain(out: Path, slug: str) -> list[str]:
    """The article URLs of a category, newest first (ties by id): every item of its JSON Feed
    and its archive chain."""
    items, name = {}, f"{slug}.json"
    while name:
        feed = json.loads((out / name).read_text("utf-8"))
        items |= {item["url"]: item for item in feed["items"]}
        name = feed.get("next_url", "").rpartition("/recovery/")[2]
    ordered = sorted(items.values(), key=lambda item: item["id"])
    ordered.sort(key=lambda item: dt.datetime.fromisoformat(item["date_published"]), reverse=True)
    return [item["url"] for item in ordered]


def test_article_pages_lead_through_their_category_one_release_at_a_time(large_site: Config) -> None:
    """From a category's newest article, `prev` links visit every article of the category,
    newest first, and each `next` link leads back."""
    out = large_site.output_dir
    for category_page in (out / "categories").glob("*.html"):
        chain = category_chain(out, category_page.stem)
        page = out / chain[0].rpartition("/recovery/")[2]
        visited = [page]
        while prev := [a for tag, a in html_tags(page) if tag == "a" and a.get("rel") == "prev"]:
            older = (page.parent / str(prev[0]["href"])).resolve()
            [back] = [a for tag, a in html_tags(older) if tag == "a" and a.get("rel") == "next"]
            assert (older.parent / str(back["href"])).resolve() == page.resolve()
            visited.append(older)
            page = older
        assert [p.name for p in visited] == [url.rpartition("/")[2] for url in chain]


def test_a_static_folder_is_published_and_its_logo_and_favicon_are_shown(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "logo.png").write_bytes(b"\x89PNG fake logo")
    (static / "favicon.ico").write_bytes(b"icon")
    (static / "css" / "extra.css").write_text("body { color: navy; }", "utf-8")
    (static / "index.html").write_text("not mine to publish", "utf-8")
    config = load_config(write_config(site__static="static"))
    build(config, now=NOW)
    out = config.output_dir
    assert (out / "logo.png").read_bytes() == b"\x89PNG fake logo"
    assert (out / "css" / "extra.css").read_text("utf-8") == "body { color: navy; }"
    assert "not mine" not in (out / "index.html").read_text("utf-8")
    front = (out / "index.html").read_text("utf-8")
    assert (
        '<link rel="icon" href="favicon.ico">' in front and '<img src="logo.png" alt="" height="48">' in front
    )
    article = next((out / "articles").rglob("*.html")).read_text("utf-8")
    assert '<img src="../../logo.png" alt="" height="32">' in article
    (static / "css" / "extra.css").write_text("body { color: teal; }", "utf-8")
    build(config, now=NOW)
    assert (out / "css" / "extra.css").read_text("utf-8") == "body { color: teal; }"


def test_every_page_of_a_large_site_parses_as_html5_without_an_error(large_site: Config) -> None:
    """The WHATWG parser (html5lib, strict) finds no parse error in any page: front, category,
    archive, article and 404 pages."""
    import warnings

    import html5lib

    parser = html5lib.HTMLParser(strict=True)
    pages = sorted(large_site.output_dir.rglob("*.html"))
    assert len(pages) > 300
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # html5lib 1.1 on a newer Python
        for page in pages:
            parser.parse(page.read_bytes())


@pytest.mark.parametrize("feed", ["all.atom.xml", "industry.rss.xml"])
def test_a_feed_opened_in_a_browser_shows_as_a_page_that_says_how_to_subscribe(site: Path, feed: str) -> None:
    """The feed names the stylesheet a browser applies; the stylesheet turns Atom and RSS into a
    page with the feed's title, its address to copy and every entry, linked."""
    data = (site / feed).read_bytes()
    assert data.splitlines()[1] == b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>'
    transform = etree.XSLT(etree.parse(str(site / "feed.xsl")))
    page = str(transform(etree.parse(str(site / feed))))
    document = etree.fromstring(data)
    entries = document.findall(".//{http://www.w3.org/2005/Atom}entry") or document.findall(".//item")
    assert page.count("<li>") == len(entries) > 0
    assert f"<code>https://example.org/motie/{feed}</code>" in page
    assert "copy its address into your feed reader" in page.lower()
    archive = next((site / "archive").rglob("*.atom.xml"), None)
    if archive is not None:
        assert b'href="../../feed.xsl"' in archive.read_bytes().splitlines()[1]


def test_readers_still_read_the_feeds_as_they_were(site: Path) -> None:
    import feedparser

    for feed in ("all.atom.xml", "all.rss.xml"):
        parsed = feedparser.parse(str(site / feed))
        assert (
            not parsed.bozo
            and len(parsed.entries)
            == (site / feed).read_bytes().count(b"<entry>" if "atom" in feed else b"<item>")
            > 0
        )


def test_page_links_are_what_relpath_gives_for_every_pair_of_site_paths() -> None:
    """Links between pages are made without asking the file system, and still equal
    posixpath.relpath's for every kind of page and target the site has."""
    from pressfeed.render.names import relative

    paths = [
        "index.html",
        "feeds.opml",
        "all.atom.xml",
        "categories/energy.html",
        "archive/all/3.html",
        "archive/energy/12.html",
        "articles/2025-09-29/a-b.html",
        "articles/2025-09-30/c.html",
        "archive/all.atom.xml",
        "a/b/c/d.html",
    ]
    for page in paths:
        folder = posixpath.dirname(page)
        for target in paths:
            assert relative(target, folder) == posixpath.relpath(target, folder or "."), (page, target)
