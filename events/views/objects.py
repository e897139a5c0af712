"""Single things as they stand at `known_at`: an actor, a meeting, an instrument, a measure, a
dialogue, a dispute, an event. Each comes from its projection row as then known (corrections
applied, retractions honoured), an event from its stream's events."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import BindParameter, Connection, Row, Select, bindparam, or_, select

from events import dates
from events.actors import state_code, state_name
from events.dates import Edtf
from events.db import events_table, to_recorded
from events.projections.history import StreamEvent, resolve
from events.projections.tables import actors as actors_table
from events.projections.tables import meetings as meetings_table
from events.projections.tables import stream_objects as objects_table
from events.types import Location, RecordedEvent
from events.views.axes import KNOWN_AT, known, resolve_axes
from events.views.reader import Reader, read

V = TypeVar("V")

# The statements below are built once and run with each call's values: building a statement
# (and the cache key SQLAlchemy derives from it) on every call cost more than running it.
STREAMS: BindParameter[Any] = bindparam("streams", expanding=True)
IDS: BindParameter[Any] = bindparam("ids", expanding=True)


@dataclass(frozen=True, slots=True)
class ActorView:
    """An actor: a state (named by ISO 3166) or a registered organisation, person or group."""

    id: str
    name: str
    kind: str  # STATE, ORGANIZATION, IGO, PERSON, GROUP
    country: str | None
    aliases: tuple[str, ...]
    # False for an id the registry does not know at the instant asked (named_actors).
    registered: bool = True


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting as planned or held."""

    id: str
    title: str
    status: str  # SCHEDULED, POSTPONED, CANCELLED, HELD
    held: Edtf | None
    planned: Edtf | None
    kind: str | None
    level: str | None
    participants: tuple[str, ...]
    location: Location | None


@dataclass(frozen=True, slots=True)
class InstrumentView:
    """A declaration, agreement, treaty or other instrument."""

    id: str
    title: str
    kind: str
    binding: bool | None
    adopted: Edtf


@dataclass(frozen=True, slots=True)
class MeasureView:
    """An export control, sanction or other measure, with its targets after amendments."""

    id: str
    title: str
    kind: str
    imposer: str
    targets: tuple[str, ...]
    effective: Edtf
    lifted: Edtf | None
    responds_to: str | None


@dataclass(frozen=True, slots=True)
class DialogueView:
    """A dialogue channel: its sides and convenors."""

    id: str
    name: str
    track: str
    parties: tuple[str, ...]
    convenors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DisputeView:
    """A dispute before a court, a tribunal or the WTO: who complains of whom."""

    id: str
    title: str
    forum: str
    case_number: str | None
    complainants: tuple[str, ...]
    respondents: tuple[str, ...]
    subject: str | None
    concerns: str | None
    filed: Edtf


