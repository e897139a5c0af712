"""Where a view reads from: an engine (each read takes a connection of its own) or one connection
that a series of reads shares (the reads of one GraphQL query).

Taking a connection costs a pool checkout, a BEGIN and a ROLLBACK: about 0.5 ms on either
database here, against 0.25 ms for a small statement (bench/RESULTS.md). A query that reads a
relation, its pages and the actors and meetings they name made about a dozen such reads.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar

import aiosqlite
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import SingletonThreadPool

from events.sync_write import LentConnection


class Reader(Protocol):
    """What a view reads through: `connect()` gives a connection for one read."""

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection, for as long as the `async with` block lasts."""
        ...


class SharedConnection:
    """One connection of `engine` for every read made through it, taken at the first read and
    given to one read at a time (a connection runs one statement at a time), until `close()`.

    On SQLite its reads see one snapshot of the database, from the first statement on; so it
    suits a series of reads, not reads that must see writes made meanwhile."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """The shared connection, held by this read until its block ends."""
        async with self._lock:
            if self._connection is None:
                self._connection = await self._engine.connect()
            try:
                yield self._connection
            except BaseException:
                # A failed statement aborts a PostgreSQL transaction: the next read starts anew.
                await self._connection.rollback()
                raise

    async def close(self) -> None:
        """Give the connection back to the pool (a later read would take another)."""
        async with self._lock:
            if self._connection is not None:
                connection, self._connection = self._connection, None
                await connection.close()


T = TypeVar("T")


async def read(reader: Reader, work: Callable[[Connection], T]) -> T:
    """What `work` (synchronous SQLAlchemy code reading through the connection it is given)
    returns, run on a connection of `reader` (see `run_sync`); a shared connection's
    transaction outlives it, so that its later reads see the same snapshot."""
    async with reader.connect() as conn:
        if isinstance(reader, SharedConnection):
            # A query's resolvers run at once on the event loop: with a read's Python on
            # aiosqlite's thread, the two threads contend for the GIL, and a GraphQL relation
            # query took longer than with a hop per statement (bench/RESULTS.md, issue 24).
            return await conn.run_sync(work)
        return await run_sync(conn, work, hold=False)


async def run_sync(
    conn: AsyncConnection, work: Callable[[Connection], T], *, hold: bool = True
) -> T:
    """What `work` returns, run in one transaction of `conn`: the one it is in, else one begun
    for it, which outlives `work` if `hold` (it ends when the connection goes back to the
    pool) and else ends with it.

    On SQLite the whole of `work` runs in one call to the thread of aiosqlite's connection,
    on a synchronous connection lent that thread's sqlite3 connection: one thread hop where
    each statement took four (cursor, execute, fetch, close), which cost more than the
    statements themselves (bench/RESULTS.md, issue 24); a transaction that ends with `work`
    is begun and ended in that same call. Elsewhere it is `run_sync`: asyncpg has a round
    trip per statement anyway."""
    if conn.dialect.name != "sqlite":
        return await conn.run_sync(work)
    driver = (await conn.get_raw_connection()).driver_connection
    if not isinstance(driver, aiosqlite.Connection):
        return await conn.run_sync(work)
    if hold and not conn.in_transaction():
        await conn.begin()  # SQLAlchemy's, which the pool ends when the connection goes back
    own = not conn.in_transaction()
    twin = _twin(conn.engine.sync_engine)
    # aiosqlite has no public call to run a function on its thread: `_execute` is the one its
    # own methods use (aiosqlite is pinned in constraints.txt; tests/test_reader.py fails if
    # this stops working).
    result: T = await driver._execute(_lend, twin, driver._conn, work, own)  # type: ignore[no-untyped-call]
    return result


# The sqlite3 connection lent to the synchronous twin engine, on the thread running `work`.
_lent = threading.local()


def _lend(
    twin: Engine, connection: sqlite3.Connection, work: Callable[[Connection], T], own: bool
) -> T:
    """`work` on `connection`, in a read transaction of its own if `own`."""
    _lent.connection = connection
    if own:
        connection.execute("BEGIN")
    try:
        with twin.connect() as conn:
            return work(conn)
    finally:
        _lent.connection = None
        if own:
            connection.execute("ROLLBACK")


# At most this many aiosqlite threads (pooled connections) keep their twin connection.
THREADS = 64

_twins: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _twin(engine: Engine) -> Engine:
    """A synchronous pysqlite engine (one per async SQLite engine) whose connections are the
    sqlite3 connection currently lent (`_lent`): SQLAlchemy's statement compilation, types and
    rows, without a connection of its own."""
    twin = _twins.get(engine)
    if twin is None:
        twin = create_engine(
            engine.url.set(drivername="sqlite+pysqlite"),
            creator=lambda: LentConnection(_lent.connection),
            # One pooled connection per thread: an aiosqlite connection's thread only ever
            # lends its own sqlite3 connection. A new pool connection per call (NullPool) ran
            # the dialect's on-connect each time, whose create_function expires every
            # statement sqlite3 had prepared: a relation's large unions were compiled anew.
            poolclass=SingletonThreadPool,
            pool_size=THREADS,
            pool_reset_on_return=None,
            hide_parameters=True,
            paramstyle=engine.dialect.paramstyle,  # the async engine's (events/db.py)
        )
        _twins[engine] = twin
    return twin
