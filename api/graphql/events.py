"""Events in GraphQL: the `Event` interface and one object type per event type.

The object types are made from the domain's models (`events.types.EVENT_TYPES`), so a field
added to an event type appears here with no second list to keep: its JSON name, its type
(actors become `Actor`, EDTF dates `When`, stream references `ID`, enums GraphQL enums) and its
description (events/types.py `FIELD_NOTES`).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, EnumMeta
from typing import Any
from uuid import UUID

import strawberry
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.base import has_object_definition
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql.context import Context
from api.graphql.disputes import Dispute, load_dispute
from api.graphql.enums import EventType, EventTypeValues, enum_type
from api.graphql.identity import shown_id
from api.graphql.paging import decode_cursor, encode_cursor, page_size, slice_page
from api.graphql.types import (
    Actor,
    Dialogue,
    Instrument,
    Location,
    Measure,
    Meeting,
    Node,
    PageInfo,
    When,
    actor_field,
    actors_field,
    load_dialogue,
    load_instrument,
    load_measure,
    load_meeting,
    registered_actor,
)
from events import dates
from events.actors import InvalidActor, canonical_actor
from events.projections.history import resolve
from events.types import (
    EVENT_TYPES,
    ActorRef,
    EventCorrected,
    EventData,
    Party,
    PartyAction,
    StreamKind,
    StreamRef,
)
from events.views.objects import EventView
from events.views.states import Page

# Data fields whose names the envelope uses already get another name in GraphQL, as do fields
# whose name another event type gives a different type (see `_unify`): a query over the Event
# interface may then select any field of any type without aliases (clients' first query).
RENAMED = {
    ("EventCorrected", "occurred"): "newOccurred",
    ("EventCorrected", "data"): "changes",
    ("InstrumentAdopted", "parties"): "foundingParties",
}


@strawberry.type(description="Where a fact comes from.")
class Source:
    url: str | None = strawberry.field(description="The address of the source.")
    title: str | None = strawberry.field(description="Its title.")
    publisher: str | None = strawberry.field(description="Who published it.")
    published: When | None = strawberry.field(description="When it was published.")
    quote: str | None = strawberry.field(description="A short quote that supports the fact.")
    accessed: When | None = strawberry.field(description="When it was consulted.")


@strawberry.type(description="A party to an instrument at its adoption.")
class FoundingParty:
    actor_id: strawberry.Private[str]
    action: PartyAction = strawberry.field(
        description="Sign, endorse, ratify, accede, accept or cosponsor."
    )
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="The party.", graphql_type=Actor)
    def actor(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.actor_id, self.known_at)


@strawberry.interface(
    description=(
        "An immutable event of the log, as it stands at the query's knownAt: corrections "
        "recorded by then applied, retractions recorded by then marked."
    )
)
class Event(Node):
    version: int = strawberry.field(description="Its place in its stream, from 1.")
    position: int = strawberry.field(description="Its place in the whole log, in commit order.")
    type: EventType = strawberry.field(description="The event type, e.g. MeetingHeld.")
    occurred: When = strawberry.field(description="When it happened (valid time), as corrected.")
    recorded_at: datetime = strawberry.field(
        description="When the log learned it (transaction time)."
    )
    recorded_by: str = strawberry.field(description="Who recorded it.")
    sources: list[Source] = strawberry.field(description="Where it comes from.")
    note: str | None = strawberry.field(description="A free note.")
    retracted: bool = strawberry.field(
        description="Whether a retraction recorded by knownAt withdrew it."
    )
    view: strawberry.Private[EventView]
    # Shown exactly as first recorded (`original`): its id says so (api/graphql/identity.py).
    as_recorded: strawberry.Private[bool]

    @strawberry.field(description="The identity of what is shown (see Node); caches key by it.")
    def id(self, info: Info[Context, None]) -> strawberry.ID:
        return strawberry.ID(
            shown_id(self.key, self.known_at, info.context.started, original=self.as_recorded)
        )

    @strawberry.field(description="The stream it belongs to, as known at the same instant.")
    def stream(self) -> Stream:
        return Stream(key=self.view.recorded.stream, known_at=self.known_at)

    @strawberry.field(description="The latest correction applied to it by knownAt, if any.")
    async def corrected_by(self, info: Info[Context, None]) -> Event | None:
        position = self.view.current.corrected_by
        if position is None:
            return None
        found = await info.context.events.load((position, self.known_at))
        return None if found is None else event_type(found, self.known_at)

    @strawberry.field(description="The event exactly as first recorded, before any correction.")
    def original(self) -> Event:
        return original(self.view)


def original(view: EventView) -> Event:
    """The event of `view` exactly as first recorded: what it names shown as known when it was
    recorded, so that its content, like its id (`<uuid>@original`), is the same at any knownAt."""
    recorded = view.recorded
    return event_type(
        EventView(recorded, resolve([recorded])[0]), recorded.recorded_at, as_recorded=True
    )


def event_type(view: EventView, known_at: datetime, as_recorded: bool = False) -> Event:
    """The GraphQL object for one event view."""
    recorded = view.recorded
    return OBJECT_TYPES[recorded.type](
        key=str(recorded.id),
        version=recorded.version,
        position=recorded.position,
        type=EventTypeValues(recorded.type),
        occurred=When.of(view.current.occurred),
        recorded_at=recorded.recorded_at,
        recorded_by=recorded.recorded_by,
        sources=[_source(source) for source in recorded.sources],
        note=recorded.note,
        retracted=view.current.retracted,
        view=view,
        known_at=known_at,
        as_recorded=as_recorded,
    )


def _source(source: dict[str, Any]) -> Source:
    def when(key: str) -> When | None:
        return When.of(dates.parse(source[key])) if source.get(key) else None

    return Source(
        url=source.get("url"),
        title=source.get("title"),
        publisher=source.get("publisher"),
        published=when("published"),
        quote=source.get("quote"),
        accessed=when("accessed"),
    )


async def load_event(info: Info[Context, None], event_id: str, known_at: datetime) -> Event | None:
    """The event `event_id` (a UUID) as known at `known_at`, through the request's loader."""
    view = await info.context.events_by_id.load((event_id, known_at))
    return None if view is None else event_type(view, known_at)


