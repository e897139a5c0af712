"""Concurrency at scale: 16 clients over HTTP for 30 s (8 s at the `dev` profile) against one
`timeline serve`, on SQLite and on PostgreSQL (the production layout), mutating (some with
conflicting `expectedVersion`) and querying, while a subscriber tails the log from its start.
Afterwards every mutation answered OK is in the log exactly once, no conflict appended anything,
each client read its own writes, the subscriber saw the whole log in order, and the projections
equal a rebuild.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from random import Random
from typing import Any

import httpx

from events.db import create_engine
from events.projections.rebuild import verify
from events.store import EventStore
from tests import profiles
from tests.servers import (
    RECORD_MANY,
    WAIT,
    Socket,
    socket_to,
    statement,
    timeline_process,
)
from tests.test_crash import logged_ids
from tests.test_replicas import answer

CLIENTS = 16
SECONDS = float(profiles.CONCURRENT_SECONDS.value())
SEED = 16
RACES = 300  # streams the clients race to create with expectedVersion 0: one wins each
CREATE = """
mutation Create($input: RecordEventInput!) {
  recordEvent(input: $input) { event { id position } userErrors { field message code } }
}"""
EVENT = "query Event($id: ID!) { event(id: $id) { id position } logHead { position } }"


@dataclass
class Outcomes:
    """What the clients were told, by event id."""

    ok: list[str] = field(default_factory=list)
    conflicted: list[str] = field(default_factory=list)
    races_won: dict[str, str] = field(default_factory=dict)  # stream -> id


async def _graphql(http: httpx.AsyncClient, address: str, text: str, variables: dict) -> Any:
    return (await answer(http, address, text, variables))["data"]


async def _race(
    http: httpx.AsyncClient,
    address: str,
    stream: str,
    outcomes: Outcomes,
    mine: list[tuple[str, int]],
) -> None:
    """Try to create `stream` (expectedVersion 0): one client wins it, the others conflict."""
    event = {**statement(), "stream": stream, "expectedVersion": 0}
    event["id"] = str(uuid.uuid4())
    payload = (await _graphql(http, address, CREATE, {"input": event}))["recordEvent"]
    if payload["userErrors"]:
        assert [e["code"] for e in payload["userErrors"]] == ["CONFLICT"], payload
        assert payload["event"] is None, payload
        outcomes.conflicted.append(event["id"])
    else:
        assert stream not in outcomes.races_won, "two creations of one stream"
        outcomes.races_won[stream] = event["id"]
        outcomes.ok.append(event["id"])
        mine.append((event["id"], payload["event"]["position"]))


async def _client(address: str, number: int, deadline: float, outcomes: Outcomes) -> int:
    """Race the others for one stream, then mutate and query until `deadline`; return how many
    requests were answered."""
    rng = Random(SEED * 100 + number)
    mine: list[tuple[str, int]] = []  # (id, position) of this client's writes
    async with httpx.AsyncClient(timeout=WAIT) as http:
        # Every client races for the same stream first, so a race runs however slow the
        # machine is; the random races below come on top.
        await _race(http, address, "statement/race-opening", outcomes, mine)
        answered = 1
        while time.monotonic() < deadline:
            roll = rng.random()
            if roll < 0.25 and mine:
                # Read your writes: the last event this client was told of is there.
                event_id, position = mine[-1]
                data = await _graphql(http, address, EVENT, {"id": event_id})
                assert data["event"] == {"id": event_id, "position": position}, data
                assert data["logHead"]["position"] >= position
            elif roll < 0.5:
                await _race(http, address, f"statement/race-{rng.randrange(RACES)}", outcomes, mine)
            else:
                inputs = [
                    {**statement(), "id": str(uuid.uuid4()), "expectedVersion": 0}
                    for _ in range(rng.randint(1, 3))
                ]
                variables = {"input": {"events": inputs}}
                payload = (await _graphql(http, address, RECORD_MANY, variables))["recordEvents"]
                assert payload["userErrors"] == [], payload
                positions = [e["position"] for e in payload["events"]]
                assert positions == list(range(positions[0], positions[0] + len(inputs)))
                outcomes.ok.extend(i["id"] for i in inputs)
                mine.extend((i["id"], p) for i, p in zip(inputs, positions, strict=True))
            answered += 1
    return answered


async def _tail(ws: Socket, seen: list[dict[str, Any]]) -> None:
    while True:
        seen.extend(await ws.events(1))


async def test_sixteen_clients_for_thirty_seconds_lose_and_reorder_nothing(
    database_url: str,
) -> None:
    outcomes = Outcomes()
    seen: list[dict[str, Any]] = []
    engine = create_engine(database_url)
    try:
        async with timeline_process(database_url) as served, socket_to(served.address) as ws:
            await ws.subscribe("1", after=0)
            tail = asyncio.create_task(_tail(ws, seen))
            started = time.monotonic()
            deadline = started + SECONDS
            answered = await asyncio.gather(
                *(_client(served.address, n, deadline, outcomes) for n in range(CLIENTS))
            )
            assert time.monotonic() - started >= SECONDS
            assert all(answered), answered  # every client got through
            # The opening race: one winner, fifteen conflicts.
            assert "statement/race-opening" in outcomes.races_won
            assert len(outcomes.conflicted) >= CLIENTS - 1
            logged = await logged_ids(EventStore(engine))
            if tail.done():
                tail.result()  # the subscriber failed: say why
            # Cancelling a receive loses no message (websockets keeps it); take the rest.
            tail.cancel()
            with suppress(asyncio.CancelledError):
                await tail
            seen.extend(await ws.events(len(logged) - len(seen)))
        # Every OK'd mutation once, nothing else: the conflicts appended nothing.
        assert sorted(logged) == sorted(outcomes.ok)
        assert not set(outcomes.conflicted) & set(logged)
        # The subscriber saw the whole log, in order, once.
        assert [e["position"] for e in seen] == list(range(1, len(logged) + 1))
        assert [e["id"] for e in seen] == logged
        assert await verify(engine) == []
    finally:
        await engine.dispose()
