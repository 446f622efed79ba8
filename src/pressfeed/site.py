"""The static site around the feeds: HTML pages, an OPML list of every feed, host snippets.

- `index.html`: the latest articles, the categories, autodiscovery of the overall feeds;
- `categories/{slug}.html`: a category's latest articles and its feeds;
- one page per article at exactly the URL its feed entries link to;
- `feeds.opml`: every feed (overall and per category, each format), to subscribe at once;
- `_headers` (Netlify, Cloudflare Pages), `.htaccess` (Apache) and `pressfeed.nginx.conf`:
  content types, charsets and caching for the hosts that read them.

Pages use relative links, so the folder browses the same at its public URL, under `serve`, or
opened from disk. Templates are Jinja2 with autoescaping; `site.templates` in the config names
a folder whose files replace the built-in ones by name.
"""

from __future__ import annotations

import hashlib
import posixpath
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pressfeed import sitemaps
from pressfeed.catalog import front_size, listing_count, neighbours, newest_first
from pressfeed.config import OVERALL_FEED_KEY, Config, category_key, is_inside
from pressfeed.errors import OutputError
from pressfeed.labels import date, labels_for
from pressfeed.render import fast
from pressfeed.render.names import STYLESHEET, article_path, relative
from pressfeed.types import Article, ArticleMeta, Category, FeedFormat

if TYPE_CHECKING:
    from pressfeed.catalog import Catalog

INDEX = "index.html"
OPML = "feeds.opml"
CATEGORY_PAGE = "categories/{slug}.html"
#: (file name ending, media type, Cache-Control max-age in seconds), most specific first.
CONTENT_TYPES: tuple[tuple[str, str, int], ...] = (
    (".atom.xml", "application/atom+xml", 300),
    (".rss.xml", "application/rss+xml", 300),
    (".json", "application/feed+json", 300),
    (".opml", "text/x-opml", 3600),
    (".html", "text/html", 300),
    (".xml", "application/xml", 300),
    (".txt", "text/plain", 3600),
    (".xsl", "text/xsl", 3600),
)
ARCHIVE_MAX_AGE = 86_400
FORMAT_LABELS = {FeedFormat.ATOM: "Atom", FeedFormat.RSS: "RSS", FeedFormat.JSON: "JSON Feed"}
FORMAT_TYPES = {
    FeedFormat.ATOM: "application/atom+xml",
    FeedFormat.RSS: "application/rss+xml",
    FeedFormat.JSON: "application/feed+json",
}
#: The page a host serves for a missing path, and what robots are told.
NOT_FOUND = "404.html"
#: A listing's archive pages (`{feed}`: `all` or a category's slug; page 1 is the oldest).
ARCHIVE_PAGE = "archive/{feed}/{page}.html"
ROBOTS = "robots.txt"
#: Page chromes (menu, subscribe box) kept for reuse: article pages live one folder a day.
CHROMES_KEPT = 64
#: The template of each kind of page.
TEMPLATES = {
    "article": "article.html",
    "index": "index.html",
    "category": "category.html",
    "notfound": NOT_FOUND,
    "archive": "archive.html",
}


def archive_page(category: Category | None, number: int) -> str:
    return ARCHIVE_PAGE.format(feed=OVERALL_FEED_KEY if category is None else category.slug, page=number)


