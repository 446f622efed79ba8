"""What the last publish into an output folder saw, so a rerun can tell "nothing changed"
without loading an article: kept in the store's meta table. Deliberately light to import."""

from __future__ import annotations

import hashlib

from pressfeed import __version__
from pressfeed.config import Config
from pressfeed.store import Store


def output_key(config: Config) -> str:
    return str(config.output_dir.resolve())


def published_state(store: Store, config: Config) -> str:
    return f"{store.generation}:{settings_fingerprint(config)}"


def is_published(store: Store, config: Config) -> bool:
    """True when the last publish into this output saw this store generation and these
    settings, and the files at the top of the folder (subscription feeds, front page, OPML)
    are still there. Archive and article pages are not checked one by one here: a cron rerun
    should not stat a hundred thousand files; `build --full` or `rebuild` restores any lost."""
    output = output_key(config)
    if store.get_meta(f"published:{output}") != published_state(store, config):
        return False
    return all((config.output_dir / relpath).is_file() for relpath in store.rendered_top(output))


def mark_published(store: Store, config: Config) -> None:
    store.set_meta(f"published:{output_key(config)}", published_state(store, config))


def settings_fingerprint(config: Config) -> str:
    """What in the config (and in pressfeed itself) changes rendered bytes."""
    rendered_settings = (
        __version__,
        config.title,
        config.subtitle,
        config.base_url,
        config.language,
        config.timezone,
        config.author,
        sorted((f.value, t) for f, t in config.overall_templates.items()),
        sorted((f.value, t) for f, t in config.category_templates.items()),
        sorted((f.value, t) for f, t in config.archive_templates.items()),
        config.categories,
        config.max_entries,
        config.summary_length,
        config.archive_page_size,
    )
    return hashlib.sha256(repr(rendered_settings).encode("utf-8")).hexdigest()
