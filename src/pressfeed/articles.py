"""What the `pressfeed articles` commands do: find an article by what a user knows of it, and
withdraw it from (or restore it to) every feed, page and archive page.

A withdrawn article keeps its row, its id and its times: its id is never given to another
article, and a dump that still holds it does not bring it back (`retracted`); the next build
takes it out of every document that showed it and removes its page.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pressfeed.config import Config
from pressfeed.errors import InputError
from pressfeed.store import Store
from pressfeed.types import StoredArticle

_SHORT = re.compile(r"-([0-9a-f]{8}(?:-\d+)?)$")


def short_id(article_id: str) -> str:
    """The part of an id that tells articles apart: its hash (and `-2`, `-3` if any)."""
    found = _SHORT.search(article_id)
    return found.group(1) if found else article_id


def find(store: Store, reference: str) -> StoredArticle:
    """The one article `reference` names: its id, its short id, or the start of its title."""
    found = store.lookup(reference.strip())
    if not found:
        raise InputError(
            f"no article matches {reference!r} in {store.path}: give its id, its short id "
            "(see 'pressfeed articles list') or the start of its title"
        )
    if len(found) > 1:
        named = ", ".join(f"{short_id(a.id)} ({a.title[:40]})" for a in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise InputError(f"{reference!r} names {len(found)} articles: {named}{more}; give a short id")
    return found[0]


def withdraw(store: Store, config: Config, reference: str, *, restore: bool = False) -> StoredArticle:
    """Withdraw (or restore) one article, as one store change (the caller holds the
    transaction); the next build publishes it."""
    article = find(store, reference)
    if article.retracted != restore:
        state = "withdrawn" if article.retracted else "published"
        raise InputError(f"{short_id(article.id)} ({article.title}) is already {state}")
    generation = store.generation + 1
    withdrawn = not restore
    changed = replace(article, withdrawn=withdrawn, retracted=withdrawn, changed=generation)
    store.update(changed)
    store.set_generation(generation)
    return changed
