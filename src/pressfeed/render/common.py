"""What the Atom and RSS renderers share: feed-level fields every feedgen feed needs.

feedgen sets any date we leave out to "now", so every date is set here explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from pressfeed.config import Config
from pressfeed.types import Article, FeedSpec

GENERATOR = "pressfeed"


def new_feed(spec: FeedSpec, articles: Sequence[Article], config: Config) -> FeedGenerator:
    """A generator with title, language, generator and dates (the newest entry's, never now)."""
    fg = FeedGenerator()
    fg.title(spec.title)
    fg.language(config.language)
    fg.generator(GENERATOR)
    newest = max(a.updated for a in articles)
    fg.updated(newest)
    return fg


def site_url(config: Config) -> str:
    """The page a feed's `alternate` link points at."""
    return f"{config.base_url}/"
