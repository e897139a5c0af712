"""An event in a few words for the formats people read: its headline, the actors it names, the
first link to its sources."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from events.types import ActorRegistered, EventCorrected, EventRetracted, actor_refs
from events.views.objects import EventView

# The data fields that can stand as an event's headline, best first.
HEADLINE_FIELDS = ("title", "name", "summary", "topic", "reason")
# Events that only change others: their effect is already in the events they target.
BOOKKEEPING = frozenset({EventCorrected.type_name, EventRetracted.type_name})

_LOCATION = "data.location."
_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def type_words(type_name: str) -> str:
    """`MeetingHeld` as `Meeting held`."""
    return _WORD_START.sub(" ", type_name).capitalize()


def has_headline(view: EventView) -> bool:
    """Whether the event has a title, name or summary of its own (else `headline` names its
    type and stream)."""
    data = view.current.data
    return any(
        isinstance(value := getattr(data, name, None), str) and value for name in HEADLINE_FIELDS
    )


def headline(view: EventView) -> str:
    """The event's title, name or summary as corrected; else its type and stream
    (`Meeting cancelled: meeting/2024-05-geneva`)."""
    data = view.current.data
    for name in HEADLINE_FIELDS:
        value = getattr(data, name, None)
        if isinstance(value, str) and value:
            return value
    return f"{type_words(view.current.type)}: {view.recorded.stream}"


def actors(view: EventView) -> tuple[str, ...]:
    """The actors the event names (as corrected), first named first, each once; an actor's
    registration names the actor it registers. The country of a location is where it
    happened, not who took part, and is left out."""
    refs = actor_refs(view.current.data)
    named = dict.fromkeys(actor for path, actor in refs if not path.startswith(_LOCATION))
    if isinstance(view.current.data, ActorRegistered):
        named = {view.recorded.stream.split("/", 1)[1]: None, **named}
    return tuple(named)


def involved(
    view: EventView, kept: Iterable[str], countries: Mapping[str, str | None]
) -> tuple[str, ...]:
    """Who the event involves (docs/format.md, "Who an event involves"): exactly the actors
    the projection keeps for it (`kept`, what an actor filter matches) and the country of each
    (`countries`: the country of each registered one), each once, in reading order: those it
    names as `actors()` lists them, the others its stream gives it, the countries of all
    these, and last the country of its location (where it happened), unless already listed."""
    kept = set(kept)
    places = {actor for path, actor in actor_refs(view.current.data) if path.startswith(_LOCATION)}
    named = [actor for actor in actors(view) if actor in kept]
    listed = dict.fromkeys([*named, *sorted(kept - places - set(named))])
    for actor in list(listed):
        country = countries.get(actor)
        if country is not None:
            listed.setdefault(country, None)
    listed.update(dict.fromkeys(sorted(kept & places)))
    return tuple(listed)


def first_url(sources: Iterable[Mapping[str, Any]]) -> str | None:
    """The url of the first source that has one."""
    return next((s["url"] for s in sources if isinstance(s.get("url"), str)), None)
