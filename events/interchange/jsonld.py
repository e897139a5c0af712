"""JSON-LD: a JSON array of schema.org `Event` objects, each standing alone (its own
`@context`), in date order.

A meeting is one Event (not one per event of its stream) with `eventStatus` from its status as
of `asOf`: scheduled or held → EventScheduled ("has taken or will take place as scheduled"),
postponed → EventRescheduled with `previousStartDate` when a new date is known, else
EventPostponed; cancelled → EventCancelled. Every other event the filter selects is an Event at
its `occurred` date (corrections and retractions aside). Dates are ISO 8601 at the precision
given (`2022-10`, not `2022-10-01`); `attendee` lists the actors (states as
GovernmentOrganization), `citation` the sources as CreativeWorks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

from events import dates
from events.actors import state_name
from events.dates import Edtf
from events.interchange import spans
from events.interchange.describe import actors, headline, type_words
from events.interchange.meetings import Meeting, happenings
from events.interchange.selection import ExportProgress, ExportQuery, actors_named
from events.store import EventStore
from events.types import Location
from events.views.objects import ActorView, EventView

CONTEXT = "https://schema.org"
SCHEMA = "https://schema.org/"
EVENT_STATUS = {
    "SCHEDULED": "EventScheduled",
    "POSTPONED": "EventPostponed",
    "CANCELLED": "EventCancelled",
    "HELD": "EventScheduled",
}
_ACTOR_TYPES = {"STATE": "GovernmentOrganization", "PERSON": "Person"}


async def jsonld_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The JSON text: `[`, the Events a page at a time, `]`."""
    query = query.pinned()
    yield "["
    separator = "\n"
    async for batch in happenings(store.engine, query, progress):
        ids = {
            actor
            for item in batch
            for actor in (item.participants if isinstance(item, Meeting) else actors(item))
        }
        names = await actors_named(store.engine, ids, query)
        made = [e for e in (item_event(item, names) for item in batch) if e is not None]
        if made:
            yield separator + ",\n".join(json.dumps(e, ensure_ascii=False) for e in made)
            separator = ",\n"
    yield "\n]\n"


def item_event(item: EventView | Meeting, names: dict[str, ActorView]) -> dict[str, Any] | None:
    """The schema.org Event of a meeting or an event; None when it has no date to start at."""
    if isinstance(item, Meeting):
        return _meeting(item, names)
    occurred = item.current.occurred
    event = _dated(occurred)
    if event is None:
        return None
    event.update(
        {
            "identifier": str(item.recorded.id),
            "name": headline(item),
            "description": f"{type_words(item.recorded.type)} ({occurred.edtf})",
        }
    )
    location = getattr(item.current.data, "location", None)
    if isinstance(location, Location):
        event["location"] = _place(location)
    _people(event, actors(item), names)
    _cite(event, item.recorded.sources)
    return event


def _meeting(meeting: Meeting, names: dict[str, ActorView]) -> dict[str, Any] | None:
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
            "identifier": meeting.stream,
            "name": meeting.title,
            "description": f"Meeting, {meeting.status.lower()} ({meeting.date.edtf})",
            "eventStatus": SCHEMA + status,
        }
    )
    if meeting.location is not None:
        event["location"] = _place(meeting.location)
    _people(event, meeting.participants, names)
    _cite(event, meeting.sources)
    return event


def _dated(value: Edtf) -> dict[str, Any] | None:
    found = spans.span(value)
    if found is None:
        return None
    event: dict[str, Any] = {"@context": CONTEXT, "@type": "Event"}
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


def _people(event: dict[str, Any], ids: Iterable[str], names: dict[str, ActorView]) -> None:
    attendees = []
    for actor in ids:
        known = names.get(actor)
        kind = known.kind if known is not None else "ORGANIZATION"
        attendees.append(
            {
                "@type": _ACTOR_TYPES.get(kind, "Organization"),
                "name": known.name if known is not None else actor,
                "identifier": actor,
            }
        )
    if attendees:
        event["attendee"] = attendees


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
