"""Embargoed releases: a record dated after the build's day (in the publisher's timezone) is
held back, not published, and published by the first build on or after its day (Hugo's
`buildFuture` off). `build --include-future` publishes such records at once.

Held records wait in the store (not in the dump's snapshot: the dump is read once), keyed by
day and title, the latest reading of each kept; a cron run whose inputs did not change still
builds on the day a held record comes due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from pressfeed.store import Store
from pressfeed.types import CleanRecord


def hold_future(store: Store, records: Iterable[CleanRecord], today: dt.date) -> Iterator[CleanRecord]:
    """The records dated today or before; later ones are held in the store."""
    from pressfeed.merge import title_key

    for record in records:
        if record.day > today:
            store.hold(record, title_key(record.title))
        else:
            yield record


def with_released(store: Store, records: Iterable[CleanRecord], today: dt.date) -> Iterator[CleanRecord]:
    """`records`, then the held records due by `today` that they did not hold themselves (a
    dump read whole brings them again)."""
    from pressfeed.merge import title_key

    first = store.first_held_day()
    if first is None or first > today:  # none due (the records can only hold later ones)
        yield from records
        return
    seen = set()
    for record in records:
        seen.add((record.day, title_key(record.title)))
        yield record
    for key, record in store.due(today):
        if key not in seen:
            yield record


def is_due(store: Store, today: dt.date) -> bool:
    """A held record's day has come."""
    first = store.first_held_day()
    return first is not None and first <= today
