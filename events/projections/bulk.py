"""Writing many rows at once, below SQLAlchemy's per-row parameter handling.

A rebuild writes several rows per event; through `conn.execute(insert(table), rows)` most of
its time went to SQLAlchemy building and converting each row's parameters. Here the rows go to
the driver in the connection's own transaction: PostgreSQL takes them by COPY, SQLite by
`executemany`, with each value converted as SQLAlchemy would bind it (`BulkWriter`).

An append on SQLite writes its rows the same way (`insert_rows`): SQLAlchemy's own work per
statement (compiled-cache lookup, parameter processing, result set-up) cost more than SQLite's
inserts themselves (bench/RESULTS.md, bench.append 2026-12-07).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from events.db import UTCDateTime


class BulkWriter:
    """Inserts rows of the tables it is handed, on one connection (one rebuild).

    The values of facts are hashable, and dates and timestamps repeat across rows and tables
    (every row a transaction opens has its `rt_from`), so each distinct value is converted once
    per type for the writer's life and the rest is dictionary lookups.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._bound: dict[type, dict[Any, Any]] = {}
        # COPY takes Python values as they are.
        self._copies = conn.dialect.name == "postgresql"
        self._moments = self._bound.setdefault(UTCDateTime, {None: None})
        self._moment = UTCDateTime()._cached_bind_processor(conn.dialect) or (lambda value: value)

    def moment(self, value: datetime) -> Any:
        """A timestamp as the driver takes it for a `UTCDateTime` column: a rebuild puts it
        in its rows so, once per transaction rather than once per row."""
        if self._copies:
            return value
        found = self._moments.get(value)
        if found is None:
            found = self._moments[value] = self._moment(value)
        return found

    async def insert(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        bound: Collection[str] = (),
    ) -> None:
        """Insert `rows` (tuples of values for `columns`, as Python objects but those of the
        `bound` columns, which are as the driver takes them) into `table`."""
        if not rows:
            return
        raw = await self.conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        if self._copies:
            await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
            return
        rows = self._bind(rows, [None if name in bound else table.c[name].type for name in columns])
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        await driver.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)

    def _bind(self, rows: Sequence[Sequence[Any]], types: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """The rows with each value as SQLAlchemy would bind it, column by column."""
        dialect = self.conn.dialect
        processors = [
            None if t is None else t.dialect_impl(dialect).bind_processor(dialect) for t in types
        ]
        if not any(processors):
            return rows
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for index, process in enumerate(processors):
            if process is not None:
                columns[index] = self._converted(columns[index], type(types[index]), process)
        return list(zip(*columns, strict=True))

    def _converted(
        self, values: Sequence[Any], kind: type, process: Callable[[Any], Any]
    ) -> list[Any]:
        bound = self._bound.setdefault(kind, {None: None})
        for value in set(values).difference(bound):
            bound[value] = process(value)
        return list(map(bound.__getitem__, values))


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (dicts of every column but an autoincremented id) into `table` in `conn`'s
    transaction: on SQLite with the driver's `executemany` on the connection SQLAlchemy lends,
    each value converted as SQLAlchemy would bind it; elsewhere through SQLAlchemy Core."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    columns = tuple(rows[0])
    statement, bound = _sqlite_insert(table, columns)
    values = itemgetter(*columns)
    # Each distinct value converted once: the rows of a transaction share their timestamps.
    converted: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (index, process, {}) for index, process in enumerate(bound) if process is not None
    ]
    params = []
    for row in rows:
        row_values = list(values(row))
        for index, process, seen in converted:
            value = row_values[index]
            found = seen.get(value)
            if found is None:
                found = seen[value] = process(value)
            row_values[index] = found
        params.append(row_values)
    driver = conn.connection.driver_connection
    assert driver is not None, "the connection is closed"
    driver.executemany(statement, params)


@cache
def _sqlite_insert(table: Table, columns: tuple[str, ...]) -> tuple[str, list[Any]]:
    """The INSERT of `columns` (two or more) into `table` for SQLite's driver, and each
    column's converter, as SQLAlchemy's SQLite dialect binds it."""
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    bound = [table.c[name].type._cached_bind_processor(_SQLITE) for name in columns]
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', bound


_SQLITE = pysqlite.dialect()
