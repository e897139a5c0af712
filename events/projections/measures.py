"""Measures: imposer, targets, kind, in force from when to when, as amended."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts
from events.projections.history import Dated, Mark, StreamEvent, first, walk
from events.projections.tables import measure_targets, stored, stored_end
from events.types import MeasureAmended, MeasureImposed, MeasureLifted


class MeasuresProjection:
    """One row per target interval of each measure (docs/projections.md, "Measures")."""

    kinds = frozenset({"measure"})
    tables: Sequence[Table] = (measure_targets,)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """Target intervals, each ending at its removal or the measure's lift."""
        live = [event for event in events if event.live]
        imposition = next((e for e in live if isinstance(e.data, MeasureImposed)), None)
        if imposition is None:
            return {measure_targets: set()}
        imposed = imposition.data
        assert isinstance(imposed, MeasureImposed)
        start = imposition.when(imposed.effective)
        marks: dict[str, list[Mark[None]]] = {}
        for target in imposed.targets:
            marks.setdefault(target, []).append(Mark(start, True))
        lifts: list[Dated] = []
        for event in live:
            data = event.data
            if isinstance(data, MeasureAmended):
                at = event.when(data.effective)
                for target in data.targets_added:
                    marks.setdefault(target, []).append(Mark(at, True))
                for target in data.targets_removed:
                    marks.setdefault(target, []).append(Mark(at, False))
            elif isinstance(data, MeasureLifted):
                lifts.append(event.when(data.effective))
        lifted = first(*lifts)
        rows = set()
        for target, target_marks in marks.items():
            for interval in walk(target_marks):
                rows.add(
                    (
                        imposed.kind.value,
                        imposed.imposer,
                        target,
                        *stored(start),
                        *stored(interval.since),
                        *stored_end(first(interval.until, lifted)),
                    )
                )
        return {measure_targets: rows}
