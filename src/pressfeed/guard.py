"""Refuse a store that cannot be the one behind an output folder pressfeed already published.

A missing, empty (0 bytes, or no article) store beside published feeds means the store was
lost: building on would mint new times, drop every article the dump no longer holds from the
feeds and re-page the archives that subscribers have already read. A store whose articles were
minted for another `site.id_authority` belongs to another site. Either is refused, writing
nothing, with the ways out; `build --new-store` starts a new store on purpose.
"""

from __future__ import annotations

from pathlib import Path

from pressfeed.config import Config
from pressfeed.errors import StoreError
from pressfeed.render.names import GENERATOR
from pressfeed.store import Store

#: Where the store remembers the id authority its articles were minted with.
AUTHORITY_KEY = "site:id_authority"
#: How much of a feed file is read to tell that pressfeed wrote it.
_HEAD = 4096


def published_feed(config: Config) -> Path | None:
    """An overall feed in the output folder that pressfeed wrote, if there is one."""
    for name in config.overall_templates.values():
        path = config.output_dir / name
        try:
            with path.open("rb") as stream:
                head = stream.read(_HEAD)
        except OSError:
            continue
        if f"<generator>{GENERATOR}</generator>".encode() in head:
            return path
    return None


def _refusal(config: Config, what: str, feed: Path) -> StoreError:
    return StoreError(
        f"{config.store_path}: {what}, but {config.output_dir} holds feeds pressfeed published "
        f"({feed.name}); building now would start over and lose what was published. Restore the "
        "store from a backup, or rebuild it from the feeds with 'pressfeed recover'; to start a "
        "new store on purpose, run the build with --new-store. Nothing was written."
    )


def check_file(config: Config) -> None:
    """Before the store is opened (opening creates it): refuse a missing or 0-byte store
    beside published feeds."""
    try:
        size = config.store_path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError:
        return  # opening it says what is wrong
    if size:
        return
    feed = published_feed(config)
    if feed is not None:
        what = "the store is missing" if size is None else "the store is empty (0 bytes)"
        raise _refusal(config, what, feed)


def check_store(store: Store, config: Config) -> None:
    """Once open: refuse a store with no article beside published feeds, and one whose
    articles were minted for another id authority."""
    authority = store.get_meta(AUTHORITY_KEY)
    if authority and authority != config.id_authority:
        raise StoreError(
            f"{store.path}: the store holds the articles of another site (ids minted for "
            f"'{authority}'; the config's site.id_authority is '{config.id_authority}'): set "
            f"site.id_authority: {authority} to keep its ids, or point store.path at this site's "
            "own store. Nothing was written."
        )
    if not store.has_articles():
        feed = published_feed(config)
        if feed is not None:
            raise _refusal(config, "the store holds no article", feed)


def remember_site(store: Store, config: Config) -> None:
    """Pin the id authority the store's articles are minted with (inside a transaction)."""
    if not store.get_meta(AUTHORITY_KEY):
        store.set_meta(AUTHORITY_KEY, config.id_authority)
