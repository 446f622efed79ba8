"""What the last publish into an output folder saw, so a rerun can tell "nothing changed"
without loading an article, and a build can plan only what changed since: kept in the store's
meta table, one entry per part (atom, rss, json, html, gz), since `build --formats` publishes
some parts and not others. Deliberately light to import."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pressfeed import __version__
from pressfeed.config import Config
from pressfeed.formats import PARTS
from pressfeed.store import Store


def output_key(config: Config) -> str:
    return str(config.output_dir.resolve())


def _key(config: Config, part: str) -> str:
    return f"published:{output_key(config)}:{part}"


def part_settings(config: Config, part: str) -> str:
    """What in the config changes the bytes of one part: the HTML pages also follow the templates."""
    return _settings_of(config, [part])[part]


def _settings_of(config: Config, parts: Iterable[str]) -> dict[str, str]:
    """part_settings() of each part, the config fingerprinted once (a cron rerun asks for all)."""
    settings = settings_fingerprint(config)
    return {part: settings + templates_fingerprint(config) if part == "html" else settings for part in parts}


def published_since(store: Store, config: Config, parts: Iterable[str]) -> int | None:
    """The store generation every one of `parts` was last published at, with the settings
    they have now (the oldest, when they differ); None when one never was, or was with other
    settings."""
    generations = []
    for part, wanted in _settings_of(config, parts).items():
        generation, _, settings = store.get_meta(_key(config, part)).partition(":")
        if not generation.isdigit() or settings != wanted:
            return None
        generations.append(int(generation))
    return min(generations, default=None)


def is_published(store: Store, config: Config, parts: Iterable[str] = PARTS) -> bool:
    """True when the last publish of every one of `parts` into this output saw this store
    generation and these settings, and the files at the top of the folder (subscription feeds, front page,
    OPML) are still there. Archive and article pages are not checked one by one here: a cron
    rerun should not stat a hundred thousand files; `build --full` or `rebuild` restores any lost."""
    if published_since(store, config, parts) != store.generation:
        return False
    output = output_key(config)
    return all((config.output_dir / relpath).is_file() for relpath in store.rendered_top(output))


def mark_published(store: Store, config: Config, parts: Iterable[str]) -> None:
    for part, settings in _settings_of(config, parts).items():
        store.set_meta(_key(config, part), f"{store.generation}:{settings}")


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


def templates_fingerprint(config: Config) -> str:
    """What the pages follow besides the articles: the built-in templates, the user's, the
    site's words (site.labels), its page size and its static files, so that changing any of them
    renders the pages again (and only the pages: the feeds' bytes do not depend on them)."""
    digest = hashlib.sha256(repr((sorted(config.labels.items()), config.page_size)).encode("utf-8"))
    folders = [BUILT_IN_TEMPLATES] + ([] if config.templates is None else [Path(config.templates)])
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if config.static is not None:  # site.static: names, sizes and times (its files can be large)
        for path in sorted(Path(config.static).rglob("*")):
            if path.is_file():
                found = path.stat()
                digest.update(f"{path}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
    return digest.hexdigest()


#: pressfeed's own templates (a version that changes them renders the pages again).
BUILT_IN_TEMPLATES = Path(__file__).resolve().parent / "templates"