async def stream_history(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> list[StreamEvent]:
    """The events of `stream` recorded by `known_at`, resolved (corrections, retractions)."""
    return [view.current for view in await stream_events(engine, stream, known_at)]


async def instrument(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> InstrumentView | None:
    """The instrument `stream`, or None."""
    return (await instruments_by_stream(engine, [stream], known_at)).get(stream)


async def measure(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> MeasureView | None:
    """The measure `stream` with its targets after every amendment, or None."""
    return (await measures_by_stream(engine, [stream], known_at)).get(stream)


async def dialogue(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> DialogueView | None:
    """The dialogue `stream`, or None."""
    return (await dialogues_by_stream(engine, [stream], known_at)).get(stream)


async def dispute(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> DisputeView | None:
    """The dispute `stream`, or None."""
    return (await disputes_by_stream(engine, [stream], known_at)).get(stream)


async def instruments_by_stream(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, InstrumentView]:
    """The instruments among `streams` as known at `known_at`, in one query."""
    return await _objects(engine, "instrument", streams, known_at, _instrument)


async def measures_by_stream(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, MeasureView]:
    """The measures among `streams` as known at `known_at`, in one query."""
    return await _objects(engine, "measure", streams, known_at, _measure)


async def dialogues_by_stream(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, DialogueView]:
    """The dialogues among `streams` as known at `known_at`, in one query."""
    return await _objects(engine, "dialogue", streams, known_at, _dialogue)


async def disputes_by_stream(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, DisputeView]:
    """The disputes among `streams` as known at `known_at`, in one query."""
    return await _objects(engine, "dispute", streams, known_at, _dispute)


async def _objects(
    engine: Reader,
    kind: str,
    streams: Sequence[str],
    known_at: datetime | None,
    build: Callable[[Row[Any]], V],
) -> dict[str, V]:
    """Each of `streams` of `kind` made by `build` from its `stream_objects` row as known at
    `known_at` (events.projections.objects), in one query; streams with none left out."""
    _, known_at = resolve_axes(None, known_at)
    prefix = f"{kind}/"
    wanted = [stream for stream in streams if stream.startswith(prefix)]
    if not wanted:
        return {}
    params = {"streams": wanted, "known_at": known_at}
    rows: Sequence[Row[Any]] = await read(engine, lambda conn: conn.execute(_OBJECTS, params).all())
    return {row.stream: build(row) for row in rows}


_OBJECT_COLUMNS = (
    objects_table.c.stream,
    objects_table.c.title,
    objects_table.c.kind,
    objects_table.c.start_edtf,
    objects_table.c.end_edtf,
    objects_table.c.details,
)
_OBJECTS: Select[Any] = select(*_OBJECT_COLUMNS).where(
    objects_table.c.stream.in_(STREAMS), known(objects_table, KNOWN_AT)
)


def _instrument(row: Row[Any]) -> InstrumentView:
    details = json.loads(row.details)
    return InstrumentView(
        id=row.stream,
        title=row.title,
        kind=row.kind,
        binding=details["binding"],
        adopted=dates.parse(row.start_edtf),
    )


def _measure(row: Row[Any]) -> MeasureView:
    details = json.loads(row.details)
    return MeasureView(
        id=row.stream,
        title=row.title,
        kind=row.kind,
        imposer=details["imposer"],
        targets=tuple(details["targets"]),
        effective=dates.parse(row.start_edtf),
        lifted=dates.parse(row.end_edtf) if row.end_edtf else None,
        responds_to=details["respondsTo"],
    )


def _dialogue(row: Row[Any]) -> DialogueView:
    details = json.loads(row.details)
    return DialogueView(
        id=row.stream,
        name=row.title,
        track=row.kind,
        parties=tuple(details["parties"]),
        convenors=tuple(details["convenors"]),
    )


def _dispute(row: Row[Any]) -> DisputeView:
    details = json.loads(row.details)
    return DisputeView(
        id=row.stream,
        title=row.title,
        forum=row.kind,
        case_number=details["caseNumber"],
        complainants=tuple(details["complainants"]),
        respondents=tuple(details["respondents"]),
        subject=details["subject"],
        concerns=details["concerns"],
        filed=dates.parse(row.start_edtf),
    )


@dataclass(frozen=True, slots=True)
class EventView:
    """An event as the log held it at `known_at`: `current` with the corrections recorded by
    then applied (and marked retracted if so), `recorded` exactly as first recorded."""

    recorded: RecordedEvent
    current: StreamEvent


async def events_at(
    engine: Reader,
    positions: Sequence[int] = (),
    ids: Sequence[UUID] = (),
    known_at: datetime | None = None,
) -> list[EventView]:
    """The events at `positions` and with `ids` recorded by `known_at`, in position order."""
    if not positions and not ids:
        return []  # nothing to look up: no statement (a relation's empty page of statements)
    _, known_at = resolve_axes(None, known_at)
    params = {"positions": list(positions), "ids": list(ids), "known_at": known_at}

    def rows(conn: Connection) -> Sequence[Row[Any]]:
        streams = set(conn.scalars(_EVENT_STREAMS, params))
        if not streams:
            return []
        return conn.execute(_STREAMS_EVENTS, {"streams": list(streams), "known_at": known_at}).all()

    found = [
        view
        for views in _histories(await read(engine, rows)).values()
        for view in views
        if view.recorded.position in positions or view.recorded.id in ids
    ]
    return sorted(found, key=lambda view: view.recorded.position)


async def actors_by_id(
    engine: Reader, ids: Sequence[str], known_at: datetime | None = None
) -> dict[str, ActorView]:
    """The actors among `ids` known at `known_at` (states always are), in one query."""
    _, known_at = resolve_axes(None, known_at)
    found: dict[str, ActorView] = {}
    slugs = []
    for actor_id in ids:
        code = state_code(actor_id)
        if code is not None and code == actor_id:
            found[actor_id] = ActorView(actor_id, state_name(code), "STATE", None, ())
        else:
            slugs.append(actor_id)
    if slugs:
        params = {"ids": slugs, "known_at": known_at}
        for row in await read(engine, lambda conn: conn.execute(_ACTORS, params).all()):
            found[row.actor] = _actor_view(row, registered=True)
    return found


async def named_actors(
    engine: Reader, ids: Sequence[str], known_at: datetime | None = None
) -> dict[str, ActorView]:
    """Every one of `ids` as an actor, for what an event or a view names: those known at
    `known_at` as `actors_by_id` finds them; any other (a slug whose registration was retracted
    by then, after an event named it) with `registered` false, as it was last registered by
    then, in one more query made only when one is missing. An id registered by then under no
    name, which no recorded event can name (the store refuses it), is shown under its own id
    as an organisation rather than failing the read."""
    _, known_at = resolve_axes(None, known_at)
    found = await actors_by_id(engine, ids, known_at)
    missing = [actor_id for actor_id in ids if actor_id not in found]
    if missing:
        # Only what the log held by known_at: a past instant's answer never changes.
        params = {"ids": missing, "known_at": known_at}
        for row in await read(engine, lambda conn: conn.execute(_REGISTRATIONS, params).all()):
            found[row.actor] = _actor_view(row, registered=False)  # the latest row wins
    for actor_id in missing:
        if actor_id not in found:
            found[actor_id] = ActorView(actor_id, actor_id, "ORGANIZATION", None, (), False)
    return found


# The streams of the events at `positions` and with `ids` recorded by `known_at`.
_EVENT_STREAMS = select(events_table.c.stream).where(
    or_(
        events_table.c.position.in_(bindparam("positions", expanding=True)),
        events_table.c.id.in_(IDS),
    ),
    events_table.c.recorded_at <= KNOWN_AT,
)
# The events of `streams` recorded by `known_at`, in version order.
_STREAMS_EVENTS = (
    select(events_table)
    .where(events_table.c.stream.in_(STREAMS), events_table.c.recorded_at <= KNOWN_AT)
    .order_by(events_table.c.stream, events_table.c.version)
)
# The actors among `ids` known at `known_at`.
_ACTORS = select(actors_table).where(actors_table.c.actor.in_(IDS), known(actors_table, KNOWN_AT))
# Every registration of `ids` recorded by `known_at`, the latest last.
_REGISTRATIONS = (
    select(actors_table)
    .where(actors_table.c.actor.in_(IDS), actors_table.c.rt_from <= KNOWN_AT)
    .order_by(actors_table.c.actor, actors_table.c.rt_from)
)


def _actor_view(row: Row[Any], registered: bool) -> ActorView:
    return ActorView(
        id=row.actor,
        name=row.name,
        kind=row.kind,
        country=row.country,
        aliases=tuple(json.loads(row.aliases)),
        registered=registered,
    )


async def meetings_by_stream(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, MeetingView]:
    """The meetings among `streams` as known at `known_at`, in one query."""
    _, known_at = resolve_axes(None, known_at)
    params = {"streams": list(streams), "known_at": known_at}
    found = {}
    for row in await read(engine, lambda conn: conn.execute(_MEETINGS, params).all()):
        found[row.stream] = MeetingView(
            id=row.stream,
            title=row.title,
            status=row.status,
            held=dates.parse(row.held_edtf) if row.held_edtf else None,
            planned=dates.parse(row.planned_edtf) if row.planned_edtf else None,
            kind=row.kind,
            level=row.level,
            participants=tuple(json.loads(row.participants)),
            location=Location.model_validate(json.loads(row.location)) if row.location else None,
        )
    return found


_MEETINGS = select(meetings_table).where(
    meetings_table.c.stream.in_(STREAMS), known(meetings_table, KNOWN_AT)
)


@dataclass(frozen=True, slots=True)
class ActorsPage:
    """A page of registered actors by id, where it sits, and how many match in all."""

    items: list[ActorView]
    has_next: bool
    has_previous: bool
    total: int


async def actors_page(
    engine: Reader,
    *,
    kind: str | None = None,
    country: str | None = None,
    text: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    known_at: datetime | None = None,
) -> ActorsPage:
    """Registered actors by id, filtered: `first` after `after` or `last` before `before` (one
    of the two sizes; `first` 20 when neither is given). States are not listed: every ISO 3166
    code is one. The registry is small (one row per actor), so it is read whole and cut here."""
    _, known_at = resolve_axes(None, known_at)
    if first is not None and last is not None:
        raise ValueError("give at most one of `first` and `last`")
    query = select(actors_table).where(known(actors_table, known_at))
    if kind is not None:
        query = query.where(actors_table.c.kind == kind)
    if country is not None:
        query = query.where(actors_table.c.country == country)
    async with engine.connect() as conn:
        rows = list(await conn.execute(query.order_by(actors_table.c.actor)))
    views = [
        ActorView(row.actor, row.name, row.kind, row.country, tuple(json.loads(row.aliases)))
        for row in rows
    ]
    if text:
        words = text.casefold().split()
        views = [
            v
            for v in views
            if all(w in " ".join((v.id, v.name, *v.aliases)).casefold() for w in words)
        ]
    window = [
        v for v in views if (after is None or v.id > after) and (before is None or v.id < before)
    ]
    if last is not None:
        items = window[-last:] if last else []
        more_before = len(window) > len(items)
        return ActorsPage(items, before is not None, more_before, len(views))
    size = 20 if first is None else first
    items = window[:size]
    return ActorsPage(items, len(window) > size, after is not None, len(views))


async def stream_events(
    engine: Reader, stream: str, known_at: datetime | None = None
) -> list[EventView]:
    """The events of `stream` recorded by `known_at`, in version order, as then known."""
    return (await streams_events(engine, [stream], known_at)).get(stream, [])


async def streams_events(
    engine: Reader, streams: Sequence[str], known_at: datetime | None = None
) -> dict[str, list[EventView]]:
    """The events of each of `streams` recorded by `known_at`, in version order, as then
    known, in one query; a stream with no event is left out."""
    _, known_at = resolve_axes(None, known_at)
    params = {"streams": list(streams), "known_at": known_at}
    return _histories(await read(engine, lambda conn: conn.execute(_STREAMS_EVENTS, params).all()))


def _histories(rows: Sequence[Row[Any]]) -> dict[str, list[EventView]]:
    """Rows of `events` in stream and version order as each stream's events, as then known
    (every correction and retraction among them applied)."""
    histories: dict[str, list[RecordedEvent]] = {}
    for row in rows:
        histories.setdefault(row.stream, []).append(to_recorded(row))
    return {
        stream: [
            EventView(recorded, current)
            for recorded, current in zip(history, resolve(history), strict=True)
        ]
        for stream, history in histories.items()
    }
