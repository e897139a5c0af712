"""The log: append (ordering, concurrency, idempotency), read, head.

One code path for SQLite and PostgreSQL (`Writes.write`). Every append runs in one transaction that

1. takes the append lock (see `_lock`), so that positions are handed out in commit order;
2. drops events whose id is already in the log with the same content (idempotent retries) and
   refuses an id reused for other content;
3. checks each stream's expected version and what the domain needs of the log (streams start
   with their creating event, slugs are registered, referenced streams and corrected events
   exist);
4. inserts the events with the next positions and versions and a server `recordedAt`;
5. runs every projection on them, and commits.

Knowledge time moves only forward, and only with the clock (`Clock`): the server's own
`recordedAt` is its clock's time, never earlier than the log's newest one and never later than
its clock. When the log's newest `recordedAt` is ahead of this process's clock (another
replica's clock runs ahead, or an import brought a stamp from within the allowed skew), an
append waits, before it takes anything, until its clock has passed it, if that is within
`max_skew`; further ahead it is refused (ClockBehind) rather than stamped in the future. An
imported `recordedAt` later than the clock plus `max_skew` is refused, naming the event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import BindParameter, Connection, Row, bindparam, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events import pg_append
from events.actors import is_state
from events.db import WRITE, events_table, to_recorded
from events.errors import ClockBehind, ConcurrencyConflict, DuplicateId, InvalidEvents, Problem
from events.notify import CHANNEL
from events.projections import Projection, bitemporal
from events.projections.bulk import insert_rows
from events.projections.history import StoredEvent
from events.projections.tables import FOREVER, actors
from events.sqlite_writer import SQLiteWriter
from events.sync_write import run_sync_write
from events.types import (
    EVENT_TYPES,
    STREAM_ID,
    EventCorrected,
    EventRetracted,
    NewEvent,
    RecordedEvent,
    actor_refs,
    dumps,
    event_refs,
    format_timestamp,
    problems_from,
    stream_refs,
)
from events.views.reader import Reader, read

ExpectedVersion = int | Mapping[str, int] | None
Clock = Callable[[], datetime]  # the time now, timezone-aware

# How far ahead of this process's clock a recordedAt may be: an imported one, or the log's
# newest written by a replica whose clock runs ahead. NTP keeps clocks within milliseconds.
DEFAULT_SKEW = timedelta(seconds=2)
# An append that found the head ahead of the clock waits and tries again at most this often
# (each wait within the skew) before it gives up with ClockBehind.
CLOCK_RETRIES = 3


def utc_now() -> datetime:
    """The system clock, in UTC: the store's default Clock."""
    return datetime.now(UTC)


