"""Things with a status that changes over time (dialogues, disputes): their parties' pairs and
status intervals, each status lasting from its date until the next one's."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Dated, StreamEvent
from events.projections.tables import stored, stored_end
from events.types import EventData

# The rows a stream's creating event gives (its parties, their pairs), per table.
Parties = Callable[[EventData], Mapping[Table, set[Fact]]]


class StatusFold:
    """Parties, and status i from its date until the date of status i+1; only a stream whose
    `creator` event stands (not retracted) has any."""

    def __init__(
        self,
        creator: type[EventData],
        statuses: Mapping[type[EventData], str],
        parties: Parties,
        table: Table,
    ) -> None:
        self.creator = creator
        self.statuses = statuses
        self.parties = parties
        self.table = table
        self.created = False
        # Every status change by date: (sort key, date, status).
        self.changes: list[tuple[tuple[object, ...], Dated, str]] = []
        self.rows: list[Fact] = []  # the status rows, by seq

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Place the new statuses among the earlier ones by date; redo the rows from the
        one before the first placed onwards (its end is the next one's date)."""
        changes = Changes()
        created = self.created
        lowest: int | None = None  # where the first status of this step was placed
        for event in events:
            if not event.live:
                continue
            status = self.statuses.get(type(event.data))
            if status is None:
                continue
            if isinstance(event.data, self.creator) and not self.created:
                self.created = True
                for table, facts in self.parties(event.data).items():
                    changes.add(table, facts)
            since = event.when()
            key = since.key()
            at = bisect_right(self.changes, key, key=lambda change: change[0])
            self.changes.insert(at, (key, since, status))
            lowest = at if lowest is None else min(lowest, at)
        if not self.created or lowest is None:
            return changes
        redo = max(lowest - 1, 0) if created else 0
        rows = [self._row(seq) for seq in range(redo, len(self.changes))]
        changes.replace(self.table, self.rows[redo:], rows)
        self.rows[redo:] = rows
        return changes

    def _row(self, seq: int) -> Fact:
        _, since, status = self.changes[seq]
        until = self.changes[seq + 1][1] if seq + 1 < len(self.changes) else None
        return (seq, status, *stored(since), *stored_end(until))


def pairs(left: Sequence[str], right: Sequence[str]) -> set[Fact]:
    """Every ordered pair of distinct actors, one of `left` and one of `right`, both ways."""
    found = {(x, y) for x in left for y in right if x != y}
    return found | {(y, x) for x, y in found}
