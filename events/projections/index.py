"""The event index for timelines: every event with its date, the actors it involves and its
searchable text."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import StreamEvent
from events.projections.tables import stored, timeline, timeline_actors
from events.types import STREAM_KINDS, ActorRegistered, EventData, named_actors

# The fields whose words a text search finds, in this order; stored case-folded.
TEXT_FIELDS = ("title", "name", "summary", "topic", "scope", "reason")


@cache
def _text_fields(cls: type[EventData]) -> tuple[str, ...]:
    """Those of the TEXT_FIELDS that `cls` has."""
    return tuple(name for name in TEXT_FIELDS if name in cls.model_fields)


class IndexProjection:
    """One timeline row per event of every stream, as corrected; retractions marked."""

    kinds = frozenset(STREAM_KINDS)
    tables: Sequence[Table] = (timeline, timeline_actors)

    def start(self, stream: str) -> IndexFold:
        """The timeline rows of one stream."""
        return IndexFold(stream)


class IndexFold:
    """Rows for every event: the actors it involves are those it names and those of its
    stream, as its first standing event names them (a MeasureLifted involves the measure's
    imposer and targets), or its first event when none stands or the one standing names
    nobody (the retraction of a measure involves those the retracted imposition named). An
    event's rows depend on it and those first events alone (as resolved), so a step only adds
    those of its events."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.first_actors: frozenset[str] | None = None  # those of the stream's first event
        self.stream_actors: frozenset[str] | None = None  # those of the first live event

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        """The rows of these events."""
        rows: list[Fact] = []
        actor_rows: list[Fact] = []
        for event in events:
            named = named_actors(event.data)
            if isinstance(event.data, ActorRegistered):
                named.add(self.stream.split("/", 1)[1])
            if self.first_actors is None:
                self.first_actors = frozenset(named)
            if self.stream_actors is None and event.live:
                self.stream_actors = frozenset(named)
            rows.append(
                (
                    event.position,
                    event.type,
                    _text(event),
                    event.retracted,
                    event.corrected_by,
                    *stored(event.occurred),
                )
            )
            involved = named | (self.stream_actors or self.first_actors)
            actor_rows.extend((event.position, actor) for actor in involved)
        changes = Changes()
        changes.add(timeline, rows)
        changes.add(timeline_actors, actor_rows)
        return changes


def _text(event: StreamEvent) -> str:
    values = [getattr(event.data, name) for name in _text_fields(type(event.data))]
    words = [value for value in values if isinstance(value, str)]
    if event.note:
        words.append(event.note)
    # Stored folded: SQL's lower() folds only ASCII on SQLite, so the search compares as is.
    return "\n".join(words).casefold()
