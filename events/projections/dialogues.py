"""Dialogues: parties, and status intervals (ESTABLISHED, ACTIVE, SUSPENDED, ENDED)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts
from events.projections.history import Dated, StreamEvent
from events.projections.tables import dialogue_parties, dialogue_statuses, stored, stored_end
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
    tables: Sequence[Table] = (dialogue_parties, dialogue_statuses)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """Parties, and status i from its date until the date of status i+1."""
        live = [event for event in events if event.live]
        established = next((e for e in live if isinstance(e.data, DialogueEstablished)), None)
        if established is None:
            return {dialogue_parties: set(), dialogue_statuses: set()}
        assert isinstance(established.data, DialogueEstablished)
        parties = {(party,) for party in established.data.parties}
        changes: list[tuple[Dated, str]] = sorted(
            ((e.when(), STATUS[type(e.data)]) for e in live if type(e.data) in STATUS),
            key=lambda change: change[0].key(),
        )
        statuses = set()
        for seq, (since, status) in enumerate(changes):
            until = changes[seq + 1][0] if seq + 1 < len(changes) else None
            statuses.add((seq, status, *stored(since), *stored_end(until)))
        return {dialogue_parties: parties, dialogue_statuses: statuses}
