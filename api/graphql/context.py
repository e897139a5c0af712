"""What every resolver of one request shares: the engine, who asks, and the request's loaders.

Loaders batch the lookups of one request (every actor a page of events names is fetched in one
query) and are keyed by `known_at`, since one request may ask about several instants.

The views of a query over HTTP read through one connection (`SharedReads`): a relation with its
pages and the actors and meetings they name took a dozen connections otherwise. Mutations and
subscriptions read through the engine: their reads must see the writes made meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from api.auth import Principal
from api.settings import Settings
from events.notify import LogListener
from events.store import EventStore, LogHead
from events.views.axes import now
from events.views.objects import (
    ActorView,
    EventView,
    MeetingView,
    actors_by_id,
    events_at,
    meetings_by_stream,
)
from events.views.reader import Reader, SharedConnection

Key = tuple[str, datetime]
PositionKey = tuple[int, datetime]


@dataclass
class Context:
    """Per-request state: the store, the principal, the loaders, the log position read."""

    store: EventStore
    settings: Settings
    principal: Principal
    listener: LogListener  # the process's wake-ups for subscriptions
    # Whether a query's reads may share one connection: an HTTP request runs one operation; a
    # WebSocket's context serves all of its operations, which may run at once.
    shares_reads: bool = False
    started: datetime = field(default_factory=now)
    # The head a resolver (logHead) read while answering: the response's logPosition then
    # reuses it rather than reading the log's head a second time.
    head: LogHead | None = None
    # What the views read through: the engine, or a query's shared connection (SharedReads).
    reader: Reader = field(init=False)
    actors: DataLoader[Key, ActorView | None] = field(init=False)
    # What the actors loader has answered so far (None: no such actor), for the fields that
    # return an actor at once when it is known (api/graphql/types.py `actor_field`).
    loaded_actors: dict[Key, ActorView | None] = field(init=False, default_factory=dict)
    meetings: DataLoader[Key, MeetingView | None] = field(init=False)
    events: DataLoader[PositionKey, EventView | None] = field(init=False)

    def __post_init__(self) -> None:
        self.reader = self.store.engine
        self.actors = DataLoader(load_fn=self._load_actors)
        self.meetings = DataLoader(load_fn=self._load_meetings)
        self.events = DataLoader(load_fn=self._load_events)

    @property
    def engine(self) -> AsyncEngine:
        """The database engine."""
        return self.store.engine

    def forget_loaded(self) -> None:
        """Empty the loaders' caches. A subscription keeps one context for as long as it runs
        and shows each batch at its own knownAt, so what was loaded for one batch never serves
        another: without this the caches would only grow."""
        self.actors.clear_all()
        self.loaded_actors.clear()
        self.meetings.clear_all()

    async def _load_actors(self, keys: Sequence[Key]) -> list[ActorView | None]:
        found: dict[Key, ActorView] = {}
        for known_at in {at for _, at in keys}:
            ids = [actor for actor, at in keys if at == known_at]
            views = await actors_by_id(self.reader, ids, known_at)
            found.update({(actor, known_at): view for actor, view in views.items()})
        answers = [found.get(key) for key in keys]
        self.loaded_actors.update(zip(keys, answers, strict=True))
        return answers

    async def _load_meetings(self, keys: Sequence[Key]) -> list[MeetingView | None]:
        found: dict[Key, MeetingView] = {}
        for known_at in {at for _, at in keys}:
            streams = [stream for stream, at in keys if at == known_at]
            views = await meetings_by_stream(self.reader, streams, known_at)
            found.update({(stream, known_at): view for stream, view in views.items()})
        return [found.get(key) for key in keys]

    async def _load_events(self, keys: Sequence[PositionKey]) -> list[EventView | None]:
        found: dict[PositionKey, EventView] = {}
        for known_at in {at for _, at in keys}:
            positions = [position for position, at in keys if at == known_at]
            views = await events_at(self.reader, positions=positions, known_at=known_at)
            found.update({(view.recorded.position, known_at): view for view in views})
        return [found.get(key) for key in keys]


class SharedReads(SchemaExtension):
    """A query's views and loaders read through one connection, given back when it is answered
    (see the module's docstring for which operations)."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Share a connection for the execution of a query whose context allows it."""
        context = self.execution_context.context
        if not (
            isinstance(context, Context)
            and context.shares_reads
            and self.execution_context.operation_type is OperationType.QUERY
        ):
            yield
            return
        shared = SharedConnection(context.engine)
        context.reader = shared
        try:
            yield
            if context.head is None:
                # The response's logPosition: the head as the query's reads saw it, read
                # before the connection goes back rather than on a connection of its own.
                context.head = await context.store.head(shared)
        finally:
            context.reader = context.engine
            await shared.close()
