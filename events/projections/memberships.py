"""Memberships kept up to date as their marks come in: measure targets (instrument parties,
whose notices and suspensions need more than openings and closings, are walked by
`standing.py`).

Each member (an actor, a target) has its own openings and closings, walked into intervals
(history.walk); a row per interval also depends on when the whole thing ends (the instrument's
end, the measure's lift). A step redoes the rows of the members it marked, or of every member
when the end moved, and reports the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Interval, Mark, walk

T = TypeVar("T")


class Memberships(Generic[T]):
    """Every member's marks and the rows they make, for one stream."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.marks: dict[str, list[Mark[T]]] = {}
        self.rows: dict[str, set[Fact]] = {}
        self.marked: set[str] = set()  # members marked since their rows were last made

    def mark(self, member: str, mark: Mark[T]) -> None:
        """Note an opening or a closing of `member`'s membership."""
        self.marks.setdefault(member, []).append(mark)
        self.marked.add(member)

    def redo(
        self,
        changes: Changes,
        row: Callable[[str, Interval[T]], Fact],
        *,
        every: bool,
    ) -> None:
        """Make the rows (`row(member, interval)`) of the members marked since the last call,
        or of `every` member, into `changes`."""
        for member in self.marks if every else self.marked:
            rows = {row(member, interval) for interval in walk(self.marks[member])}
            changes.replace(self.table, self.rows.get(member, ()), rows)
            self.rows[member] = rows
        self.marked = set()
