"""A stream's history as now known: corrections applied, retractions marked, and the walk that
turns openings and closings into intervals (docs/projections.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from events import dates
from events.dates import Edtf
from events.types import EventCorrected, EventData, EventRetracted

T = TypeVar("T")


class Logged(Protocol):
    """An event as read from the log: what resolving a stream needs of it (a RecordedEvent
    or a StoredEvent)."""

    @property
    def position(self) -> int: ...
    @property
    def id(self) -> UUID: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred(self) -> str: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def note(self) -> str | None: ...
    def payload(self) -> EventData:
        """The typed data, upcast to its type's current schema version."""
        ...


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event read for the projections: its data decoded once, its sources left unread."""

    position: int
    id: UUID
    stream: str
    type: str
    occurred: str
    recorded_at: datetime
    note: str | None
    data: EventData

    def payload(self) -> EventData:
        """The typed data (decoded when read)."""
        return self.data


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event of a stream with every correction known so far applied."""

    position: int
    id: UUID
    type: str
    occurred: Edtf
    data: EventData
    note: str | None
    retracted: bool
    corrected_by: int | None  # position of the latest correction applied

    @property
    def live(self) -> bool:
        """True for an event that has effects: not retracted, not a correction or retraction."""
        return not self.retracted and not isinstance(self.data, _REWRITES)

    def when(self, effective: str | None = None) -> Dated:
        """The event's date: `effective` when given, else `occurred`, with its position."""
        return Dated(dates.parse(effective) if effective else self.occurred, self.position)


@dataclass(frozen=True, slots=True, order=True)
class Dated:
    """A date with the position that gave it, ordered by (earliest, latest, position)."""

    value: Edtf
    position: int

    def key(self) -> tuple[object, ...]:
        """The sort key of docs/projections.md: earliest, latest, position."""
        return (self.value.earliest, self.value.latest, self.position)


def first(*candidates: Dated | None) -> Dated | None:
    """The first of the dates given (None ones ignored), or None."""
    present = [c for c in candidates if c is not None]
    return min(present, key=Dated.key) if present else None


def resolve(events: Sequence[Logged]) -> list[StreamEvent]:
    """The events of one stream (in position order) as now known."""
    payloads = [event.payload() for event in events]
    parse = dates.parse
    if not any(isinstance(payload, _REWRITES) for payload in payloads):
        # Most streams correct and retract nothing: each event is as logged.
        return [
            StreamEvent(
                event.position,
                event.id,
                event.type,
                parse(event.occurred),
                payload,
                event.note,
                False,
                None,
            )
            for event, payload in zip(events, payloads, strict=True)
        ]
    corrections: dict[UUID, list[tuple[int, EventCorrected]]] = {}
    retracted: set[UUID] = set()
    for event, payload in zip(events, payloads, strict=True):
        # In position order: a correction after a retraction is void.
        if isinstance(payload, EventCorrected) and payload.target not in retracted:
            corrections.setdefault(payload.target, []).append((event.position, payload))
        elif isinstance(payload, EventRetracted):
            retracted.add(payload.target)
    resolved = []
    for event, payload in zip(events, payloads, strict=True):
        occurred, corrected_by = event.occurred, None
        for position, correction in corrections.get(event.id, ()):
            occurred = correction.occurred or occurred
            if correction.data:
                payload = type(payload).model_validate({**payload.to_json(), **correction.data})
            corrected_by = position
        resolved.append(
            StreamEvent(
                position=event.position,
                id=event.id,
                type=event.type,
                occurred=parse(occurred),
                data=payload,
                note=event.note,
                retracted=event.id in retracted,
                corrected_by=corrected_by,
            )
        )
    return resolved


class Replay:
    """One stream's history as known after each of its transactions, in order (a rebuild).

    A transaction without corrections or retractions cannot change what earlier events mean
    (a correction targets an event already in the log), so its events are resolved alone and
    follow the earlier ones, which stay as they were: the projections' folds take just them.
    A transaction that corrects or retracts resolves the whole stream again.
    """

    def __init__(self) -> None:
        self.known: list[Logged] = []

    def add(self, transaction: Sequence[Logged]) -> tuple[list[StreamEvent], bool]:
        """The events that `transaction` (this stream's events of one append) brings, and
        whether they are the whole history resolved anew (the folds must start again)."""
        self.known.extend(transaction)
        if any(event.type in _REWRITING for event in transaction):
            return resolve(self.known), True
        return resolve(transaction), False


_REWRITING = frozenset({EventCorrected.type_name, EventRetracted.type_name})
_REWRITES = (EventCorrected, EventRetracted)


@dataclass(frozen=True, slots=True)
class Mark(Generic[T]):
    """An opening (with its payload) or a closing of some membership, at a date."""

    at: Dated
    opens: bool
    payload: T | None = None


@dataclass(frozen=True, slots=True)
class Interval(Generic[T]):
    """A membership from an opening until a closing (None: not closed)."""

    since: Dated
    payload: T
    until: Dated | None


def walk(marks: Iterable[Mark[T]]) -> list[Interval[T]]:
    """Intervals from openings and closings walked in date order: an opening while closed
    opens, a closing while open closes, others are ignored."""
    intervals: list[Interval[T]] = []
    opened: Mark[T] | None = None
    for mark in sorted(marks, key=lambda m: m.at.key()):
        if mark.opens and opened is None:
            opened = mark
        elif not mark.opens and opened is not None:
            intervals.append(Interval(opened.at, opened.payload, mark.at))  # type: ignore[arg-type]
            opened = None
    if opened is not None:
        intervals.append(Interval(opened.at, opened.payload, None))  # type: ignore[arg-type]
    return intervals
