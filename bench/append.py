"""Append throughput: the project's store, the `eventsourcing` library and the raw driver.

Run `python -m bench.append --help`. Every case appends the same events (StatementIssued and
MeetingHeld among states, one source each) into a fresh database per run, and reports the
median events/s of the runs; the runs of all cases are interleaved so that noise on a shared
machine spreads over every case alike. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from sqlalchemy import Connection, Table, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.record import RESULTS, header, publish

# Re-exported: bench.asof and bench.http import them from here.
from bench.record import cpu_model as cpu_model
from bench.record import record as record
from events.db import create_engine, events_table, upgrade
from events.projections.tables import ALL as PROJECTION_TABLES
from events.sqlite_writer import SQLiteWriter
from events.store import EventStore, Writes
from events.types import NewEvent, RecordedEvent, data_json, dumps, event_from_json, sources_json

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POSTGRES_URL_ENV = "TIMELINE_BENCH_POSTGRES_URL"
RECORDED_BY = "bench"

STATES = ("USA", "CHN", "GBR", "FRA", "DEU", "JPN", "IND", "BRA")
CITIES = (("Geneva", "CHE"), ("Beijing", "CHN"), ("Washington", "USA"), ("London", "GBR"))
TOPICS = ("AI safety", "export controls", "climate", "trade", "maritime security")
SOURCE = {
    "url": "https://www.straitstimes.com/world/united-states/us-and-china-agree-to-talk-about-ai",
    "title": "US and China agree to talk about AI",
    "publisher": "The Straits Times",
    "published": "2024-02-19",
}

# The columns of the `events` table, in the order the floor cases write them.
COLUMNS = (
    "position",
    "id",
    "stream",
    "version",
    "type",
    "schema_version",
    "occurred",
    "recorded_at",
    "recorded_by",
    "data",
    "sources",
    "note",
)
SQLITE_INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 12)})"
POSTGRES_INSERT = (
    f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join(f'${i}' for i in range(1, 13))})"
)
# The systems a case measures. ES_FULL is the library as shipped on SQLite (synchronous=FULL, an
# fsync per commit); ES runs it with synchronous=NORMAL like the store, and is what ratios use.
STORE, ES, ES_FULL, FLOOR = "store", "eventsourcing", "eventsourcing synchronous=FULL", "floor"
FLOOR_ALL = "floor with projection rows"
# The same rows through the store's stack with no domain logic: SQLAlchemy Core inserts, on
# SQLite in one call to the store's writer thread, on PostgreSQL in the async engine's
# transaction. What the store cannot beat while it writes through SQLAlchemy Core.
FLOOR_CORE = "floor with projection rows, SQLAlchemy Core"

# What events/db.py sets on every SQLite connection of the store.
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000")

T = TypeVar("T")


# --- the events ----------------------------------------------------------------------------------


def event_json(index: int, prefix: str, rng: random.Random) -> dict[str, Any]:
    """The JSON form of one realistic event: even indexes a StatementIssued, odd a MeetingHeld
    of 2-3 states; each on a stream of its own, with one source."""
    occurred = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if index % 2 == 0:
        issuer, about = rng.sample(STATES, 2)
        stream = f"statement/{prefix}-{index:06d}"
        type_name = "StatementIssued"
        data: dict[str, Any] = {
            "issuer": issuer,
            "summary": f"{issuer} sets out its position on {rng.choice(TOPICS)} towards {about}.",
            "about": [about],
            "kind": "POSITION",
            "stance": rng.choice(("COOPERATIVE", "NEUTRAL", "CRITICAL")),
        }
    else:
        participants = rng.sample(STATES, rng.choice((2, 3)))
        city, country = rng.choice(CITIES)
        stream = f"meeting/{prefix}-{index:06d}"
        type_name = "MeetingHeld"
        data = {
            "title": f"{' / '.join(participants)} talks in {city}",
            "participants": participants,
            "kind": "BILATERAL" if len(participants) == 2 else "MULTILATERAL",
            "level": "MINISTERIAL",
            "location": {"name": city, "country": country},
            "topics": rng.sample(TOPICS, 2),
        }
    return {
        "id": event_id,
        "stream": stream,
        "type": type_name,
        "occurred": occurred,
        "data": data,
        "sources": [SOURCE],
    }


@dataclass(frozen=True)
class Workload:
    """The same `count` events in the three forms the cases take."""

    events: list[NewEvent]  # for the store
    stored: list[StoredEvent]  # for eventsourcing: the JSON bytes of each event
    rows: list[dict[str, Any]]  # for the floor: the rows the store would insert

    @property
    def count(self) -> int:
        """How many events the workload appends."""
        return len(self.events)


def make_workload(count: int, prefix: str, seed: int = 1) -> Workload:
    """`count` validated events, the StoredEvents of their JSON, and the store's rows."""
    rng = random.Random(seed)
    objs = [event_json(index, prefix, rng) for index in range(count)]
    events = [event_from_json(obj) for obj in objs]
    stored = [
        StoredEvent(
            originator_id=obj["stream"],
            originator_version=1,
            topic=obj["type"],
            state=dumps(obj).encode(),
        )
        for obj in objs
    ]
    now = datetime.now(UTC)
    rows = [
        {
            "position": position,
            "id": event.id,
            "stream": event.stream,
            "version": 1,
            "type": event.type,
            "schema_version": type(event.data).schema_version,
            "occurred": event.occurred,
            "recorded_at": now,
            "recorded_by": RECORDED_BY,
            "data": data_json(event),
            "sources": sources_json(event),
            "note": event.note,
        }
        for position, event in enumerate(events, start=1)
    ]
    return Workload(events, stored, rows)


