"""JSON-LD: one document, `{"@context": {…}, "@graph": [Event, …]}`, in date order.

The context is inside the document (schema.org as the vocabulary), so that pyld, rdflib or any
JSON-LD processor reads it offline: nothing names a remote context. Every event and actor has an
IRI under the configured base URL (TIMELINE_PUBLIC_URL: `<base>event/<id>`, `<base>meeting/<slug>`
for a meeting, `<base>actor/<id>`), so that the same person is the same node in every event; an
actor is a `Person`, an `Organization` or (a state) a `Country`, with `sameAs` its Wikidata
entity when one is registered. Actors' own events (registration, renaming) are not Events:
their effect is the actor nodes.

A meeting is one Event (not one per event of its stream) with `eventStatus` from its status as
of `asOf`: scheduled or held → EventScheduled ("has taken or will take place as scheduled"),
postponed → EventRescheduled with `previousStartDate` when a new date is known, else
EventPostponed; cancelled → EventCancelled. Every other event the filter selects is an Event at
its `occurred` date (corrections and retractions aside). Dates are ISO 8601 at the precision
given (`2022-10`, not `2022-10-01`); a meeting's `attendee` lists its participants, every
Event's `about` whom it involves (docs/format.md: the actors an actor filter matches it by,
with their countries), each an actor node (a state as a Country); `citation` the sources as
CreativeWorks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from events import dates
from events.actors import state_name
from events.dates import Edtf
from events.interchange import spans
from events.interchange.describe import headline, type_words
from events.interchange.meetings import Meeting, happenings, involving_items
from events.interchange.selection import (
    ExportProgress,
    ExportQuery,
    actors_named,
    actors_wikidata,
)
from events.store import EventStore
from events.types import Location
from events.views.objects import ActorView, EventView

SCHEMA = "https://schema.org/"
WIKIDATA = "http://www.wikidata.org/entity/"
# The whole context, inside the document: schema.org's terms, and which values are IRIs.
CONTEXT: dict[str, Any] = {
    "@vocab": SCHEMA,
    "sameAs": {"@type": "@id"},
    "url": {"@type": "@id"},
    "eventStatus": {"@type": "@id"},
}
# Streams whose events describe an actor (its node), not something that happened.
_NOT_EVENTS = frozenset({"actor"})
EVENT_STATUS = {
    "SCHEDULED": "EventScheduled",
    "POSTPONED": "EventPostponed",
    "CANCELLED": "EventCancelled",
    "HELD": "EventScheduled",
}
_ACTOR_TYPES = {"STATE": "Country", "PERSON": "Person"}


async def jsonld_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The JSON text: `[`, the Events a page at a time, `]`."""
    query = query.pinned()
    yield '{"@context": ' + json.dumps(CONTEXT) + ',\n"@graph": ['
    separator = "\n"
    async for batch in happenings(store.engine, query, progress):
        batch = [item for item in batch if _is_event(item)]
        who = await involving_items(store.engine, batch, query)
        ids = {actor for involved in who for actor in involved} | {
            actor for item in batch if isinstance(item, Meeting) for actor in item.participants
        }
        names = await actors_named(store.engine, ids, query)
        linked = Linked(query.base_url, names, await actors_wikidata(store.engine, ids, query))
        pairs = zip(batch, who, strict=True)
        made = [e for e in (item_event(i, w, linked) for i, w in pairs) if e is not None]
        if made:
            yield separator + ",\n".join(json.dumps(e, ensure_ascii=False) for e in made)
            separator = ",\n"
    yield "\n]}\n"


@dataclass(frozen=True, slots=True)
class Linked:
    """What the nodes of a page link to: the base of the IRIs, the actors' names and kinds, and
    their Wikidata ids."""

    base: str
    names: dict[str, ActorView]
    wikidata: dict[str, str]

    def iri(self, path: str) -> str:
        """The IRI of `path` (`event/<id>`, `meeting/<slug>`, `actor/<id>`) under the base."""
        return self.base + quote(path, safe="/")