async def load_stream(info: Info[Context, None], stream: str, known_at: datetime) -> Stream | None:
    """The stream `stream` if it holds an event recorded by `known_at`."""
    views = await info.context.streams.load((stream, known_at))
    return Stream(key=stream, known_at=known_at) if views else None


# The object types of the streams that are one thing in the world, by stream kind; any other
# stream (an actor's, a statement's) is shown as a Stream. A new kind of stream object adds
# its type and loader here.
STREAM_OBJECTS: dict[str, tuple[Any, Callable[..., Awaitable[Node | None]]]] = {
    "meeting": (Meeting, load_meeting),
    "instrument": (Instrument, load_instrument),
    "measure": (Measure, load_measure),
    "dialogue": (Dialogue, load_dialogue),
    "dispute": (Dispute, load_dispute),
}


async def load_node(info: Info[Context, None], key: str, known_at: datetime) -> Node | None:
    """Whatever `key` names, as known at `known_at`: a stream object or stream (`kind/slug`), an
    event (a UUID) or an actor (anything else); None if the log holds no such thing."""
    if "/" in key:
        kind = key.split("/", 1)[0]
        if kind in STREAM_OBJECTS:
            return await STREAM_OBJECTS[kind][1](info, key, known_at)
        return await load_stream(info, key, known_at)
    try:
        UUID(key)
    except ValueError:
        try:
            actor = canonical_actor(key)
        except InvalidActor:
            return None
        return await registered_actor(info, actor, known_at)
    return await load_event(info, key, known_at)


# --- one object type per event type -----------------------------------------------------------


def _markers(field: FieldInfo) -> list[object]:
    found = list(field.metadata)
    stack = [field.annotation]
    while stack:
        annotation = stack.pop()
        found.extend(getattr(annotation, "__metadata__", ()))
        stack.extend(typing.get_args(annotation))
    return found


