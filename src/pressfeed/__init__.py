"""pressfeed: press-release text dumps → Atom 1.0 and RSS 2.0 feeds.

Public API: `load_config()`, `build()`, `rebuild()`, `import_dumps()`, `read_records()`,
`publish_output()`, `open_store()`, the types and the errors.
Submodules are imported on first use so that the CLI starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pressfeed.config import Config, load_config
    from pressfeed.errors import ConfigError, InputError, OutputError, PressfeedError, StoreError
    from pressfeed.pipeline import build, import_dumps, publish_output, read_records, rebuild
    from pressfeed.store import open_store
    from pressfeed.types import Article, BuildReport, Category, FeedResult, FeedSpec, Problem, RawRecord

_EXPORTS = {
    "build": "pressfeed.pipeline",
    "read_records": "pressfeed.pipeline",
    "import_dumps": "pressfeed.pipeline",
    "rebuild": "pressfeed.pipeline",
    "publish_output": "pressfeed.pipeline",
    "open_store": "pressfeed.store",
    "Config": "pressfeed.config",
    "load_config": "pressfeed.config",
    "ConfigError": "pressfeed.errors",
    "StoreError": "pressfeed.errors",
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
    "StoreError",
    "__version__",
    "build",
    "import_dumps",
    "load_config",
    "open_store",
    "publish_output",
    "read_records",
    "rebuild",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'pressfeed' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
