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
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql.context import Context
from api.graphql.paging import encode_cursor
from api.graphql.types import Actor, Node, PageInfo, When, actor_field, actors_field
from events import dates
from events.projections.history import resolve
from events.types import EVENT_TYPES, ActorRef, EventData, Party, StreamRef
from events.views.objects import EventView, events_at
from events.views.states import Page

# Data fields whose names the envelope uses already get another name in GraphQL.
RENAMED = {("EventCorrected", "occurred"): "newOccurred", ("EventCorrected", "data"): "changes"}


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
    action: str = strawberry.field(
        description="Sign, endorse, ratify, accede, accept or cosponsor."
    )
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="The party.", graphql_type=Actor | None)
    def actor(self, info: Info[Context, None]) -> AwaitableOrValue[Actor | None]:
        return actor_field(info, self.actor_id, self.known_at)


@strawberry.type(description="A place named in an event.")
class Place:
    name: str = strawberry.field(description="The place's name.")
    country: str | None = strawberry.field(description="The state it is in (alpha-3), if known.")


@strawberry.interface(
    description=(
        "An immutable event of the log, as it stands at the query's knownAt: corrections "
        "recorded by then applied, retractions recorded by then marked."
    )
)
class Event(Node):
    stream: strawberry.ID = strawberry.field(description="The stream it belongs to (`meeting/…`).")
    version: int = strawberry.field(description="Its place in its stream, from 1.")
    position: int = strawberry.field(description="Its place in the whole log, in commit order.")
    type: str = strawberry.field(description="The event type, e.g. MeetingHeld.")
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
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="The latest correction applied to it by knownAt, if any.")
    async def corrected_by(self, info: Info[Context, None]) -> Event | None:
        position = self.view.current.corrected_by
        if position is None:
            return None
        found = await info.context.events.load((position, self.known_at))
        return None if found is None else event_type(found, self.known_at)

    @strawberry.field(description="The event exactly as first recorded, before any correction.")
    def original(self) -> Event:
        recorded = self.view.recorded
        return event_type(EventView(recorded, resolve([recorded])[0]), self.known_at)


def event_type(view: EventView, known_at: datetime) -> Event:
    """The GraphQL object for one event view."""
    recorded = view.recorded
    return OBJECT_TYPES[recorded.type](
        id=strawberry.ID(str(recorded.id)),
        stream=strawberry.ID(recorded.stream),
        version=recorded.version,
        position=recorded.position,
        type=recorded.type,
        occurred=When.of(view.current.occurred),
        recorded_at=recorded.recorded_at,
        recorded_by=recorded.recorded_by,
        sources=[_source(source) for source in recorded.sources],
        note=recorded.note,
        retracted=view.current.retracted,
        view=view,
        known_at=known_at,
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


# --- one object type per event type -----------------------------------------------------------

_ENUMS: dict[type[Enum], Any] = {}


# The API's ActorKind adds STATE; the kinds an ActorRegistered may carry are their own enum.
_ENUM_NAMES = {"ActorKind": "RegisteredActorKind"}


def enum_type(cls: type[Enum]) -> Any:
    """The GraphQL enum of a domain enum (made once)."""
    if cls not in _ENUMS:
        name = _ENUM_NAMES.get(cls.__name__, cls.__name__)
        _ENUMS[cls] = strawberry.enum(cls, name=name, description=f"The values of {name}.")
    return _ENUMS[cls]


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

        return Actor | None, actor
    if any(isinstance(m, StreamRef) for m in markers):
        return strawberry.ID | None, value
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
                FoundingParty(actor_id=p.actor, action=p.action.value, known_at=root.known_at)
                for p in value(root)
            ]

        return list[FoundingParty], parties
    if isinstance(element, type) and issubclass(element, BaseModel):  # Location
        return (
            Place | None,
            lambda root: (v := value(root)) and Place(name=v.name, country=v.country),
        )
    if element is UUID:
        return strawberry.ID | None, lambda root: (v := value(root)) and strawberry.ID(str(v))
    if typing.get_origin(element) is dict or element is dict:
        return JSON | None, value
    if is_list:
        return list[element], lambda root: list(value(root))
    return (element | None if optional else element), value


def _object_type(cls: type[EventData]) -> type[Event]:
    namespace: dict[str, Any] = {"__annotations__": {}}
    for name, field in cls.model_fields.items():
        graphql_type, resolve = _resolver(name, field)
        graphql_name = RENAMED.get((cls.type_name, field.alias or name), field.alias or name)
        attribute = f"data_{name}"
        namespace[attribute] = strawberry.field(
            resolver=_bound(resolve),
            name=graphql_name,
            graphql_type=graphql_type,
            description=field.description or f"The `{field.alias or name}` of the event's data.",
        )
    created = types.new_class(cls.type_name, (Event,), {}, lambda ns: ns.update(namespace))
    made: type[Event] = strawberry.type(
        created, description=cls.__doc__ or f"A {cls.type_name} event."
    )
    return made


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


OBJECT_TYPES: dict[str, type[Event]] = {
    name: _object_type(cls) for name, cls in EVENT_TYPES.items()
}


# --- connections ---------------------------------------------------------------------------------


@strawberry.type(description="An event and its cursor.")
class EventEdge:
    cursor: str = strawberry.field(description="Opaque; stable while the log grows.")
    node: Event = strawberry.field(description="The event.")


@strawberry.type(description="A page of events in date order (earliest, latest, position).")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The events of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    total_count: int = strawberry.field(description="How many events match, on all pages.")


@strawberry.type(
    description="A stream: one thing in the world and its events, as known at knownAt."
)
class Stream(Node):
    kind: str = strawberry.field(
        description="actor, meeting, instrument, measure, dialogue, statement."
    )
    version: int = strawberry.field(description="Its version at knownAt: how many events it holds.")
    events: list[Event] = strawberry.field(description="Its events in version order.")


async def event_connection(
    info: Info[Context, None], page: Page, known_at: datetime
) -> EventConnection:
    """A timeline page as an EventConnection, its events as known at `known_at`."""
    views = await events_at(
        info.context.engine, positions=[entry.position for entry in page.items], known_at=known_at
    )
    by_position = {view.recorded.position: view for view in views}
    edges = [
        EventEdge(
            cursor=encode_cursor(page.cursor(entry)),
            node=event_type(by_position[entry.position], known_at),
        )
        for entry in page.items
    ]
    return EventConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total_count,
    )
