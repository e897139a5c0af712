"""Mutation inputs: `RecordEventInput` and its `@oneOf` `EventDataInput`, one member per event
type, made from the domain's models like the event object types (api/graphql/events.py), and
with the same field names as those (`meetingHeld: {meetingKind: …}`).

Inputs are translated to the event's JSON form, under the domain's names (docs/format.md), and
validated by the domain (`events.types.event_from_json`), so a rule lives in one place.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from pydantic import BaseModel
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from strawberry.scalars import JSON

from api.graphql.enums import enum_type
from api.graphql.events import DATA_NAMES
from api.graphql.scalars import EDTF
from events.types import EVENT_TYPES, ActorRef, EventData, Party, PartyAction, StreamRef


@strawberry.input(description="Where a fact comes from; `url` or `title` is required.")
class SourceInput:
    url: str | None = strawberry.field(default=None, description="The address of the source.")
    title: str | None = strawberry.field(default=None, description="Its title.")
    publisher: str | None = strawberry.field(default=None, description="Who published it.")
    published: EDTF | None = strawberry.field(default=None, description="When it was published.")
    quote: str | None = strawberry.field(default=None, description="A short supporting quote.")
    accessed: EDTF | None = strawberry.field(default=None, description="When it was consulted.")


@strawberry.input(description="A place: its name and the state it is in.")
class LocationInput:
    name: str = strawberry.field(description="The place's name.")
    country: strawberry.ID | None = strawberry.field(
        default=None, description="The state it is in (ISO 3166 code)."
    )


def _graphql_input_type(field: FieldInfo) -> Any:
    markers: list[object] = list(field.metadata)
    stack = [field.annotation]
    while stack:
        annotation = stack.pop()
        markers.extend(getattr(annotation, "__metadata__", ()))
        stack.extend(typing.get_args(annotation))
    annotation = field.annotation
    arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = arguments[0] if type(None) in typing.get_args(annotation) else annotation
    is_list = typing.get_origin(base) is tuple
    element: Any = typing.get_args(base)[0] if is_list else base
    if typing.get_origin(element) is typing.Annotated:
        element = typing.get_args(element)[0]
    scalar: Any
    if any(isinstance(m, ActorRef | StreamRef) for m in markers) or element is UUID:
        scalar = strawberry.ID
    elif any(getattr(getattr(m, "func", None), "__name__", None) == "_edtf" for m in markers):
        scalar = EDTF
    elif isinstance(element, type) and issubclass(element, Enum):
        scalar = enum_type(element)
    elif element is Party:
        scalar = PartyInput
    elif isinstance(element, type) and issubclass(element, BaseModel):
        scalar = LocationInput
    elif typing.get_origin(element) is dict or element is dict:
        scalar = JSON
    else:
        scalar = element
    return list[scalar] if is_list else scalar


@strawberry.input(description="A founding party of an instrument.")
class PartyInput:
    actor: strawberry.ID = strawberry.field(description="The party's actor id.")
    action: PartyAction = strawberry.field(description="How the party joined.")


def _input_type(cls: type[EventData]) -> type:
    # Each field is named as the event's object type names it (DATA_NAMES: `meetingKind`,
    # `foundingParties`); its Python name stays the domain's, which `_plain` writes out.
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for name, field in cls.model_fields.items():
        graphql_type = _graphql_input_type(field)
        required = field.is_required()
        annotations[name] = graphql_type if required else graphql_type | None
        json_name = field.alias or name
        graphql_name = DATA_NAMES[cls.type_name][json_name]
        description = field.description or f"The event's `{json_name}`."
        if graphql_name != json_name and field.description:
            description += f" (`{json_name}` in the event's JSON.)"
        elif graphql_name != json_name:
            description = f"The event's `{json_name}` (as its JSON names it, docs/format.md)."
        if required:
            namespace[name] = strawberry.field(name=graphql_name, description=description)
        else:
            namespace[name] = strawberry.field(
                name=graphql_name, description=description, default=None
            )
    created = types.new_class(f"{cls.type_name}Input", (), {}, lambda ns: ns.update(namespace))
    made: type = strawberry.input(created, description=f"The data of a {cls.type_name} event.")
    return made


INPUT_TYPES: dict[str, type] = {name: _input_type(cls) for name, cls in EVENT_TYPES.items()}


def _member(type_name: str) -> str:
    return type_name[0].lower() + type_name[1:]


def _event_data_input() -> type:
    annotations = {_member(name): INPUT_TYPES[name] | None for name in EVENT_TYPES}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for name in EVENT_TYPES:
        namespace[_member(name)] = strawberry.field(
            default=strawberry.UNSET, description=f"The data of a {name} event."
        )
    created = types.new_class("EventDataInput", (), {}, lambda ns: ns.update(namespace))
    made: type = strawberry.input(
        created,
        one_of=True,
        description="The event's data: exactly one member, named after its type (meetingHeld).",
    )
    return made


EventDataInput: Any = _event_data_input()


@strawberry.input(description="One event to record.")
class RecordEventInput:
    stream: strawberry.ID = strawberry.field(description="Its stream, `<kind>/<slug>`.")
    occurred: EDTF = strawberry.field(description="When it happened, in EDTF.")
    data: EventDataInput = strawberry.field(description="The event's type and data.")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="A client id (UUID) that makes retries idempotent."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="The version the stream must be at (0: must not exist yet)."
    )
    sources: list[SourceInput] | None = strawberry.field(default=None, description="Sources.")
    note: str | None = strawberry.field(default=None, description="A free note.")

    def to_json(self) -> dict[str, Any]:
        """The event's JSON form (docs/format.md, "The envelope"), for the domain to validate."""
        members = {name: value for name, value in _plain(self.data).items() if value is not None}
        type_name, data = next(iter(members.items()), ("", {}))
        envelope: dict[str, Any] = {
            "stream": self.stream,
            "type": type_name[:1].upper() + type_name[1:],
            "occurred": self.occurred,
            "data": data,
            "sources": [_plain(source) for source in self.sources or ()],
        }
        if self.id is not None:
            envelope["id"] = self.id
        if self.note is not None:
            envelope["note"] = self.note
        return envelope


def _plain(value: Any) -> Any:
    """An input object as JSON: camelCase names, enums as their values, None left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            to_camel(field.name): _plain(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if getattr(value, field.name) not in (None, strawberry.UNSET)
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value
