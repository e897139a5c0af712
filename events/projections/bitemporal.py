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
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from events.db import events_table, recorded_from, to_recorded
from events.projections import Fact, Projection
from events.projections.actors import ActorsProjection
from events.projections.bulk import BulkWriter
from events.projections.contacts import ContactsProjection
from events.projections.dialogues import DialoguesProjection
from events.projections.history import Replay, resolve
from events.projections.index import IndexProjection
from events.projections.measures import MeasuresProjection
from events.projections.parties import PartiesProjection
from events.projections.statements import StatementsProjection
from events.projections.tables import FOREVER, fact_columns
from events.types import RecordedEvent

CHUNK = 500  # values per IN (...) list
FLUSH = 5000  # rows per insert during a rebuild


def default_projections() -> list[Projection]:
    """Every projection, in the order they run."""
    return [
        ActorsProjection(),
        PartiesProjection(),
        MeasuresProjection(),
        DialoguesProjection(),
        ContactsProjection(),
        StatementsProjection(),
        IndexProjection(),
    ]


async def apply(
    conn: AsyncConnection,
    projections: Sequence[Projection],
    streams: Collection[str],
    at: datetime,
) -> None:
    """Bring the facts of `streams` up to date with the log as `conn` sees it; what changes,
    changes at `at` (the recordedAt of the events just appended)."""
    histories = await _histories(conn, streams)
    resolved = {stream: resolve(events) for stream, events in histories.items()}
    for projection in projections:
        mine = [s for s in resolved if s.split("/", 1)[0] in projection.kinds]
        if not mine:
            continue
        wanted: dict[Table, dict[str, set[Fact]]] = {table: {} for table in projection.tables}
        for stream in mine:
            for table, facts in projection.facts(stream, resolved[stream]).items():
                wanted[table][stream] = facts
        for table, by_stream in wanted.items():
            await _update(conn, table, by_stream, at)


async def _update(
    conn: AsyncConnection, table: Table, wanted: Mapping[str, set[Fact]], at: datetime
) -> None:
    columns = fact_columns(table)
    current: dict[str, dict[Fact, tuple[int, datetime]]] = {stream: {} for stream in wanted}
    for chunk in _chunks(list(wanted)):
        query = select(table.c.id, table.c.stream, table.c.rt_from, *columns).where(
            table.c.stream.in_(chunk), table.c.rt_to == FOREVER
        )
        for row in await conn.execute(query):
            current[row.stream][tuple(row[3:])] = (row.id, row.rt_from)
    closed: list[int] = []
    dropped: list[int] = []
    opened: list[dict[str, Any]] = []
    for stream, facts in wanted.items():
        held = current[stream]
        for fact, (row_id, rt_from) in held.items():
            if fact not in facts:
                # A fact opened and closed at the same instant never held: drop it, as a
                # rebuild (which sees that instant's events at once) never writes it.
                (dropped if rt_from == at else closed).append(row_id)
        opened.extend(
            {"stream": stream, **dict(zip((c.name for c in columns), fact, strict=True))}
            | {"rt_from": at, "rt_to": FOREVER}
            for fact in facts
            if fact not in held
        )
    for chunk in _chunks(closed):
        await conn.execute(update(table).where(table.c.id.in_(chunk)).values(rt_to=at))
    for chunk in _chunks(dropped):
        await conn.execute(delete(table).where(table.c.id.in_(chunk)))
    if opened:
        await conn.execute(insert(table), opened)


async def rebuild_into(
    conn: AsyncConnection,
    projections: Sequence[Projection],
    targets: Mapping[Table, Table] | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Replay the whole log into the projections' tables (or into `targets[table]`), which must
    be empty; return the number of events replayed. `progress` hears the count so far."""
    with _rare_collections():
        return await _replay(conn, projections, targets, progress)


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
    buffers: dict[Table, list[tuple[Any, ...]]] = {}
    writer = BulkWriter(conn)
    count = 0

    async def flush(table: Table, force: bool = False) -> None:
        rows = buffers.get(table, [])
        if rows and (force or len(rows) >= FLUSH):
            target = table if targets is None else targets[table]
            await writer.insert(target, _row_columns(table), rows)
            buffers[table] = []

    async for stream, events in _all_histories(conn):
        count += len(events)
        kind = stream.split("/", 1)[0]
        mine = [p for p in projections if kind in p.kinds]
        held: dict[Table, dict[Fact, datetime]] = {t: {} for p in mine for t in p.tables}
        replay = Replay()
        for at, run in groupby(events, key=lambda event: event.recorded_at):
            history = replay.add(list(run))
            for projection in mine:
                for table, facts in projection.facts(stream, history).items():
                    opened = held[table]
                    if facts == opened.keys():
                        continue
                    # Set operations: a long stream is looked at once per transaction.
                    closed = opened.keys() - facts
                    if closed:
                        buffers.setdefault(table, []).extend(
                            (stream, *fact, opened.pop(fact), at) for fact in closed
                        )
                    opened.update(dict.fromkeys(facts - opened.keys(), at))
        for table, opened in held.items():
            rows = buffers.setdefault(table, [])
            rows.extend((stream, *f, since, FOREVER) for f, since in opened.items())
            await flush(table)
        if progress is not None:
            progress(count)
    for table in list(buffers):
        await flush(table, force=True)
    return count


def _row_columns(table: Table) -> list[str]:
    return ["stream", *(c.name for c in fact_columns(table)), "rt_from", "rt_to"]


async def _histories(
    conn: AsyncConnection, streams: Collection[str]
) -> dict[str, list[RecordedEvent]]:
    histories: dict[str, list[RecordedEvent]] = {stream: [] for stream in streams}
    for chunk in _chunks(sorted(streams)):
        query = (
            select(events_table)
            .where(events_table.c.stream.in_(chunk))
            .order_by(events_table.c.stream, events_table.c.version)
        )
        for row in await conn.execute(query):
            histories[row.stream].append(to_recorded(row))
    return histories


async def _all_histories(
    conn: AsyncConnection,
) -> AsyncIterator[tuple[str, list[RecordedEvent]]]:
    query = select(events_table).order_by(events_table.c.stream, events_table.c.version)
    result = await conn.stream(query)
    stream: str | None = None
    events: list[RecordedEvent] = []
    async for rows in result.partitions(2000):
        for row in rows:
            event = recorded_from(row)
            if event.stream != stream:
                if events:
                    yield stream, events  # type: ignore[misc]
                stream, events = event.stream, []
            events.append(event)
    if events:
        yield stream, events  # type: ignore[misc]


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]
