"""The event index for timelines: every event with its date, actors and searchable text."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Fact, Facts
from events.projections.history import StreamEvent
from events.projections.tables import stored, timeline, timeline_actors
from events.types import STREAM_KINDS, ActorRegistered, actor_refs

# The fields whose words a text search finds, in this order; stored case-folded.
TEXT_FIELDS = ("title", "name", "summary", "topic", "scope", "reason")


class IndexProjection:
    """One timeline row per event of every stream, as corrected; retractions marked."""

    kinds = frozenset(STREAM_KINDS)
    tables: Sequence[Table] = (timeline, timeline_actors)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """Rows for every event; an event naming no actor takes those of the stream's first."""
        rows: set[Fact] = set()
        actor_rows: set[Fact] = set()
        stream_actors: set[str] | None = None  # those of the stream's first event
        for event in events:
            named = {actor for _, actor in actor_refs(event.data)}
            if isinstance(event.data, ActorRegistered):
                named.add(stream.split("/", 1)[1])
            if stream_actors is None:
                stream_actors = named
            rows.add(
                (
                    event.position,
                    event.type,
                    _text(event),
                    event.retracted,
                    event.corrected_by,
                    *stored(event.occurred),
                )
            )
            actor_rows.update((event.position, actor) for actor in named or stream_actors)
        return {timeline: rows, timeline_actors: actor_rows}


def _text(event: StreamEvent) -> str:
    fields = type(event.data).model_fields
    values = [getattr(event.data, name) for name in TEXT_FIELDS if name in fields]
    words = [value for value in values if isinstance(value, str)]
    if event.note:
        words.append(event.note)
    # Stored folded: SQL's lower() folds only ASCII on SQLite, so the search compares as is.
    return "\n".join(words).casefold()