class WaitForClock(Exception):
    """Raised by a write, before it changed anything, when its stamps would be ahead of the
    clock by `seconds` (within the skew): wait, then write again."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the clock is {seconds:.3f} s behind the log's newest recordedAt")


# Bound on the number of values in one `IN (...)` list: SQLite allows 32,766 parameters.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class LogHead:
    """The newest event: its position, when it was recorded, and how many events there are."""

    position: int
    recorded_at: datetime | None
    count: int


class EventStore:
    """The append-only log on one database (the engine decides which)."""

    def __init__(
        self,
        engine: AsyncEngine,
        projections: Sequence[Projection] | None = None,
        *,
        clock: Clock = utc_now,
        max_skew: timedelta = DEFAULT_SKEW,
    ) -> None:
        self.engine = engine
        self.projections = list(
            bitemporal.default_projections() if projections is None else projections
        )
        self.clock = clock
        self.max_skew = max_skew
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer per file anyway; queueing here costs nothing and spares the
        # tasks of this process from spinning on SQLITE_BUSY.
        self._writer = asyncio.Lock()
        self._appended: list[Callable[[int], None]] = []
        self._committed: list[Callable[[int, int], None]] = []
        # On SQLite, single appends go to a writer thread of their own (made on first use).
        self._sqlite_writer: SQLiteWriter | None = None

    async def close(self) -> None:
        """Release what the store holds beside the engine (on SQLite, its writer thread)."""
        if self._sqlite_writer is not None:
            await self._sqlite_writer.close()
            self._sqlite_writer = None

    def on_append(self, callback: Callable[[int], None]) -> None:
        """Call `callback(new head position)` after each commit that appended events."""
        self._appended.append(callback)

    def on_commit(self, callback: Callable[[int, int], None]) -> None:
        """Call `callback(new head position, events appended)` after each commit that
        appended events (the metrics count them)."""
        self._committed.append(callback)

    # --- writing -------------------------------------------------------------------------------

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        recorded_by: str,
        expected_version: ExpectedVersion = None,
    ) -> list[RecordedEvent]:
        """Append `events` atomically, across streams; return them as recorded, in order.

        `expected_version` is the version a stream must be at before the batch (0: it must not
        exist yet): an int when the batch holds one stream, else a mapping stream -> version.
        An event whose id is already in the log with the same content is not appended again;
        the original is returned in its place.
        Raises InvalidEvents, ConcurrencyConflict, DuplicateId or ClockBehind; then nothing
        was appended.
        """
        for _ in range(CLOCK_RETRIES):
            try:
                return await self._append_once(events, recorded_by, expected_version)
            except WaitForClock as wait:
                # Rolled back before anything was written; the lock is released while waiting.
                await asyncio.sleep(wait.seconds)
        return await self._append_once(events, recorded_by, expected_version, last_try=True)

    async def _append_once(
        self,
        events: Sequence[NewEvent],
        recorded_by: str,
        expected_version: ExpectedVersion,
        last_try: bool = False,
    ) -> list[RecordedEvent]:
        if not self.is_sqlite:
            # Four round trips: BEGIN, the lock and every lookup, every write and the NOTIFY,
            # COMMIT (events/pg_append.py). A WaitForClock leaves the transaction (rolled
            # back): `append` waits unlocked.
            writes = Writes(self.projections, self.clock, self.max_skew)
            writes.last_try = last_try
            writes.notify = True
            async with self._writer, self.engine.connect() as conn, conn.begin():
                recorded = await conn.run_sync(writes.write, events, recorded_by, expected_version)
            self._announce(writes)
            return recorded
        # One hand-off to the writer thread for the whole transaction (events/sqlite_writer.py).
        if self._sqlite_writer is None:
            self._sqlite_writer = SQLiteWriter(self.engine.url)
        writes = Writes(self.projections, self.clock, self.max_skew)
        writes.last_try = last_try
        async with self._writer:
            return await self._sqlite_writer.run(
                partial(
                    writes.write,
                    events=events,
                    recorded_by=recorded_by,
                    expected_version=expected_version,
                ),
                committed=lambda: self._announce(writes),
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Appender]:
        """One write transaction for many appends (an import): all of it commits, or none.

        When it appended anything, readers tailing the log are told after the commit (see
        events/notify.py): on PostgreSQL by a NOTIFY sent in the transaction, which the server
        delivers to every process at commit; in this process by the `on_append` callbacks."""
        async with self.locked() as conn:
            appender = Appender(conn, self.projections, self.clock, self.max_skew)
            yield appender
            if appender.appended and not self.is_sqlite:
                await conn.execute(select(func.pg_notify(CHANNEL, str(appender.head_position))))
        self._announce(appender)

    def _announce(self, committed: Writes) -> None:
        if committed.appended:
            for callback in self._appended:
                callback(committed.head_position)
            for counted in self._committed:
                counted(committed.head_position, committed.appended)

    @asynccontextmanager
    async def locked(self, *, rollback: bool = False) -> AsyncIterator[AsyncConnection]:
        """A write transaction holding the append lock: no append commits until it ends.
        It commits at the end, or rolls back when `rollback` or on an error."""
        async with self._writer, self.engine.connect() as conn:
            await conn.execution_options(**{WRITE: True})
            transaction = await conn.begin()
            try:
                await self._lock(conn)
                yield conn
            except BaseException:
                await transaction.rollback()
                raise
            if rollback:
                await transaction.rollback()
            else:
                await transaction.commit()

    async def _lock(self, conn: AsyncConnection) -> None:
        # Positions must grow in commit order, or a reader tailing "position > N" could see
        # N+1 commit before N and skip N forever. Holding a lock that excludes other appenders
        # (but not readers) from before the head is read until commit makes the order of
        # positions the order of commits. SQLite's BEGIN IMMEDIATE already holds its single
        # write lock; on PostgreSQL, EXCLUSIVE blocks other writers and lets readers through
        # (the `eventsourcing` library does the same).
        if not self.is_sqlite:
            await conn.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))

    # --- reading -------------------------------------------------------------------------------

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Up to `limit` events with position > `after_position`, in position order."""
        query = (
            select(events_table)
            .where(events_table.c.position > after_position)
            .order_by(events_table.c.position)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [to_recorded(row) for row in await conn.execute(query)]

    async def read_stream(
        self, stream: str, after_version: int = 0, limit: int | None = None
    ) -> list[RecordedEvent]:
        """The events of `stream` with version > `after_version`, in version order."""
        query = (
            select(events_table)
            .where(events_table.c.stream == stream, events_table.c.version > after_version)
            .order_by(events_table.c.version)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [to_recorded(row) for row in await conn.execute(query)]

    async def get(self, event_id: UUID) -> RecordedEvent | None:
        """The event with id `event_id`, or None."""
        query = select(events_table).where(events_table.c.id == event_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else to_recorded(row)

    async def head(self, reader: Reader | None = None) -> LogHead:
        """The log's newest position and recordedAt; positions run from 1 without gaps, so the
        position is also the number of events. Read through `reader` if given (a query's
        shared connection: the head its answers saw), else on a connection of its own."""
        return await read(reader or self.engine, read_head_on)

    async def snapshot(self, batch_size: int = 1000) -> AsyncIterator[list[RecordedEvent]]:
        """The whole log in position order, in batches, read in one transaction: a consistent
        prefix of the log even while appends go on."""
        async with self.engine.connect() as conn:
            if not self.is_sqlite:
                await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                after = 0
                while True:
                    query = (
                        select(events_table)
                        .where(events_table.c.position > after)
                        .order_by(events_table.c.position)
                        .limit(batch_size)
                    )
                    batch = [to_recorded(row) for row in await conn.execute(query)]
                    if not batch:
                        return
                    yield batch
                    after = batch[-1].position


class Writes:
    """The appends of one write transaction, as synchronous Core code on a `Connection` in
    that transaction: checks, inserts, projections. See `Appender` for the async side."""

    def __init__(
        self,
        projections: Sequence[Projection],
        clock: Clock = utc_now,
        max_skew: timedelta = DEFAULT_SKEW,
    ) -> None:
        self.projections = projections
        self.clock = clock
        self.max_skew = max_skew
        # Whether a stamp ahead of the clock raises ClockBehind rather than WaitForClock.
        self.last_try = False
        self.appended = 0  # events this transaction added to the log so far
        self.head_position = 0  # the position of the last of them
        self.deferred = False  # projections left to `finish` (see `defer_projections`)
        self.replaying = False  # projections replayed per append (see `replay_projections`)
        # PostgreSQL: send the log's NOTIFY with the write (a single append's own transaction).
        self.notify = False
        # Slugs registered in this transaction: while projections are deferred the actors
        # table does not know them yet.
        self.registered: set[str] = set()

    def write(
        self,
        conn: Connection,
        events: Sequence[NewEvent],
        recorded_by: str,
        expected_version: ExpectedVersion,
    ) -> list[RecordedEvent]:
        """Append `events` in `conn`'s transaction; see EventStore.append."""
        expected = _expected_by_stream(events, expected_version)
        _unique_ids(events)
        known: pg_append.LogRead | None = None
        if conn.dialect.name == "postgresql" and not (self.deferred or self.replaying):
            # One round trip: the lock, then every lookup below (events/pg_append.py).
            wanted = _Wanted.of(events)
            known = pg_append.read(
                conn,
                ids=[event.id for event in events],
                streams=wanted.streams,
                slugs=wanted.slugs,
                targets=wanted.targets,
                touched=[event.stream for event in events],
                projections=self.projections,
            )
            originals = _same_as_recorded(events, known.recorded)
        else:
            originals = _already_recorded(conn, events)
        fresh = [event for event in events if event.id not in originals]
        if not fresh:
            return [originals[event.id] for event in events]
        if known is None:
            head = _head_from(conn.execute(_HEAD).first())
            state = _LogState.load(conn, fresh)
        else:
            head = (
                LogHead(0, None, 0)
                if known.head is None
                else LogHead(known.head[0], known.head[1], known.head[0])
            )
            state = _LogState(dict(known.versions), set(known.registered), dict(known.targets))
        # Streams with events before this append; the projections have rows only for them.
        existing = {stream for stream, version in state.versions.items() if version > 0}
        state.registered |= self.registered
        now = self.clock()
        self._not_ahead(head.recorded_at, now)
        latest = now + self.max_skew
        rows: list[dict[str, Any]] = []
        recorded: dict[UUID, RecordedEvent] = {}
        problems: list[Problem] = []
        position = head.position
        last_recorded = head.recorded_at
        for index, event in enumerate(events):
            if event.id in originals:
                continue
            before = len(problems)
            if event.stream in expected and event.stream not in state.checked:
                state.checked.add(event.stream)
                actual = state.versions.get(event.stream, 0)
                if actual != expected[event.stream]:
                    raise ConcurrencyConflict(event.stream, expected[event.stream], actual)
            problems.extend(state.check(index, event))
            when = event.recorded_at or max(now, last_recorded or now)
            if event.recorded_at is None:
                self._not_ahead(when, now)  # after an imported stamp within the skew
            elif when > latest:
                problems.append(
                    Problem(
                        index,
                        "recordedAt",
                        f"{format_timestamp(when)} is later than this server's clock "
                        f"({format_timestamp(now)}) plus the allowed skew of "
                        f"{self.max_skew.total_seconds():g} s; knowledge time cannot be in "
                        "the future",
                    )
                )
            if last_recorded is not None and when < last_recorded:
                problems.append(
                    Problem(
                        index,
                        "recordedAt",
                        f"{format_timestamp(when)} is earlier than the log's newest recordedAt "
                        f"{format_timestamp(last_recorded)}; knowledge time must not go back",
                    )
                )
            if len(problems) > before:
                continue
            position += 1
            # The JSON forms once: stored as text, kept for corrections later in the batch,
            # and returned (no reading back of the text just written).
            data = event.data.to_json()
            sources = [source.to_json() for source in event.sources]
            version = state.record(event, data)
            last_recorded = when
            row: dict[str, Any] = {
                "position": position,
                "id": event.id,
                "stream": event.stream,
                "version": version,
                "type": event.type,
                "schema_version": type(event.data).schema_version,
                "occurred": event.occurred,
                "recorded_at": when,
                "recorded_by": event.recorded_by or recorded_by,
                "data": dumps(data),
                "sources": dumps(sources),
                "note": event.note,
            }
            rows.append(row)
            recorded[event.id] = RecordedEvent(
                **{name: row[name] for name in _ENVELOPE}, data=data, sources=sources
            )
        if problems:
            raise InvalidEvents(problems)
        # One run of rows per recordedAt (a restored log carries many): each run is a
        # transaction of the original log, and the projections record its changes at its time.
        if self.deferred or self.replaying:
            conn.execute(_INSERT, rows)
        if self.replaying and not self.deferred:
            bitemporal.replay_streams(conn, self.projections, {row["stream"] for row in rows})
        by_id = {event.id: event for event in fresh}
        live: list[dict[str, Any]] = [] if self.deferred or self.replaying else rows
        runs = [(at, list(run)) for at, run in groupby(live, key=lambda row: row["recorded_at"])]
        notified = not self.notify
        for number, (at, batch) in enumerate(runs):
            # A stream new in this run has no history but the run and no projection rows
            # yet: the projections need not read either back.
            new: dict[str, list[StoredEvent]] = {}
            for inserted in batch:
                if inserted["stream"] not in existing:
                    event = by_id[inserted["id"]]
                    new.setdefault(event.stream, []).append(_stored(inserted, event))
            streams = {inserted["stream"] for inserted in batch}
            if known is not None and number == 0:
                # What the first run's projections read was read under the lock with the
                # rest: the histories as they were, followed by the run's own events.
                histories: dict[str, list[StoredEvent]] = {
                    stream: list(known.histories.get(stream, ())) for stream in streams
                }
                for inserted in batch:
                    histories[inserted["stream"]].append(_stored(inserted, by_id[inserted["id"]]))
                changed = bitemporal.changes(
                    conn,
                    self.projections,
                    streams,
                    at,
                    new,
                    bitemporal.Known(histories, known.current),
                )
                last = len(runs) == 1 and self.notify
                pg_append.write(conn, batch, changed, at, position if last else None)
                notified = notified or last
            else:
                insert_rows(conn, events_table, batch)
                bitemporal.apply(conn, self.projections, streams, at, new)
            existing |= streams
        if not notified and rows:
            conn.execute(select(func.pg_notify(CHANNEL, str(position))))
        self.registered |= state.registered_here
        self.appended += len(rows)
        self.head_position = position
        return [originals.get(event.id) or recorded[event.id] for event in events]

    def _not_ahead(self, stamp: datetime | None, now: datetime) -> None:
        """Nothing when `stamp` (the newest recordedAt so far) is not after `now`; else
        WaitForClock while within the skew, ClockBehind past it (or on the last try)."""
        if stamp is None or stamp <= now:
            return
        if stamp - now > self.max_skew or self.last_try:
            raise ClockBehind(
                format_timestamp(stamp), format_timestamp(now), self.max_skew.total_seconds()
            )
        raise WaitForClock((stamp - now).total_seconds())


class Appender(Writes):
    """Appends inside one open, locked write transaction (see EventStore.transaction)."""

    def __init__(
        self,
        conn: AsyncConnection,
        projections: Sequence[Projection],
        clock: Clock = utc_now,
        max_skew: timedelta = DEFAULT_SKEW,
    ) -> None:
        super().__init__(projections, clock, max_skew)
        self.conn = conn

    async def defer_projections(self) -> bool:
        """Leave the projections alone until `finish`, which rebuilds them at once: much faster
        for a whole log restored into an empty database. Only then is it allowed; returns
        whether it was."""
        self.deferred = (await read_head(self.conn)).position == 0
        return self.deferred

    def replay_projections(self) -> None:
        """Bring the projections of the streams each append touches up to date by replaying
        those streams whole, once per append rather than once per transaction of the log it
        holds: the same rows, far fewer statements for a batch restored from an export."""
        self.replaying = True

    async def finish(self) -> None:
        """Bring deferred projections up to date with everything appended."""
        if self.deferred:
            await bitemporal.rebuild_into(self.conn, self.projections)
            self.deferred = False

    async def reused(self, events: Sequence[NewEvent]) -> dict[UUID, RecordedEvent]:
        """The events of the log whose ids `events` reuse for other content (which `append`
        refuses one at a time, with DuplicateId): an import names them all at once."""
        return await run_sync_write(self.conn, _reused, events)

    async def unregistered(self, slugs: Iterable[str]) -> set[str]:
        """Those of `slugs` that neither the log nor this transaction has registered."""
        wanted = set(slugs)
        known = await run_sync_write(self.conn, _registered, wanted)
        return wanted - known - self.registered

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        recorded_by: str,
        expected_version: ExpectedVersion = None,
    ) -> list[RecordedEvent]:
        """Append `events` in this transaction; see EventStore.append."""
        # Synchronous Core code, run in one hop (see events/sync_write.py): the checks, the
        # insert and the projections of an append are a dozen small statements.
        for _ in range(CLOCK_RETRIES):
            try:
                return await run_sync_write(
                    self.conn, self.write, events, recorded_by, expected_version
                )
            except WaitForClock as wait:
                # Raised before the write changed anything: the transaction goes on, holding
                # the lock while the clock catches up (within the skew).
                await asyncio.sleep(wait.seconds)
        self.last_try = True
        try:
            return await run_sync_write(
                self.conn, self.write, events, recorded_by, expected_version
            )
        finally:
            self.last_try = False


def _unique_ids(events: Sequence[NewEvent]) -> None:
    seen: set[UUID] = set()
    for index, event in enumerate(events):
        if event.id in seen:
            raise InvalidEvents([Problem(index, "id", f"id {event.id} is twice in the batch")])
        seen.add(event.id)


def _already_recorded(conn: Connection, events: Sequence[NewEvent]) -> dict[UUID, RecordedEvent]:
    """Events of the batch whose id the log holds already, checked to be the same event."""
    found: dict[UUID, RecordedEvent] = {}
    for chunk in _chunks(list({event.id for event in events})):
        for row in conn.execute(_RECORDED, {"keys": chunk}):
            found[row.id] = to_recorded(row)
    return _same_as_recorded(events, found)


def _same_as_recorded(
    events: Sequence[NewEvent], found: dict[UUID, RecordedEvent]
) -> dict[UUID, RecordedEvent]:
    """`found` (the batch's events the log holds already), once each is checked to be the
    same event as the batch's: an id reused for other content is DuplicateId."""
    for event in events:
        original = found.get(event.id)
        if original is not None and not _same_content(event, original):
            raise DuplicateId(str(event.id))
    return found


def _reused(conn: Connection, events: Sequence[NewEvent]) -> dict[UUID, RecordedEvent]:
    by_id = {event.id: event for event in events}
    found: dict[UUID, RecordedEvent] = {}
    for chunk in _chunks(list(by_id)):
        for row in conn.execute(_RECORDED, {"keys": chunk}):
            original = to_recorded(row)
            if not _same_content(by_id[original.id], original):
                found[original.id] = original
    return found


def _registered(conn: Connection, slugs: set[str]) -> set[str]:
    registered: set[str] = set()
    for chunk in _chunks(list(slugs)):
        registered.update(conn.scalars(_REGISTERED, {"keys": chunk}))
    return registered


def unknown_actor(actor: str) -> str:
    """The message for an actor slug that no ActorRegistered created."""
    return (
        f"unknown actor {actor!r}: register it first with ActorRegistered on stream actor/{actor}"
    )


def _stored(row: Mapping[str, Any], event: NewEvent) -> StoredEvent:
    """What the projections read of an event just inserted as `row`."""
    return StoredEvent(
        row["position"],
        row["id"],
        row["stream"],
        row["type"],
        row["occurred"],
        row["recorded_at"],
        row["note"],
        event.data,
    )


# The statements of an append, built once: SQLAlchemy then finds them in its compiled cache
# without rebuilding and re-keying a new statement per call (three times the cost on SQLite).
_KEYS: BindParameter[Any] = bindparam("keys", expanding=True)
_RECORDED = select(events_table).where(events_table.c.id.in_(_KEYS))
_VERSIONS = (
    select(events_table.c.stream, func.max(events_table.c.version))
    .where(events_table.c.stream.in_(_KEYS))
    .group_by(events_table.c.stream)
)
_REGISTERED = select(actors.c.actor).where(actors.c.actor.in_(_KEYS), actors.c.rt_to == FOREVER)
_TARGETS = select(
    events_table.c.id, events_table.c.stream, events_table.c.type, events_table.c.data
).where(events_table.c.id.in_(_KEYS))
_INSERT = insert(events_table)
# The columns of a row that a RecordedEvent takes as they are (data and sources are text).
_ENVELOPE = [
    column.name for column in events_table.columns if column.name not in ("data", "sources")
]


@dataclass(frozen=True, slots=True)
class _Wanted:
    """What the checks of a batch look up: the versions of `streams`, which of `slugs` are
    registered, and the events `targets`."""

    streams: set[str]
    slugs: set[str]
    targets: set[UUID]

    @classmethod
    def of(cls, events: Sequence[NewEvent]) -> _Wanted:
        streams = {event.stream for event in events}
        slugs: set[str] = set()
        targets: set[UUID] = set()
        for event in events:
            streams.update(stream for _, stream in stream_refs(event.data))
            targets.update(target for _, target in event_refs(event.data))
            slugs.update(actor for _, actor in actor_refs(event.data) if not is_state(actor))
            if isinstance(event.data, EventCorrected | EventRetracted):
                targets.add(event.data.target)
            if isinstance(event.data, EventCorrected) and event.data.data:
                # Which of its strings name actors is known only once merged with the
                # target: look every string up.
                strings = set(_strings(event.data.data))
                slugs.update(strings)
                streams.update(text for text in strings if STREAM_ID.match(text))
        return cls(streams, slugs, targets)


class _LogState:
    """What the checks of one batch need to know of the log, kept up to date as it goes."""

    def __init__(
        self,
        versions: dict[str, int],
        registered: set[str],
        targets: dict[UUID, tuple[str, str, dict[str, Any]]],
    ) -> None:
        self.versions = versions
        self.registered = registered
        self.targets = targets
        self.checked: set[str] = set()
        self.registered_here: set[str] = set()  # by this batch

    @classmethod
    def load(cls, conn: Connection, events: Sequence[NewEvent]) -> _LogState:
        wanted = _Wanted.of(events)
        streams, slugs, targets = wanted.streams, wanted.slugs, wanted.targets
        versions: dict[str, int] = {}
        for chunk in _chunks(list(streams)):
            versions.update(
                {stream: version for stream, version in conn.execute(_VERSIONS, {"keys": chunk})}
            )
        registered = _registered(conn, slugs)
        found: dict[UUID, tuple[str, str, dict[str, Any]]] = {}
        for chunk in _chunks(list(targets)):
            for row in conn.execute(_TARGETS, {"keys": chunk}):
                found[row.id] = (row.stream, row.type, json.loads(row.data))
        return cls(versions, registered, found)

    def check(self, index: int, event: NewEvent) -> list[Problem]:
        """What is wrong with appending `event` after what the log and the batch hold so far."""
        problems = []
        cls = type(event.data)
        exists = self.versions.get(event.stream, 0) > 0
        if not exists and not cls.creates:
            creators = [
                name
                for name, c in EVENT_TYPES.items()
                if c.creates and c.stream_kind == event.stream_kind
            ]
            problems.append(
                Problem(
                    index,
                    "stream",
                    f"stream {event.stream!r} does not exist yet: its first event must be "
                    f"{' or '.join(creators)}, not {event.type}",
                )
            )
        elif exists and not cls.may_follow:
            problems.append(
                Problem(
                    index,
                    "stream",
                    f"stream {event.stream!r} exists already; {event.type} can only start a stream",
                )
            )
        for path, actor in actor_refs(event.data):
            if not is_state(actor) and actor not in self.registered:
                problems.append(Problem(index, path, unknown_actor(actor)))
        for path, stream in stream_refs(event.data):
            if self.versions.get(stream, 0) == 0:
                problems.append(Problem(index, path, f"stream {stream!r} does not exist"))
        for path, target in event_refs(event.data):
            if target not in self.targets:
                problems.append(Problem(index, path, f"no event with id {target}"))
        if isinstance(event.data, EventCorrected | EventRetracted):
            problems.extend(self._check_target(index, event))
        return problems

    def _check_target(self, index: int, event: NewEvent) -> list[Problem]:
        assert isinstance(event.data, EventCorrected | EventRetracted)
        target = self.targets.get(event.data.target)
        if target is None:
            return [Problem(index, "data.target", f"no event with id {event.data.target}")]
        stream, type_name, data = target
        if stream != event.stream:
            return [
                Problem(
                    index,
                    "data.target",
                    f"event {event.data.target} is in stream {stream!r}, not in {event.stream!r}",
                )
            ]
        if type_name in ("EventCorrected", "EventRetracted"):
            return [
                Problem(
                    index,
                    "data.target",
                    f"event {event.data.target} is a {type_name}; "
                    "correct or retract the original event instead",
                )
            ]
        if isinstance(event.data, EventCorrected) and event.data.data:
            try:
                merged = EVENT_TYPES[type_name].model_validate({**data, **event.data.data})
            except ValidationError as error:
                return problems_from(error, index, prefix="data.data")
            original = EVENT_TYPES[type_name].model_validate(data)
            actors_before = {actor for _, actor in actor_refs(original)}
            streams_before = {stream for _, stream in stream_refs(original)}
            problems = [
                Problem(index, path, f"unknown actor {actor!r}")
                for path, actor in actor_refs(merged, "data.data")
                if actor not in actors_before
                and not is_state(actor)
                and actor not in self.registered
            ]
            problems.extend(
                Problem(index, f"data.{path}", f"stream {stream!r} does not exist")
                for path, stream in stream_refs(merged)
                if stream not in streams_before and self.versions.get(stream, 0) == 0
            )
            return problems
        return []

    def record(self, event: NewEvent, data: dict[str, Any]) -> int:
        """Note that `event` (whose `data.to_json()` is `data`) is appended; return its
        version in its stream."""
        version = self.versions.get(event.stream, 0) + 1
        self.versions[event.stream] = version
        self.checked.add(event.stream)
        if event.type == "ActorRegistered":
            self.registered.add(event.stream.split("/", 1)[1])
            self.registered_here.add(event.stream.split("/", 1)[1])
        self.targets[event.id] = (event.stream, event.type, data)
        return version


_HEAD = (
    select(events_table.c.position, events_table.c.recorded_at)
    .order_by(events_table.c.position.desc())
    .limit(1)
)


async def read_head(conn: AsyncConnection) -> LogHead:
    """The head of the log as `conn` sees it."""
    return _head_from((await conn.execute(_HEAD)).first())


def read_head_on(conn: Connection) -> LogHead:
    """`read_head` on a synchronous connection."""
    return _head_from(conn.execute(_HEAD).first())


def _head_from(row: Row[Any, Any] | None) -> LogHead:
    if row is None:
        return LogHead(position=0, recorded_at=None, count=0)
    return LogHead(position=row.position, recorded_at=row.recorded_at, count=row.position)


def _same_content(event: NewEvent, original: RecordedEvent) -> bool:
    return (
        event.stream == original.stream
        and event.type == original.type
        and event.occurred == original.occurred
        and dumps(event.data.to_json()) == dumps(original.data)
        and dumps([s.to_json() for s in event.sources]) == dumps(original.sources)
        and event.note == original.note
    )


def _expected_by_stream(
    events: Sequence[NewEvent], expected_version: ExpectedVersion
) -> dict[str, int]:
    if expected_version is None:
        return {}
    if isinstance(expected_version, int):
        streams = {event.stream for event in events}
        if len(streams) != 1:
            raise ValueError(
                "an int expected_version needs a batch of one stream; pass a mapping "
                "stream -> version for a batch across streams"
            )
        return {streams.pop(): expected_version}
    return dict(expected_version)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
