"""What every resolver of one request shares: the engine, who asks, and the request's loaders.

Loaders batch the lookups of one request (every actor a page of events names is fetched in one
query) and are keyed by `known_at`, since one request may ask about several instants.

The views of a query over HTTP read through one connection (`SharedReads`): a relation with its
pages and the actors and meetings they name took a dozen connections otherwise. Mutations and
subscriptions read through the engine: their reads must see the writes made meanwhile.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

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
    DialogueView,
    DisputeView,
    EventView,
    InstrumentView,
    MeasureView,
    MeetingView,
    dialogues_by_stream,
    disputes_by_stream,
    events_at,
    instruments_by_stream,
    measures_by_stream,
    meetings_by_stream,
    named_actors,
    streams_events,
)
from events.views.reader import Reader, SharedConnection
from events.views.rosters import instruments_parties
from events.views.states import Membership

Key = tuple[str, datetime]
# An instrument's parties: by instrument, the date of the roster and the knowledge time.
RosterKey = tuple[str, date, datetime]
PositionKey = tuple[int, datetime]
K = TypeVar("K", str, int)
V = TypeVar("V")
StreamObject = InstrumentView | MeasureView | DialogueView | DisputeView
Obj = TypeVar("Obj", InstrumentView, MeasureView, DialogueView, DisputeView)
# A batched view of events/: the things among some keys as known at one instant, one query.
Fetch = Callable[[Reader, list[K], datetime], Awaitable[Mapping[K, V]]]


@dataclass
class Context:
    """Per-request state: the store, the principal, the loaders, the log position read.

    One loader per kind of thing a field may name (actors, meetings, instruments, measures,
    dialogues, disputes, streams, events by position and by id), each keyed by identity and
    knowledge time and calling one batched function of events/views: every reference a query
    names is fetched in a query per kind and instant, however many items name it. Instruments'
    parties have one too, keyed by instrument, date and instant, for `Instrument.parties` under
    a list of instruments."""

    store: EventStore
    settings: Settings
    principal: Principal
    listener: LogListener  # the process's wake-ups for subscriptions
    # Whether a query's reads may share one connection: an HTTP request runs one operation; a
    # WebSocket's context serves all of its operations, which may run at once.
    shares_reads: bool = False
    # A WebSocket whose upgrade carried no token: its connection_init must authenticate it
    # (api/app.py TransportWS); until then it runs nothing.
    awaits_token: bool = False
    started: datetime = field(default_factory=now)
    # The head a resolver (logHead) read while answering: the response's logPosition then
    # reuses it rather than reading the log's head a second time.
    head: LogHead | None = None
    # What the views read through: the engine, or a query's shared connection (SharedReads).
    reader: Reader = field(init=False)
    # Every id is answered (events/views/objects.py `named_actors`): one the registry does not
    # know at that instant with `registered` false, so that a field naming it is never null.
    actors: DataLoader[Key, ActorView] = field(init=False)
    # What the actors loader has answered so far, for the fields that return an actor at once
    # when it is known (api/graphql/types.py `actor_field`).
    loaded_actors: dict[Key, ActorView] = field(init=False, default_factory=dict)
    meetings: DataLoader[Key, MeetingView | None] = field(init=False)
    # What the loaders of stream objects have answered so far (stream ids differ across kinds),
    # for the fields that return one at once when it is known (api/graphql/types.py
    # `object_field`): a relation's thousands of instruments, loaded in one batch by their list.
    loaded_objects: dict[Key, StreamObject | None] = field(init=False, default_factory=dict)
    instruments: DataLoader[Key, InstrumentView | None] = field(init=False)
    measures: DataLoader[Key, MeasureView | None] = field(init=False)
    dialogues: DataLoader[Key, DialogueView | None] = field(init=False)
    disputes: DataLoader[Key, DisputeView | None] = field(init=False)
    streams: DataLoader[Key, list[EventView] | None] = field(init=False)
    events: DataLoader[PositionKey, EventView | None] = field(init=False)
    events_by_id: DataLoader[Key, EventView | None] = field(init=False)
    parties: DataLoader[RosterKey, tuple[Membership, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.reader = self.store.engine
        self.actors = DataLoader(load_fn=self._load_actors)
        self.meetings = DataLoader(load_fn=self._batched(meetings_by_stream))
        self.instruments = DataLoader(load_fn=self._remembered(instruments_by_stream))
        self.measures = DataLoader(load_fn=self._remembered(measures_by_stream))
        self.dialogues = DataLoader(load_fn=self._remembered(dialogues_by_stream))
        self.disputes = DataLoader(load_fn=self._remembered(disputes_by_stream))
        self.streams = DataLoader(load_fn=self._batched(streams_events))
        self.events = DataLoader(load_fn=self._batched(_events_by_position))
        self.events_by_id = DataLoader(load_fn=self._batched(_events_by_id))
        self.parties = DataLoader(load_fn=self._load_parties)

    @property
    def engine(self) -> AsyncEngine:
        """The database engine."""
        return self.store.engine

    def forget_loaded(self) -> None:
        """Empty the loaders' caches. A subscription keeps one context for as long as it runs
        and shows each batch at its own knownAt, so what was loaded for one batch never serves
        another: without this the caches would only grow."""
        for loader in (
            self.actors,
            self.meetings,
            self.instruments,
            self.measures,
            self.dialogues,
            self.disputes,
            self.streams,
            self.events,
            self.events_by_id,
            self.parties,
        ):
            loader.clear_all()
        self.loaded_actors.clear()
        self.loaded_objects.clear()

    def _batched(
        self, fetch: Fetch[K, V]
    ) -> Callable[[Sequence[tuple[K, datetime]]], Awaitable[list[V | None]]]:
        """A loader's batch function over `fetch`: one call per knowledge time among the keys,
        through the request's reader."""

        async def load(keys: Sequence[tuple[K, datetime]]) -> list[V | None]:
            found: dict[tuple[K, datetime], V] = {}
            for known_at in {at for _, at in keys}:
                wanted = list(dict.fromkeys(key for key, at in keys if at == known_at))
                views = await fetch(self.reader, wanted, known_at)
                found.update({(key, known_at): view for key, view in views.items()})
            return [found.get(key) for key in keys]

        return load

    def _remembered(
        self, fetch: Fetch[str, Obj]
    ) -> Callable[[Sequence[Key]], Awaitable[list[Obj | None]]]:
        """A stream objects' loader's batch function over `fetch` that notes its answers in
        `loaded_objects`."""
        batched = self._batched(fetch)

        async def load(keys: Sequence[Key]) -> list[Obj | None]:
            answers = await batched(keys)
            self.loaded_objects.update(zip(keys, answers, strict=True))
            return answers

        return load

    async def _load_parties(self, keys: Sequence[RosterKey]) -> list[tuple[Membership, ...]]:
        # One read per date and instant among the keys (a page of instruments shares both).
        found: dict[RosterKey, tuple[Membership, ...]] = {}
        for as_of, known_at in {(as_of, at) for _, as_of, at in keys}:
            wanted = [key for key, on, at in keys if (on, at) == (as_of, known_at)]
            rosters = await instruments_parties(self.reader, wanted, as_of, known_at)
            found.update({(key, as_of, known_at): roster for key, roster in rosters.items()})
        return [found.get(key, ()) for key in keys]

    async def _load_actors(self, keys: Sequence[Key]) -> list[ActorView]:
        answers = await self._batched(named_actors)(keys)
        found = [answer for answer in answers if answer is not None]  # named_actors answers all
        if len(found) != len(keys):
            raise LookupError("named_actors left an actor out")
        self.loaded_actors.update(zip(keys, found, strict=True))
        return found


async def _events_by_position(
    reader: Reader, positions: list[int], known_at: datetime
) -> dict[int, EventView]:
    views = await events_at(reader, positions=positions, known_at=known_at)
    return {view.recorded.position: view for view in views}


async def _events_by_id(reader: Reader, ids: list[str], known_at: datetime) -> dict[str, EventView]:
    uuids = []
    for text in ids:
        try:
            uuids.append(UUID(text))
        except ValueError:
            continue  # no event has it: the loader answers None
    views = await events_at(reader, ids=uuids, known_at=known_at)
    return {str(view.recorded.id): view for view in views}


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
