"""The production serializer: the same bytes the feedgen renderers (atom.py, rss.py) produce,
built from strings.

feedgen builds an lxml tree per feed and serializes it; at 100k articles that is most of a
build (measured in bench/), and it renders each article once per document it appears in. Here
an entry is rendered once per format (`entry_atom`, `entry_rss`) and the fragment is reused in
every document that shows it; a document is a header, its entries, and a footer.

tests/test_render_fast.py holds the two paths to identical output, element for element and
escape for escape, on the sample and on generated hostile articles; the golden files pin both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pressfeed.config import Config
from pressfeed.render.names import (
    ATOM_NS,
    ATOM_TYPE,
    GENERATOR,
    HISTORY_NS,
    RSS_TYPE,
    TRUNCATION_NOTE,
    site_url,
    stylesheet_line,
)
from pressfeed.types import Article, FeedSpec

__all__ = ["TRUNCATION_NOTE", "Escaped", "atom_document", "entry_atom", "entry_rss", "rss_document"]

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
#: What feedgen writes into every RSS channel.
RSS_DOCS = "http://www.rssboard.org/rss-specification"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


def text(value: str) -> str:
    """Character data as lxml escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value


def attr(value: str) -> str:
    """An attribute value as lxml escapes it."""
    value = text(value).replace('"', "&quot;")
    if "\n" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\t", "&#9;")
    return value


def rfc822(when: dt.datetime) -> str:
    """RFC 822 date in the C locale, as feedgen writes it (whatever the process locale)."""
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Escaped:
    """An article's long fields as character data: worked out once for all the formats an
    article is rendered in."""

    id: str
    title: str
    #: The body (and the truncation note), and the summary.
    content: str
    summary: str

    @classmethod
    def of(cls, article: Article) -> Escaped:
        return cls(text(article.id), text(article.title), text(_full_text(article)), text(article.summary))


def entry_atom(article: Article, escaped: Escaped | None = None) -> str:
    """One Atom entry, indented for its place in a feed."""
    e = escaped or Escaped.of(article)
    category = article.category
    return (
        "  <entry>\n"
        f"    <id>{e.id}</id>\n"
        f"    <title>{e.title}</title>\n"
        f"    <updated>{article.updated.isoformat()}</updated>\n"
        f'    <content type="text">{e.content}</content>\n'
        f'    <link href="{attr(article.link)}"/>\n'
        f'    <summary type="text">{e.summary}</summary>\n'
        f'    <category term="{attr(category.slug)}" label="{attr(category.name)}"/>\n'
        f"    <published>{article.published.isoformat()}</published>\n"
        "  </entry>\n"
    )


def entry_rss(article: Article, config: Config, escaped: Escaped | None = None) -> str:
    """One RSS item, indented for its place in a channel."""
    e = escaped or Escaped.of(article)
    author = ""
    if config.author.email:
        author = f"      <author>{text(f'{config.author.email} ({config.author.name})')}</author>\n"
    paragraphs = _as_html(e.content, _full_text(article)).replace("\n", _PARAGRAPH_BREAK)
    return (
        "    <item>\n"
        f"      <title>{_as_html(e.title, article.title)}</title>\n"
        f"      <link>{text(article.link)}</link>\n"
        f"      <description>{_as_html(e.summary, article.summary)}</description>\n"
        f"      <content:encoded>&lt;p&gt;{paragraphs}&lt;/p&gt;</content:encoded>\n"
        f"{author}"
        f'      <guid isPermaLink="false">{e.id}</guid>\n'
        f"      <category>{text(article.category.name)}</category>\n"
        f"      <pubDate>{rfc822(article.published)}</pubDate>\n"
        "    </item>\n"
    )


def title_for_rss(title: str) -> str:
    """An RSS item title as HTML: readers read RSS titles as HTML, so plain text is escaped
    (a `<b>` typed in a title shows as `<b>`, `R&D` as `R&D`), as `description` is. What the
    feedgen renderer is given for the bytes `entry_rss` writes."""
    import html

    return html.escape(title, quote=False)