class Fields(dict[str, Any]):
    """A mapping whose keys templates read as attributes (`article.title`) at the first try:
    Jinja tries an attribute before a key, and a plain dict makes it raise and catch an
    AttributeError every time (a tenth of a page's rendering)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _environment() -> Any:
    """Jinja's Environment, reading our Fields' keys in one step (Jinja tries an attribute, then
    a key: two calls a `{{ article.title }}`, some seventy a page)."""
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            if type(obj) is Fields and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Environment


def content_type(name: str) -> tuple[str, int]:
    """Media type (with charset) and max-age for a published file name."""
    for ending, media, max_age in CONTENT_TYPES:
        if name.endswith(ending):
            return f"{media}; charset=utf-8", max_age
    return "application/octet-stream", 300


@dataclass(frozen=True)
class Page:
    """One file of the site: what it is, the articles it shows, and its fingerprint."""

    relpath: str
    #: "article", "index", "category", "notfound", "robots", "opml" or "host".
    kind: str
    seqs: tuple[int, ...]
    fingerprint: str
    category: Category | None = None
    #: An article page's neighbours in its category, (older, newer) sequence numbers.
    neighbours: tuple[int | None, int | None] = (None, None)


class Site:
    """Plans and renders the site's files for one build."""

    def __init__(self, config: Config, catalog: Catalog) -> None:
        self.config = config
        self.catalog = catalog
        self.categories = catalog.categories
        #: Live articles per category with any, and what the front and category pages show:
        #: each feed's newest (site.page_size of them, at most as many as its feeds show).
        self.live_count = {f.category: f.live for f in catalog.feeds if f.category is not None and f.live}
        self.newest = {f.category: f.newest[: front_size(config)] for f in catalog.feeds}
        self.rows = {f.category: f for f in catalog.feeds}
        # The menu follows the config's order; categories it does not list come after, by name.
        order = {category_key(rule.name): n for n, rule in enumerate(config.categories)}
        self.ordered_categories = sorted(
            self.live_count,
            key=lambda c: (order.get(category_key(c.name), len(order)), c.name.casefold()),
        )
        shown = [m for f in catalog.feeds for m in f.newest]
        self.by_seq = {m.seq: m for m in (*catalog.articles, *shown)}
        # Listing pages and sitemaps show live members only: a complete catalog's articles
        # hold them all; an incremental one's hold only the changed ones and their neighbours.
        for feed in () if catalog.complete else catalog.feeds:
            for members in (*feed.pages.values(), *feed.listing.values()):
                for meta in members:
                    self.by_seq.setdefault(meta.seq, meta)
        #: Each article's (older, newer) live neighbours in its category.
        self.neighbours = (
            catalog.neighbours
            if catalog.neighbours is not None
            else neighbours(catalog.articles, catalog.categories)
        )
        self._chromes: dict[tuple[str | None, Category | None, bool], dict[str, Any]] = {}

    # -- planning --------------------------------------------------------------------------

    def plan(self, settings: str) -> list[Page]:
        """Every site file, article pages first (feeds link to them), then the rest."""
        # Article pages list the categories without their counts: a count changes with every
        # new article, and every article page would have to be written again.
        names = tuple((c.name, c.slug) for c in self.ordered_categories)
        articles = map(lambda meta: self._article_page(meta, settings, names), self.catalog.articles)
        pages = [page for page in articles if page.relpath]
        listing = [(c.name, c.slug, self.live_count[c]) for c in self.ordered_categories]
        latest = tuple(m.seq for m in self.newest[None])
        pages.append(self.page(INDEX, "index", latest, settings, (listing, self._older(None))))
        for category in self.ordered_categories:
            relpath = CATEGORY_PAGE.format(slug=category.slug)
            seqs = tuple(m.seq for m in self.newest[category])
            state = (listing, self._older(category))
            pages.append(self.page(relpath, "category", seqs, settings, state, category))
        pages += self._archive_pages(settings, names)
        pages += sitemaps.plan(self, settings)
        pages += self._static_files(settings, {p.relpath for p in pages})
        pages.append(self.page(OPML, "opml", (), settings, listing))
        pages.append(self.page(NOT_FOUND, "notfound", (), settings, [c[:2] for c in listing]))
        pages.append(self.page(ROBOTS, "robots", (), settings, ()))
        pages.append(self.page(STYLESHEET, "stylesheet", (), settings, ()))
        for name in HOST_FILES:
            pages.append(self.page(name, "host", (), settings, ()))
        return pages

    def _static_files(self, settings: str, taken: set[str]) -> list[Page]:
        """The files of `site.static`, copied as they are (one that pressfeed writes itself, or
        hidden, is left out)."""
        folder = self.config.static
        if folder is None:
            return []
        pages = []
        for path in sorted(folder.rglob("*")):
            relpath = path.relative_to(folder).as_posix()
            hidden = any(part.startswith(".") for part in relpath.split("/"))
            if path.is_file() and not hidden and relpath not in taken and is_inside(relpath):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                pages.append(self.page(relpath, "static", (), settings, digest))
        return pages

    @cached_property
    def assets(self) -> dict[str, str]:
        """The favicon and logo the default templates show, when `site.static` has them."""
        folder = self.config.static
        found = {}
        for kind, names in (("favicon", ("favicon.ico", "favicon.svg", "favicon.png")),
                            ("logo", ("logo.svg", "logo.png", "logo.jpg"))):  # fmt: skip
            name = next((n for n in names if folder is not None and (folder / n).is_file()), None)
            if name is not None:
                found[kind] = name
        return found

    def listing_count(self, category: Category | None) -> int:
        """The listing pages of the front page (None) or of a category page."""
        rows = self.rows.get(category)
        return 0 if rows is None else listing_count(rows.total, rows.live, self.config)

    def _older(self, category: Category | None) -> str | None:
        """The newest listing page, which the front or category page links."""
        count = self.listing_count(category)
        return archive_page(category, count) if count else None

    def _archive_pages(self, settings: str, names: tuple[tuple[str, str], ...]) -> list[Page]:
        """The listing pages: each feed's members, oldest first, cut into pages of
        `site.page_size` (the catalog plans those a change touched), so that every article is
        reachable from the front page, and a new article rewrites the newest page or two only (a
        full page changes once, when a newer page follows it)."""
        pages = []
        for rows in self.catalog.feeds:
            count = listing_count(rows.total, rows.live, self.config)
            for number, members in sorted(rows.listing.items()):
                shown = tuple(m.seq for m in newest_first(m for m in members if not m.withdrawn))
                state = (names, number, number < count)  # a full page gains a "newer" link once
                relpath = archive_page(rows.category, number)
                pages.append(self.page(relpath, "archive", shown, settings, state, rows.category))
        return pages

    def _article_page(self, meta: ArticleMeta, settings: str, names: tuple[tuple[str, str], ...]) -> Page:
        """An article's page, which also links its neighbours in its category by title."""
        category = self.categories[meta.category]
        older, newer = self.neighbours.get(meta.seq, (None, None))
        around = tuple(None if m is None else (m.id, m.changed) for m in (older, newer))
        state = (meta.id, meta.changed, category, names, around)
        relpath = self.article_relpath(meta.link) or ""
        seqs = (meta.seq, *(m.seq for m in (older, newer) if m is not None))
        links = (None if older is None else older.seq, None if newer is None else newer.seq)
        return Page(relpath, "article", seqs, _digest(settings, state), category, links)

    def page(
        self,
        relpath: str,
        kind: str,
        seqs: tuple[int, ...],
        settings: str,
        listing: Any,
        category: Category | None = None,
    ) -> Page:
        state = (
            relpath,
            kind,
            [(self.by_seq[seq].id, self.by_seq[seq].changed) for seq in seqs],
            listing,
            category,
        )
        return Page(relpath, kind, seqs, _digest(settings, state), category)

    def article_relpath(self, link: str) -> str | None:
        """Where an article's page lives under the base URL, whatever base URL its link was
        minted under (see render.names.article_path); None for a path that would leave the folder."""
        relpath = article_path(link)
        return relpath if is_inside(relpath) else None

    # -- rendering ------------------------------------------------------------------------

    @cached_property
    def templates(self) -> Any:
        import jinja2

        loaders: list[jinja2.BaseLoader] = []
        if self.config.templates is not None:
            loaders.append(jinja2.FileSystemLoader(str(self.config.templates)))
        loaders.append(jinja2.PackageLoader("pressfeed", "templates"))
        return _environment()(
            loader=jinja2.ChoiceLoader(loaders),
            # Compiled templates kept between runs (Jinja's per-user cache folder, keyed by each
            # template's source): a cron run then neither lexes nor compiles them.
            bytecode_cache=jinja2.FileSystemBytecodeCache(),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            # One build reads each template once: not a stat of its file per page rendered.
            auto_reload=False,
        )

    def render(self, page: Page, articles: Mapping[int, Article]) -> bytes:
        if page.kind == "opml":
            return self._opml()
        if page.kind == "host":
            return HOST_FILES[page.relpath](self.config).encode("utf-8")
        if page.kind == "robots":
            return f"User-agent: *\nAllow: /\nSitemap: {self.config.base_url}/{sitemaps.INDEX}\n".encode()
        if "sitemap" in page.kind:
            return sitemaps.render(self, page, articles)
        if page.kind == "stylesheet":
            context = {"site": {"language": self.config.language}, "labels": self.labels}
            return str(self.templates.get_template(STYLESHEET).render(context)).encode("utf-8")
        if page.kind == "static":
            assert self.config.static is not None
            return (self.config.static / page.relpath).read_bytes()
        context = self._context(page, articles)
        template = TEMPLATES[page.kind]
        import jinja2

        try:
            return str(self.templates.get_template(template).render(context)).encode("utf-8")
        except jinja2.TemplateError as exc:
            raise OutputError(
                f"{_template_place(exc, template)}: {exc.message}; nothing was written"
            ) from exc

    def _context(self, page: Page, articles: Mapping[int, Article]) -> dict[str, Any]:
        here = page.relpath
        base = self.config.base_url
        folder = posixpath.dirname(here)
        if page.kind == "notfound":  # served at any depth: absolute links

            def href(target: str) -> str:
                return f"{base}/{target}"

        else:

            def href(target: str) -> str:
                return relative(target, folder)

        article = articles[page.seqs[0]] if page.kind == "article" else None
        own = page.category if page.kind in ("category", "archive") else article.category if article else None
        context: dict[str, Any] = {
            **self._chrome(folder if page.kind != "notfound" else None, own, page.kind == "index"),
            "page_url": f"{base}/" if here == INDEX else f"{base}/{here}",
            "description": self._description(page, article),
            "articles": [self._article(articles[seq], href) for seq in page.seqs if page.kind != "article"],
        }
        if page.kind in ("index", "category", "archive"):
            count = self.listing_count(page.category)
            number = int(posixpath.basename(here).split(".")[0]) if page.kind == "archive" else count + 1
            listing_home = INDEX if page.category is None else CATEGORY_PAGE.format(slug=page.category.slug)
            context["pages"] = Fields(
                {
                    "older": href(archive_page(page.category, number - 1))
                    if 1 < number <= count + 1
                    else None,
                    "newer": href(archive_page(page.category, number + 1))
                    if number < count
                    else href(listing_home)
                    if page.kind == "archive"
                    else None,
                    "latest": href(listing_home),
                    "number": number,
                }
            )
        if page.kind in ("category", "archive"):
            context["category"] = Fields(name=page.category.name if page.category else "")
        if article is not None:
            context["article"] = self._article(article, href)
            for key, seq in zip(("older", "newer"), page.neighbours, strict=True):
                context["article"][key] = None if seq is None else self._article(articles[seq], href)
        return context

    def _chrome(self, folder: str | None, own: Category | None, counts: bool) -> dict[str, Any]:
        """What every page in `folder` (None: absolute links) showing `own`'s feeds has in
        common: the menu, the subscribe box, the site's words. Made once per kind of page, not
        once per page (a full build renders ten thousand pages from a few dozen of these)."""
        key = (self._chrome_place(folder), own, counts)
        found = self._chromes.get(key)
        if found is not None:
            return found
        base = self.config.base_url

        def href(target: str) -> str:
            return f"{base}/{target}" if folder is None else relative(target, folder)

        groups: list[tuple[Category | None, str]] = [(own, self.labels["this_category"])] if own else []
        groups.append((None, self.labels["everything"]))
        subscribe = [Fields(label=label, feeds=self._feeds(category, href)) for category, label in groups]
        chrome: dict[str, Any] = {
            "site": Fields(
                title=self.config.title,
                subtitle=self.config.subtitle,
                language=self.config.language,
                base_url=base,
            ),
            "labels": Fields(self.labels),
            "assets": Fields(
                {
                    kind: href(self.assets[kind]) if kind in self.assets else None
                    for kind in ("favicon", "logo")
                }
            ),
            "home": href(INDEX),
            "opml": href(OPML),
            # Autodiscovery: a category's own feeds on its pages and its articles' pages.
            "discovery": subscribe[0]["feeds"],
            "subscribe": subscribe,
            "categories": [
                Fields(
                    {"name": c.name, "href": href(CATEGORY_PAGE.format(slug=c.slug))}
                    | ({"count": self.live_count[c]} if counts else {})
                )
                for c in self.ordered_categories
            ],
        }
        if len(self._chromes) >= CHROMES_KEPT:  # pages come folder by folder: the last few do
            self._chromes.clear()
        self._chromes[key] = chrome
        return chrome

    def _chrome_place(self, folder: str | None) -> str | None:
        """What the chrome's links depend on in a page's folder: only its depth, unless the
        folder shares its first part with a chrome target (so all the days' article folders
        share one chrome)."""
        if folder is None or not folder or folder.split("/")[0] in self._chrome_tops:
            return folder
        return "../" * (folder.count("/") + 1)

    @cached_property
    def _chrome_tops(self) -> frozenset[str]:
        """The first parts of the paths the chrome links to."""
        targets = [INDEX, OPML, CATEGORY_PAGE, *self.assets.values()]
        for category in (None, *self.ordered_categories):
            targets += [relpath for _, relpath, _ in self._feed_files(category)]
        return frozenset(target.split("/")[0] for target in targets)

    @cached_property
    def labels(self) -> dict[str, str]:
        return labels_for(self.config.language, self.config.labels)

    def _description(self, page: Page, article: Article | None) -> str:
        if article is not None:
            return article.summary
        if page.kind in ("category", "archive") and page.category is not None:
            return f"{self.config.title} — {page.category.name}"
        return self.config.subtitle or self.config.title

    def _feeds(self, category: Category | None, href: Any) -> list[Fields]:
        return [
            Fields(type=FORMAT_TYPES[fmt], title=title, label=FORMAT_LABELS[fmt], href=href(path))
            for fmt, path, title in self._feed_files(category)
        ]

    def _article(self, article: Article, href: Any) -> Fields:
        when = article.published.astimezone(zoneinfo.ZoneInfo(self.config.timezone))
        return Fields(
            title=article.title,
            href=href(self.article_relpath(article.link) or INDEX),
            summary=article.summary,
            category=article.category.name,
            category_href=href(CATEGORY_PAGE.format(slug=article.category.slug)),
            date=date(when.date(), self.config.language),
            published_iso=when.isoformat(),
            paragraphs=article.body.split("\n"),
            truncated=article.truncated,
        )

    def _feed_files(self, category: Category | None) -> list[tuple[FeedFormat, str, str]]:
        """(format, relative path, title) of the overall feeds, or of one category's."""
        feeds = []
        for fmt in FeedFormat:
            if category is None:
                relpath = self.config.overall_templates[fmt]
                title = f"{self.config.title} ({FORMAT_LABELS[fmt]})"
            else:
                relpath = self.config.category_templates[fmt].format(slug=category.slug)
                title = f"{self.config.title} — {category.name} ({FORMAT_LABELS[fmt]})"
            feeds.append((fmt, relpath, title))
        return feeds

    def _opml(self) -> bytes:
        base = self.config.base_url
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            '<opml version="2.0">',
            "  <head>",
            f"    <title>{fast.text(self.config.title)} feeds</title>",
            f"    <ownerName>{fast.text(self.config.author.name)}</ownerName>",
            "    <docs>http://opml.org/spec2.opml</docs>",
            "  </head>",
            "  <body>",
        ]
        groups: list[tuple[Category | None, str]] = [(None, f"{base}/{INDEX}")]
        groups += [(c, f"{base}/{CATEGORY_PAGE.format(slug=c.slug)}") for c in self.ordered_categories]
        for category, page in groups:
            for fmt, relpath, title in self._feed_files(category):
                lines.append(
                    f'    <outline text="{fast.attr(title)}" title="{fast.attr(title)}" type="rss" '
                    f'version="{fmt.value.upper()}" xmlUrl="{fast.attr(f"{base}/{relpath}")}" '
                    f'htmlUrl="{fast.attr(page)}"/>'
                )
        lines += ["  </body>", "</opml>", ""]
        return "\n".join(lines).encode("utf-8")


