"""Following the log: the events after a position, then each new one as it is appended, in
position order, with no gap and no repeat at the switch from replay to live.

There is no switch: one loop reads the log after the last position it has read, and only when
a read finds nothing does it wait for a wake-up (events/notify.py) before reading again. Since
positions are handed out in commit order (events/store.py, `_lock`), nothing can later appear
below a position once read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from events.notify import LogListener
from events.views.axes import now
from events.views.objects import EventView, events_at
from events.views.timeline import EventFilter, matching_positions

BATCH = 100  # events read from the log at a time


@dataclass(frozen=True, slots=True)
class Followed:
    """Events that followed in the log, as known at `known_at` (corrections recorded by then
    applied): those of positions (after, upto] that the filter selects."""

    events: list[EventView]
    known_at: datetime
    upto: int


async def follow(
    listener: LogListener,
    *,
    after: int | None = None,
    where: EventFilter | None = None,
    batch: int = BATCH,
) -> AsyncIterator[Followed]:
    """The events after position `after` (default: the head when this starts, i.e. only new
    ones) that `where` selects (default: every event), batch by batch, forever or until the
    listener closes.

    Each batch is shown and filtered as known when it is read (or at its newest recordedAt if
    that is later, so that the batch is always in view): an event already retracted when read
    is left out unless `where.include_retracted`; with no `where`, none is left out.
    """
    store = listener.store
    await listener.start()  # before the first read: no append after that read goes unheard
    position = (await store.head()).position if after is None else after
    while not listener.closed:
        seen = listener.generation
        recorded = await store.read_all(after_position=position, limit=batch)
        if not recorded:
            await listener.wait(seen)
            continue
        upto = recorded[-1].position
        known_at = max(now(), recorded[-1].recorded_at)
        if where is None:
            positions = [event.position for event in recorded]
        else:
            positions = await matching_positions(store.engine, where, position, upto, known_at)
        views = (
            await events_at(store.engine, positions=positions, known_at=known_at)
            if positions
            else []
        )
        position = upto
        if views:
            yield Followed(views, known_at, upto)
