"""Refuse a store that cannot be the one behind an output folder pressfeed already published.

A missing or empty (0 bytes, or no article) store beside published feeds means the store was
lost. Building on is safe only when the new store gives back exactly what was published (a
fresh checkout of a site whose dump holds its whole history: ids and times are minted from the
dump, so the same dump gives the same bytes). Otherwise it would mint other times, drop every
article the dump no longer holds and re-page archives subscribers have already read: the build
is refused, writing nothing, with the ways out. A store whose articles were minted for another
`site.id_authority` belongs to another site and is refused at once. `build --new-store` starts a
new store on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def refusal(config: Config, state: Lost) -> StoreError:
    return StoreError(
        f"{config.store_path}: {state.what}, but {config.output_dir} holds feeds pressfeed published "
        f"({state.feed.name}) that a new store would change; building now would start over and lose "
        "what was published. Restore the store from a backup, or rebuild it from the feeds with "
        "'pressfeed recover'; to start a new store on purpose, run the build with --new-store. "
        "Nothing was written."
    )


@dataclass(frozen=True)
class Lost:
    """A store that is missing or empty beside published feeds."""

    #: What is wrong with the store, for the message.
    what: str
    #: A feed that shows pressfeed published into the output folder.
    feed: Path
    #: The store file's size before this run opened it (None: there was none).
    size: int | None

    def undo(self, path: Path) -> None:
        """Leave the store file as this run found it (opening it wrote the schema)."""
        if self.size is None:
            for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                name.unlink(missing_ok=True)
        elif self.size == 0:
            for name in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                name.unlink(missing_ok=True)
            path.write_bytes(b"")


def lost_file(config: Config) -> Lost | None:
    """Before the store is opened (opening creates it): a missing or 0-byte store beside
    published feeds."""
    try:
        size: int | None = config.store_path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError:
        return None  # opening it says what is wrong
    if size:
        return None
    feed = published_feed(config)
    if feed is None:
        return None
    return Lost("the store is missing" if size is None else "the store is empty (0 bytes)", feed, size)


def check_store(store: Store, config: Config, lost: Lost | None) -> Lost | None:
    """Once open: refuse a store whose articles were minted for another id authority; say
    whether the store is lost (missing before, or holding no article beside published feeds)."""
    authority = store.get_meta(AUTHORITY_KEY)
    if authority and authority != config.id_authority:
        raise StoreError(
            f"{store.path}: the store holds the articles of another site (ids minted for "
            f"'{authority}'; the config's site.id_authority is '{config.id_authority}'): set "
            f"site.id_authority: {authority} to keep its ids, or point store.path at this site's "
            "own store. Nothing was written."
        )
    if lost is not None or store.has_articles():
        return lost
    feed = published_feed(config)
    return None if feed is None else Lost("the store holds no article", feed, store.path.stat().st_size)


def remember_site(store: Store, config: Config) -> None:
    """Pin the id authority the store's articles are minted with (inside a transaction)."""
    if not store.get_meta(AUTHORITY_KEY):
        store.set_meta(AUTHORITY_KEY, config.id_authority)
