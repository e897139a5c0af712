"""Projections: read models derived only from the log, kept in the append's transaction.

A projection reads the events of the streams of some kinds and says which facts they make
true now (`facts`). The machinery in `bitemporal.py` stores those facts with the recorded-time
range in which they held, after every append and in a rebuild alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Table

from events.projections.history import StreamEvent

Fact = tuple[Any, ...]
Facts = dict[Table, set[Fact]]


class Projection(Protocol):
    """A read model: the tables it owns and the facts a stream's history makes true."""

    @property
    def kinds(self) -> frozenset[str]:
        """The stream kinds whose events it reads."""
        ...

    @property
    def tables(self) -> Sequence[Table]:
        """The tables it owns; each fact tuple follows `tables.fact_columns(table)`."""
        ...

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """The facts the events of `stream` (resolved, in position order) make true."""
        ...
