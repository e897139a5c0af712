"""The root query fields: each parses its arguments and calls one view of `events/`."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.disputes import Dispute, load_dispute
from api.graphql.enums import EventType
from api.graphql.errors import bad_input, not_found
from api.graphql.events import (
    Event,
    EventConnection,
    Stream,
    event_connection,
    event_type,
    load_node,
    load_stream,
    original,
)
from api.graphql.identity import parse_id
from api.graphql.paging import decode_cursor, first_or_last, page_size
from api.graphql.relation import Relation, RelationChanges
from api.graphql.types import (
    Actor,
    ActorConnection,
    ActorEdge,
    ActorKind,
    Dialogue,
    Instrument,
    LogHead,
    Measure,
    Node,
    PageInfo,
    RelationPoint,
    load_actors,
    load_dialogue,
    load_instrument,
    load_measure,
    registered_actor,
)
from events.actors import InvalidActor, canonical_actor
from events.views import objects
from events.views.axes import resolve_axes
from events.views.changes import Interval, changes, relation_series
from events.views.objects import events_at
from events.views.relation import pair_sides, relation
from events.views.timeline import EventFilter, events_timeline


def actor_id(value: str, field: str) -> str:
    """The canonical actor id of an argument (`US` → `USA`), or BAD_USER_INPUT."""
    try:
        return canonical_actor(value)
    except InvalidActor as error:
        raise bad_input(str(error), field) from None


def pair(a: str, b: str) -> tuple[str, str]:
    """Two different canonical actor ids, or BAD_USER_INPUT."""
    first, second = actor_id(a, "a"), actor_id(b, "b")
    if first == second:
        raise bad_input("a and b must be two different actors", "b")
    return first, second


async def known_pair(
    info: Info[Context, None], a: str, b: str, known_at: datetime
) -> tuple[str, str]:
    """`pair(a, b)`, each an actor the registry knows at `known_at` (a state always), else
    NOT_FOUND naming the argument; looked up through the request's loader, which the fields
    `a` and `b` then find loaded."""
    ids = pair(a, b)
    for field, found in zip(("a", "b"), await load_actors(info, ids, known_at), strict=True):
        if not found.registered:
            raise not_found(
                f"no actor {found.key!r} is registered as known at {known_at.isoformat()}", field
            )
    return ids


@strawberry.input(name="ActorFilter", description="Which registered actors to list.")
class ActorFilterInput:
    kind: ActorKind | None = strawberry.field(default=None, description="Only this kind.")
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Only actors that count for this state."
    )
    text: str | None = strawberry.field(
        default=None, description="Words that must all appear in the id, name or aliases."
    )


@strawberry.enum(name="Interval", description="The width of a series' buckets.")
class IntervalEnum(Enum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


@strawberry.input(
    name="EventFilter", description="Which events to list; every condition given must hold."
)
class EventFilterInput:
    actors: list[strawberry.ID] | None = strawberry.field(
        default=None, description="All must take part (an actor counts for its country)."
    )
    types: list[EventType] | None = strawberry.field(default=None, description="Event types.")
    streams: list[strawberry.ID] | None = strawberry.field(default=None, description="Streams.")
    from_: date | None = strawberry.field(
        default=None, name="from", description="Valid time: the event's bounds reach this day."
    )
    to: date | None = strawberry.field(
        default=None, description="Valid time: the event's bounds start by this day."
    )
    text: str | None = strawberry.field(
        default=None, description="Words that must all appear in titles, summaries or notes."
    )
    include_retracted: bool | None = strawberry.field(
        default=False, description="Also list retracted events (marked retracted)."
    )

    def to_filter(self) -> EventFilter:
        """The domain filter, with canonical actor ids."""
        return EventFilter(
            actors=tuple(actor_id(a, "filter.actors") for a in self.actors or ()),
            types=tuple(str(t.value) for t in self.types or ()),
            streams=tuple(self.streams or ()),
            start=self.from_,
            end=self.to,
            text=self.text,
            include_retracted=bool(self.include_retracted),
        )


@strawberry.type(
    description="Questions about the diplomatic timeline, at any date, as known at any instant."
)
class Query:
    @strawberry.field(
        description=(
            "The state of the relation between a and b on asOf (default today), as the log knew "
            "it at knownAt (default now)."
        )
    )
    async def relation(
        self,
        info: Info[Context, None],
        a: strawberry.ID,
        b: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> Relation:
        as_of, known_at = resolve_axes(as_of, known_at)
        first, second = await known_pair(info, a, b, known_at)
        reader = info.context.reader
        sides = await pair_sides(reader, first, second, known_at)
        view = await relation(
            # The type reads contacts, statements and instruments through their own fields.
            reader,
            first,
            second,
            as_of,
            known_at,
            instruments=False,
            recent=0,
            given=sides,
        )
        found = Relation.from_view(view, sides)
        await found.look_up_named(info, view)
        return found

    @strawberry.field(description="An actor by id: a state's alpha-3 (or alpha-2) code, or a slug.")
    async def actor(self, info: Info[Context, None], id: strawberry.ID) -> Actor | None:
        _, known_at = resolve_axes(None, None)
        return await registered_actor(info, actor_id(id, "id"), known_at)

    @strawberry.field(description="Position, recordedAt and event count of the newest event.")
    async def log_head(self, info: Info[Context, None]) -> LogHead:
        head = await info.context.store.head()
        info.context.head = head
        return LogHead(position=head.position, recorded_at=head.recorded_at, count=head.count)

    @strawberry.field(description="An event by id, as it stood at knownAt (default now).")
    async def event(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Event | None:
        try:
            event_id = UUID(id)
        except ValueError:
            raise bad_input(f"{id!r} is not an event id (a UUID)", "id") from None
        _, known_at = resolve_axes(None, known_at)
        found = await events_at(info.context.engine, ids=[event_id], known_at=known_at)
        return event_type(found[0], known_at) if found else None

    @strawberry.field(
        description="Events in date order (earliest, latest, position), filtered, paged by cursor."
    )
    async def events(
        self,
        info: Info[Context, None],
        filter: EventFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        known_at: datetime | None = None,
    ) -> EventConnection:
        page_size(first, last, info.context.settings.limits.max_page)
        _, known_at = resolve_axes(None, known_at)
        page = await events_timeline(
            info.context.engine,
            filter.to_filter() if filter else None,
            first=first,
            after=decode_cursor(after, "after") if after else None,
            last=last,
            before=decode_cursor(before, "before") if before else None,
            known_at=known_at,
        )
        return await event_connection(info, page, known_at)

    @strawberry.field(description="The relation bucket by bucket between two dates, for charts.")
    async def relation_series(
        self,
        info: Info[Context, None],
        a: strawberry.ID,
        b: strawberry.ID,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        interval: IntervalEnum,
        known_at: datetime | None = None,
    ) -> list[RelationPoint]:
        _, known_at = resolve_axes(None, known_at)
        first, second = await known_pair(info, a, b, known_at)
        try:
            points = await relation_series(
                info.context.engine, first, second, from_, to, Interval(interval.value), known_at
            )
        except ValueError as error:
            raise bad_input(str(error), "to") from None
        return [RelationPoint.from_point(point) for point in points]

    @strawberry.field(description="What differs in the relation of a and b between two dates.")
    async def changes(
        self,
        info: Info[Context, None],
        a: strawberry.ID,
        b: strawberry.ID,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        known_at: datetime | None = None,
    ) -> RelationChanges:
        _, known_at = resolve_axes(None, known_at)
        first, second = await known_pair(info, a, b, known_at)
        try:
            found = await changes(info.context.engine, first, second, from_, to, known_at)
        except ValueError as error:
            raise bad_input(str(error), "to") from None
        return RelationChanges(view=found)

    @strawberry.field(description="An instrument by stream id (`instrument/…`).")
    async def instrument(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Instrument | None:
        _, at = resolve_axes(None, known_at)
        return await load_instrument(info, id, at)

    @strawberry.field(description="A measure by stream id (`measure/…`).")
    async def measure(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Measure | None:
        _, at = resolve_axes(None, known_at)
        return await load_measure(info, id, at)

    @strawberry.field(description="A dialogue by stream id (`dialogue/…`).")
    async def dialogue(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Dialogue | None:
        _, at = resolve_axes(None, known_at)
        return await load_dialogue(info, id, at)

    @strawberry.field(description="A dispute by stream id (`dispute/…`).")
    async def dispute(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Dispute | None:
        _, at = resolve_axes(None, known_at)
        return await load_dispute(info, id, at)

    @strawberry.field(description="Registered actors (organisations, IGOs, people, groups), by id.")
    async def actors(
        self,
        info: Info[Context, None],
        filter: ActorFilterInput | None = None,
        first: int | None = 20,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ActorConnection:
        first = first_or_last(first, last, 20)
        page_size(first, last, info.context.settings.limits.max_page)
        _, at = resolve_axes(None, None)
        country = actor_id(filter.country, "filter.country") if filter and filter.country else None
        page = await objects.actors_page(
            info.context.engine,
            kind=filter.kind.value if filter and filter.kind else None,
            country=country,
            text=filter.text if filter else None,
            first=first,
            after=after,
            last=last,
            before=before,
            known_at=at,
        )
        edges = [ActorEdge(cursor=view.id, node=Actor.from_view(view, at)) for view in page.items]
        return ActorConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], page.has_next, page.has_previous),
            total_count=page.total,
        )

    @strawberry.field(
        description=(
            "Anything by id: an actor (USA, eu), a stream (meeting/…) or an event (UUID), or "
            "exactly the version a Node's `id` names (`<key>@<knownAt>`, `<uuid>@original`)."
        )
    )
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        try:
            version = parse_id(id)
        except ValueError as error:
            raise bad_input(f"{id!r} is not a node id: {error}", "id") from None
        _, at = resolve_axes(None, version.known_at)
        found = await load_node(info, version.key, at)
        if version.original:
            return original(found.view) if isinstance(found, Event) else None
        return found

    @strawberry.field(description="A stream by id (`meeting/2024-01-bangkok`) with its events.")
    async def stream(
        self, info: Info[Context, None], id: strawberry.ID, known_at: datetime | None = None
    ) -> Stream | None:
        _, at = resolve_axes(None, known_at)
        return await load_stream(info, id, at)
