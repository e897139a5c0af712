"""Stream objects: one row per instrument, measure, dialogue and dispute with what a reference to
it shows (title, kind, dates and the rest of its fields), as its stream's events as known make it.

A page naming thousands of them (a relation's instruments) then reads a row each, in one batch,
instead of reading and resolving each one's events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import StreamEvent, first
from events.projections.tables import stored, stored_end, stream_objects
from events.types import (
    DialogueEstablished,
    DisputeFiled,
    EventData,
    InstrumentAdopted,
    MeasureAmended,
    MeasureImposed,
    MeasureLifted,
    dumps,
)


def _instrument(live: Sequence[StreamEvent]) -> Fact | None:
    adoption = next((e for e in live if isinstance(e.data, InstrumentAdopted)), None)
    if adoption is None:
        return None
    data = adoption.data
    assert isinstance(data, InstrumentAdopted)
    details = {"binding": data.binding}
    return (data.title, data.kind.value, *stored(adoption.occurred), *_no_end, dumps(details))


def _measure(live: Sequence[StreamEvent]) -> Fact | None:
    imposition = next((e for e in live if isinstance(e.data, MeasureImposed)), None)
    if imposition is None:
        return None
    imposed = imposition.data
    assert isinstance(imposed, MeasureImposed)
    targets = list(imposed.targets)
    lifts = []
    for event in live:
        if isinstance(event.data, MeasureAmended):
            targets += [t for t in event.data.targets_added if t not in targets]
            targets = [t for t in targets if t not in event.data.targets_removed]
        elif isinstance(event.data, MeasureLifted):
            lifts.append(event.when(event.data.effective))
    details = {"imposer": imposed.imposer, "targets": targets, "respondsTo": imposed.responds_to}
    return (
        imposed.title,
        imposed.kind.value,
        *stored(imposition.when(imposed.effective)),
        *stored_end(first(*lifts)),
        dumps(details),
    )


def _dialogue(live: Sequence[StreamEvent]) -> Fact | None:
    found = next((e for e in live if isinstance(e.data, DialogueEstablished)), None)
    if found is None:
        return None
    data = found.data
    assert isinstance(data, DialogueEstablished)
    details = {"parties": list(data.parties), "convenors": list(data.convenors)}
    return (data.name, data.track.value, *stored(found.occurred), *_no_end, dumps(details))


def _dispute(live: Sequence[StreamEvent]) -> Fact | None:
    found = next((e for e in live if isinstance(e.data, DisputeFiled)), None)
    if found is None:
        return None
    data = found.data
    assert isinstance(data, DisputeFiled)
    details: dict[str, Any] = {
        "caseNumber": data.case_number,
        "complainants": list(data.complainants),
        "respondents": list(data.respondents),
        "subject": data.subject,
        "concerns": data.concerns,
    }
    return (data.title, data.forum.value, *stored(found.occurred), *_no_end, dumps(details))


_no_end = stored_end(None)

# Per stream kind: the event types its object is made of (the others, a party joining, a round
# held, leave it as it was) and how the live ones among them make its row.
Make = Callable[[Sequence[StreamEvent]], Fact | None]
MAKERS: dict[str, tuple[tuple[type[EventData], ...], Make]] = {
    "instrument": ((InstrumentAdopted,), _instrument),
    "measure": ((MeasureImposed, MeasureAmended, MeasureLifted), _measure),
    "dialogue": ((DialogueEstablished,), _dialogue),
    "dispute": ((DisputeFiled,), _dispute),
}


class ObjectsProjection:
    """A row per stream object (docs/projections.md, "Stream objects")."""

    kinds = frozenset(MAKERS)
    tables: Sequence[Table] = (stream_objects,)

    def start(self, stream: str) -> ObjectFold:
        """The row of one stream object."""
        made_of, make = MAKERS[stream.split("/", 1)[0]]
        return ObjectFold(made_of, make)


class ObjectFold:
    """Keeps the live events the object is made of (a few, however long the stream: an
    instrument's parties joining are passed over) and makes its row again when one comes."""

    def __init__(
        self,
        made_of: tuple[type[EventData], ...],
        make: Make,
    ) -> None:
        self.made_of = made_of
        self.make = make
        self.events: list[StreamEvent] = []
        self.held: set[Fact] = set()

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """The row again if these events hold any the object is made of; else no change."""
        changes = Changes()
        relevant = [e for e in events if e.live and isinstance(e.data, self.made_of)]
        if not relevant:
            return changes
        self.events.extend(relevant)
        made = self.make(self.events)
        now = set() if made is None else {made}
        changes.replace(stream_objects, self.held, now)
        self.held = now
        return changes
