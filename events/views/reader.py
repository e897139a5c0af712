"""Where a view reads from: an engine (each read takes a connection of its own) or one connection
that a series of reads shares (the reads of one GraphQL query).

Taking a connection costs a pool checkout, a BEGIN and a ROLLBACK: about 0.5 ms on either
database here, against 0.25 ms for a small statement (bench/RESULTS.md). A query that reads a
relation, its pages and the actors and meetings they name made about a dozen such reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


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
