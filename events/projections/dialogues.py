"""Dialogues: parties (and their ordered pairs, by which a relation finds its dialogues), and
status intervals (ESTABLISHED, ACTIVE, SUSPENDED, ENDED)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Dated, StreamEvent
from events.projections.tables import (
    dialogue_pairs,
    dialogue_parties,
    dialogue_statuses,
    stored,
    stored_end,
)
from events.types import (
    DialogueEnded,
    DialogueEstablished,
    DialogueResumed,
    DialogueRoundHeld,
    DialogueSuspended,
    EventData,
)

STATUS: dict[type[EventData], str] = {
    DialogueEstablished: "ESTABLISHED",
    DialogueRoundHeld: "ACTIVE",
    DialogueResumed: "ACTIVE",
    DialogueSuspended: "SUSPENDED",
    DialogueEnded: "ENDED",
}


class DialoguesProjection:
    """A dialogue's parties and its statuses in date order (docs/projections.md)."""

    kinds = frozenset({"dialogue"})
    tables: Sequence[Table] = (dialogue_parties, dialogue_pairs, dialogue_statuses)

    def start(self, stream: str) -> DialoguesFold:
        """The parties and statuses of one dialogue."""
        return DialoguesFold()


class DialoguesFold:
    """Parties, and status i from its date until the date of status i+1; only a dialogue
    established (and not retracted) has any."""

    def __init__(self) -> None:
        self.established = False
        # Every status change by date: (sort key, date, status).
        self.changes: list[tuple[tuple[object, ...], Dated, str]] = []
        self.rows: list[Fact] = []  # the status rows, by seq

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Place the new statuses among the earlier ones by date; redo the rows from the
        one before the first placed onwards (its end is the next one's date)."""
        changes = Changes()
        established = self.established
        lowest: int | None = None  # where the first status of this step was placed
        for event in events:
            if not event.live:
                continue
            status = STATUS.get(type(event.data))
            if status is None:
                continue
            if isinstance(event.data, DialogueEstablished) and not self.established:
                self.established = True
                parties = event.data.parties
                changes.add(dialogue_parties, {(party,) for party in parties})
                changes.add(
                    dialogue_pairs, {(p, other) for p in parties for other in parties if p != other}
                )
            since = event.when()
            key = since.key()
            at = bisect_right(self.changes, key, key=lambda change: change[0])
            self.changes.insert(at, (key, since, status))
            lowest = at if lowest is None else min(lowest, at)
        if not self.established or lowest is None:
            return changes
        redo = max(lowest - 1, 0) if established else 0
        rows = [self._row(seq) for seq in range(redo, len(self.changes))]
        changes.replace(dialogue_statuses, self.rows[redo:], rows)
        self.rows[redo:] = rows
        return changes

    def _row(self, seq: int) -> Fact:
        _, since, status = self.changes[seq]
        until = self.changes[seq + 1][1] if seq + 1 < len(self.changes) else None
        return (seq, status, *stored(since), *stored_end(until))