def batches(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """`items` cut into consecutive slices of `size`."""
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- databases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """One fresh database: its async SQLAlchemy URL and, for SQLite, its file."""

    url: str
    path: Path | None = None

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file (only for a SQLite database)."""
        assert self.path is not None, "not a SQLite database"
        return self.path

    @property
    def dsn(self) -> str:
        """The libpq DSN of a PostgreSQL database (for asyncpg)."""
        return make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)


class Backend(ABC):
    """Hands out fresh databases, migrated (the project's schema) or empty."""

    name: str

    @abstractmethod
    async def start(self) -> None:
        """Prepare the migrated template every fresh migrated database is copied from."""

    @abstractmethod
    async def stop(self) -> None:
        """Remove the template and everything else this backend made."""

    @abstractmethod
    async def version(self) -> str:
        """The database's version, for the record."""

    @abstractmethod
    def fresh(self, migrated: bool) -> AbstractAsyncContextManager[Database]:
        """A fresh Database (with the project's schema when `migrated`), removed on exit."""


class SQLiteBackend(Backend):
    """Fresh files in a temporary directory; migrated ones are copies of a migrated file."""

    name = "sqlite"

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="bench_"))
        self.template = self.directory / "template.db"

    async def start(self) -> None:
        """Migrate the template file."""
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{self.template}")

    async def stop(self) -> None:
        """Remove the temporary directory."""
        shutil.rmtree(self.directory, ignore_errors=True)

    async def version(self) -> str:
        """SQLite's library version."""
        return f"SQLite {sqlite3.sqlite_version}"

    @asynccontextmanager
    async def fresh(self, migrated: bool) -> AsyncIterator[Database]:
        """A new file (a copy of the template when `migrated`), deleted on exit."""
        path = self.directory / f"{uuid.uuid4().hex}.db"
        if migrated:
            shutil.copy(self.template, path)
        try:
            yield Database(f"sqlite+aiosqlite:///{path}", path)
        finally:
            remove_sqlite_files(path)


def remove_sqlite_files(path: Path) -> None:
    """Delete a SQLite database file and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresBackend(Backend):
    """Fresh `bench_…` databases; migrated ones are made from a migrated template database."""

    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url).set(drivername="postgresql+asyncpg")
        self.template = f"bench_template_{uuid.uuid4().hex[:12]}"

    def _url(self, database: str) -> URL:
        return self.admin_url.set(database=database)

    async def admin(self, statement: str) -> Any:
        """Run one statement on the admin connection; its first value."""
        dsn = self.admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval(statement)
        finally:
            await conn.close()

    async def start(self) -> None:
        """Create and migrate the template database."""
        await self.admin(f'CREATE DATABASE "{self.template}"')
        url = self._url(self.template).render_as_string(hide_password=False)
        await asyncio.to_thread(upgrade, url)

    async def stop(self) -> None:
        """Drop the template database."""
        await self.admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')

    async def version(self) -> str:
        """The server's version."""
        return f"PostgreSQL {await self.admin('SHOW server_version')}"

    @asynccontextmanager
    async def fresh(self, migrated: bool) -> AsyncIterator[Database]:
        """A new database (from the template when `migrated`), dropped on exit."""
        name = f"bench_{uuid.uuid4().hex[:12]}"
        template = f' TEMPLATE "{self.template}"' if migrated else ""
        await self.admin(f'CREATE DATABASE "{name}"{template}')
        try:
            yield Database(self._url(name).render_as_string(hide_password=False))
        finally:
            await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the cases -----------------------------------------------------------------------------------


