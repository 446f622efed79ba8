"""The feed formats and the parts a build can be limited to (light: imported at start-up)."""

from __future__ import annotations

from enum import Enum


class FeedFormat(Enum):
    ATOM = "atom"
    RSS = "rss"
    #: JSON Feed 1.1.
    JSON = "json"


#: What `build --formats` can choose: the feed formats, the HTML site, the `.gz` copies.
PARTS = ("atom", "rss", "json", "html", "gz")
