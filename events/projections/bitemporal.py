"""Keeping facts with the recorded-time range in which the log held them.

After an append, the facts of each stream it touched are computed from the stream's events as
now known and compared with the stream's current rows: rows no longer true are closed at the
append's `recordedAt`, new ones opened at it. A rebuild replays each stream's transactions (its
runs of equal `recordedAt`) the same way, so it reproduces the live tables row for row.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Connection,
    Delete,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropIndex

from events.db import events_table
from events.projections import Fact, Projection
from events.projections.actors import ActorsProjection
from events.projections.bulk import BulkWriter, insert_rows
from events.projections.contacts import ContactsProjection
from events.projections.dialogues import DialoguesProjection
from events.projections.disputes import DisputesProjection
from events.projections.history import Replay, StoredEvent, resolve
from events.projections.index import IndexProjection
from events.projections.measures import MeasuresProjection
from events.projections.objects import ObjectsProjection
from events.projections.parties import PartiesProjection
from events.projections.statements import StatementsProjection
from events.projections.tables import FOREVER, fact_columns
from events.types import STREAM_KINDS, payload_from_text

CHUNK = 500  # values per IN (...) list
FLUSH = 20_000  # rows held (of all tables) before a rebuild writes them
PAGE = 5000  # events fetched at a time during a rebuild


def default_projections() -> list[Projection]:
    """Every projection, in the order they run."""
    return [
        ActorsProjection(),
        PartiesProjection(),
        MeasuresProjection(),
        DialoguesProjection(),
        ContactsProjection(),
        StatementsProjection(),
        DisputesProjection(),
        ObjectsProjection(),
        IndexProjection(),
    ]


# The rows of one projection table an append changes: ids of rows closed at its recordedAt,
# ids of rows dropped (opened at that same instant, so they never held), rows opened.
@dataclass(slots=True)
class TableChanges:
    """What one append does to one projection table."""

    closed: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    opened: list[dict[str, Any]] = field(default_factory=list)


# A stream's current rows in one table: fact -> (row id, rt_from).
Current = dict[str, dict[Fact, tuple[int, datetime]]]


@dataclass(frozen=True, slots=True)
class Known:
    """What an append already read of the log and the projections under its lock (on
    PostgreSQL in one round trip, `timeline_append_read`): the whole history of every stream it
    touches, its own events included, and the current rows of those streams per table. With it,
    `changes` reads nothing."""

    histories: Mapping[str, Sequence[StoredEvent]]
    current: Mapping[Table, Current]


def apply(
    conn: Connection,
    projections: Sequence[Projection],
    streams: Collection[str],
    at: datetime,
    new: Mapping[str, Sequence[StoredEvent]] | None = None,
) -> None:
    """Bring the facts of `streams` up to date with the log as `conn` sees it; what changes,
    changes at `at` (the recordedAt of the events just appended). `new` holds the whole
    history of the streams that had no events before these (so no rows in the projections):
    they are neither read back nor compared with rows. Synchronous: the append runs it in
    one hop with the rest of its statements (events/sync_write.py)."""
    for table, changed in changes(conn, projections, streams, at, new).items():
        write(conn, table, changed, at)


def changes(
    conn: Connection,
    projections: Sequence[Projection],
    streams: Collection[str],
    at: datetime,
    new: Mapping[str, Sequence[StoredEvent]] | None = None,
    known: Known | None = None,
) -> dict[Table, TableChanges]:
    """What `apply` would write, per table, without writing it; read from `conn` unless
    `known` holds it already."""
    new = new or {}
    if known is None:
        histories: Mapping[str, Sequence[StoredEvent]] = {
            **_histories(conn, [stream for stream in streams if stream not in new]),
            **new,
        }
    else:
        histories = {stream: known.histories.get(stream, ()) for stream in streams}
    resolved = {stream: resolve(events) for stream, events in histories.items()}
    result: dict[Table, TableChanges] = {}
    for projection in projections:
        mine = [s for s in resolved if s.split("/", 1)[0] in projection.kinds]
        if not mine:
            continue
        wanted: dict[Table, dict[str, set[Fact]]] = {table: {} for table in projection.tables}
        for stream in mine:
            facts = projection.start(stream).add(resolved[stream]).added
            for table in projection.tables:
                wanted[table][stream] = facts.get(table, set())
        for table, by_stream in wanted.items():
            old = (
                _current(conn, table, [stream for stream in by_stream if stream not in new])
                if known is None
                else known.current.get(table, {})
            )
            result[table] = _compare(table, by_stream, old, at)
    return result


def replay_streams(
    conn: Connection, projections: Sequence[Projection], streams: Collection[str]
) -> None:
    """Replace the facts of `streams` with a replay of their whole histories, as a rebuild
    writes them: the same rows as `apply` after each of their transactions, but a few
    statements for a batch of many transactions instead of several for each (an import).
    Synchronous, as `apply`."""
    tables = [table for projection in projections for table in projection.tables]
    for table in tables:
        for chunk in _chunks(sorted(streams)):
            conn.execute(delete(table).where(table.c.stream.in_(chunk)))
    buffers: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in tables}
    by_kind = {kind: [p for p in projections if kind in p.kinds] for kind in STREAM_KINDS}
    for stream, events in _histories(conn, streams).items():
        _replay_stream(stream, events, by_kind[stream.split("/", 1)[0]], buffers)
    for table, rows in buffers.items():
        if rows:
            names = _row_columns(table)
            conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def _current(conn: Connection, table: Table, streams: list[str]) -> Current:
    current: Current = {}
    for chunk in _chunks(streams):
        for row in conn.execute(_statements(table).current, {"keys": chunk}):
            current.setdefault(row.stream, {})[tuple(row[3:])] = (row.id, row.rt_from)
    return current


def _compare(
    table: Table, wanted: Mapping[str, set[Fact]], current: Current, at: datetime
) -> TableChanges:
    columns = [c.name for c in fact_columns(table)]
    changed = TableChanges()
    for stream, facts in wanted.items():
        held = current.get(stream, {})
        for fact, (row_id, rt_from) in held.items():
            if fact not in facts:
                # A fact opened and closed at the same instant never held: drop it, as a
                # rebuild (which sees that instant's events at once) never writes it.
                (changed.dropped if rt_from == at else changed.closed).append(row_id)
        changed.opened.extend(
            {"stream": stream, **dict(zip(columns, fact, strict=True))}
            | {"rt_from": at, "rt_to": FOREVER}
            for fact in facts
            if fact not in held
        )
    return changed


def write(conn: Connection, table: Table, changed: TableChanges, at: datetime) -> None:
    """Write `changed` to `table` with a statement per kind of change (see the store's
    PostgreSQL path for all of an append's changes in one statement)."""
    statements = _statements(table)
    for chunk in _chunks(changed.closed):
        conn.execute(statements.close, {"keys": chunk, "at": at})
    for chunk in _chunks(changed.dropped):
        conn.execute(statements.drop, {"keys": chunk})
    insert_rows(conn, table, changed.opened)


@dataclass(frozen=True, slots=True)
class _Statements:
    """What an append runs on one projection table, built once (SQLAlchemy then finds each in
    its compiled cache without rebuilding and re-keying a new statement per call)."""

    current: Select[Any]
    close: Update
    drop: Delete


@cache
def _statements(table: Table) -> _Statements:
    keys: BindParameter[Any] = bindparam("keys", expanding=True)
    return _Statements(
        current=select(table.c.id, table.c.stream, table.c.rt_from, *fact_columns(table)).where(
            table.c.stream.in_(keys), table.c.rt_to == FOREVER
        ),
        close=update(table).where(table.c.id.in_(keys)).values(rt_to=bindparam("at")),
        drop=delete(table).where(table.c.id.in_(keys)),
    )


async def rebuild_into(
    conn: AsyncConnection,
    projections: Sequence[Projection],
    targets: Mapping[Table, Table] | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Replay the whole log into the projections' tables (or into `targets[table]`), which must
    be empty; return the number of events replayed. `progress` hears the count so far."""
    indexes = [
        index
        for projection in projections
        for table in projection.tables
        for index in sorted(table.indexes, key=lambda index: str(index.name))
    ]
    unindexed = targets is None and conn.dialect.name == "sqlite"
    if unindexed:
        # SQLite fills an index made over a full table by sorting it, several times faster
        # than keeping it up while rows come in no key order; in this transaction the drop is
        # invisible to readers. (PostgreSQL would lock readers out of the table until commit.)
        for index in indexes:
            await conn.execute(DropIndex(index))
    with _rare_collections():
        count = await _replay(conn, projections, targets, progress)
    if unindexed:
        for index in indexes:
            await conn.execute(CreateIndex(index))
    return count


@contextmanager
def _rare_collections() -> Iterator[None]:
    # A rebuild allocates millions of small objects and makes almost no reference cycles; at
    # the default thresholds the collector rescans its growing live set over and over (about a
    # tenth of a rebuild's CPU, measured at 100k events). Collect rarely while it runs.
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def _replay(
    conn: AsyncConnection,
    projections: Sequence[Projection],
    targets: Mapping[Table, Table] | None,
    progress: Callable[[int], object] | None,
) -> int:
    tables = [table for projection in projections for table in projection.tables]
    buffers: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in tables}
    writer = BulkWriter(conn)
    count = pending = 0

    async def flush() -> None:
        for table, rows in buffers.items():
            if rows:
                target = table if targets is None else targets[table]
                await writer.insert(target, _row_columns(table), rows, _RECORDED_TIME)
                buffers[table] = []

    by_kind = {kind: [p for p in projections if kind in p.kinds] for kind in STREAM_KINDS}
    async for stream, events in _all_histories(conn):
        count += len(events)
        pending += _replay_stream(
            stream, events, by_kind[stream.split("/", 1)[0]], buffers, writer.moment
        )
        if pending >= FLUSH:
            await flush()
            pending = 0
        if progress is not None:
            progress(count)
    await flush()
    return count


def _replay_stream(
    stream: str,
    events: Sequence[StoredEvent],
    projections: Sequence[Projection],
    buffers: Mapping[Table, list[tuple[Any, ...]]],
    moment: Callable[[datetime], Any] = lambda value: value,
) -> int:
    """Add to `buffers` the rows of one stream's facts, each with the recorded-time range in
    which the stream's transactions held it, its two ends as `moment` makes them; return how
    many."""
    forever = moment(FOREVER)
    if events[0].recorded_at == events[-1].recorded_at:
        # One transaction (most streams): every fact holds from it on.
        at, count = moment(events[0].recorded_at), 0
        resolved = resolve(events)
        for projection in projections:
            for table, facts in projection.start(stream).add(resolved).added.items():
                buffers[table].extend([(stream, *fact, at, forever) for fact in facts])
                count += len(facts)
        return count
    # Each fact held with when it began, both ends as `moment` makes them.
    held: dict[Table, dict[Fact, Any]] = {t: {} for p in projections for t in p.tables}
    folds = [p.start(stream) for p in projections]
    replay = Replay()
    closed: list[tuple[Table, Fact, Any, Any]] = []
    for recorded_at, run in groupby(events, key=_recorded_at):
        at = moment(recorded_at)
        resolved, anew = replay.add(list(run))
        if anew:
            # A correction or retraction: every fact again, compared with those held.
            folds = [p.start(stream) for p in projections]
        for projection, fold in zip(projections, folds, strict=True):
            changes = fold.add(resolved)
            if anew:
                for table in projection.tables:
                    opened = held[table]
                    facts = changes.added.get(table, set())
                    for fact in opened.keys() - facts:
                        closed.append((table, fact, opened.pop(fact), at))
                    for fact in facts - opened.keys():
                        opened[fact] = at
                continue
            for table, facts in changes.removed.items():
                opened = held[table]
                for fact in facts:
                    closed.append((table, fact, opened.pop(fact), at))
            for table, facts in changes.added.items():
                held[table].update(dict.fromkeys(facts, at))
    for table, fact, since, until in closed:
        buffers[table].append((stream, *fact, since, until))
    count = len(closed)
    for table, opened in held.items():
        buffers[table].extend([(stream, *fact, since, forever) for fact, since in opened.items()])
        count += len(opened)
    return count


_recorded_at = attrgetter("recorded_at")


def _row_columns(table: Table) -> list[str]:
    return ["stream", *(c.name for c in fact_columns(table)), *_RECORDED_TIME]


# The columns of a row's recorded-time range, which a rebuild writes as the driver takes them.
_RECORDED_TIME = ("rt_from", "rt_to")


# What the projections read of an event: its sources and its writer they leave alone.
_READ = [
    events_table.c.position,
    events_table.c.id,
    events_table.c.stream,
    events_table.c.type,
    events_table.c.schema_version,
    events_table.c.occurred,
    events_table.c.recorded_at,
    events_table.c.note,
    events_table.c.data,
]


_HISTORIES = (
    select(*_READ)
    .where(events_table.c.stream.in_(bindparam("keys", expanding=True)))
    .order_by(events_table.c.stream, events_table.c.version)
)


def stored_event(row: Sequence[Any]) -> StoredEvent:
    """What the projections read of an event, from the values of `_READ`, in its order."""
    position, id, stream, type, schema_version, occurred, recorded_at, note, data = row
    return StoredEvent(
        position,
        id,
        stream,
        type,
        occurred,
        recorded_at,
        note,
        payload_from_text(type, schema_version, data),
    )


def _histories(conn: Connection, streams: Collection[str]) -> dict[str, list[StoredEvent]]:
    histories: dict[str, list[StoredEvent]] = {stream: [] for stream in streams}
    for chunk in _chunks(sorted(streams)):
        for row in conn.execute(_HISTORIES, {"keys": chunk}):
            histories[row.stream].append(stored_event(row))
    return histories


# The whole log as a rebuild reads it: stream by stream, each in order.
REPLAY_READ = select(*_READ).order_by(events_table.c.stream, events_table.c.version)


async def _all_histories(conn: AsyncConnection) -> AsyncIterator[tuple[str, list[StoredEvent]]]:
    stream: str | None = None
    events: list[StoredEvent] = []
    async for page in _log_pages(conn):
        for event in page:
            if event.stream != stream:
                if events:
                    yield stream, events  # type: ignore[misc]
                stream, events = event.stream, []
            events.append(event)
    if events:
        yield stream, events  # type: ignore[misc]


async def _log_pages(conn: AsyncConnection) -> AsyncIterator[list[StoredEvent]]:
    """The events of `REPLAY_READ`, a page at a time."""
    if conn.dialect.name != "sqlite":
        result = await conn.stream(REPLAY_READ)
        async for rows in result.partitions(PAGE):
            yield [stored_event(row) for row in rows]
        return
    # On SQLite through the driver's own cursor, with plain tuples: SQLAlchemy's result rows
    # and per-value processors cost more than fetching the rows. Only the id and recordedAt
    # need converting, as those processors would; the many events of a transaction share their
    # recordedAt, so each distinct one is converted once.
    uuid, moment = (
        cast(Callable[[Any], Any], column.type._cached_result_processor(conn.dialect, None))
        for column in (events_table.c.id, events_table.c.recorded_at)
    )
    moments: dict[str, datetime] = {}
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None, "the connection is closed"
    cursor = await driver.execute(str(REPLAY_READ.compile(dialect=conn.dialect)))
    try:
        while rows := await cursor.fetchmany(PAGE):
            page = []
            for position, id, stream, type, schema_version, occurred, at, note, data in rows:
                recorded_at = moments.get(at)
                if recorded_at is None:
                    recorded_at = moments[at] = moment(at)
                values = (position, uuid(id), stream, type, schema_version, occurred)
                page.append(stored_event((*values, recorded_at, note, data)))
            yield page
    finally:
        await cursor.close()


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]
