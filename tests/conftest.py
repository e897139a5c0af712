"""Fixtures: every store test runs on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on
PostgreSQL too.

Each test gets a fresh database made from a template migrated once per session: a copied file
on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from events.db import create_engine, upgrade
from events.projections.rebuild import verify
from events.store import EventStore
from tests import profiles
from tests.api_client import api_client, import_sample

POSTGRES_URL = os.environ.get("TIMELINE_TEST_POSTGRES_URL")
# The PostgreSQL cases carry the `postgres` mark; without a URL they are deselected, not run.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without TIMELINE_TEST_POSTGRES_URL, deselect the PostgreSQL cases (counted as deselected
    in pytest's last line; `make test-all` runs them)."""
    if POSTGRES_URL:
        return
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=postgres)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how deep the run looked: the profile, the backends, and each knob's count."""
    backends = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
    terminalreporter.section("depth")
    for line in profiles.summary(backends):
        terminalreporter.write_line(line)
    if not POSTGRES_URL:
        terminalreporter.write_line(
            "  PostgreSQL cases deselected: TIMELINE_TEST_POSTGRES_URL is not set"
        )


def _admin_dsn(database: str | None = None) -> str:
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


async def _admin(*statements: str) -> None:
    conn = await asyncpg.connect(_admin_dsn())
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"timeline_template_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    upgrade(_admin_dsn(name))
    yield name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database.

    A plain fixture, not an async one: making the templates runs Alembic, which runs its own
    event loop, and so must not happen inside the test's.
    """
    if request.param == "sqlite":
        path = tmp_path / "timeline.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"timeline_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield (
            make_url(_admin_dsn(name))
            .set(drivername="postgresql+asyncpg")
            .render_as_string(hide_password=False)
        )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    """An EventStore on a fresh database. After the test, the projections must equal a rebuild
    from the log (`timeline projections verify`), whatever the test did."""
    engine = create_engine(database_url)
    store = EventStore(engine)
    try:
        yield store
        assert await verify(engine) == [], "the projections differ from a rebuild of the log"
    finally:
        await store.close()
        await engine.dispose()


MakeStore = Callable[[], Awaitable[EventStore]]


@pytest.fixture
async def empty_store(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MakeStore]:
    """Makes a store on another fresh, migrated database of the backend of `database_url`."""
    made: list[tuple[EventStore, str]] = []

    async def make() -> EventStore:
        if database_url.startswith("sqlite"):
            path = tmp_path / f"second-{len(made)}.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            url, name = f"sqlite+aiosqlite:///{path}", ""
        else:
            name = f"timeline_export_{uuid.uuid4().hex[:12]}"
            template = request.getfixturevalue("postgres_template")
            await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            url = (
                make_url(_admin_dsn(name))
                .set(drivername="postgresql+asyncpg")
                .render_as_string(hide_password=False)
            )
        made.append((EventStore(create_engine(url)), name))
        return made[-1][0]

    yield make
    for store, name in made:
        await store.engine.dispose()
        if name:
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


FreshEngine = Callable[[], AbstractAsyncContextManager[AsyncEngine]]


@pytest.fixture
def fresh_engine(request: pytest.FixtureRequest) -> FreshEngine:
    """A factory of engines on fresh, migrated, empty databases of the test's `backend` param,
    for property tests that need a new database per example.

    The templates are asked for here, in a plain fixture, because migrating runs its own loop.
    """
    backend = request.node.callspec.params["backend"]
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")

        @asynccontextmanager
        async def sqlite() -> AsyncIterator[AsyncEngine]:
            directory = tempfile.mkdtemp(prefix="timeline-example-")
            path = Path(directory) / "timeline.db"
            shutil.copy(template, path)
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            try:
                yield engine
            finally:
                await engine.dispose()
                shutil.rmtree(directory, ignore_errors=True)

        return sqlite

    template_name = request.getfixturevalue("postgres_template")

    @asynccontextmanager
    async def postgresql() -> AsyncIterator[AsyncEngine]:
        name = f"timeline_example_{uuid.uuid4().hex[:12]}"
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        url = make_url(_admin_dsn(name)).set(drivername="postgresql+asyncpg")
        engine = create_engine(url.render_as_string(hide_password=False))
        try:
            yield engine
        finally:
            await engine.dispose()
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return postgresql


@pytest.fixture
async def client(store: EventStore, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the API on a fresh database holding the sample data (examples/sample.jsonl),
    with the default settings and the editor token of tests/api_client.py."""
    await import_sample(store)
    async with api_client(database_url) as http:
        yield http
