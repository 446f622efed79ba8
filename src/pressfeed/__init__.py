"""pressfeed: press-release text dumps → Atom 1.0 and RSS 2.0 feeds.

Public API: `load_config()`, `build()`, `read_articles()`, the types and the errors.
Submodules are imported on first use so that the CLI starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pressfeed.config import Config, load_config
    from pressfeed.errors import ConfigError, InputError, OutputError, PressfeedError
    from pressfeed.pipeline import build, read_articles
    from pressfeed.types import Article, BuildReport, Category, FeedResult, FeedSpec, Problem, RawRecord

_EXPORTS = {
    "build": "pressfeed.pipeline",
    "read_articles": "pressfeed.pipeline",
    "Config": "pressfeed.config",
    "load_config": "pressfeed.config",
    "ConfigError": "pressfeed.errors",
    "InputError": "pressfeed.errors",
    "OutputError": "pressfeed.errors",
    "PressfeedError": "pressfeed.errors",
    "Article": "pressfeed.types",
    "BuildReport": "pressfeed.types",
    "Category": "pressfeed.types",
    "FeedResult": "pressfeed.types",
    "FeedSpec": "pressfeed.types",
    "Problem": "pressfeed.types",
    "RawRecord": "pressfeed.types",
}

__all__ = [
    "Article",
    "BuildReport",
    "Category",
    "Config",
    "ConfigError",
    "FeedResult",
    "FeedSpec",
    "InputError",
    "OutputError",
    "PressfeedError",
    "Problem",
    "RawRecord",
    "__version__",
    "build",
    "load_config",
    "read_articles",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pressfeed' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
