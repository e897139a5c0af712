"""The schema's enums. Every closed set of the domain is its own enum in events/types.py; the
GraphQL enum is made from that class (`enum_type`), so the two cannot drift: a value added there
appears here. `EventType` is made from the registry of event types (`events.types.EVENT_TYPES`),
so a new event type is a new value with no second list to keep."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any

import strawberry

import events.types
import events.views.states
from events.types import EVENT_TYPES

_ENUMS: dict[type[Enum], Any] = {}

# The API's ActorKind adds STATE; the kinds an ActorRegistered may carry are their own enum.
_ENUM_NAMES = {"ActorKind": "RegisteredActorKind"}


def enum_type(cls: type[Enum]) -> Any:
    """The GraphQL enum of a domain enum (made once)."""
    if cls not in _ENUMS:
        name = _ENUM_NAMES.get(cls.__name__, cls.__name__)
        _ENUMS[cls] = strawberry.enum(cls, name=name, description=f"The values of {name}.")
    return _ENUMS[cls]


# Every enum of the domain's modules (the event data's, the views' statuses) is a GraphQL enum
# (strawberry marks the class itself), so that the read types can name the domain's classes.
DOMAIN_ENUMS = [
    enum_type(value)
    for module in (events.types, events.views.states)
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, Enum) and value.__module__ == module.__name__
]


# One value per event type, named as the type (MeetingHeld): GraphQL enum values may be in any
# case, and the type's own name is what the log stores and what `__typename` shows.
EventTypeValues = StrEnum("EventType", {name: name for name in EVENT_TYPES})  # type: ignore[misc]

EventType: Any = strawberry.enum(
    EventTypeValues, name="EventType", description="The type of an event, as the log records it."
)


@strawberry.enum(description="Why a mutation refused its input.")
class UserErrorCode(Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    NOT_FOUND = "NOT_FOUND"
