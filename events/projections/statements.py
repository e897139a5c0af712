"""Statements: issuer, about whom, stance; one row per actor spoken about."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts, Recomputed
from events.projections.history import StreamEvent
from events.projections.tables import statements, stored
from events.types import StatementIssued, dumps_list


class StatementsProjection:
    """A statement stream's StatementIssued (docs/projections.md, "Statements")."""

    kinds = frozenset({"statement"})
    tables: Sequence[Table] = (statements,)

    def start(self, stream: str) -> Recomputed:
        """A short stream: its facts are worked out again on each step."""
        return Recomputed(stream, self.facts)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """One row per `about` actor of the (not retracted) statement."""
        issued = next((e for e in events if e.live and isinstance(e.data, StatementIssued)), None)
        if issued is None:
            return {statements: set()}
        data = issued.data
        assert isinstance(data, StatementIssued)
        about = dumps_list(data.about)
        stance = data.stance.value if data.stance else None
        return {
            statements: {
                (data.issuer, actor, about, stance, issued.position, *stored(issued.occurred))
                for actor in data.about
            }
        }
