"""Instrument parties: who is party to which instrument, by which action, from when to when."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts
from events.projections.history import Dated, Mark, StreamEvent, first, walk
from events.projections.tables import memberships, stored, stored_end
from events.types import (
    InstrumentAdopted,
    InstrumentExtended,
    InstrumentTerminated,
    PartyAction,
    PartyJoined,
    PartyWithdrew,
)


class PartiesProjection:
    """Memberships of instrument streams (docs/projections.md, "Instruments")."""

    kinds = frozenset({"instrument"})
    tables: Sequence[Table] = (memberships,)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """One row per membership interval of each actor."""
        live = [event for event in events if event.live]
        adoption = next((e for e in live if isinstance(e.data, InstrumentAdopted)), None)
        if adoption is None:
            return {memberships: set()}
        assert isinstance(adoption.data, InstrumentAdopted)
        marks: dict[str, list[Mark[PartyAction]]] = {}
        for party in adoption.data.parties:
            marks.setdefault(party.actor, []).append(Mark(adoption.when(), True, party.action))
        expiry = adoption.when(adoption.data.expires) if adoption.data.expires else None
        terminations: list[Dated] = []
        for event in live:
            data = event.data
            if isinstance(data, PartyJoined):
                marks.setdefault(data.actor, []).append(
                    Mark(event.when(data.effective), True, data.action)
                )
            elif isinstance(data, PartyWithdrew):
                marks.setdefault(data.actor, []).append(Mark(event.when(data.effective), False))
            elif isinstance(data, InstrumentExtended):
                expiry = event.when(data.expires)
            elif isinstance(data, InstrumentTerminated):
                terminations.append(event.when())
        end = first(expiry, *terminations)
        rows = set()
        for actor, actor_marks in marks.items():
            for interval in walk(actor_marks):
                until = first(interval.until, end)
                rows.add(
                    (actor, interval.payload.value, *stored(interval.since), *stored_end(until))
                )
        return {memberships: rows}
