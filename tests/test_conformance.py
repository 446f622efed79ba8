"""The offline conformance check: the rules feed validators and readers rely on."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, WriteConfig
from pressfeed.cli import main
from pressfeed.config import load_config
from pressfeed.conformance import check_document, check_folder
from pressfeed.pipeline import build

GOOD_ATOM = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://example.org/x/all.atom.xml</id><title>T</title><updated>2025-09-30T00:00:00+09:00</updated>
  <author><name>A</name></author>
  <link href="https://example.org/x/all.atom.xml" rel="self"/>
  <entry><id>tag:example.org,2025:1</id><title>E</title><updated>2025-09-30T00:00:00+09:00</updated>
    <link href="https://example.org/x/a.html"/></entry>
</feed>"""

GOOD_RSS = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel>
  <title>T</title><link>https://example.org/x/</link><description>D</description>
  <atom:link href="https://example.org/x/all.rss.xml" rel="self"/>
  <item><title>E</title><guid isPermaLink="false">tag:example.org,2025:1</guid>
    <pubDate>Tue, 30 Sep 2025 00:00:00 +0900</pubDate></item>
</channel></rss>"""


def errors(name: str, text: str) -> list[str]:
    return [f.message for f in check_document(name, text.encode()).findings if f.severity == "error"]


def test_good_documents_pass() -> None:
    assert errors("all.atom.xml", GOOD_ATOM) == []
    assert errors("all.rss.xml", GOOD_RSS) == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD_ATOM.replace("<id>https://example.org/x/all.atom.xml</id>", ""), "feed has no <atom:id>"),
        (
            GOOD_ATOM.replace("<author><name>A</name></author>", ""),
            "entry 1: no author, and the feed has none",
        ),
        (
            GOOD_ATOM.replace(
                "<updated>2025-09-30T00:00:00+09:00</updated>\n  <author>",
                "<updated>yesterday</updated><author>",
            ),
            "feed: <updated> 'yesterday' is not an RFC 3339 date",
        ),
        (GOOD_ATOM.replace(' rel="self"', ""), 'must have exactly one rel="self" link, has 0'),
        (
            GOOD_ATOM.replace('<link href="https://example.org/x/a.html"/>', ""),
            "entry 1: neither <content> nor an alternate link",
        ),
        (
            GOOD_ATOM.replace(
                "</feed>",
                "<entry><id>tag:example.org,2025:1</id><title>F</title><updated>2025-09-29T00:00:00Z</updated><content>x</content></entry></feed>",
            ),
            "two entries share the id 'tag:example.org,2025:1'",
        ),
        (
            GOOD_ATOM.replace("tag:example.org,2025:1", "not an iri"),
            "entry 1: <id> 'not an iri' is not an absolute IRI",
        ),
        (
            GOOD_ATOM.replace(
                "<title>T</title>",
                '<title>T</title><fh:archive xmlns:fh="http://purl.org/syndication/history/1.0"/>',
            ),
            'archive document (fh:archive) without a rel="current" link',
        ),
        (
            GOOD_RSS.replace(' isPermaLink="false"', ""),
            "item 1: <guid> 'tag:example.org,2025:1' is not a URL; it needs isPermaLink=\"false\"",
        ),
        (GOOD_RSS.replace("<description>D</description>", ""), "channel has no <description>"),
        (
            GOOD_RSS.replace("Tue, 30 Sep 2025 00:00:00 +0900", "2025-09-30"),
            "item 1: <pubDate> '2025-09-30' is not an RFC 822 date",
        ),
        (GOOD_RSS.replace('version="2.0"', 'version="0.91"'), "<rss version> is '0.91', not '2.0'"),
        ("<html><body>not a feed</body></html>", "neither an Atom feed nor RSS 2.0 (root <html>)"),
    ],
)
def test_each_broken_rule_is_named(broken: str, message: str) -> None:
    name = "all.rss.xml" if "<rss" in broken else "all.atom.xml"
    assert message in errors(name, broken)


def test_malformed_xml_is_an_error() -> None:
    [message] = errors("all.atom.xml", GOOD_ATOM[:-20])
    assert message.startswith("not well-formed XML:")


def test_entities_that_would_swell_a_feed_are_an_error_not_expanded() -> None:
    """`pressfeed check` reads folders it did not write: a "billion laughs" feed is refused."""
    declarations = ['<!ENTITY a0 "lol">'] + [f'<!ENTITY a{n} "{f"&a{n - 1};" * 10}">' for n in range(1, 10)]
    bomb = f"<?xml version='1.0'?><!DOCTYPE feed [{''.join(declarations)}]><feed>&a9;</feed>"
    [message] = errors("all.atom.xml", bomb)
    assert message.startswith("not well-formed XML:")


def test_an_external_entity_is_never_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    leak = GOOD_ATOM.replace("<?xml version='1.0' encoding='UTF-8'?>", "").replace(
        "<feed ", f'<!DOCTYPE feed [<!ENTITY x SYSTEM "{secret.as_uri()}">]><feed ', 1
    )
    assert "<!DOCTYPE" in leak
    checked = check_document("all.atom.xml", leak.replace("</title>", "&x;</title>", 1).encode())
    assert "SECRET" not in repr(checked)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with small pages, so that archives exist."""
    work = tmp_path_factory.mktemp("site")
    config_path = work / "config.yaml"
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("input/", str(REPO / "input") + "/").replace("max_entries: 50", "max_entries: 3")
    config_path.write_text(text.replace("archive_page_size: 100", "archive_page_size: 3"), encoding="utf-8")
    build(load_config(config_path), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return work / "feeds"


def test_a_built_site_has_no_errors(built: Path) -> None:
    findings = check_folder(built)
    assert [f for f in findings if f.severity == "error"] == []
    assert all("names no file in the folder" in f.message for f in findings)  # article pages only


def test_a_missing_archive_page_is_an_error(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "archive" / "all" / "2.atom.xml").unlink()
    found = [str(f) for f in check_folder(copy) if f.severity == "error"]
    assert found == [
        "archive/all/1.atom.xml: error: rel='next-archive' link to https://example.org/motie/archive/all/2.atom.xml names no file in the folder",
        "archive/all/3.atom.xml: error: rel='prev-archive' link to https://example.org/motie/archive/all/2.atom.xml names no file in the folder",
    ]


def test_self_links_must_agree_on_the_folder_url(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    moved = copy / "industry.rss.xml"
    moved.write_bytes(
        moved.read_bytes().replace(b"https://example.org/motie/industry", b"https://elsewhere.org/industry")
    )
    found = [str(f) for f in check_folder(copy) if f.severity == "error"]
    assert any("self links disagree on the folder's URL" in f for f in found)


def test_check_dir_command(built: Path, tmp_path: Path) -> None:
    good = CliRunner().invoke(main, ["check", str(built)])
    assert good.exit_code == 0
    sitemaps = [built / "sitemap.xml", built / "news-sitemap.xml", *(built / "sitemaps").glob("*.xml")]
    feeds = len(list(built.rglob("*.xml"))) + len(list(built.rglob("*.json"))) - len(sitemaps)
    assert good.stdout.startswith(f"{feeds} feed files checked: 0 errors, ")
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    (copy / "all.atom.xml").write_text("<feed", encoding="utf-8")
    bad = CliRunner().invoke(main, ["check", str(copy)])
    assert bad.exit_code == 1
    assert f"{copy / 'all.atom.xml'}: error: not well-formed XML" in bad.stderr


def test_build_refuses_to_publish_a_feed_that_breaks_the_rules(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pressfeed.render.fast as fast

    real = fast.atom_document
    monkeypatch.setattr(fast, "atom_document", lambda *args: real(*args).replace(b' rel="self"', b""))
    with pytest.raises(Exception, match=r'must have exactly one rel="self" link, has 0.*nothing was written'):
        build(load_config(write_config()), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