def _as_html(escaped: str, plain: str) -> str:
    """Plain text read as HTML, as character data: `text(html.escape(plain, quote=False))`.
    Without a CR, html.escape is what `text` does, so escaping `&` once more in the
    character data already escaped gives the same."""
    if "\r" in plain:
        import html  # imported on first use: cleaned text holds no CR

        return text(html.escape(plain, quote=False))
    return escaped.replace("&", "&amp;") if "&" in escaped else escaped


def _full_text(article: Article) -> str:
    return f"{article.body}\n{TRUNCATION_NOTE}" if article.truncated else article.body


#: body_html()'s "</p><p>", as character data.
_PARAGRAPH_BREAK = "&lt;/p&gt;&lt;p&gt;"


def atom_document(spec: FeedSpec, entries: Iterable[bytes], config: Config) -> bytes:
    """A whole Atom feed from rendered, UTF-8 encoded entries (newest first)."""
    namespaces = f'xmlns:fh="{HISTORY_NS}" ' if spec.archive else ""
    author = config.author
    head = [
        DECLARATION,
        stylesheet_line(spec.relpath),
        f'<feed {namespaces}xmlns="{ATOM_NS}" xml:lang="{attr(config.language)}">\n',
        f"  <id>{text(spec.feed_id)}</id>\n",
        f"  <title>{text(spec.title)}</title>\n",
        f"  <updated>{spec.updated.isoformat()}</updated>\n",
        "  <author>\n",
        f"    <name>{text(author.name)}</name>\n",
        f"    <email>{text(author.email)}</email>\n" if author.email else "",
        f"    <uri>{text(author.uri)}</uri>\n" if author.uri else "",
        "  </author>\n",
        f'  <link href="{attr(spec.url)}" rel="self" type="{ATOM_TYPE}"/>\n',
        f'  <link href="{attr(site_url(config))}" rel="alternate" type="text/html"/>\n',
        *(
            f'  <link href="{attr(href)}" rel="{attr(rel)}" type="{ATOM_TYPE}"/>\n'
            for rel, href in spec.history
        ),
        *(f'  <link href="{attr(hub)}" rel="hub"/>\n' for hub in spec.hubs),
        f"  <generator>{GENERATOR}</generator>\n",
        f"  <subtitle>{text(config.subtitle)}</subtitle>\n" if config.subtitle else "",
        "  <fh:archive/>\n" if spec.archive else "",
    ]
    return b"".join(("".join(head).encode("utf-8"), *entries, b"</feed>\n"))


def rss_document(spec: FeedSpec, entries: Iterable[bytes], config: Config) -> bytes:
    """A whole RSS channel from rendered, UTF-8 encoded items (newest first)."""
    namespaces = f'xmlns:fh="{HISTORY_NS}" ' if spec.archive else ""
    head = [
        DECLARATION,
        stylesheet_line(spec.relpath),
        f'<rss {namespaces}xmlns:atom="{ATOM_NS}" xmlns:content="{CONTENT_NS}" version="2.0">\n',
        "  <channel>\n",
        f"    <title>{text(spec.title)}</title>\n",
        f"    <link>{text(site_url(config))}</link>\n",
        f"    <description>{text(config.subtitle or config.title)}</description>\n",
        f'    <atom:link href="{attr(spec.url)}" rel="self" type="{RSS_TYPE}"/>\n',
        f"    <docs>{RSS_DOCS}</docs>\n",
        f"    <generator>{GENERATOR}</generator>\n",
        f"    <language>{text(config.language)}</language>\n",
        f"    <lastBuildDate>{rfc822(spec.updated)}</lastBuildDate>\n",
        f"    <pubDate>{rfc822(spec.newest)}</pubDate>\n",
        *(f'    <atom:link rel="{attr(rel)}" href="{attr(href)}"/>\n' for rel, href in spec.history),
        *(f'    <atom:link rel="hub" href="{attr(hub)}"/>\n' for hub in spec.hubs),
        "    <fh:archive/>\n" if spec.archive else "",
    ]
    return b"".join(("".join(head).encode("utf-8"), *entries, b"  </channel>\n</rss>\n"))