def _template_place(exc: Exception, name: str) -> str:
    """FILE:LINE of the template text a Jinja error comes from: where a syntax error was found,
    or the innermost template line that was running."""
    import traceback

    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename and lineno:
        return f"{filename}:{lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else name


def _digest(settings: str, state: object) -> str:
    return hashlib.sha256(repr((settings, state)).encode("utf-8")).hexdigest()


def _headers_file(config: Config) -> str:
    lines = ["# Netlify and Cloudflare Pages: content types and caching (written by pressfeed)"]
    for ending, _, max_age in CONTENT_TYPES:
        media, _ = content_type(ending)
        lines += [f"/*{ending}", f"  Content-Type: {media}", f"  Cache-Control: public, max-age={max_age}"]
    lines += ["/archive/*", f"  Cache-Control: public, max-age={ARCHIVE_MAX_AGE}", ""]
    return "\n".join(lines)


def _htaccess_file(config: Config) -> str:
    lines = [
        "# Apache: content types, charsets, precompressed files and caching (written by pressfeed)",
        "AddType application/atom+xml .atom.xml",
        "AddType application/rss+xml .rss.xml",
        "AddType application/feed+json .json",
        "AddType text/x-opml .opml",
        "AddDefaultCharset utf-8",
        "AddCharset utf-8 .xml .json .opml .html",
        "<IfModule mod_rewrite.c>",
        "  RewriteEngine On",
        "  RewriteCond %{HTTP:Accept-Encoding} gzip",
        "  RewriteCond %{REQUEST_FILENAME}.gz -f",
        "  RewriteRule ^(.*)$ $1.gz [L]",
        "</IfModule>",
        '<FilesMatch "\\.gz$">',
        "  Header set Content-Encoding gzip",
        "  Header append Vary Accept-Encoding",
        "</FilesMatch>",
    ]
    for ending, media, _ in CONTENT_TYPES:
        pattern = ending.replace(".", "\\.")
        lines += [f'<FilesMatch "{pattern}\\.gz$">', f'  ForceType "{media}; charset=utf-8"', "</FilesMatch>"]
    prefix = urlsplit(config.base_url).path.rstrip("/")
    lines += [f"Redirect 301 {prefix}/{old} {config.base_url}/{new}" for old, new in renamed(config)]
    lines += [
        "<IfModule mod_headers.c>",
        '  <FilesMatch "\\.(xml|json|opml|html)$">',
        '    Header set Cache-Control "public, max-age=300"',
        "  </FilesMatch>",
        "</IfModule>",
        "",
    ]
    return "\n".join(lines)


