"""Check rendered feed bytes before they replace anything: a build never publishes a feed
it could not read back itself, or one that breaks the conformance rules."""

from __future__ import annotations

from collections.abc import Sequence

from pressfeed.conformance import Checked, check_document
from pressfeed.types import Article, FeedSpec


def verify(spec: FeedSpec, data: bytes, articles: Sequence[Article]) -> tuple[list[str], Checked]:
    """Faults found in one rendered feed (empty when it is fit to publish), and what the
    conformance check saw of it."""
    checked = check_document(spec.relpath, data)
    faults = [f"{f.path}: {f.message}" for f in checked.findings if f.severity == "error"]
    if not faults and list(checked.ids) != [a.id for a in articles]:
        faults.append(f"{spec.relpath}: entries do not match the articles rendered")
    return faults, checked
