"""Writing many fact rows at once, below SQLAlchemy's per-row parameter handling.

A rebuild writes several rows per event; through `conn.execute(insert(table), rows)` most of
its time went to SQLAlchemy building and converting each row's parameters. Here the rows go to
the driver in the connection's own transaction: PostgreSQL takes them by COPY, SQLite by
`executemany`, with each value converted as SQLAlchemy would bind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection


async def insert_rows(
    conn: AsyncConnection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (tuples of values for `columns`, as Python objects) into `table`."""
    if not rows:
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if conn.dialect.name == "postgresql":
        await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    rows = _bound(rows, [table.c[name].type for name in columns], conn.dialect)
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    await driver.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)


def _bound(
    rows: Sequence[Sequence[Any]], types: Sequence[Any], dialect: Dialect
) -> Sequence[Sequence[Any]]:
    """The rows with each value as SQLAlchemy would bind it. Column by column: the values of a
    fact are hashable and dates and timestamps repeat, so each distinct value is converted once
    and the rest is lookups."""
    processors = [t.dialect_impl(dialect).bind_processor(dialect) for t in types]
    if not any(processors):
        return rows
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, process in enumerate(processors):
        if process is not None:
            bound = {value: process(value) for value in set(columns[index]) - {None}}
            bound[None] = None
            columns[index] = list(map(bound.__getitem__, columns[index]))
    return list(zip(*columns, strict=True))
