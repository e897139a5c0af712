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

    def __init__(self) -> None:
        # What facts() derived from each event of the stream it was last asked about, by the
        # event's identity: a rebuild asks about one stream after each of its transactions,
        # handing back the same StreamEvents (history.Replay), and need not redo them.
        self._stream: str | None = None
        self._derived: dict[int, tuple[StreamEvent, Fact, frozenset[str]]] = {}

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """Rows for every event; an event naming no actor takes those of the stream's first."""
        if stream != self._stream:
            self._stream, self._derived = stream, {}
        rows: set[Fact] = set()
        actor_rows: set[Fact] = set()
        stream_actors: frozenset[str] | None = None  # those of the stream's first event
        for event in events:
            row, named = self._derive(stream, event)
            if stream_actors is None:
                stream_actors = named
            rows.add(row)
            actor_rows.update((event.position, actor) for actor in named or stream_actors)
        return {timeline: rows, timeline_actors: actor_rows}

    def _derive(self, stream: str, event: StreamEvent) -> tuple[Fact, frozenset[str]]:
        derived = self._derived.get(id(event))
        if derived is not None and derived[0] is event:
            return derived[1], derived[2]
        named = {actor for _, actor in actor_refs(event.data)}
        if isinstance(event.data, ActorRegistered):
            named.add(stream.split("/", 1)[1])
        row = (
            event.position,
            event.type,
            _text(event),
            event.retracted,
            event.corrected_by,
            *stored(event.occurred),
        )
        self._derived[id(event)] = (event, row, frozenset(named))
        return row, frozenset(named)


def _text(event: StreamEvent) -> str:
    fields = type(event.data).model_fields
    values = [getattr(event.data, name) for name in TEXT_FIELDS if name in fields]
    words = [value for value in values if isinstance(value, str)]
    if event.note:
        words.append(event.note)
    # Stored folded: SQL's lower() folds only ASCII on SQLite, so the search compares as is.
    return "\n".join(words).casefold()
