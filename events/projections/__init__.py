"""Projections: read models derived only from the log, kept in the append's transaction.

A projection reads the events of the streams of some kinds. For each stream it starts a fold
(`start`), which takes the stream's events as they come in and says what each batch of them
changed: which facts stopped being true and which became true. After an append a stream's fold
is handed its whole history at once; a rebuild hands it one transaction after another, so that
a long stream costs what each transaction adds, not its whole history again. The machinery in
`bitemporal.py` stores those facts with the recorded-time range in which they held.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Table

from events.projections.history import StreamEvent

Fact = tuple[Any, ...]
Facts = dict[Table, set[Fact]]


class Changes:
    """What one step of a fold changed, per table: facts no longer true (`removed`) and facts
    newly true (`added`). The two never share a fact."""

    __slots__ = ("added", "removed")

    def __init__(self) -> None:
        self.removed: dict[Table, set[Fact]] = {}
        self.added: dict[Table, set[Fact]] = {}

    def add(self, table: Table, facts: Iterable[Fact]) -> None:
        """`facts` became true."""
        removed = self.removed.get(table)
        added = self.added.get(table)
        if added is None:
            added = self.added[table] = set()
        if not removed:
            added.update(facts)
            return
        for fact in facts:
            if removed and fact in removed:
                removed.discard(fact)
            else:
                added.add(fact)

    def replace(self, table: Table, old: Collection[Fact], new: Iterable[Fact]) -> None:
        """The facts `old` (of one part of the stream's facts) are now `new`."""
        if not old:
            self.add(table, new)
            return
        new = new if isinstance(new, set | frozenset) else set(new)
        if old == new:
            return
        removed = self.removed.setdefault(table, set())
        added = self.added.setdefault(table, set())
        for fact in old:
            if fact not in new:
                # Added earlier in this step and gone again: it never held.
                if fact in added:
                    added.discard(fact)
                else:
                    removed.add(fact)
        for fact in new:
            if fact not in old:
                if fact in removed:
                    removed.discard(fact)
                else:
                    added.add(fact)


class Fold(Protocol):
    """One stream's facts, brought forward as the stream's events come in."""

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Take the events that follow those taken so far (resolved, in position order; none
        of them corrects or retracts anything); return what they changed."""
        ...


class Projection(Protocol):
    """A read model: the tables it owns and a fold per stream that says which facts hold."""

    @property
    def kinds(self) -> frozenset[str]:
        """The stream kinds whose events it reads."""
        ...

    @property
    def tables(self) -> Sequence[Table]:
        """The tables it owns; each fact tuple follows `tables.fact_columns(table)`."""
        ...

    def start(self, stream: str) -> Fold:
        """A fold for `stream`, which has taken no event yet."""
        ...


class Recomputed:
    """A fold for streams that stay short (an actor, a meeting, a statement): it keeps their
    events and works out all of their facts again on each step."""

    def __init__(self, stream: str, facts: Callable[[str, Sequence[StreamEvent]], Facts]) -> None:
        self.stream = stream
        self.facts = facts
        self.events: list[StreamEvent] = []
        self.held: Facts = {}

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """All the stream's facts again, compared with the previous step's."""
        self.events.extend(events)
        changes = Changes()
        now = self.facts(self.stream, self.events)
        for table, facts in now.items():
            changes.replace(table, self.held.get(table, ()), facts)
        self.held = now
        return changes
