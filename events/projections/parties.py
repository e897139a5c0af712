"""Instrument parties: who is party to which instrument, by which action, from when to when."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Dated, Interval, Mark, StreamEvent, first
from events.projections.memberships import Memberships
from events.projections.tables import memberships, span_stratum, stored, stored_end
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

    def start(self, stream: str) -> PartiesFold:
        """The memberships of one instrument."""
        return PartiesFold()


class PartiesFold:
    """One row per membership interval of each actor; only an instrument adopted (and not
    retracted) has any."""

    def __init__(self) -> None:
        self.adopted = False
        self.parties: Memberships[PartyAction] = Memberships(memberships)
        self.expires: Dated | None = None  # the adoption's
        self.extended: Dated | None = None  # the last extension's, by position
        self.terminations: list[Dated] = []
        self.end: Dated | None = None

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Mark the actors these events open or close; redo their rows, or every actor's when
        the instrument's end moved."""
        adopted = self.adopted
        for event in events:
            if not event.live:
                continue
            data = event.data
            if isinstance(data, InstrumentAdopted) and not self.adopted:
                self.adopted = True
                for party in data.parties:
                    self.parties.mark(party.actor, Mark(event.when(), True, party.action))
                self.expires = event.when(data.expires) if data.expires else None
            elif isinstance(data, PartyJoined):
                self.parties.mark(data.actor, Mark(event.when(data.effective), True, data.action))
            elif isinstance(data, PartyWithdrew):
                self.parties.mark(data.actor, Mark(event.when(data.effective), False))
            elif isinstance(data, InstrumentExtended):
                self.extended = event.when(data.expires)
            elif isinstance(data, InstrumentTerminated):
                self.terminations.append(event.when())
        changes = Changes()
        if not self.adopted:
            return changes
        end = first(self.extended or self.expires, *self.terminations)
        moved = end != self.end or not adopted
        self.end = end
        self.parties.redo(changes, self._row, every=moved)
        return changes

    def _row(self, actor: str, interval: Interval[PartyAction]) -> Fact:
        until = first(interval.until, self.end)
        since = stored(interval.since)
        end = stored_end(until)
        return (actor, interval.payload.value, *since, *end, span_stratum(since[1], end[2]))