async def store_appends(database: Database, workload: Workload, batch: int) -> float:
    """Seconds the project's store takes to append the workload, `batch` events per append
    (each append its own transaction). The engine is connected before the clock starts."""
    engine = create_engine(database.url)
    try:
        store = EventStore(engine)
        async with engine.connect():
            pass
        parts = batches(workload.events, batch)
        start = time.perf_counter()
        for part in parts:
            await store.append(part, recorded_by=RECORDED_BY)
        elapsed = time.perf_counter() - start
    finally:
        await engine.dispose()
    assert (await _count(database)) == workload.count
    return elapsed


async def _count(database: Database) -> int:
    engine = create_engine(database.url)
    try:
        async with engine.connect() as conn:
            return int((await conn.exec_driver_sql("SELECT count(*) FROM events")).scalar_one())
    finally:
        await engine.dispose()


def eventsourcing_sqlite(
    database: Database, workload: Workload, batch: int, synchronous: str | None
) -> float:
    """Seconds SQLiteApplicationRecorder takes to insert the workload, `batch` per call.

    `synchronous` (e.g. NORMAL) is set on the recorder's one connection; None keeps the
    library's default (FULL: an fsync per commit)."""
    datastore = SQLiteDatastore(str(database.sqlite_path), pool_size=1, max_overflow=0)
    try:
        recorder = SQLiteApplicationRecorder(datastore)
        recorder.create_table()
        if synchronous is not None:
            with datastore.get_connection(commit=True) as conn:
                conn.cursor().execute(f"PRAGMA synchronous={synchronous}")
        parts = batches(workload.stored, batch)
        start = time.perf_counter()
        for part in parts:
            recorder.insert_events(part)
        elapsed = time.perf_counter() - start
        assert recorder.max_notification_id() == workload.count
    finally:
        datastore.close()
    return elapsed


def eventsourcing_postgres_recorder(url: str) -> tuple[Any, Any]:
    """The `eventsourcing` datastore (one connection, text originator ids) and application
    recorder, its table created, on the PostgreSQL database at `url`."""
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    parsed = make_url(url)
    datastore = PostgresDatastore(
        dbname=parsed.database or "",
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or "",
        pool_size=1,
        originator_id_type="text",
    )
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    return datastore, recorder


def eventsourcing_postgres(database: Database, workload: Workload, batch: int) -> float:
    """Seconds PostgresApplicationRecorder takes to insert the workload, `batch` per call."""
    datastore, recorder = eventsourcing_postgres_recorder(database.url)
    try:
        parts = batches(workload.stored, batch)
        start = time.perf_counter()
        for part in parts:
            recorder.insert_events(part)
        elapsed = time.perf_counter() - start
        assert recorder.max_notification_id() == workload.count
    finally:
        datastore.close()
    return elapsed


def floor_sqlite(database: Database, workload: Workload, batch: int) -> float:
    """Seconds plain sqlite3 takes to insert the store's rows into the migrated `events`
    table, with the store's pragmas: `executemany` in one BEGIN IMMEDIATE … COMMIT per batch."""
    rows = [
        (
            row["position"],
            row["id"].hex,
            row["stream"],
            row["version"],
            row["type"],
            row["schema_version"],
            row["occurred"],
            row["recorded_at"].strftime("%Y-%m-%d %H:%M:%S.%f"),
            row["recorded_by"],
            row["data"],
            row["sources"],
            row["note"],
        )
        for row in workload.rows
    ]
    conn = sqlite3.connect(database.sqlite_path, isolation_level=None)
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        parts = batches(rows, batch)
        start = time.perf_counter()
        for part in parts:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(SQLITE_INSERT, part)
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == workload.count
    finally:
        conn.close()
    return elapsed