def _is_event(item: EventView | Meeting) -> bool:
    return isinstance(item, Meeting) or item.recorded.stream.split("/", 1)[0] not in _NOT_EVENTS


def item_event(
    item: EventView | Meeting, involves: Iterable[str], linked: Linked
) -> dict[str, Any] | None:
    """The schema.org Event of a meeting or an event, `about` whom it `involves`; None when it
    has no date to start at."""
    if isinstance(item, Meeting):
        event = _meeting(item, linked)
        if event is not None:
            _actors(event, "about", involves, linked)
        return event
    occurred = item.current.occurred
    event = _dated(occurred)
    if event is None:
        return None
    event.update(
        {
            "@id": linked.iri(f"event/{item.recorded.id}"),
            "identifier": str(item.recorded.id),
            "name": headline(item),
            "description": f"{type_words(item.recorded.type)} ({occurred.edtf})",
        }
    )
    location = getattr(item.current.data, "location", None)
    if isinstance(location, Location):
        event["location"] = _place(location)
    _actors(event, "about", involves, linked)
    _cite(event, item.recorded.sources)
    return event


def _meeting(meeting: Meeting, linked: Linked) -> dict[str, Any] | None:
    if meeting.date is None:
        return None
    event = _dated(meeting.date)
    if event is None:
        return None
    status = EVENT_STATUS[meeting.status]
    if meeting.previous is not None:
        before = spans.span(meeting.previous)
        if before is not None:
            event["previousStartDate"] = before.start.iso()
            if meeting.previous != meeting.date:
                status = "EventRescheduled"
    event.update(
        {
            "@id": linked.iri(meeting.stream),
            "identifier": meeting.stream,
            "name": meeting.title,
            "description": f"Meeting, {meeting.status.lower()} ({meeting.date.edtf})",
            "eventStatus": SCHEMA + status,
        }
    )
    if meeting.location is not None:
        event["location"] = _place(meeting.location)
    _actors(event, "attendee", meeting.participants, linked)
    _cite(event, meeting.sources)
    return event


def _dated(value: Edtf) -> dict[str, Any] | None:
    found = spans.span(value)
    if found is None:
        return None
    event: dict[str, Any] = {"@type": "Event"}
    event["startDate"] = found.start.iso()
    if found.end is not None:
        event["endDate"] = found.end.iso()
    return event


def _place(location: Location) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Place", "name": location.name}
    if location.country:
        place["address"] = {
            "@type": "PostalAddress",
            "addressCountry": {
                "@type": "Country",
                "name": state_name(location.country),
                "identifier": location.country,
            },
        }
    return place


def _actors(event: dict[str, Any], key: str, ids: Iterable[str], linked: Linked) -> None:
    """The actor nodes of `ids` as the Event's `key` (attendee, about), when there are any."""
    attendees = []
    for actor in ids:
        known = linked.names.get(actor)
        kind = known.kind if known is not None else "ORGANIZATION"
        node = {
            "@id": linked.iri(f"actor/{actor}"),
            "@type": _ACTOR_TYPES.get(kind, "Organization"),
            "name": known.name if known is not None else actor,
            "identifier": actor,
        }
        if actor in linked.wikidata:
            node["sameAs"] = WIKIDATA + linked.wikidata[actor]
        attendees.append(node)
    if attendees:
        event[key] = attendees


def _cite(event: dict[str, Any], sources: Iterable[Mapping[str, Any]]) -> None:
    works = []
    for source in sources:
        work: dict[str, Any] = {"@type": "CreativeWork"}
        if source.get("title"):
            work["name"] = source["title"]
        if source.get("url"):
            work["url"] = source["url"]
        if source.get("publisher"):
            work["publisher"] = {"@type": "Organization", "name": source["publisher"]}
        if source.get("published"):
            published = spans.span(dates.parse(source["published"]))
            if published is not None:
                work["datePublished"] = published.start.iso()
        if source.get("quote"):
            work["text"] = source["quote"]
        works.append(work)
    if works:
        event["citation"] = works
