"""What an export holds: the events a filter selects as known at one instant, read page by page
so that an export of any size runs in constant memory.

Two orders: the timeline's (earliest, latest, position), as the `events` query lists them, for
the formats people read; and the log's position order for JSON Lines, which must import back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from events.actors import is_state, state_code
from events.interchange.describe import involved
from events.store import EventStore
from events.types import ActorRegistered, RecordedEvent
from events.views.axes import resolve_axes
from events.views.objects import (
    ActorView,
    EventView,
    actors_by_id,
    events_at,
    streams_events,
)
from events.views.timeline import (
    MAX_PAGE,
    EventFilter,
    events_timeline,
    involvement,
    matching_positions,
)

# (events read so far, how many there are in all or None when not known yet). The first call
# gives the total, for a progress bar.
ExportProgress = Callable[[int, int | None], None]

# How many log positions one read of a filtered JSON Lines export spans.
POSITION_WINDOW = 2000
# Where the JSON-LD export names events and actors unless configured (TIMELINE_PUBLIC_URL):
# the address `timeline serve` answers at by default.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """Which events to export, as known at `known_at` (default: when the export starts), and
    the day `as_of` that the formats showing a meeting's status evaluate it at (default: all
    that is known)."""

    where: EventFilter = field(default_factory=EventFilter)
    known_at: datetime | None = None
    as_of: date | None = None
    raw: bool = False  # csv: the log's rows as recorded, corrections and retractions included
    base_url: str = DEFAULT_PUBLIC_URL  # jsonld: the IRIs of events and actors start so

    @property
    def selects(self) -> bool:
        """Whether the filter leaves events out (retracted events aside)."""
        return replace(self.where, include_retracted=False) != EventFilter()

    def pinned(self) -> ExportQuery:
        """The query with `known_at` fixed (now when not given), so that every page an export
        reads answers from the same state of the log while appends go on."""
        _, known_at = resolve_axes(None, self.known_at)
        return replace(self, known_at=known_at)


async def selected(
    engine: AsyncEngine, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[list[EventView]]:
    """The events `query` selects in the timeline's order, a page at a time, each with the
    corrections known by then applied (as the `events` query lists them)."""
    query = query.pinned()
    after = None
    done = 0
    while True:
        page = await events_timeline(
            engine,
            query.where,
            first=MAX_PAGE,
            after=after,
            known_at=query.known_at,
            count=after is None,  # the total once, for the progress bar
        )
        if progress is not None and after is None:
            progress(0, page.total_count)
        positions = [entry.position for entry in page.items]
        views = await events_at(engine, positions=positions, known_at=query.known_at)
        by_position = {view.recorded.position: view for view in views}
        batch = [by_position[position] for position in positions]
        if batch:
            yield batch
        done += len(batch)
        if progress is not None:
            progress(done, None)
        if not page.has_next or not page.items:
            return
        after = page.cursor(page.items[-1])


async def logged(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[list[RecordedEvent]]:
    """The events `query` selects as recorded (no correction applied), in position order, in
    batches. Retracted events are kept: this is the log, whose retractions say so themselves.
    Without a filter, the log up to `known_at` read as one consistent snapshot."""
    if not query.selects:
        async for batch in _prefix(store, query, progress):
            yield batch
        return
    query = query.pinned()
    assert query.known_at is not None
    where = replace(query.where, include_retracted=True)
    if progress is not None:
        everything = await events_timeline(store.engine, where, first=0, known_at=query.known_at)
        progress(0, everything.total_count)
    last = (await store.head()).position
    after = done = 0
    while after < last:
        upto = after + POSITION_WINDOW
        positions = await matching_positions(store.engine, where, after, upto, query.known_at)
        if positions:
            views = await events_at(store.engine, positions=positions, known_at=query.known_at)
            yield [view.recorded for view in views]
            done += len(views)
            if progress is not None:
                progress(done, None)
        after = upto


async def _prefix(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None
) -> AsyncIterator[list[RecordedEvent]]:
    """The log in position order up to `known_at` (recordedAt never decreases with position,
    so the first event recorded later ends it)."""
    if progress is not None:
        progress(0, (await store.head()).count)
    known_at = query.pinned().known_at if query.known_at is not None else None
    done = 0
    async for batch in store.snapshot():
        kept = batch if known_at is None else [e for e in batch if e.recorded_at <= known_at]
        if kept:
            yield kept
        done += len(kept)
        if progress is not None:
            progress(done, None)
        if len(kept) < len(batch):
            return


async def actors_named(
    engine: AsyncEngine, ids: set[str], query: ExportQuery
) -> dict[str, ActorView]:
    """The actors among `ids` as known at the query's `known_at`, by id."""
    return await actors_by_id(engine, sorted(ids), query.pinned().known_at)


async def involving(
    engine: AsyncEngine, views: Sequence[EventView], query: ExportQuery
) -> dict[int, tuple[str, ...]]:
    """Who each of `views` involves (docs/format.md, "Who an event involves"), by position:
    the actors the timeline keeps for it and their countries as known at the query's
    `known_at`, the same that an actor filter matches, so that every format names whom its
    filter selected an event for."""
    query = query.pinned()
    assert query.known_at is not None
    positions = [view.recorded.position for view in views]
    kept = await involvement(engine, positions, query.known_at)
    slugs = {actor for found in kept.values() for actor in found if not is_state(actor)}
    registered = await actors_named(engine, slugs, query)
    countries = {slug: actor.country for slug, actor in registered.items()}
    return {
        view.recorded.position: involved(view, kept[view.recorded.position], countries)
        for view in views
    }


async def stream_titles(
    engine: AsyncEngine, streams: set[str], query: ExportQuery
) -> dict[str, str]:
    """The title (or name) of each of `streams` as known at the query's `known_at`: the one
    its newest live event gives (an instrument's title, for a slide about a party joining it)."""
    histories = await streams_events(engine, sorted(streams), query.pinned().known_at)
    titles: dict[str, str] = {}
    for stream, history in histories.items():
        for view in history:
            data = view.current.data
            title = getattr(data, "title", None) or getattr(data, "name", None)
            if view.current.live and isinstance(title, str) and title:
                titles[stream] = title
    return titles


async def actors_wikidata(engine: AsyncEngine, ids: set[str], query: ExportQuery) -> dict[str, str]:
    """The Wikidata ids (`Q148`) registered for the actors among `ids`, by actor id."""
    streams = {f"actor/{actor}" for actor in ids if state_code(actor) is None}
    histories = await streams_events(engine, sorted(streams), query.pinned().known_at)
    found: dict[str, str] = {}
    for stream, history in histories.items():
        for view in history:
            data = view.current.data
            if view.current.live and isinstance(data, ActorRegistered) and data.wikidata:
                found[stream.split("/", 1)[1]] = data.wikidata
    return found