def _resolver(name: str, field: FieldInfo) -> tuple[Any, Callable[..., Any]]:
    """The GraphQL type of a data field and a resolver reading it from the event's data."""
    markers = _markers(field)
    annotation = field.annotation
    optional = type(None) in typing.get_args(annotation)
    inner = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    base = inner[0] if optional else annotation
    is_list = typing.get_origin(base) is tuple
    element: Any = typing.get_args(base)[0] if is_list else base
    if typing.get_origin(element) is typing.Annotated:
        element = typing.get_args(element)[0]

    def value(root: Event) -> Any:
        return getattr(root.view.current.data, name)

    if any(isinstance(m, ActorRef) for m in markers):
        if is_list:

            def actors(root: Event, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
                return actors_field(info, tuple(value(root)), root.known_at)

            return list[Actor], actors

        def actor(root: Event, info: Info[Context, None]) -> AwaitableOrValue[Actor | None]:
            actor_id = value(root)
            return None if actor_id is None else actor_field(info, actor_id, root.known_at)

        return (Actor | None if optional else Actor), actor
    streams = [m for m in markers if isinstance(m, StreamRef)]
    if streams:
        kind = streams[0].kind
        graphql_type, load = STREAM_OBJECTS.get(kind or "", (Node, load_node))

        async def stream_object(root: Event, info: Info[Context, None]) -> Node | None:
            key = value(root)
            return None if key is None else await load(info, key, root.known_at)

        return graphql_type | None, stream_object
    if any(getattr(getattr(m, "func", None), "__name__", None) == "_edtf" for m in markers):
        return When | None, lambda root: (v := value(root)) and When.of(dates.parse(v))
    if isinstance(element, type) and issubclass(element, Enum):
        gql: Any = enum_type(element)
        if is_list:
            return list[gql], value
        return (gql | None if optional else gql), value
    if element is Party:

        def parties(root: Event) -> list[FoundingParty]:
            return [
                FoundingParty(actor_id=p.actor, action=p.action, known_at=root.known_at)
                for p in value(root)
            ]

        return list[FoundingParty], parties
    if isinstance(element, type) and issubclass(element, BaseModel):  # Location
        return Location | None, lambda root: Location.of(value(root), root.known_at)
    if element is UUID:

        async def event(root: Event, info: Info[Context, None]) -> Event | None:
            target = value(root)
            return None if target is None else await load_event(info, str(target), root.known_at)

        return Event | None, event
    if typing.get_origin(element) is dict or element is dict:
        # A correction's changes (EventCorrected.data, the only object of the data): shown
        # under the names its target's type shows them by, as correctEvent takes them.
        async def changes(root: Event, info: Info[Context, None]) -> dict[str, Any] | None:
            data = value(root)
            if data is None:
                return None
            correction = root.view.current.data
            assert isinstance(correction, EventCorrected)  # the only type with an object field
            key = (str(correction.target), root.known_at)
            target = await info.context.events_by_id.load(key)
            return data if target is None else graphql_data(target.recorded.type, data)

        return JSON | None, changes
    if is_list:
        return list[element], lambda root: list(value(root))
    return (element | None if optional else element), value


def _object_type(cls: type[EventData], fields: list[DataField]) -> type[Event]:
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field in fields:
        namespace[f"data_{field.name}"] = strawberry.field(
            resolver=_bound(field.resolve),
            name=field.graphql_name,
            graphql_type=field.graphql_type,
            description=field.description,
        )
    created = types.new_class(cls.type_name, (Event,), {}, lambda ns: ns.update(namespace))
    made: type[Event] = strawberry.type(
        created, description=cls.__doc__ or f"A {cls.type_name} event."
    )
    return made


@dataclass
class DataField:
    """A data field of an event type as its object type shows it."""

    type_name: str
    name: str
    json_name: str  # the domain's name, as docs/format.md writes it
    graphql_name: str
    graphql_type: Any
    resolve: Callable[..., Any]
    description: str


def _data_fields(cls: type[EventData]) -> list[DataField]:
    made = []
    for name, field in cls.model_fields.items():
        graphql_type, resolve = _resolver(name, field)
        json_name = field.alias or name
        made.append(
            DataField(
                type_name=cls.type_name,
                name=name,
                json_name=json_name,
                graphql_name=RENAMED.get((cls.type_name, json_name), json_name),
                graphql_type=graphql_type,
                resolve=resolve,
                description=field.description or f"The `{json_name}` of the event's data.",
            )
        )
    return made


def _optional(graphql_type: Any) -> bool:
    return type(None) in typing.get_args(graphql_type)


def _leaf(graphql_type: Any) -> Any:
    """The named type inside list and null wrappers."""
    inner = [a for a in typing.get_args(graphql_type) if a is not type(None)]
    if _optional(graphql_type):
        return _leaf(inner[0])
    if typing.get_origin(graphql_type) is list:
        return _leaf(inner[0])
    return graphql_type


def _shape(graphql_type: Any) -> str:
    """The field's type as a validator compares it: wrappers and, for leaves, the named type
    (two object types never conflict, their subfields are compared instead)."""
    leaf = _leaf(graphql_type)
    named = "object" if has_object_definition(leaf) else repr(leaf)
    wrapped = repr(graphql_type).replace(repr(leaf), named)
    return wrapped


def _unify(fields: list[DataField]) -> None:
    """Make same-named fields of all event types agree, as GraphQL's OverlappingFieldsCanBeMerged
    requires for a query selecting them through the Event interface: an enum field whose name
    another type gives another enum takes the enum's name (`kind` → `meetingKind`,
    `measureKind`, …); a field nullable on one type is nullable on all (`reason`, `summary`).
    Any other disagreement stops the schema from being built (add a RENAMED entry)."""
    by_name: dict[str, list[DataField]] = {}
    for field in fields:
        by_name.setdefault(field.graphql_name, []).append(field)
    for name, same in by_name.items():
        leaves = {repr(_leaf(f.graphql_type)) for f in same}
        if len(leaves) > 1 and all(isinstance(_leaf(f.graphql_type), EnumMeta) for f in same):
            for field in same:
                enum = _leaf(field.graphql_type)
                field.graphql_name = enum.__name__[0].lower() + enum.__name__[1:]
        elif any(_optional(f.graphql_type) for f in same):
            for field in same:
                if not _optional(field.graphql_type):
                    field.graphql_type = field.graphql_type | None
        shapes = {_shape(f.graphql_type) for f in same}
        if len(shapes) > 1 and len({f.graphql_name for f in same}) == 1:
            raise TypeError(f"event types give `{name}` the types {sorted(shapes)}: rename it")


def _bound(resolve: Callable[..., Any]) -> Callable[..., Any]:
    # strawberry passes `root` and `info` by parameter name.
    if inspect.iscoroutinefunction(resolve):

        async def async_field(root: strawberry.Parent[Event], info: Info[Context, None]) -> Any:
            return await resolve(root, info)

        return async_field
    if "info" in inspect.signature(resolve).parameters:
        # Sync, but may return an awaitable (an actor not loaded yet): graphql-core awaits it.
        def field_with_info(root: strawberry.Parent[Event], info: Info[Context, None]) -> Any:
            return resolve(root, info)

        return field_with_info

    def field(root: strawberry.Parent[Event]) -> Any:
        return resolve(root)

    return field


def _object_types() -> tuple[dict[str, type[Event]], dict[str, dict[str, str]]]:
    fields = {name: _data_fields(cls) for name, cls in EVENT_TYPES.items()}
    _unify([field for made in fields.values() for field in made])
    names = {
        name: {field.json_name: field.graphql_name for field in made}
        for name, made in fields.items()
    }
    return {name: _object_type(cls, fields[name]) for name, cls in EVENT_TYPES.items()}, names


# The object type of each event type, and the GraphQL name of each field of its data by the
# domain's name (docs/format.md): the inputs take the same names (api/graphql/inputs.py).
OBJECT_TYPES, DATA_NAMES = _object_types()


class RenamedField(ValueError):
    """A field of an event's data given under the domain's name where GraphQL names it
    otherwise (`kind` for `meetingKind`)."""

    def __init__(self, type_name: str, given: str, graphql_name: str) -> None:
        super().__init__(
            f"{type_name}'s `{given}` is named `{graphql_name}` in GraphQL: use `{graphql_name}`"
        )
        self.given = given
        self.graphql_name = graphql_name


def graphql_data(type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Fields of the data of a `type_name` event (a correction's changes) under the names its
    object type shows them by."""
    names = DATA_NAMES.get(type_name, {})
    return {names.get(key, key): value for key, value in data.items()}


def domain_data(type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Fields of the data of a `type_name` event given under their GraphQL names, under the
    domain's; RenamedField for one given under a domain name GraphQL does not use. Any other
    name passes unchanged, for the domain to accept or refuse."""
    names = DATA_NAMES.get(type_name, {})
    domain = {graphql: json for json, graphql in names.items()}
    for key in data:
        if key not in domain and names.get(key, key) != key:
            raise RenamedField(type_name, key, names[key])
    return {domain.get(key, key): value for key, value in data.items()}


# --- connections ---------------------------------------------------------------------------------


@strawberry.type(description="An event and its cursor.")
class EventEdge:
    cursor: str = strawberry.field(description="Opaque; stable while the log grows.")
    node: Event = strawberry.field(description="The event.")


@strawberry.type(description="A page of events, in the order its field states.")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The events of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    total_count: int = strawberry.field(description="How many events match, on all pages.")

    @strawberry.field(description="The events of this page, without their cursors.")
    def nodes(self) -> list[Event]:
        return [edge.node for edge in self.edges]


@strawberry.type(
    description="A stream: one thing in the world and its events, as known at knownAt."
)
class Stream(Node):
    @strawberry.field(description="What kind of stream it is: the first part of its id.")
    def kind(self) -> StreamKind:
        return StreamKind(self.key.split("/", 1)[0])

    @strawberry.field(description="Its version at knownAt: how many events it holds.")
    async def version(self, info: Info[Context, None]) -> int:
        return len(await self._events(info))

    @strawberry.field(
        description="Its events in version order, paged by cursor: `first` after `after`, or "
        "`last` before `before`."
    )
    async def events(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> EventConnection:
        page_size(first, last, info.context.settings.limits.max_page)
        views = await self._events(info)
        page = slice_page(
            views,
            _stream_position,
            first=first,
            after=_stream_cursor_position(after, "after"),
            last=last,
            before=_stream_cursor_position(before, "before"),
        )
        edges = [
            EventEdge(cursor=_stream_cursor(view), node=event_type(view, self.known_at))
            for view in page.items
        ]
        return EventConnection(
            edges=edges,
            page_info=PageInfo.of([e.cursor for e in edges], page.has_next, page.has_previous),
            total_count=len(views),
        )

    async def _events(self, info: Info[Context, None]) -> list[EventView]:
        return await info.context.streams.load((self.key, self.known_at)) or []


def _stream_position(view: EventView) -> int:
    return view.recorded.position


# A stream's events are in version order, which is their position order: the cursor of
# `Stream.events` carries the position alone (its dates are unused, the earliest date).
def _stream_cursor(view: EventView) -> str:
    return encode_cursor((date.min, date.min, view.recorded.position), "stream")


def _stream_cursor_position(cursor: str | None, field: str) -> int | None:
    """The position in a cursor `_stream_cursor` made, or BAD_USER_INPUT."""
    return None if cursor is None else decode_cursor(cursor, field, "stream")[2]


async def event_connection(
    info: Info[Context, None], page: Page, known_at: datetime
) -> EventConnection:
    """A timeline page as an EventConnection, its events as known at `known_at`, through the
    request's loader of events by position."""
    views = await info.context.events.load_many(
        [(entry.position, known_at) for entry in page.items]
    )
    edges = [
        EventEdge(cursor=encode_cursor(page.cursor(entry)), node=event_type(view, known_at))
        for entry, view in zip(page.items, views, strict=True)
        if view is not None
    ]
    return EventConnection(
        edges=edges,
        page_info=PageInfo.of([e.cursor for e in edges], page.has_next, page.has_previous),
        total_count=page.total_count,
    )
