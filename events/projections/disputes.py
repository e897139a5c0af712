"""Disputes: the pairs of complainant and respondent (by which a relation finds its disputes)
and status intervals (OPEN, RULED, CLOSED)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table

from events.projections import Fact
from events.projections.statuses import StatusFold, pairs
from events.projections.tables import dispute_pairs, dispute_statuses
from events.types import DisputeClosed, DisputeFiled, DisputeRuled, EventData

STATUS: dict[type[EventData], str] = {
    DisputeFiled: "OPEN",
    DisputeRuled: "RULED",
    DisputeClosed: "CLOSED",
}


class DisputesProjection:
    """A dispute's pairs of parties and its statuses in date order (docs/projections.md,
    "Disputes")."""

    kinds = frozenset({"dispute"})
    tables: Sequence[Table] = (dispute_pairs, dispute_statuses)

    def start(self, stream: str) -> StatusFold:
        """The pairs and statuses of one dispute."""
        return StatusFold(DisputeFiled, STATUS, _parties, dispute_statuses)


def _parties(data: EventData) -> Mapping[Table, set[Fact]]:
    assert isinstance(data, DisputeFiled)
    return {dispute_pairs: pairs(data.complainants, data.respondents)}
