"""Database set-up: engines for SQLite and PostgreSQL, and the table definitions.

The tables are made only by the Alembic migrations in `migrations/`; the models here describe
them for queries, and a test fails when the two disagree.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    event,
)
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, Connection, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState, StaticPool

import migrations
from events.errors import ConfigurationError
from events.one_hop import one_hop
from events.types import RecordedEvent

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./timeline.db"

# Execution option that makes a SQLite transaction take the write lock at BEGIN: a deferred
# transaction that reads first and writes later can fail with SQLITE_BUSY instead of waiting.
WRITE = "timeline_write"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp with microseconds on both databases.

    PostgreSQL keeps it as `timestamptz`; SQLite as ISO text in UTC, which sorts by time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The metadata every table of the project belongs to."""


class EventRow(Base):
    """The log: one row per event, never updated or deleted (triggers refuse both)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("id", name="uq_events_id"),
        UniqueConstraint("stream", "version", name="uq_events_stream_version"),
        Index("ix_events_recorded_at", "recorded_at"),
    )

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[UUID] = mapped_column(Uuid)
    stream: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    occurred: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text)
    sources: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


events_table = cast(Table, EventRow.__table__)


def to_recorded(row: Row[Any] | Mapping[str, Any]) -> RecordedEvent:
    """A stored row (or the dict it was inserted from) as a RecordedEvent."""
    mapping = row._mapping if isinstance(row, Row) else row
    return recorded_from([mapping[name] for name in _EVENT_FIELDS])


def recorded_from(values: Sequence[Any]) -> RecordedEvent:
    """A RecordedEvent from the values of a row of `select(events_table)`, by position: much
    cheaper than by name when a rebuild reads every event."""
    position, id, stream, version, type, schema, occurred, at, by, data, sources, note = values
    return RecordedEvent(
        position=position,
        id=id,
        stream=stream,
        version=version,
        type=type,
        schema_version=schema,
        occurred=occurred,
        recorded_at=at,
        recorded_by=by,
        data=json.loads(data),
        sources=json.loads(sources),
        note=note,
    )


_EVENT_FIELDS = tuple(column.name for column in events_table.columns)


def database_url(text: str) -> URL:
    """The async SQLAlchemy URL for `text`; plain `sqlite://` and `postgresql://` URLs are
    given their async driver. Raises ConfigurationError naming what is wrong."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigurationError(
            f"database URL {text!r} is not a URL: use sqlite+aiosqlite:///path/to/file.db "
            "or postgresql+asyncpg://user@host/dbname"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "an in-memory SQLite database would lose the log: give a file path"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+asyncpg")
    raise ConfigurationError(
        f"database URL {text!r}: unsupported database {backend!r}; "
        "use sqlite+aiosqlite:///… or postgresql+asyncpg://…"
    )


# How SQLAlchemy passes a statement's parameters to SQLite: by name (`:known_at`), not by
# position (`?`). A relation's walks repeat the same few parameters (known_at, until, items) in
# each of hundreds of seeks: by position, SQLAlchemy converted each occurrence (a datetime's
# conversion runs per occurrence), which cost more than SQLite running the walk; by name, each
# value is converted and bound once (bench/RESULTS.md).
SQLITE_PARAMSTYLE = "named"


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """An async engine for `url` (SQLite or PostgreSQL), set up for the log. Its errors never
    carry a statement's bound parameters (`hide_parameters`): an error is logged, and the
    parameters are what a client sent."""
    options.setdefault("hide_parameters", True)
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("paramstyle", SQLITE_PARAMSTYLE)
        # A SQLite file has no server to restart nor a link to lose: a pre-ping would find
        # nothing, and cost four hops to aiosqlite's thread at every checkout (bench/RESULTS.md,
        # issue 24). The rollback on return is made only when a transaction is open
        # (_reset_sqlite): else it is a no-op that cost a hop.
        options["pool_pre_ping"] = False
        options["pool_reset_on_return"] = None
        engine = create_async_engine(parsed, **options)
        _set_up_sqlite(engine.sync_engine)
        return engine
    # asyncpg prepares every statement; after five runs PostgreSQL may switch to a generic plan,
    # which on a table not yet analysed (a new or freshly restored log) scans instead of using
    # the index for `id IN (...)`. The append's lookups always want the custom plan.
    connect_args = options.pop("connect_args", {})
    server_settings = {"plan_cache_mode": "force_custom_plan"}
    server_settings.update(connect_args.get("server_settings", {}))
    connect_args["server_settings"] = server_settings
    return create_async_engine(parsed, connect_args=connect_args, **options)


def sqlite_writer_engine(url: URL) -> Engine:
    """A synchronous engine holding ONE connection to the SQLite file at `url` (an async URL),
    set up like the async engine's, whose transactions all take the write lock at BEGIN.

    It belongs to a single writer thread (see events/sqlite_writer.py); it may be disposed of
    from another thread once that thread is idle."""
    engine = sa_create_engine(
        url.set(drivername="sqlite+pysqlite"),
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
        execution_options={WRITE: True},
        hide_parameters=True,
    )
    _set_up_sqlite(engine)
    return engine


# Set on every SQLite connection. WAL: readers never block the writer; NORMAL sync is durable
# across process crashes in WAL mode; the busy timeout makes other processes wait for the write
# lock. A page cache of up to 64 MiB (SQLite's default is 2 MiB) keeps the projection indexes in
# memory while a rebuild or a large import writes them in no particular key order: measured at
# 100k events, it halves the rebuild's insert time (bench/RESULTS.md).
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=30000",
    "foreign_keys=ON",
    "cache_size=-65536",
)


def _set_up_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        one_hop(dbapi_connection)  # on aiosqlite: one hop per statement, not four
        # Let SQLAlchemy, not the driver, say when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "reset")
    def _reset_sqlite(
        dbapi_connection: Any, _record: ConnectionPoolEntry, _state: PoolResetState
    ) -> None:
        # sqlite3 answers `in_transaction` from any thread, without a hop to aiosqlite's.
        raw = dbapi_connection
        if not isinstance(raw, sqlite3.Connection):  # aiosqlite's, behind SQLAlchemy's adapter
            raw = getattr(getattr(raw, "driver_connection", None), "_connection", None)
        if not isinstance(raw, sqlite3.Connection) or raw.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(url: str) -> Config:
    """The Alembic configuration that migrates the database at `url`."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option(
        "sqlalchemy.url", database_url(url).render_as_string(hide_password=False)
    )
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` (Alembic; blocking, runs its own loop)."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest revision of the migrations."""
    head = ScriptDirectory.from_config(alembic_config(DEFAULT_DATABASE_URL)).get_current_head()
    assert head is not None, "the migrations have no head"
    return head


async def schema_problem(engine: AsyncEngine) -> str | None:
    """Why the database behind `engine` cannot be used yet (unreachable, not migrated to the
    newest revision), or None when it can."""
    path = engine.url.database
    if (
        engine.dialect.name == "sqlite"
        and path
        and not await asyncio.to_thread(os.path.exists, path)
    ):
        # Connecting would create an empty file there.
        return f"there is no database at {path}: run `timeline db upgrade` to create it"
    try:
        async with engine.connect() as conn:
            revision = await conn.run_sync(_current_revision)
    except (OSError, DBAPIError) as error:
        return f"cannot reach the database: {error.__class__.__name__}: {error}".splitlines()[0]
    head = head_revision()
    if revision != head:
        return (
            f"the database schema is at revision {revision or 'none'}, not at {head}: "
            "run `timeline db upgrade`"
        )
    return None


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
