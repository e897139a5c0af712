"""iCalendar (RFC 5545, written with the `icalendar` package): one all-day VEVENT per meeting.

The UID is the meeting's stream id, so a calendar that subscribes to the export updates a meeting
in place when it is postponed, cancelled or held; SEQUENCE counts those changes and DTSTAMP is
when the newest was recorded, so exporting the same log twice gives the same file. DTSTART and
DTEND are dates: the first day of the meeting's date and the day after its last (DTEND is
exclusive), a date with an open side taken as its known side (events/interchange/spans.py). A
meeting with no date at all (scheduled without `planned`) is left out: a calendar has nowhere to
put it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from events.actors import state_name
from events.interchange import spans
from events.interchange.describe import first_url
from events.interchange.meetings import Meeting, happenings, involving_items
from events.interchange.selection import ExportProgress, ExportQuery, actors_named
from events.store import EventStore
from events.views.objects import ActorView

PRODID = "-//diplomatic-timeline//exports//EN"
UID_DOMAIN = "diplomatic-timeline"
# RFC 5545 has three statuses for a VEVENT; a postponed meeting is tentative again.
STATUS = {
    "SCHEDULED": "TENTATIVE",
    "POSTPONED": "TENTATIVE",
    "CANCELLED": "CANCELLED",
    "HELD": "CONFIRMED",
}
_END = "END:VCALENDAR\r\n"


async def ics_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The calendar: its header, a chunk of VEVENTs per page of events, its end."""
    query = query.pinned()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Diplomatic timeline: meetings")
    header = calendar.to_ical().decode()
    assert header.endswith(_END)
    yield header.removesuffix(_END)
    async for batch in happenings(store.engine, query, progress):
        meetings = [item for item in batch if isinstance(item, Meeting) and _dated(item)]
        who = await involving_items(store.engine, meetings, query)
        ids = {actor for m in meetings for actor in m.participants} | {a for w in who for a in w}
        names = await actors_named(store.engine, ids, query)
        text = "".join(
            vevent(m, involves, names).to_ical().decode()
            for m, involves in zip(meetings, who, strict=True)
        )
        if text:
            yield text
    yield _END


def vevent(meeting: Meeting, involves: Sequence[str], actors: dict[str, ActorView]) -> VEvent:
    """The VEVENT of a dated meeting, whose description names whom it `involves`
    (docs/format.md: the actors an actor filter matches it by, with their countries)."""
    assert meeting.date is not None
    event = VEvent()
    event.add("uid", f"{meeting.stream}@{UID_DOMAIN}")
    event.add("dtstamp", meeting.changed_at)
    event.add("last-modified", meeting.changed_at)
    event.add("sequence", meeting.changes)
    event.add("summary", meeting.title)
    found = spans.span(meeting.date)
    assert found is not None
    event.add("dtstart", found.start.first())
    event.add("dtend", (found.end or found.start).last() + timedelta(days=1))
    event.add("status", STATUS[meeting.status])
    if meeting.location is not None:
        place = meeting.location.name
        if meeting.location.country:
            place += f", {state_name(meeting.location.country)}"
        event.add("location", place)
    if meeting.kind:
        event.add("categories", [meeting.kind])
    event.add("description", _description(meeting, involves, actors))
    url = first_url(meeting.sources)
    if url:
        event.add("url", url)
    return event


def _dated(meeting: Meeting) -> bool:
    return meeting.date is not None and spans.span(meeting.date) is not None


def _description(meeting: Meeting, involves: Sequence[str], actors: dict[str, ActorView]) -> str:
    assert meeting.date is not None

    def names(ids: Sequence[str]) -> str:
        return ", ".join(actors[a].name if a in actors else a for a in ids)

    lines = [
        f"Status: {meeting.status.lower()}",
        f"Date (EDTF): {meeting.date.edtf}",
        f"Participants: {names(meeting.participants)}",
        f"Involves: {names(involves)}",
    ]
    if meeting.previous is not None:
        lines.insert(1, f"Previously planned: {meeting.previous.edtf}")
    for source in meeting.sources:
        cited = ", ".join(
            str(source[key]) for key in ("title", "publisher", "published") if source.get(key)
        )
        lines.append(f"Source: {cited}" + (f" <{source['url']}>" if source.get("url") else ""))
    return "\n".join(lines)
