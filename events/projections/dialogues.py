"""Dialogues: parties (and their ordered pairs, by which a relation finds its dialogues), and
status intervals (ESTABLISHED, ACTIVE, SUSPENDED, ENDED)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table

from events.projections import Fact
from events.projections.statuses import StatusFold, pairs
from events.projections.tables import dialogue_pairs, dialogue_parties, dialogue_statuses
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

    def start(self, stream: str) -> StatusFold:
        """The parties and statuses of one dialogue."""
        return StatusFold(DialogueEstablished, STATUS, _parties, dialogue_statuses)


def _parties(data: EventData) -> Mapping[Table, set[Fact]]:
    assert isinstance(data, DialogueEstablished)
    return {
        dialogue_parties: {(party,) for party in data.parties},
        dialogue_pairs: pairs(data.parties, data.parties),
    }
