"""Views read through an engine or through one shared connection, and answer the same; the
relation's parts answer the same with the sides read once and handed to them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from events.db import create_engine
from events.store import EventStore
from events.views.objects import actors_by_id, events_at
from events.views.reader import SharedConnection
from events.views.relation import (
    contacts_page,
    instrument_standings,
    pair_sides,
    relation,
    statements_page,
)
from tests.factories import meeting, new

UNTIL = date(2022, 1, 1)
UNTIL_AT = datetime(2022, 1, 1, tzinfo=UTC)


def hops(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The calls made to aiosqlite's thread from now on, each noted as it is queued."""
    calls: list[object] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def history(store: EventStore) -> None:
    """Meetings and statements of USA and CHN, some by a person who counts for USA."""
    envoy = new(
        "actor/envoy", "ActorRegistered", "2000", name="Envoy", kind="PERSON", country="USA"
    )
    meetings = [
        meeting(f"m{n:02d}", "envoy" if n % 2 else "USA", "CHN", occurred=f"2020-03-{n + 1:02d}")
        for n in range(6)
    ]
    said = [
        new(
            f"statement/s{n:02d}",
            "StatementIssued",
            f"2021-01-{n + 1:02d}",
            issuer="envoy" if n % 2 else "USA",
            summary="On China",
            about=["CHN"],
        )
        for n in range(5)
    ]
    await store.append([envoy, *meetings, *said], recorded_by="t")


async def test_the_relation_parts_answer_the_same_through_a_shared_connection(
    store: EventStore,
) -> None:
    await history(store)
    known_at = (await store.head()).recorded_at
    assert known_at is not None
    alone = await relation(store.engine, "USA", "CHN", UNTIL, known_at)
    contacts = await contacts_page(store.engine, "USA", "CHN", first=4, until=UNTIL)
    said = await statements_page(store.engine, "USA", "CHN", first=4, until=UNTIL)
    standings = await instrument_standings(store.engine, "USA", "CHN", UNTIL, known_at)
    assert (contacts.total, said.total) == (6, 5)
    shared = SharedConnection(store.engine)
    try:
        sides = await pair_sides(shared, "USA", "CHN", known_at)
        assert sides == (frozenset({"USA", "envoy"}), frozenset({"CHN"}))
        assert await relation(shared, "USA", "CHN", UNTIL, known_at, given=sides) == alone
        # the parts may run at once: the connection serves one at a time
        found = await asyncio.gather(
            contacts_page(shared, "USA", "CHN", first=4, until=UNTIL, given=sides),
            statements_page(shared, "USA", "CHN", first=4, until=UNTIL, count=False, given=sides),
            instrument_standings(shared, "USA", "CHN", UNTIL, known_at, given=sides),
            actors_by_id(shared, ["envoy"], known_at),
        )
    finally:
        await shared.close()
    assert found[0] == contacts
    assert found[1].items == said.items and found[1].has_next == said.has_next
    assert found[1].total is None  # not counted
    assert found[2] == standings
    assert found[3]["envoy"].name == "Envoy"


async def test_a_failed_read_leaves_the_shared_connection_usable(store: EventStore) -> None:
    await history(store)
    shared = SharedConnection(store.engine)
    try:
        with pytest.raises(DBAPIError):
            async with shared.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
        # on PostgreSQL the failed statement aborted the transaction: it was rolled back
        found = await actors_by_id(shared, ["envoy"])
        assert found["envoy"].country == "USA"
    finally:
        await shared.close()


async def test_a_relation_on_sqlite_reads_in_one_call_to_the_connection_thread(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each statement through aiosqlite took four hops to its thread (cursor, execute, fetch,
    close); a relation's reads now run on that thread in one call (events/views/reader.py)."""
    await history(store)
    expected = await relation(store.engine, "USA", "CHN", UNTIL)  # the pool's connection made
    calls = hops(monkeypatch)
    view = await relation(store.engine, "USA", "CHN", UNTIL)
    assert view.contacts == expected.contacts
    assert [contact.meeting for contact in view.contacts][-1] == "meeting/m05"
    # the reads, and no rollback as the connection goes back (the read ended its transaction;
    # events/db.py); PostgreSQL (asyncpg) has no such thread: a round trip per statement
    most = 1 if store.is_sqlite else 0
    assert len(calls) <= most, f"{len(calls)} calls to aiosqlite's thread for one relation"
    calls.clear()
    head = await store.head()
    assert head.position == 12
    assert len(calls) <= most, f"{len(calls)} calls to aiosqlite's thread for the log's head"


async def test_reads_through_a_shared_connection_keep_one_snapshot(store: EventStore) -> None:
    await history(store)
    shared = SharedConnection(store.engine)
    try:
        before = await store.head(shared)
        await store.append(
            [new("actor/late", "ActorRegistered", "2001", name="Late", kind="PERSON")],
            recorded_by="t",
        )
        # SQLite: one snapshot from the first read on; PostgreSQL reads what is committed
        seen = before.position + (0 if store.is_sqlite else 1)
        assert (await store.head(shared)).position == seen
        assert (await pair_sides(shared, "USA", "CHN", before.recorded_at or UNTIL_AT))[0]
    finally:
        await shared.close()
    # a read on the engine sees the append, and no read left a transaction open
    assert (await store.head()).position == before.position + 1
    async with store.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert not getattr(raw.driver_connection, "in_transaction", False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # aiosqlite's thread
async def test_a_statement_through_the_async_sqlite_engine_takes_one_hop(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy's aiosqlite cursor took four hops per SELECT (cursor, execute, fetch, close);
    events/one_hop.py runs them in one, and its answers are those of a cursor: rows, rowcount,
    lastrowid, executemany, errors; no checkout pings a SQLite file."""
    assert store.is_sqlite
    async with store.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the pool's connection made
    calls = hops(monkeypatch)
    async with store.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT 1 AS a, 'x' AS b UNION SELECT 2, 'y'"))).all()
        assert [tuple(row) for row in rows] == [(1, "x"), (2, "y")]
        assert len(calls) == 2, calls  # BEGIN, then the statement
        await conn.execute(text("CREATE TEMP TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        many = await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "a"}, {"v": "b"}])
        assert many.rowcount == 2
        one = await conn.execute(text("INSERT INTO t (v) VALUES ('c')"))
        assert (one.rowcount, one.lastrowid) == (1, 3)
        changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id < 3"))
        assert changed.rowcount == 2
        calls.clear()
        with pytest.raises(DBAPIError, match="UNIQUE"):
            await conn.execute(text("INSERT INTO t (v) VALUES ('c')"))
        assert len(calls) == 1
        found = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
        assert found == ["a!", "b!", "c"]
        await conn.rollback()
    pinged = create_engine(store.engine.url.render_as_string(False), pool_pre_ping=True)
    assert not pinged.pool._pre_ping  # type: ignore[attr-defined]
    await pinged.dispose()


async def test_events_at_with_nothing_to_look_up_sends_no_statement(store: EventStore) -> None:
    """A relation's empty page of statements looked its events up with an empty IN list: a
    statement (and a hop) for nothing."""
    await history(store)
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        assert await events_at(store.engine, positions=[], ids=[]) == []
        assert sent == []
        found = await events_at(store.engine, positions=[2])
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert [view.recorded.position for view in found] == [2]
    assert sent
