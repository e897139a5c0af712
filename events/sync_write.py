"""Running synchronous SQLAlchemy code inside an open async transaction, in the fewest hops.

An append runs a dozen small statements. Through SQLAlchemy's async layer each of them costs
several hand-offs: on SQLite four trips to aiosqlite's worker thread per SELECT (cursor,
execute, fetch, close), ~260 µs where bare sqlite3 takes ~1 µs (bench/RESULTS.md). So the
append is written as synchronous Core code on a `Connection`, and `run_sync_write` runs it

- on SQLite, in ONE trip to the aiosqlite worker thread, on a synchronous SQLAlchemy
  connection over the very sqlite3 connection (and so the very transaction) of `conn`;
- on PostgreSQL, through `AsyncConnection.run_sync` (asyncpg has no thread to hop to; each
  statement is still one round trip to the server, but no async wrapper is paid per statement).

Either way the statements run in `conn`'s transaction, which `conn` alone begins, commits or
rolls back: the synchronous connection's own commit, rollback and close do nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, create_engine
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

P = ParamSpec("P")
T = TypeVar("T")


class LentConnection:
    """A sqlite3 connection lent to a synchronous engine for one call: its owner (the async
    connection's transaction) ends the transaction and closes it, so the borrower's commit,
    rollback and close do nothing."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        """Nothing: the owner's transaction is not the borrower's to end."""

    def rollback(self) -> None:
        """Nothing: the owner's transaction is not the borrower's to end."""

    def close(self) -> None:
        """Nothing: the owner closes its connection."""


# The connection the current worker thread lends (a worker thread runs one call at a time).
_lent = threading.local()

# One engine for every SQLite database: it holds no URL, only SQLite's dialect (the same type
# handling as aiosqlite's, which derives from it), and connects to whatever is lent. Its
# statements do not pass through the async engine's events: listen here too to see them.
SQLITE_WORKER_ENGINE = create_engine(
    "sqlite+pysqlite://",
    creator=lambda: _lent.connection,
    poolclass=NullPool,
    pool_reset_on_return=None,
)


async def run_sync_write(
    conn: AsyncConnection,
    function: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`function(sync connection, *args, **kwargs)` in `conn`'s open transaction; see above."""
    if conn.dialect.name != "sqlite":
        return await conn.run_sync(function, *args, **kwargs)
    fairy = await conn.get_raw_connection()
    worker = fairy.driver_connection  # the aiosqlite.Connection, owner of the thread
    assert worker is not None, "the connection is not open"

    def in_worker() -> T:
        _lent.connection = LentConnection(worker._conn)
        try:
            with SQLITE_WORKER_ENGINE.connect() as sync:
                return function(sync, *args, **kwargs)
        finally:
            _lent.connection = None

    # aiosqlite runs a queued callable on its thread: the only public way in is per statement,
    # so this uses the private queue (aiosqlite is pinned in constraints.txt).
    return await worker._execute(in_worker)  # type: ignore[no-any-return]
