"""Meetings: contacts (meetings held: a row per participant, with the meeting's details, and a
row per ordered pair of participants, by which a relation finds its contacts) and each
meeting's standing as a plan or a meeting held."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Table

from events.projections import Fact, Facts, Recomputed
from events.projections.history import StreamEvent, first
from events.projections.tables import (
    contact_pairs,
    contacts,
    meeting_plans,
    meetings,
    span_stratum,
    stored,
    stored_end,
)
from events.types import (
    Location,
    MeetingCancelled,
    MeetingHeld,
    MeetingPostponed,
    MeetingScheduled,
    dumps,
    dumps_list,
)


class ContactsProjection:
    """A meeting stream's last MeetingHeld as a contact (docs/projections.md, "Contacts"), and
    its status: the last of scheduled, postponed, cancelled, held, in position order; and the
    time it was planned, from its MeetingScheduled until it is held or cancelled."""

    kinds = frozenset({"meeting"})
    tables: Sequence[Table] = (contacts, contact_pairs, meetings, meeting_plans)

    def start(self, stream: str) -> Recomputed:
        """A short stream: its facts are worked out again on each step."""
        return Recomputed(stream, self.facts)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """Contact rows per participant and per ordered pair of participants of the last
        MeetingHeld; one meeting row."""
        live = [e for e in events if e.live]
        last = next((e for e in reversed(live) if isinstance(e.data, MeetingHeld)), None)
        contact_rows: set[Fact] = set()
        pair_rows: set[Fact] = set()
        if last is not None:
            data = last.data
            assert isinstance(data, MeetingHeld)
            actors, position, held = data.participants, last.position, last.occurred
            head = (data.title, dumps_list(actors), position, held.edtf)
            contact_rows = {(actor, *head, held.earliest, held.latest) for actor in actors}
            pair_rows = {
                (actor, other, position, held.earliest, held.latest)
                for actor in actors
                for other in actors
                if other != actor
            }
        return {
            contacts: contact_rows,
            contact_pairs: pair_rows,
            meetings: _standing(live),
            meeting_plans: _plans(live),
        }


def _plans(live: Sequence[StreamEvent]) -> set[Fact]:
    """A row per participant of the MeetingScheduled, planned from its date until the first
    (by date) MeetingHeld or MeetingCancelled."""
    scheduled = next((e for e in live if isinstance(e.data, MeetingScheduled)), None)
    if scheduled is None:
        return set()
    assert isinstance(scheduled.data, MeetingScheduled)
    ends = (e.when() for e in live if isinstance(e.data, _ENDING))
    since, until = stored(scheduled.occurred), stored_end(first(*ends))
    planned = (*since, *until, span_stratum(since[1], until[2]))
    return {(actor, *planned) for actor in scheduled.data.participants}


def _standing(live: Sequence[StreamEvent]) -> set[Fact]:
    status = title = participants = planned = held = kind = level = location = None
    for event in live:
        data = event.data
        if isinstance(data, MeetingScheduled):
            status, title, planned = "SCHEDULED", data.title, data.planned
            participants = dumps_list(data.participants)
            location = _location(data.location) if data.location else None
        elif isinstance(data, MeetingPostponed):
            status, planned = "POSTPONED", data.planned
        elif isinstance(data, MeetingCancelled):
            status = "CANCELLED"
        elif isinstance(data, MeetingHeld):
            status, title, held = "HELD", data.title, event.occurred.edtf
            participants = dumps_list(data.participants)
            kind = data.kind.value if data.kind else None
            level = data.level.value if data.level else None
            location = _location(data.location) if data.location else location
    if status is None or title is None or participants is None:
        return set()
    return {(status, title, participants, planned, held, kind, level, location)}


_ENDING = (MeetingHeld, MeetingCancelled)


@lru_cache(maxsize=65536)
def _location(location: Location) -> str:
    """The stored text of a location, remembered: the same few places recur across meetings."""
    return dumps(location.to_json())
