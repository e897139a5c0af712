"""The event index for timelines: every event with its date, the actors it involves and its
searchable text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import Table

from events.projections import Changes, Fact
from events.projections.history import StreamEvent
from events.projections.tables import timeline, timeline_actors
from events.types import STREAM_KINDS, ActorRegistered, EventData, named_actors

# The fields whose words a text search finds, in this order; stored case-folded.
TEXT_FIELDS = ("title", "name", "summary", "topic", "scope", "reason")


@cache
def _text_values(cls: type[EventData]) -> Callable[[EventData], tuple[Any, ...]]:
    """What reads the values of those of the TEXT_FIELDS that `cls` has, in that order."""
    names = [name for name in TEXT_FIELDS if name in cls.model_fields]
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        value = attrgetter(names[0])
        return lambda data: (value(data),)
    return lambda data: ()


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
            data = event.data
            named = named_actors(data)
            if isinstance(data, ActorRegistered):
                named.add(self.stream.split("/", 1)[1])
            if self.first_actors is None:
                self.first_actors = frozenset(named)
            if self.stream_actors is None and event.live:
                self.stream_actors = frozenset(named)
            position, occurred = event.position, event.occurred
            rows.append(
                (
                    position,
                    event.type,
                    _text(data, event.note),
                    event.retracted,
                    event.corrected_by,
                    occurred.edtf,
                    occurred.earliest,
                    occurred.latest,
                )
            )
            named |= self.stream_actors or self.first_actors
            actor_rows += [(position, actor) for actor in named]
        changes = Changes()
        changes.add(timeline, rows)
        changes.add(timeline_actors, actor_rows)
        return changes


def _text(data: EventData, note: str | None) -> str:
    words = [value for value in _text_values(type(data))(data) if isinstance(value, str)]
    if note:
        words.append(note)
    # Stored folded: SQL's lower() folds only ASCII on SQLite, so the search compares as is.
    return "\n".join(words).casefold()
