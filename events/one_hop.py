"""One hop to aiosqlite's thread per statement, where SQLAlchemy's aiosqlite adapter takes four.

SQLAlchemy's async SQLite cursor opens an aiosqlite cursor, executes, fetches the rows and closes
the cursor, each an awaited call to the connection's worker thread: four hand-overs of the GIL
per SELECT, three per other statement, each costing more than a small statement itself
(bench/RESULTS.md, issue 24). The cursor here runs the four on the worker thread in one call and
keeps what SQLAlchemy reads afterwards (the description, the rows, rowcount, lastrowid).

`one_hop(adapted)` gives a connection of the adapter this cursor; events/db.py does it to every
connection of an async SQLite engine as it is made. It relies on the adapter's layout
(SQLAlchemy and aiosqlite are pinned in constraints.txt; tests/test_reader.py fails if a statement
takes more than one hop).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)


@dataclass
class Finished:
    """What is left of a sqlite3 cursor once its statement ran and its rows were fetched: what
    SQLAlchemy's adapter reads from its cursor after `execute`."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    arraysize: int = 1

    def close(self) -> None:
        """Nothing: the sqlite3 cursor was closed on the worker thread."""


def _run(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Finished, list[Any]]:
    """On the worker thread: run the statement, fetch its rows, close the cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return Finished(description, cursor.rowcount, cursor.lastrowid, cursor.arraysize), rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, its statement run, fetched and closed in one call to the
    worker thread. Its `_cursor` is a `Finished` (nothing to close, nothing to await)."""

    __slots__ = ()
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:  # no hop: nothing is opened yet
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = Finished()  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            worker = self._connection
            # aiosqlite's own methods queue their calls with `_execute`: the one way to run
            # several sqlite3 calls in one trip to its thread.
            finished, rows = await worker._execute(
                _run,
                worker._conn,
                operation,
                parameters,
                many,
            )
            self._cursor = finished
            self._rows = collections.deque(rows)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection whose cursors are `OneHopCursor`s."""

    __slots__ = ()
    _cursor_cls = OneHopCursor


def one_hop(adapted: Any) -> None:
    """Make `adapted`, a connection of SQLAlchemy's aiosqlite adapter, give `OneHopCursor`s
    (the two classes share their layout: only the class changes)."""
    if type(adapted) is AsyncAdapt_aiosqlite_connection:
        adapted.__class__ = OneHopConnection
