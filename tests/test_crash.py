"""Crash safety: `timeline import` and `timeline serve` killed with SIGKILL at seeded moments.

After each kill the log must hold what was committed and nothing else: a prefix of whole
import batches (positions 1..N without gaps, the file's first N events in order), every
mutation a server answered OK, no batch half-applied; the projections must equal a rebuild;
running the import again finishes it without duplicates (its ids are idempotent).

Runs on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL. The import test
uses a synthetic log (bench/synthetic.py) made once per session, of TIMELINE_TEST_CRASH_EVENTS
events: 200,000 at the `ci` profile (about ten minutes per database on a loaded 2-core machine),
10,000 at `dev` (tests/profiles.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from contextlib import suppress
from pathlib import Path
from random import Random

import httpx
import pytest
from sqlalchemy import select

from bench.synthetic import write
from events.db import create_engine, events_table
from events.projections.rebuild import verify
from events.store import EventStore
from tests import profiles
from tests.servers import AUTH, RECORD_MANY, TIMELINE, WAIT, statement, timeline_process

EVENTS = profiles.CRASH_EVENTS.value()
SEED = 8  # of the kill points
FILE_SEED = 1  # of the synthetic log; at 200,000 events it imports whole
# `timeline import --batch-size`: one transaction each with --partial; 200 batches or more, so
# that the kills land inside the import at every size
BATCH = max(100, EVENTS // 200)
KILLS = 5


@pytest.fixture(scope="session")
def synthetic_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A valid log of EVENTS events as JSON Lines, and its ids in file order."""
    path = tmp_path_factory.mktemp("crash") / f"synthetic-{EVENTS}.jsonl"
    write(path, EVENTS, FILE_SEED)
    with path.open(encoding="utf-8") as lines:
        ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == EVENTS
    return path, ids


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    return env | {"TIMELINE_DATABASE_URL": database_url}


async def logged_ids(store: EventStore) -> list[str]:
    """The log's ids in position order, checked to sit at positions 1..N without a gap."""
    query = select(events_table.c.position, events_table.c.id).order_by(events_table.c.position)
    async with store.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    assert [row.position for row in rows] == list(range(1, len(rows) + 1)), "a gap in positions"
    return [str(row.id) for row in rows]


async def _import_until(
    store: EventStore, database_url: str, path: Path, target: int | None
) -> bool:
    """Run `timeline import --partial` of `path`; SIGKILL it once the log holds `target`
    events (polled). Return whether it was killed (False: it finished first)."""
    process = await asyncio.create_subprocess_exec(
        str(TIMELINE),
        "import",
        "--partial",
        "--batch-size",
        str(BATCH),
        str(path),
        env=_env(database_url),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        while target is not None and process.returncode is None:
            if (await store.head()).count >= target:
                process.send_signal(signal.SIGKILL)
                await process.wait()
                return True
            with suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 0.2)
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
        return False
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_an_import_killed_at_random_moments_leaves_whole_batches_and_resumes(
    database_url: str, synthetic_log: tuple[Path, list[str]]
) -> None:
    path, ids = synthetic_log
    rng = Random(SEED)
    # One kill in each sixth of the file, at a seeded point in it: different phases, in order,
    # each run resuming the one before.
    targets = [int(EVENTS * (k + rng.uniform(0.1, 0.9)) / (KILLS + 1)) for k in range(KILLS)]
    engine = create_engine(database_url)
    store = EventStore(engine)
    try:
        landed = []
        for target in targets:
            killed = await _import_until(store, database_url, path, target)
            logged = await logged_ids(store)
            # Whole batches only: a multiple of the batch size, or the whole file.
            assert len(logged) % BATCH == 0 or len(logged) == EVENTS, len(logged)
            assert logged == ids[: len(logged)], "not the file's first events in order"
            assert await verify(engine) == []
            landed.append(killed and 0 < len(logged) < EVENTS)
        # The kills must have hit a running import, not one done already.
        assert sum(landed) >= KILLS - 1, (targets, landed)
        assert not await _import_until(store, database_url, path, None)
        assert await logged_ids(store) == ids  # complete, each event once, in file order
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def _mutate(
    http: httpx.AsyncClient, address: str, rng: Random, ok: list[list[str]], sent: list[list[str]]
) -> None:
    """Record batches of 1-3 statements with ids of our own until the server goes away;
    `ok` gets the ids of each batch answered OK, `sent` of every batch sent."""
    while True:
        inputs = [{**statement(), "id": str(uuid.uuid4())} for _ in range(rng.randint(1, 3))]
        batch = [i["id"] for i in inputs]
        sent.append(batch)
        try:
            response = await http.post(
                f"http://{address}/graphql",
                json={"query": RECORD_MANY, "variables": {"input": {"events": inputs}}},
                headers=AUTH,
            )
        except httpx.TransportError:
            return
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["recordEvents"]
        assert payload["userErrors"] == [], payload
        ok.append(batch)


async def test_a_server_killed_during_mutations_keeps_every_answered_one_whole(
    database_url: str,
) -> None:
    rng = Random(SEED)
    engine = create_engine(database_url)
    store = EventStore(engine)
    ok: list[list[str]] = []
    sent: list[list[str]] = []
    try:
        for _ in range(3):
            async with (
                timeline_process(database_url) as served,
                httpx.AsyncClient(timeout=WAIT) as http,
            ):
                writers = [
                    asyncio.create_task(_mutate(http, served.address, rng, ok, sent))
                    for _ in range(4)
                ]
                before = len(ok)
                await asyncio.sleep(rng.uniform(1.0, 3.0))
                served.process.kill()
                await served.process.wait()
                await asyncio.gather(*writers)
                assert len(ok) > before, "no mutation was answered before the kill"
            logged = await logged_ids(store)
            assert len(set(logged)) == len(logged), "an event twice"
            present = set(logged)
            for batch in ok:
                assert set(batch) <= present, "a mutation answered OK is not in the log"
            for batch in sent:
                assert set(batch) <= present or not set(batch) & present, "half a batch"
            assert present <= {i for batch in sent for i in batch}
            assert await verify(engine) == []
    finally:
        await engine.dispose()
