"""An append on PostgreSQL in four round trips: BEGIN, one read, one write, COMMIT.

Each statement is a round trip to the server, and an append ran a dozen (the lock, five or more
lookups, an INSERT per table written, the NOTIFY). Here

- `read` calls `timeline_append_read` (migration 0008), which takes the append lock and then
  returns, as one JSON object, everything the append's checks and projections would have looked
  up one statement at a time, for every event of the batch (a superset of what a batch whose
  events are partly already recorded needs: harmless);
- `write` sends the append's event rows, the projection rows it closes, drops and opens, and
  the NOTIFY in ONE statement: data-modifying CTEs over `unnest` of one array per column (sent
  in PostgreSQL's binary format: no JSON to build or parse), built once per shape (which
  tables, which kinds of change) and then found in a cache.

The lock is held from the read to the commit, as before, so positions are still handed out in
commit order (docs/architecture.md, "One append, top to bottom").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Connection, Date, Table, TextClause, text
from sqlalchemy.dialects import postgresql

from events.db import events_table, recorded_from
from events.notify import CHANNEL
from events.projections import Projection
from events.projections.bitemporal import Current, TableChanges, stored_event
from events.projections.history import StoredEvent
from events.projections.tables import FOREVER, fact_columns
from events.types import RecordedEvent

_READ = text(
    "SELECT timeline_append_read(CAST(:ids AS uuid[]), CAST(:streams AS text[]), "
    "CAST(:slugs AS text[]), CAST(:targets AS uuid[]), CAST(:touched AS text[]), "
    "CAST(:tables AS text[]), :forever)"
)


@dataclass(frozen=True, slots=True)
class LogRead:
    """What `timeline_append_read` returned, decoded to the types the checks compare."""

    head: tuple[int, datetime] | None
    recorded: dict[UUID, RecordedEvent]
    versions: dict[str, int]
    registered: set[str]
    targets: dict[UUID, tuple[str, str, dict[str, Any]]]
    histories: dict[str, list[StoredEvent]]
    current: dict[Table, Current]


def read(
    conn: Connection,
    *,
    ids: Iterable[UUID],
    streams: Iterable[str],
    slugs: Iterable[str],
    targets: Iterable[UUID],
    touched: Iterable[str],
    projections: Sequence[Projection],
) -> LogRead:
    """Take the append lock and read, in one round trip, what an append of events with these
    ids, naming these streams, slugs and target events, and appending to the streams
    `touched`, needs to know of the log and of the projections."""
    touched = sorted(set(touched))
    kinds = {stream.split("/", 1)[0] for stream in touched}
    tables = {
        table.name: table
        for projection in projections
        if projection.kinds & kinds
        for table in projection.tables
    }
    # SQLAlchemy's asyncpg dialect decodes json results itself.
    found = conn.scalar(
        _READ,
        {
            "ids": sorted(set(ids)),
            "streams": sorted(set(streams)),
            "slugs": sorted(set(slugs)),
            "targets": sorted(set(targets)),
            "touched": touched,
            "tables": sorted(tables),
            "forever": FOREVER,
        },
    )
    histories: dict[str, list[StoredEvent]] = {}
    for position, id, stream, type, schema, occurred, at, note, data in found["histories"]:
        values = (position, UUID(id), stream, type, schema, occurred, _time(at), note, data)
        histories.setdefault(stream, []).append(stored_event(values))
    head = found["head"]
    return LogRead(
        head=None if head is None else (head[0], _time(head[1])),
        recorded={
            UUID(row["id"]): recorded_from(
                [_DECODE.get(name, _same)(row[name]) for name in _EVENT_COLUMNS]
            )
            for row in found["recorded"]
        },
        versions=found["versions"],
        registered=set(found["registered"]),
        targets={
            UUID(id): (stream, type, json.loads(data))
            for id, stream, type, data in found["targets"]
        },
        histories=histories,
        current={
            tables[name]: _current(tables[name], rows) for name, rows in found["facts"].items()
        },
    )


def write(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    changed: Mapping[Table, TableChanges],
    at: datetime,
    notify: int | None,
) -> None:
    """Insert the event `rows`, write the projections' `changed` rows (closed at `at`) and, if
    `notify` is a position, send the log's NOTIFY with it: one statement."""
    parts: list[tuple[str, str]] = []
    params: dict[str, Any] = {}
    if rows:
        parts.append((events_table.name, "open"))
        _columns_of(params, "p0", _EVENT_COLUMNS, rows)
    for table, change in changed.items():
        for kind, ids in (("close", change.closed), ("drop", change.dropped)):
            if ids:
                params[f"p{len(parts)}"] = ids
                parts.append((table.name, kind))
                params["at"] = at
        if change.opened:
            # Every row an append opens holds from its recordedAt on (`at`, `forever`).
            _columns_of(params, f"p{len(parts)}", _opened_columns(table.name), change.opened)
            parts.append((table.name, "open"))
            params["at"] = at
            params["forever"] = FOREVER
    if notify is not None:
        params["channel"] = CHANNEL
        params["head"] = str(notify)
    if not parts and notify is None:
        return
    conn.execute(_statement(tuple(parts), notify is not None), params)


