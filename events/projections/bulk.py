"""Writing many fact rows at once, below SQLAlchemy's per-row parameter handling.

A rebuild writes several rows per event; through `conn.execute(insert(table), rows)` most of
its time went to SQLAlchemy building and converting each row's parameters. Here the rows go to
the driver in the connection's own transaction: PostgreSQL takes them by COPY, SQLite by
`executemany`, with each value converted as SQLAlchemy would bind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection


class BulkWriter:
    """Inserts rows of the tables it is handed, on one connection (one rebuild).

    The values of facts are hashable, and dates and timestamps repeat across rows and tables
    (every row a transaction opens has its `rt_from`), so each distinct value is converted once
    per type for the writer's life and the rest is dictionary lookups.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._bound: dict[type, dict[Any, Any]] = {}

    async def insert(
        self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert `rows` (tuples of values for `columns`, as Python objects) into `table`."""
        if not rows:
            return
        raw = await self.conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        if self.conn.dialect.name == "postgresql":
            await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
            return
        rows = self._bind(rows, [table.c[name].type for name in columns])
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        await driver.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)

    def _bind(self, rows: Sequence[Sequence[Any]], types: Sequence[Any]) -> Sequence[Sequence[Any]]:
        """The rows with each value as SQLAlchemy would bind it, column by column."""
        dialect = self.conn.dialect
        processors = [t.dialect_impl(dialect).bind_processor(dialect) for t in types]
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
