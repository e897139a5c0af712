"""Instrument parties: who is party to which instrument, by which action, from when to when,
and with which status (notices given, suspended or rescinded; participation suspended)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Dated, StreamEvent, first
from events.projections.standing import Move, Status, Step, notice_moves, standing
from events.projections.tables import (
    membership_statuses,
    memberships,
    span_stratum,
    stored,
    stored_end,
)
from events.types import (
    EventData,
    InstrumentAdopted,
    InstrumentExtended,
    InstrumentTerminated,
    PartyJoined,
    PartyNoticeGiven,
    PartyNoticeRescinded,
    PartyNoticeSuspended,
    PartyResumed,
    PartySuspended,
    PartyWithdrew,
)

# The steps of the types that change a party's standing at their own date, with no `effective`.
_STEPS: dict[type[EventData], Step] = {
    PartyNoticeSuspended: Step.HOLD,
    PartyNoticeRescinded: Step.RESCIND,
    PartySuspended: Step.SUSPEND,
    PartyResumed: Step.RESUME,
}
_STEPPING = PartyNoticeSuspended | PartyNoticeRescinded | PartySuspended | PartyResumed


class PartiesProjection:
    """Memberships of instrument streams and their statuses (docs/projections.md,
    "Instruments")."""

    kinds = frozenset({"instrument"})
    tables: Sequence[Table] = (memberships, membership_statuses)

    def start(self, stream: str) -> PartiesFold:
        """The memberships of one instrument."""
        return PartiesFold()


class PartiesFold:
    """One row per membership interval of each actor, and one per status of a membership
    whose status ever changed; only an instrument adopted (and not retracted) has any."""

    def __init__(self) -> None:
        self.adopted = False
        self.moves: dict[str, list[Move]] = {}
        self.marked: set[str] = set()  # actors with moves since their rows were last made
        self.rows: dict[str, tuple[set[Fact], set[Fact]]] = {}
        self.expires: Dated | None = None  # the adoption's
        self.extended: Dated | None = None  # the last extension's, by position
        self.terminations: list[Dated] = []
        self.end: Dated | None = None

    def _move(self, actor: str, *moves: Move) -> None:
        self.moves.setdefault(actor, []).extend(moves)
        self.marked.add(actor)

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Note the steps of the actors these events name; redo their rows, or every actor's
        when the instrument's end moved."""
        adopted = self.adopted
        for event in events:
            if not event.live:
                continue
            data = event.data
            if isinstance(data, InstrumentAdopted) and not self.adopted:
                self.adopted = True
                for party in data.parties:
                    self._move(party.actor, Move(event.when(), Step.OPEN, party.action))
                self.expires = event.when(data.expires) if data.expires else None
            elif isinstance(data, PartyJoined):
                self._move(data.actor, Move(event.when(data.effective), Step.OPEN, data.action))
            elif isinstance(data, PartyWithdrew):
                self._move(data.actor, Move(event.when(data.effective), Step.CLOSE))
            elif isinstance(data, PartyNoticeGiven):
                self._move(data.actor, *notice_moves(event.when(), event.when(data.effective)))
            elif isinstance(data, _STEPPING):
                self._move(data.actor, Move(event.when(), _STEPS[type(data)]))
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
        for actor in self.moves if moved else self.marked:
            member_rows: set[Fact] = set()
            status_rows: set[Fact] = set()
            for interval, statuses in standing(self.moves[actor]):
                until = first(interval.until, end)
                since = stored(interval.since)
                last = stored_end(until)
                span = span_stratum(since[1], last[2])
                member_rows.add((actor, interval.payload.value, *since, *last, span))
                status_rows.update(self._status_row(actor, status, until) for status in statuses)
            status_rows.discard(())
            old_members, old_statuses = self.rows.get(actor, (set(), set()))
            changes.replace(memberships, old_members, member_rows)
            changes.replace(membership_statuses, old_statuses, status_rows)
            self.rows[actor] = (member_rows, status_rows)
        self.marked = set()
        return changes

    @staticmethod
    def _status_row(actor: str, status: Status, end: Dated | None) -> Fact:
        """The row of one status, ending at the first of its own end and the membership's
        (the instrument's end included); () for one that begins only after that."""
        if end is not None and status.since.key() >= end.key():
            return ()
        due = status.due.value.edtf if status.due is not None else None
        until = stored_end(first(status.until, end))
        since = (*stored(status.since), status.since.position)
        return (actor, status.status, *since, *until, due)
