"""Check rendered feed bytes before they replace anything: a build never publishes a feed
it could not read back itself."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from pressfeed.types import Article, FeedFormat, FeedSpec

ATOM_NS = "{http://www.w3.org/2005/Atom}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def verify(spec: FeedSpec, data: bytes, articles: Sequence[Article]) -> list[str]:
    """Faults found in one rendered feed; empty when it is fit to publish."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"{spec.relpath}: not well-formed XML: {exc}"]
    if spec.format is FeedFormat.ATOM:
        ids = [e.findtext(f"{ATOM_NS}id") for e in root.iter(f"{ATOM_NS}entry")]
        required = [f"{ATOM_NS}{name}" for name in ("id", "title", "updated", "author")]
        missing = [name for name in required if root.find(name) is None]
    else:
        channel = root.find("channel")
        items = channel.iter("item") if channel is not None else iter(())
        ids = [item.findtext("guid") for item in items]
        required = ["title", "link", "description"]
        missing = [name for name in required if channel is None or channel.find(name) is None]
    faults = [f"{spec.relpath}: required element <{name.split('}')[-1]}> is missing" for name in missing]
    if ids != [a.id for a in articles]:
        faults.append(
            f"{spec.relpath}: entries do not match the articles rendered ({len(ids)} vs {len(articles)})"
        )
    if len(set(ids)) != len(ids):
        faults.append(f"{spec.relpath}: two entries share an id")
    return faults