async def floor_postgres(database: Database, workload: Workload, batch: int) -> float:
    """Seconds asyncpg takes to insert the store's rows into the migrated `events` table:
    `copy_records_to_table` in one transaction per batch (a plain INSERT when batch is 1)."""
    rows = [tuple(row[column] for column in COLUMNS) for row in workload.rows]
    conn = await asyncpg.connect(database.dsn)
    try:
        parts = batches(rows, batch)
        start = time.perf_counter()
        for part in parts:
            async with conn.transaction():
                if batch == 1:
                    await conn.execute(POSTGRES_INSERT, *part[0])
                else:
                    await conn.copy_records_to_table("events", records=part, columns=COLUMNS)
        elapsed = time.perf_counter() - start
        assert await conn.fetchval("SELECT count(*) FROM events") == workload.count
    finally:
        await conn.close()
    return elapsed


# One transaction of the store as its rows: (table, columns, rows) for each table it wrote.
Transaction = list[tuple[str, list[str], list[tuple[Any, ...]]]]

# The store's transactions per (backend, batch): made once per run of the benchmark.
_written: dict[tuple[str, int], list[Transaction]] = {}


async def store_transactions(backend: Backend, workload: Workload, batch: int) -> list[Transaction]:
    """Every row the store writes for the workload (the event rows and the projection rows, as
    stored), grouped by the transaction that wrote them: the store is run once, untimed, on a
    fresh database and its tables are read back. Rows are told apart by transaction by their
    recordedAt (`recorded_at` in the log, `rt_from` in the projections)."""
    key = (backend.name, batch)
    if key in _written:
        return _written[key]
    names = [events_table.name, *(table.name for table in PROJECTION_TABLES)]
    async with backend.fresh(migrated=True) as database:
        await store_appends(database, workload, batch)
        engine = create_engine(database.url)
        try:
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver: Any = raw.driver_connection
                tables = {}
                for name in names:
                    if backend.name == "sqlite":
                        cursor = await driver.execute(f'SELECT * FROM "{name}"')
                        columns = [column[0] for column in cursor.description]
                        tables[name] = (columns, list(await cursor.fetchall()))
                    else:
                        records = await driver.fetch(f'SELECT * FROM "{name}"')
                        columns = list(records[0].keys()) if records else []
                        tables[name] = (columns, [tuple(record) for record in records])
        finally:
            await engine.dispose()
    by_time: dict[Any, dict[str, list[tuple[Any, ...]]]] = {}
    for name, (columns, rows) in tables.items():
        at = columns.index("recorded_at" if name == "events" else "rt_from") if rows else 0
        for row in rows:
            by_time.setdefault(row[at], {}).setdefault(name, []).append(row)
    transactions = [
        [(name, tables[name][0], rows) for name, rows in written.items()]
        for _, written in sorted(by_time.items())
    ]
    _written[key] = transactions
    return transactions


def floor_all_sqlite(database: Database, transactions: Sequence[Transaction]) -> float:
    """Seconds plain sqlite3 takes to write the store's rows (log and projections) into the
    migrated tables, transaction by transaction, with the store's pragmas."""
    conn = sqlite3.connect(database.sqlite_path, isolation_level=None)
    try:
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        statements = {
            name: f'INSERT INTO "{name}" ({", ".join(columns)}) '
            f"VALUES ({', '.join('?' * len(columns))})"
            for transaction in transactions
            for name, columns, _ in transaction
        }
        start = time.perf_counter()
        for transaction in transactions:
            conn.execute("BEGIN IMMEDIATE")
            for name, _, rows in transaction:
                conn.executemany(statements[name], rows)
            conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


