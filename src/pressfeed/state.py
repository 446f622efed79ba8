"""What the last publish into an output folder saw, so a rerun can tell "nothing changed"
without loading an article: kept in the store's meta table. Deliberately light to import."""

from __future__ import annotations

from pressfeed.config import Config
from pressfeed.history import settings_fingerprint
from pressfeed.store import Store


def output_key(config: Config) -> str:
    return str(config.output_dir.resolve())


def published_state(store: Store, config: Config) -> str:
    return f"{store.generation}:{settings_fingerprint(config)}"


def is_published(store: Store, config: Config) -> bool:
    """True when the last publish into this output saw this store generation and these
    settings, and every file it wrote is still there."""
    output = output_key(config)
    if store.get_meta(f"published:{output}") != published_state(store, config):
        return False
    return all((config.output_dir / relpath).is_file() for relpath in store.rendered(output))


def mark_published(store: Store, config: Config) -> None:
    store.set_meta(f"published:{output_key(config)}", published_state(store, config))
