"""Meetings as calendars and schema.org see them: one item per meeting, with its status and date
as of a day, in place of the events of its stream.

A meeting is in an export when any event of its stream is selected; it comes at the first of
them in the timeline's order. Whether an earlier page already had it is asked of the database
(`streams_before`), so that the walk remembers nothing from page to page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from events import dates
from events.dates import Edtf
from events.interchange.describe import BOOKKEEPING
from events.interchange.selection import ExportProgress, ExportQuery, involving, selected
from events.types import (
    Location,
    MeetingCancelled,
    MeetingHeld,
    MeetingPostponed,
    MeetingScheduled,
)
from events.views.objects import EventView, streams_events
from events.views.timeline import streams_before

STATUSES = ("SCHEDULED", "POSTPONED", "CANCELLED", "HELD")


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting as of a day: the last of scheduled, postponed, cancelled, held by then."""

    stream: str
    title: str
    status: str  # one of STATUSES
    date: Edtf | None  # held, else planned (a postponement without a new date keeps the old)
    previous: Edtf | None  # the planned date a postponement moved away from
    participants: tuple[str, ...]
    location: Location | None
    kind: str | None
    level: str | None
    sources: tuple[dict[str, Any], ...]  # of the events that made it so, each once
    changed_at: datetime  # recordedAt of the newest of those events and their corrections
    changes: int  # how many events made or amended it, less one (an iCalendar SEQUENCE)
    events: tuple[EventView, ...]  # those that made it so: whom it involves is whom they do


def meeting(stream: str, history: Sequence[EventView], as_of: date | None) -> Meeting | None:
    """The meeting `stream` as its `history` says, counting only events that had possibly
    happened by `as_of` (when given); None when it was not yet scheduled nor held then.

    A correction or retraction of one of those events changes the meeting too (a date
    corrected moves it): it counts in `changes` and `changed_at`, so that a subscribed
    calendar takes the new version."""
    status = title = None
    when = previous = None
    participants: tuple[str, ...] = ()
    location = kind = level = None
    sources: dict[str, dict[str, Any]] = {}
    used: list[EventView] = []
    counted: set[str] = set()  # ids of the meeting's events by `as_of`, retracted or not
    for view in history:
        event = view.current
        if as_of is not None and event.occurred.earliest > as_of:
            continue
        counted.add(str(view.recorded.id))
        if not event.live:
            continue
        data = event.data
        if isinstance(data, MeetingScheduled):
            status, title, when = "SCHEDULED", data.title, _parsed(data.planned)
            participants, location = data.participants, data.location
        elif isinstance(data, MeetingPostponed):
            previous = when
            status, when = "POSTPONED", _parsed(data.planned) or when
        elif isinstance(data, MeetingCancelled):
            status = "CANCELLED"
        elif isinstance(data, MeetingHeld):
            status, title, when = "HELD", data.title, event.occurred
            participants, location = data.participants, data.location or location
            kind = data.kind.value if data.kind else None
            level = data.level.value if data.level else None
        else:
            continue
        used.append(view)
        for source in view.recorded.sources:
            sources.setdefault(repr(sorted(source.items())), source)
    if status is None or title is None:
        return None
    amended = [
        view
        for view in history
        if view.recorded.type in BOOKKEEPING and view.recorded.data.get("target") in counted
    ]
    return Meeting(
        stream=stream,
        title=title,
        status=status,
        date=when,
        previous=previous if status == "POSTPONED" else None,
        participants=participants,
        location=location,
        kind=kind,
        level=level,
        sources=tuple(sources.values()),
        changed_at=max(view.recorded.recorded_at for view in [*used, *amended]),
        changes=len(used) + len(amended) - 1,
        events=tuple(used),
    )


async def involving_items(
    engine: AsyncEngine, items: Sequence[EventView | Meeting], query: ExportQuery
) -> list[tuple[str, ...]]:
    """Who each of `items` involves (selection.involving), in the order of `items`: a meeting
    involves whom the events that made it involve, those of its first event first."""
    views = [view for item in items for view in _events_of(item)]
    who = await involving(engine, views, query)
    return [
        tuple(dict.fromkeys(a for view in _events_of(item) for a in who[view.recorded.position]))
        for item in items
    ]


def _events_of(item: EventView | Meeting) -> tuple[EventView, ...]:
    return item.events if isinstance(item, Meeting) else (item,)


async def happenings(
    engine: AsyncEngine, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[list[EventView | Meeting]]:
    """The selected events in the timeline's order, a page at a time, with each meeting's
    events replaced by the meeting (at its first selected event) and corrections and
    retractions left out (their effect is in the events they target)."""
    query = query.pinned()
    known_at = query.known_at
    assert known_at is not None
    async for batch in selected(engine, query, progress):
        streams = list(dict.fromkeys(v.recorded.stream for v in batch if _is_meeting(v)))
        first = batch[0].current.occurred
        before = (first.earliest, first.latest, batch[0].recorded.position)
        seen = await streams_before(engine, query.where, streams, before, known_at)
        fresh = [stream for stream in streams if stream not in seen]
        histories = await streams_events(engine, fresh, known_at) if fresh else {}
        items: list[EventView | Meeting] = []
        for view in batch:
            stream = view.recorded.stream
            if _is_meeting(view):
                history = histories.pop(stream, None)  # None: taken at an earlier event
                found = None if history is None else meeting(stream, history, query.as_of)
                if found is not None:
                    items.append(found)
            elif view.recorded.type not in BOOKKEEPING:
                items.append(view)
        if items:
            yield items


def _is_meeting(view: EventView) -> bool:
    return view.recorded.stream.startswith("meeting/")


def _parsed(text: str | None) -> Edtf | None:
    return dates.parse(text) if text else None