async def floor_all_postgres(database: Database, transactions: Sequence[Transaction]) -> float:
    """Seconds asyncpg takes to write the store's rows (log and projections) into the migrated
    tables, transaction by transaction: `copy_records_to_table` per table, or a prepared
    INSERT per row where a transaction writes one row to a table."""
    conn = await asyncpg.connect(database.dsn)
    try:
        start = time.perf_counter()
        for transaction in transactions:
            async with conn.transaction():
                for name, columns, rows in transaction:
                    if len(rows) == 1:
                        marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
                        await conn.execute(
                            f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({marks})',
                            *rows[0],
                        )
                    else:
                        await conn.copy_records_to_table(name, records=rows, columns=columns)
        return time.perf_counter() - start
    finally:
        await conn.close()


# One transaction of the store as Core would insert it: (table, rows as dicts of Python values).
CoreTransaction = list[tuple[Table, list[dict[str, Any]]]]

_written_core: dict[tuple[str, int], list[CoreTransaction]] = {}


async def store_transactions_core(
    backend: Backend, workload: Workload, batch: int
) -> list[CoreTransaction]:
    """The rows of `store_transactions`, read back through SQLAlchemy (Python values, as
    Core binds them), grouped by transaction the same way."""
    key = (backend.name, batch)
    if key in _written_core:
        return _written_core[key]
    tables = [events_table, *PROJECTION_TABLES]
    async with backend.fresh(migrated=True) as database:
        await store_appends(database, workload, batch)
        engine = create_engine(database.url)
        try:
            async with engine.connect() as conn:
                read = {
                    table: [dict(row._mapping) for row in await conn.execute(select(table))]
                    for table in tables
                }
        finally:
            await engine.dispose()
    by_time: dict[Any, dict[Table, list[dict[str, Any]]]] = {}
    for table, rows in read.items():
        at = "recorded_at" if table is events_table else "rt_from"
        for row in rows:
            by_time.setdefault(row[at], {}).setdefault(table, []).append(row)
    transactions = [list(written.items()) for _, written in sorted(by_time.items())]
    _written_core[key] = transactions
    return transactions


def _insert_core(conn: Connection, transaction: CoreTransaction) -> None:
    for table, rows in transaction:
        conn.execute(insert(table), rows)


async def floor_core(database: Database, transactions: Sequence[CoreTransaction]) -> float:
    """Seconds the store's stack takes to write the store's rows with no domain logic: on
    SQLite each transaction one call to a `SQLiteWriter` (the store's writer thread), on
    PostgreSQL a connection of the async engine per transaction, as the store's appends."""
    engine = create_engine(database.url)
    writer = SQLiteWriter(engine.url) if engine.dialect.name == "sqlite" else None
    try:
        async with engine.connect():
            pass
        start = time.perf_counter()
        for transaction in transactions:
            if writer is not None:
                await writer.run(partial(_insert_core, transaction=transaction))
            else:
                async with engine.connect() as conn, conn.begin():
                    await conn.run_sync(_insert_core, transaction)
        return time.perf_counter() - start
    finally:
        if writer is not None:
            await writer.close()
        await engine.dispose()


@dataclass(frozen=True)
class Case:
    """One thing to measure on one backend: a system appending `batch` events per transaction."""

    system: str  # STORE, ES, ES_FULL, FLOOR, FLOOR_ALL or FLOOR_CORE
    batch: int
    migrated: bool  # whether it writes into the project's migrated schema

    @property
    def label(self) -> str:
        """How the table names the case."""
        return f"{self.system}, {'1 event' if self.batch == 1 else f'{self.batch} events'}/txn"


async def measure(backend: Backend, case: Case, workload: Workload) -> float:
    """Events/s of one run of `case` on a fresh database of `backend`."""
    gc.collect()
    if case.system == FLOOR_ALL:
        transactions = await store_transactions(backend, workload, case.batch)
        count = sum(
            1 for tx in transactions for name, _, rows in tx if name == "events" for _ in rows
        )
        assert count == workload.count
        gc.collect()
        async with backend.fresh(migrated=True) as database:
            if backend.name == "sqlite":
                elapsed = await asyncio.to_thread(floor_all_sqlite, database, transactions)
            else:
                elapsed = await floor_all_postgres(database, transactions)
        return workload.count / elapsed
    if case.system == FLOOR_CORE:
        core = await store_transactions_core(backend, workload, case.batch)
        gc.collect()
        async with backend.fresh(migrated=True) as database:
            elapsed = await floor_core(database, core)
        return workload.count / elapsed
    async with backend.fresh(case.migrated) as database:
        if case.system == STORE:
            elapsed = await store_appends(database, workload, case.batch)
        elif case.system == FLOOR and backend.name == "sqlite":
            elapsed = await asyncio.to_thread(floor_sqlite, database, workload, case.batch)
        elif case.system == FLOOR:
            elapsed = await floor_postgres(database, workload, case.batch)
        elif backend.name == "sqlite":
            synchronous = None if case.system == ES_FULL else "NORMAL"
            elapsed = await asyncio.to_thread(
                eventsourcing_sqlite, database, workload, case.batch, synchronous
            )
        else:
            elapsed = await asyncio.to_thread(
                eventsourcing_postgres, database, workload, case.batch
            )
    return workload.count / elapsed


