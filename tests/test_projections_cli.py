"""`timeline projections verify` and `timeline projections rebuild`, run as a user runs them: the
console script in a subprocess, on a database whose projection rows were tampered with by raw SQL
(only `events` is protected).

Each test runs on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL. They use
`database_url`, not `store`, since the store fixture's teardown requires a clean verify.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from events.db import create_engine
from events.projections.tables import ALL, FOREVER, timeline
from events.store import EventStore
from events.views.timeline import events_timeline
from tests.test_timeline import seed

TIMELINE = Path(sys.executable).parent / "timeline"

REBUILT = re.compile(
    r"rebuilt the projections from (\d+) events? in [0-9.]+ s \(([0-9,]+) events/s\)"
)
VERIFIED = "the projections equal a rebuild from the log"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


async def run_timeline(*args: str, url: str, cwd: Path) -> Run:
    """`timeline ARGS` in a subprocess with TIMELINE_DATABASE_URL=`url`, as tests/test_cli.py
    runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TIMELINE_DATABASE_URL")}
    env.update({"TIMELINE_DATABASE_URL": url, "NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
    process = await asyncio.create_subprocess_exec(
        str(TIMELINE),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[EventStore]:
    engine = create_engine(url)
    try:
        yield EventStore(engine)
    finally:
        await engine.dispose()


async def execute(store: EventStore, statement: str) -> int:
    """Run raw SQL in its own transaction; return the number of rows it touched."""
    async with store.engine.begin() as conn:
        return (await conn.execute(text(statement))).rowcount


async def projection_rows(store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows without the surrogate id, sorted."""
    found = {}
    async with store.engine.connect() as conn:
        for table in ALL:
            columns = [c for c in table.columns if c.name != "id"]
            rows = await conn.execute(select(*columns))
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


async def test_verify_finds_tampered_rows_and_rebuild_repairs_them(
    database_url: str, tmp_path: Path
) -> None:
    async with open_store(database_url) as store:
        await seed(store)
        count = (await store.head()).count
        original = await projection_rows(store)
    assert original["memberships"] and original["contacts"]

    clean = await run_timeline("projections", "verify", url=database_url, cwd=tmp_path)
    assert clean.code == 0, clean
    assert VERIFIED in clean.stderr

    async with open_store(database_url) as store:
        assert await execute(store, "UPDATE memberships SET action = 'RATIFY'") > 0
        assert await execute(store, "DELETE FROM contacts") > 0
    tampered = await run_timeline("projections", "verify", url=database_url, cwd=tmp_path)
    assert tampered.code == 1, tampered
    assert VERIFIED not in tampered.stderr
    named = set(re.findall(r"difference: (\w+):", tampered.stderr))
    assert named == {"memberships", "contacts"}, tampered
    assert "Traceback" not in tampered.stderr

    rebuilt = await run_timeline("projections", "rebuild", url=database_url, cwd=tmp_path)
    assert rebuilt.code == 0, rebuilt
    match = REBUILT.search(rebuilt.stderr)
    assert match, rebuilt
    assert int(match[1]) == count
    assert int(match[2].replace(",", "")) > 0

    again = await run_timeline("projections", "verify", url=database_url, cwd=tmp_path)
    assert again.code == 0, again
    assert VERIFIED in again.stderr
    async with open_store(database_url) as store:
        assert await projection_rows(store) == original


async def test_verify_finds_a_duplicated_timeline_row(database_url: str, tmp_path: Path) -> None:
    """A copy of a row (with a new id) shows the event twice in every timeline."""
    async with open_store(database_url) as store:
        await seed(store)
        async with store.engine.begin() as conn:
            current = (timeline.c.rt_to == FOREVER, timeline.c.retracted.is_(False))
            query = select(timeline).where(*current).order_by(timeline.c.position).limit(1)
            row = (await conn.execute(query)).one()._asdict()
            del row["id"]
            await conn.execute(insert(timeline), [row])
            copies = await conn.scalar(
                select(func.count()).where(timeline.c.position == row["position"], *current)
            )
        assert copies == 2
        page = await events_timeline(store.engine, first=100)
        assert [e.position for e in page.items].count(row["position"]) == 2

    tampered = await run_timeline("projections", "verify", url=database_url, cwd=tmp_path)
    assert tampered.code == 1, tampered
    assert "difference: timeline:" in tampered.stderr, tampered


async def test_rebuild_and_verify_an_empty_log(database_url: str, tmp_path: Path) -> None:
    rebuilt = await run_timeline("projections", "rebuild", url=database_url, cwd=tmp_path)
    assert rebuilt.code == 0, rebuilt
    match = REBUILT.search(rebuilt.stderr)
    assert match and int(match[1]) == 0, rebuilt
    verified = await run_timeline("projections", "verify", url=database_url, cwd=tmp_path)
    assert verified.code == 0, verified
    assert VERIFIED in verified.stderr