def _nginx_file(config: Config) -> str:
    lines = [
        "# nginx: include inside the server block that serves the output folder (written by pressfeed)",
        "gzip_static on;",
        "charset utf-8;",
        "charset_types application/atom+xml application/rss+xml application/feed+json text/x-opml;",
    ]
    for ending, media, max_age in CONTENT_TYPES:
        pattern = ending.replace(".", "\\.")
        lines += [
            f"location ~ {pattern}$ {{",
            f"    types {{ }} default_type {media};",
            f'    add_header Cache-Control "public, max-age={max_age}";',
            "}",
        ]
    prefix = urlsplit(config.base_url).path.rstrip("/")
    for old, new in renamed(config):
        lines.append(f"location = {prefix}/{old} {{ return 301 {prefix}/{new}; }}")
    lines.append("")
    return "\n".join(lines)


def renamed(config: Config) -> list[tuple[str, str]]:
    """(old, new) file names of renamed categories' feeds and pages (categories[].former_slugs)."""
    pairs = []
    for rule in config.categories:
        for old in rule.former_slugs:
            templates = [*config.category_templates.values(), CATEGORY_PAGE]
            pairs += [(t.format(slug=old), t.format(slug=rule.slug)) for t in templates]
    return pairs


HOST_FILES = {"_headers": _headers_file, ".htaccess": _htaccess_file, "pressfeed.nginx.conf": _nginx_file}
__all__ = ["CATEGORY_PAGE", "HOST_FILES", "INDEX", "OPML", "Page", "Site", "content_type"]
