"""Timelines: events filtered by actors, types, streams, dates and words, in date order, with
keyset paging that stays stable while the log grows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from events.projections.tables import timeline, timeline_actors
from events.views.axes import known, resolve_axes
from events.views.rows import edtf
from events.views.sides import sides
from events.views.states import Cursor, Page, TimelineEntry

MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a timeline holds; every condition given must hold."""

    actors: tuple[str, ...] = ()  # all must take part (an actor counts for its country)
    types: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    start: date | None = None  # valid time: the event's bounds overlap [start, end]
    end: date | None = None
    text: str | None = None  # every word must appear in a title, name, summary, reason or note
    include_retracted: bool = False
    words: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple((self.text or "").casefold().split()))


async def events_timeline(
    engine: AsyncEngine,
    where: EventFilter | None = None,
    *,
    first: int | None = None,
    after: Cursor | None = None,
    last: int | None = None,
    before: Cursor | None = None,
    known_at: datetime | None = None,
    count: bool = True,
) -> Page:
    """A page of the timeline: `first` items after `after`, or `last` items before `before`,
    sorted by (earliest, latest, position), as known at `known_at`. Without `count`, the page's
    `total_count` is 0: a reader walking every page (an export) need not count them each time."""
    where = where or EventFilter()
    if (first is None) == (last is None):
        raise ValueError("give exactly one of `first` and `last`")
    size = first if first is not None else last
    assert size is not None
    if not 0 <= size <= MAX_PAGE:
        raise ValueError(f"a page holds 0 to {MAX_PAGE} events, not {size}")
    _, known_at = resolve_axes(None, known_at)
    async with engine.connect() as conn:
        side = await sides(conn, where.actors, known_at)
        conditions = _conditions(where, side, known_at)
        total = (
            await conn.scalar(select(func.count()).select_from(timeline).where(*conditions))
            if count
            else 0
        )
        key = tuple_(timeline.c.occurred_earliest, timeline.c.occurred_latest, timeline.c.position)
        query: Select[tuple[object, ...]] = select(timeline).where(*conditions)
        order: tuple[ColumnElement[object], ...]
        if first is not None:
            if after is not None:
                query = query.where(key > tuple_(*after))
            order = (timeline.c.occurred_earliest, timeline.c.occurred_latest, timeline.c.position)
        else:
            if before is not None:
                query = query.where(key < tuple_(*before))
            order = (
                timeline.c.occurred_earliest.desc(),
                timeline.c.occurred_latest.desc(),
                timeline.c.position.desc(),
            )
        rows = list(await conn.execute(query.order_by(*order).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    if last is not None:
        rows.reverse()
    items = tuple(
        TimelineEntry(
            position=row.position,
            stream=row.stream,
            type=row.type,
            occurred=edtf(row, "occurred"),
            retracted=row.retracted,
            corrected_by=row.corrected_by,
        )
        for row in rows
    )
    return Page(
        items=items,
        has_next=more if first is not None else before is not None,
        has_previous=more if last is not None else after is not None,
        total_count=total or 0,
    )


async def matching_positions(
    engine: AsyncEngine, where: EventFilter, after: int, upto: int, known_at: datetime
) -> list[int]:
    """The positions in (`after`, `upto`] of the events `where` selects as known at
    `known_at`, in position order: the timeline's filter, for readers that tail the log."""
    async with engine.connect() as conn:
        side = await sides(conn, where.actors, known_at)
        conditions = _conditions(where, side, known_at)
        query = (
            select(timeline.c.position)
            .where(timeline.c.position > after, timeline.c.position <= upto, *conditions)
            .order_by(timeline.c.position)
        )
        return list(await conn.scalars(query))


async def streams_before(
    engine: AsyncEngine,
    where: EventFilter,
    streams: Sequence[str],
    before: Cursor,
    known_at: datetime,
) -> set[str]:
    """Those of `streams` with an event `where` selects sorted before `before` as known at
    `known_at`: lets a reader that walks the timeline page by page take each stream once (at
    its first event) without remembering every stream it has seen."""
    if not streams:
        return set()
    key = tuple_(timeline.c.occurred_earliest, timeline.c.occurred_latest, timeline.c.position)
    async with engine.connect() as conn:
        side = await sides(conn, where.actors, known_at)
        query = (
            select(timeline.c.stream)
            .where(timeline.c.stream.in_(streams), key < tuple_(*before))
            .where(*_conditions(where, side, known_at))
            .distinct()
        )
        return set(await conn.scalars(query))


async def involvement(
    engine: AsyncEngine, positions: Sequence[int], known_at: datetime
) -> dict[int, set[str]]:
    """Who each of the events at `positions` involves (docs/format.md, "Who an event
    involves"), as known at `known_at`: the actors kept for it when it was recorded; their
    countries are the reader's to add."""
    found: dict[int, set[str]] = {position: set() for position in positions}
    if not positions:
        return found
    query = select(timeline_actors.c.position, timeline_actors.c.actor).where(
        timeline_actors.c.position.in_(positions), known(timeline_actors, known_at)
    )
    async with engine.connect() as conn:
        for position, actor in await conn.execute(query):
            found[position].add(actor)
    return found


def _conditions(
    where: EventFilter, side: dict[str, frozenset[str]], known_at: datetime
) -> list[ColumnElement[bool]]:
    conditions = [known(timeline, known_at)]
    if not where.include_retracted:
        conditions.append(timeline.c.retracted.is_(False))
    if where.types:
        conditions.append(timeline.c.type.in_(where.types))
    if where.streams:
        conditions.append(timeline.c.stream.in_(where.streams))
    if where.start is not None:
        conditions.append(timeline.c.occurred_latest >= where.start)
    if where.end is not None:
        conditions.append(timeline.c.occurred_earliest <= where.end)
    for word in where.words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(timeline.c.text.like(pattern, escape="\\"))
    for actor in where.actors:
        conditions.append(
            exists().where(
                and_(
                    timeline_actors.c.position == timeline.c.position,
                    timeline_actors.c.actor.in_(side[actor]),
                    known(timeline_actors, known_at),
                )
            )
        )
    return conditions