def cases_for(backend: str, batch: int) -> list[Case]:
    """The cases measured on `backend`, single-event ones first."""
    systems = [(STORE, True), (ES, False), (FLOOR, True), (FLOOR_ALL, True), (FLOOR_CORE, True)]
    if backend == "sqlite":
        systems.insert(2, (ES_FULL, False))
    return [Case(system, size, migrated) for size in (1, batch) for system, migrated in systems]


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Result:
    """The runs of one case."""

    backend: str
    case: Case
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median events/s."""
        return statistics.median(self.rates)


def table(results: Sequence[Result]) -> str:
    """The results as a Markdown table, with ratios (> 1: the row is faster) at the same events
    per transaction: every row over eventsourcing (synchronous=NORMAL on SQLite), the store
    over the two floors, and the Core floor over the floor with projection rows."""
    by_key = {(r.backend, r.case.system, r.case.batch): r for r in results}
    lines = [
        "| backend | case | events/s (median) | runs min to max "
        "| ÷ eventsourcing | store ÷ floor | ÷ floor with projection rows |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ratios = ["", "", ""]
        others = {STORE: (ES, FLOOR, FLOOR_ALL), FLOOR_CORE: (ES, None, FLOOR_ALL)}.get(
            result.case.system, (ES,)
        )
        for i, other in enumerate(others):
            if other is None:
                continue
            found = by_key.get((result.backend, other, result.case.batch))
            if found is not None and result.case.system not in (ES, ES_FULL):
                ratios[i] = f"{result.median / found.median:.2f}"
        lines.append(
            f"| {result.backend} | {result.case.label} | {result.median:,.0f} | "
            f"{min(result.rates):,.0f} to {max(result.rates):,.0f} | {' | '.join(ratios)} |"
        )
    return "\n".join(lines)


# --- the profile ---------------------------------------------------------------------------------


@contextmanager
def counting_thread_hops() -> Iterator[list[int]]:
    """Count the calls handed to another thread while the block runs: to aiosqlite's connection
    thread, and to the store's SQLite writer thread."""
    hops = [0]
    original = aiosqlite.Connection._execute
    original_run = SQLiteWriter.run

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops[0] += 1
        return await original(self, fn, *args, **kwargs)

    async def counted_run(self: SQLiteWriter, *args: Any, **kwargs: Any) -> Any:
        hops[0] += 1
        return await original_run(self, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    SQLiteWriter.run = counted_run  # type: ignore[method-assign]
    try:
        yield hops
    finally:
        aiosqlite.Connection._execute = original  # type: ignore[method-assign]
        SQLiteWriter.run = original_run  # type: ignore[method-assign]


def micros_per_item(function: Callable[[Any], object], items: Sequence[Any]) -> float:
    """Mean µs `function` takes per item (best of 3 passes)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - start)
    return best / len(items) * 1e6


async def profile_backend(backend: Backend, workload: Workload) -> None:
    """Print statements, thread hops and a sampled profile of single-event appends."""
    warm, counted = workload.events[:50], workload.events[50:250]
    profiled = workload.events[250:]
    async with backend.fresh(migrated=True) as database:
        engine = create_engine(database.url)
        try:
            store = EventStore(engine)
            for item in warm:
                await store.append([item], recorded_by=RECORDED_BY)
            statements: list[str] = []

            def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(statement.split(None, 1)[0].upper())

            # On SQLite the append's statements run on the writer thread's own engine: listen
            # on every engine.
            def ended(_conn: Any) -> None:
                statements.append("COMMIT")

            def began(_conn: Any) -> None:
                # SQLite's BEGIN IMMEDIATE is a statement of its own (events/db.py), seen above.
                if backend.name != "sqlite":
                    statements.append("BEGIN")

            sa_event.listen(Engine, "before_cursor_execute", note)
            sa_event.listen(Engine, "begin", began)
            sa_event.listen(Engine, "commit", ended)
            with counting_thread_hops() as hops:
                start = time.perf_counter()
                for item in counted:
                    await store.append([item], recorded_by=RECORDED_BY)
                per_append = (time.perf_counter() - start) / len(counted) * 1e6
            sa_event.remove(Engine, "before_cursor_execute", note)
            sa_event.remove(Engine, "begin", began)
            sa_event.remove(Engine, "commit", ended)
            kinds = {kind: statements.count(kind) / len(counted) for kind in set(statements)}
            print(f"\n## {backend.name}: {per_append:,.0f} µs per single-event append")
            hops_text = f"; thread hops: {hops[0] / len(counted):g}" if hops[0] else ""
            trips = "round trips" if backend.name != "sqlite" else "statements"
            print(
                f"per append: {len(statements) / len(counted):g} {trips} "
                f"({', '.join(f'{kind} {n:g}' for kind, n in sorted(kinds.items()))}){hops_text}"
            )
            print(await round_trips(database, engine))
            await profile_appends(store, profiled)
        finally:
            await engine.dispose()


async def round_trips(database: Database, engine: AsyncEngine, times: int = 500) -> str:
    """µs one `SELECT 1` takes through the store's engine and through the bare driver."""
    async with engine.connect() as conn:
        start = time.perf_counter()
        for _ in range(times):
            await conn.exec_driver_sql("SELECT 1")
        through_engine = (time.perf_counter() - start) / times * 1e6
    if database.path is not None:
        raw = sqlite3.connect(database.path)
        start = time.perf_counter()
        for _ in range(times):
            raw.execute("SELECT 1").fetchall()
        bare = (time.perf_counter() - start) / times * 1e6
        raw.close()
    else:
        driver = await asyncpg.connect(database.dsn)
        start = time.perf_counter()
        for _ in range(times):
            await driver.fetch("SELECT 1")
        bare = (time.perf_counter() - start) / times * 1e6
        await driver.close()
    return f"SELECT 1: {through_engine:.0f} µs through SQLAlchemy async, {bare:.0f} µs bare driver"


@contextmanager
def profiling_one_hop() -> Iterator[tuple[cProfile.Profile, list[float]]]:
    """Profile `Writes.write` (the statements and checks of an append, run in one hop) in
    whichever thread runs it; also sum its wall time."""
    inner = cProfile.Profile()
    inside = [0.0]
    original = Writes.write

    def profiled(self: Writes, *args: Any, **kwargs: Any) -> list[RecordedEvent]:
        start = time.perf_counter()
        inner.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            inner.disable()
            inside[0] += time.perf_counter() - start

    Writes.write = profiled  # type: ignore[method-assign]
    try:
        yield inner, inside
    finally:
        Writes.write = original  # type: ignore[method-assign]


async def profile_appends(store: EventStore, events: Sequence[NewEvent]) -> None:
    """A sampled profile of appending `events` one by one (pyinstrument, else cProfile)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        with profiling_one_hop() as (inner, inside):
            profiler.enable()
            start = time.perf_counter()
            for item in events:
                await store.append([item], recorded_by=RECORDED_BY)
            total = time.perf_counter() - start
            profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        # On SQLite the one-hop function runs on the writer thread, which the profiler of
        # this thread does not see: it has a profiler of its own.
        print(
            f"inside the one-hop function (Writes.write): {inside[0] / total:.0%} of the "
            "append's wall time (under cProfile); its own profile, by own time:"
        )
        pstats.Stats(inner).sort_stats("tottime").print_stats(25)
        return
    sampler = Profiler(interval=0.0002, async_mode="enabled")
    sampler.start()
    for item in events:
        await store.append([item], recorded_by=RECORDED_BY)
    sampler.stop()
    print(sampler.output_text(unicode=True, color=False, show_all=False, short_mode=False))


async def profile(args: argparse.Namespace) -> None:
    """Profile the store's single-event append on each backend, and time the CPU-only steps
    (validation, serialisation) an append or its caller pays per event."""
    count = max(750, args.events // 10)
    workload = make_workload(count, "profile")
    rng = random.Random(2)
    objs = [event_json(index, "profile", rng) for index in range(count)]
    print(f"event_from_json (validation): {micros_per_item(event_from_json, objs):.0f} µs/event")
    print(
        "data_json + sources_json (row serialisation): "
        f"{micros_per_item(lambda e: (data_json(e), sources_json(e)), workload.events):.0f} "
        "µs/event"
    )
    for backend in await available_backends(args, notes=[]):
        await backend.start()
        try:
            await profile_backend(backend, workload)
        finally:
            await backend.stop()


# --- running -------------------------------------------------------------------------------------


async def available_backends(args: argparse.Namespace, notes: list[str]) -> list[Backend]:
    """The backends asked for that can be reached; why the others are skipped goes to `notes`
    (and stderr)."""
    backends: list[Backend] = []
    for name in args.backends:
        if name == "sqlite":
            backends.append(SQLiteBackend())
            continue
        try:
            importlib.import_module("eventsourcing.postgres")
        except ImportError as error:
            # eventsourcing.postgres needs psycopg_pool, which `psycopg[binary]` does not bring.
            notes.append(f"postgresql skipped: {error} (pip install psycopg-pool)")
            print(notes[-1], file=sys.stderr)
            continue
        backend = PostgresBackend(args.postgres_url)
        try:
            await backend.version()
        except (OSError, asyncpg.PostgresError) as error:
            notes.append(f"postgresql skipped: cannot connect ({error})")
            print(notes[-1], file=sys.stderr)
            continue
        backends.append(backend)
    return backends


async def run(args: argparse.Namespace) -> str:
    """Measure every case of every backend asked for; return the Markdown report."""
    started = datetime.now(UTC)
    singles = make_workload(max(1, args.events // 10), "single")
    batched = make_workload(args.events, "batch")
    notes: list[str] = []
    backends = await available_backends(args, notes)
    versions = [await backend.version() for backend in backends]
    results: list[Result] = []
    for backend in backends:
        await backend.start()
        try:
            backend_results = [Result(backend.name, c) for c in cases_for(backend.name, args.batch)]
            for run_index in range(args.runs):
                # Rotate the order every run, so that no case always runs first or last.
                shift = run_index % len(backend_results)
                for result in backend_results[shift:] + backend_results[:shift]:
                    workload = singles if result.case.batch == 1 else batched
                    result.rates.append(await measure(backend, result.case, workload))
                print(f"{backend.name}: run {run_index + 1}/{args.runs} done", file=sys.stderr)
            results.extend(backend_results)
        finally:
            await backend.stop()
    took = (datetime.now(UTC) - started).total_seconds()
    lines = [
        *header("bench.append", started, "bench.append", args.argv, took, versions),
        f"- {singles.count:,} events for 1 event/txn, {batched.count:,} for {args.batch}/txn; "
        f"median of {args.runs} runs, a fresh database per run",
        *(f"- {note}" for note in notes),
        "",
        table(results),
        "",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.append", description=__doc__)
    parser.add_argument(
        "--events",
        type=int,
        default=10_000,
        help="events for the batched cases; the single-event cases append a tenth (10000)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per case (5)")
    parser.add_argument("--batch", type=int, default=100, help="events per batch (100)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of the table: profile the store's single-event append",
    )
    return parse_common(parser, argv)


def parse_common(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Add the options bench.append and bench.imports share (--backends, --postgres-url,
    --record), parse `argv` (kept as `args.argv`, for the record)."""
    parser.add_argument(
        "--backends",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=["sqlite", "postgresql"],
        help="comma-separated: sqlite, postgresql (both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL),
        help=f"admin connection used to CREATE DATABASE bench_… (${POSTGRES_URL_ENV}, "
        f"else {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--record", action="store_true", help=f"append the report to {RESULTS}")
    args = parser.parse_args(argv)
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    args.argv = list(argv)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (or the profile) and print the result."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.profile:
        asyncio.run(profile(args))
        return
    publish(asyncio.run(run(args)), args.record)


if __name__ == "__main__":
    main()
