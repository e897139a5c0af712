"""Measures: imposer, targets, kind, in force from when to when, as amended."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import Dated, Interval, Mark, StreamEvent, first
from events.projections.memberships import Memberships
from events.projections.tables import measure_targets, span_stratum, stored, stored_end
from events.types import MeasureAmended, MeasureImposed, MeasureLifted


class MeasuresProjection:
    """One row per target interval of each measure (docs/projections.md, "Measures")."""

    kinds = frozenset({"measure"})
    tables: Sequence[Table] = (measure_targets,)

    def start(self, stream: str) -> MeasuresFold:
        """The targets of one measure."""
        return MeasuresFold()


class MeasuresFold:
    """Target intervals, each ending at its removal or the measure's lift; only a measure
    imposed (and not retracted) has any."""

    def __init__(self) -> None:
        self.imposed: MeasureImposed | None = None
        self.start: Dated | None = None
        self.targets: Memberships[None] = Memberships(measure_targets)
        self.lifts: list[Dated] = []
        self.lifted: Dated | None = None

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """Mark the targets these events add or remove; redo their rows, or every target's
        when the lift moved."""
        imposed = self.imposed
        for event in events:
            if not event.live:
                continue
            data = event.data
            if isinstance(data, MeasureImposed) and self.imposed is None:
                self.imposed, self.start = data, event.when(data.effective)
                for target in data.targets:
                    self.targets.mark(target, Mark(self.start, True))
            elif isinstance(data, MeasureAmended):
                at = event.when(data.effective)
                for target in data.targets_added:
                    self.targets.mark(target, Mark(at, True))
                for target in data.targets_removed:
                    self.targets.mark(target, Mark(at, False))
            elif isinstance(data, MeasureLifted):
                self.lifts.append(event.when(data.effective))
        changes = Changes()
        if self.imposed is None:
            return changes
        lifted = first(*self.lifts)
        moved = lifted != self.lifted or imposed is None
        self.lifted = lifted
        self.targets.redo(changes, self._row, every=moved)
        return changes

    def _row(self, target: str, interval: Interval[None]) -> Fact:
        assert self.imposed is not None and self.start is not None
        since = stored(interval.since)
        end = stored_end(first(interval.until, self.lifted))
        return (
            self.imposed.kind.value,
            self.imposed.imposer,
            target,
            *stored(self.start),
            *since,
            *end,
            span_stratum(since[1], end[2]),
        )
