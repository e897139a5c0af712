"""Actors: which slugs are registered, with their kind, name, country and aliases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

from events.projections import Facts, Recomputed
from events.projections.history import StreamEvent
from events.projections.tables import actors
from events.types import ActorRegistered, ActorRenamed, dumps


class ActorsProjection:
    """An actor stream's registration, as renamed since."""

    kinds = frozenset({"actor"})
    tables: Sequence[Table] = (actors,)

    def start(self, stream: str) -> Recomputed:
        """A short stream: its facts are worked out again on each step."""
        return Recomputed(stream, self.facts)

    def facts(self, stream: str, events: Sequence[StreamEvent]) -> Facts:
        """One row for a registered (not retracted) actor, under its latest name."""
        live = [event for event in events if event.live]
        registered = next((e.data for e in live if isinstance(e.data, ActorRegistered)), None)
        if registered is None:
            return {actors: set()}
        name = registered.name
        for event in live:
            if isinstance(event.data, ActorRenamed):
                name = event.data.name
        slug = stream.split("/", 1)[1]
        row = (slug, registered.kind.value, name, registered.country, dumps(registered.aliases))
        return {actors: {row}}