def _columns_of(
    params: dict[str, Any], name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """`rows` as one array per column, parameters `<name>_<i>`: asyncpg sends each array in
    PostgreSQL's binary format, with no text to build in Python or to parse on the server."""
    for index, column in enumerate(columns):
        params[f"{name}_{index}"] = [row[column] for row in rows]


@cache
def _statement(parts: tuple[tuple[str, str], ...], notify: bool) -> TextClause:
    """One statement doing every part (table, kind of change) of a write, parameters `p<i>`
    (ids) or `p<i>_<j>` (column j of the rows opened) for part i: data-modifying CTEs, each
    run once whatever the final SELECT reads."""
    ctes = []
    for index, (name, kind) in enumerate(parts):
        param = f":p{index}"
        if kind == "close":
            body = f'UPDATE "{name}" SET rt_to = :at WHERE id = ANY(CAST({param} AS bigint[]))'
        elif kind == "drop":
            body = f'DELETE FROM "{name}" WHERE id = ANY(CAST({param} AS bigint[]))'
        else:
            table = events_table.metadata.tables[name]
            given = _EVENT_COLUMNS if name == events_table.name else _opened_columns(name)
            arrays = ", ".join(
                f"CAST({param}_{number} AS {_array_type(table.c[column])})"
                for number, column in enumerate(given)
            )
            stamps = "" if name == events_table.name else ", :at, :forever"
            written = given if name == events_table.name else [*given, "rt_from", "rt_to"]
            columns = ", ".join(f'"{column}"' for column in written)
            body = f'INSERT INTO "{name}" ({columns}) SELECT *{stamps} FROM unnest({arrays})'
        ctes.append(f"w{index} AS ({body})")
    final = "SELECT pg_notify(:channel, CAST(:head AS text))" if notify else "SELECT 1"
    return text(f"WITH {', '.join(ctes)} {final}" if ctes else final)


@cache
def _opened_columns(name: str) -> list[str]:
    """The columns of a projection row opened, but its recorded-time range."""
    table = events_table.metadata.tables[name]
    return [column.name for column in table.columns if column.name not in _NOT_GIVEN]


_NOT_GIVEN = ("id", "rt_from", "rt_to")


def _array_type(column: Column[Any]) -> str:
    """PostgreSQL's name for an array of `column`'s type."""
    return f"{column.type.compile(dialect=_DIALECT)}[]"


_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


_EVENT_COLUMNS = [column.name for column in events_table.columns]


def _same(value: Any) -> Any:
    return value


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


# The columns of an event row whose JSON value is not the value SQLAlchemy would return.
_DECODE: dict[str, Callable[[Any], Any]] = {"id": UUID, "recorded_at": _time}


def _current(table: Table, rows: Sequence[Mapping[str, Any]]) -> Current:
    names = [column.name for column in fact_columns(table)]
    convert = _converters(table)
    current: Current = {}
    for row in rows:
        fact = tuple(
            None if row[name] is None else to(row[name])
            for name, to in zip(names, convert, strict=True)
        )
        current.setdefault(row["stream"], {})[fact] = (row["id"], _time(row["rt_from"]))
    return current


@cache
def _converters(table: Table) -> list[Callable[[Any], Any]]:
    """How each fact column's JSON value becomes the value a fold computes."""
    converters: list[Callable[[Any], Any]] = []
    for column in fact_columns(table):
        if isinstance(column.type, Date):
            converters.append(_date)
        elif isinstance(column.type, Boolean):
            converters.append(bool)
        else:
            converters.append(_same)
    return converters


# asyncpg stores date.max and date.min as PostgreSQL's infinite dates (NO_END is date.max), and
# json_agg writes those as `infinity`: read back, they are the dates a fold computes.
_FINITE = {"infinity": date.max, "-infinity": date.min}


def _date(value: str) -> date:
    return _FINITE.get(value) or date.fromisoformat(value)
