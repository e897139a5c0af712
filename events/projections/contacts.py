"""Contacts: meetings held, one row per participant so a pair is two index lookups."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts
from events.projections.history import StreamEvent
from events.projections.tables import contacts, stored
from events.types import MeetingHeld, dumps


class ContactsProjection:
    """A meeting stream's last MeetingHeld (docs/projections.md, "Contacts")."""

    kinds = frozenset({"meeting"})
    tables: Sequence[Table] = (contacts,)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """One row per participant of the meeting's last MeetingHeld, if any."""
        held = [e for e in events if e.live and isinstance(e.data, MeetingHeld)]
        if not held:
            return {contacts: set()}
        last = held[-1]
        assert isinstance(last.data, MeetingHeld)
        participants = dumps(list(last.data.participants))
        return {
            contacts: {
                (actor, last.data.title, participants, last.position, *stored(last.occurred))
                for actor in last.data.participants
            }
        }
