"""Subscriptions (`eventRecorded`) over graphql-transport-ws, against real servers: uvicorn in
the test's loop for most tests, `timeline serve` processes for the cross-process and real-client
ones. Every test runs on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL.

Waiting on the wire is bounded by WAIT seconds, a safety net against a hang, never an assertion
on speed. "Nothing more came" is shown by recording a sentinel event and receiving it next:
positions are in order, so anything extra or repeated would come before it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import aclosing, suppress
from typing import Any

import asyncpg
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy.engine import make_url
from websockets.exceptions import ConnectionClosed

from api.settings import Settings
from events.db import create_engine
from events.errors import ConfigurationError
from events.store import EventStore
from tests import factories
from tests.conftest import BACKENDS
from tests.servers import (
    AUTH,
    EVENT_SELECTION,
    RECORD,
    SUBSCRIBE,
    WAIT,
    head,
    post,
    record,
    serving,
    settings_for,
    socket_to,
    statement,
    timeline_serve,
)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[str]:
    async with serving(settings_for(database_url)) as address:
        yield address


# --- the tests ---------------------------------------------------------------------------------


async def test_recorded_events_arrive_in_order_none_missing_none_twice(server: str) -> None:
    start = await head(server)
    async with socket_to(server) as ws:
        await ws.subscribe("1", after=start)

        async def writer(n: int) -> list[int]:
            # Alternating single events and batches, from four writers at once.
            positions = []
            for i in range(10):
                if i % 2:
                    positions += await record(server, statement(summary=f"w{n} e{i}"))
                else:
                    positions += await record(server, *(statement() for _ in range(9)))
            return positions

        batches = await asyncio.gather(*(writer(n) for n in range(4)))
        recorded = sorted(position for batch in batches for position in batch)
        assert recorded == list(range(start + 1, start + 201))
        received = await ws.events(200)
        assert [event["position"] for event in received] == recorded
        assert len({event["id"] for event in received}) == 200
        # The very same Event objects as the `event` query gives.
        last = received[-1]
        shown = await post(
            server,
            f"query One($id: ID!) {{ event(id: $id) {{ {EVENT_SELECTION} }} }}",
            {"id": last["id"]},
        )
        assert shown["event"] == last
        assert last["__typename"] == "StatementIssued" and last["recordedBy"] == "ed"
        # A replay longer than one read of the log (events/follow.py BATCH) is whole too.
        await ws.subscribe("2", after=start)
        assert await ws.events(200, op="2") == received


async def test_without_after_position_only_new_events_come(server: str) -> None:
    before = (await record(server, *(statement() for _ in range(3))))[-1]
    async with socket_to(server) as ws:
        await ws.subscribe("1")
        # When the subscription has taken the head is not told; record one event at a time
        # until one arrives. None of the three above may, and from the first on, all do.
        recorded: list[int] = []
        first = None
        while first is None:
            recorded += await record(server, statement())
            with suppress(TimeoutError):
                async with asyncio.timeout(0.5):
                    first = json.loads(await ws.ws.recv())
        assert first["type"] == "next", first
        position = first["payload"]["data"]["eventRecorded"]["position"]
        assert position > before and position in recorded
        sentinel = await record(server, statement())
        rest = await ws.events(sentinel[0] - position)
        assert [e["position"] for e in rest] == list(range(position + 1, sentinel[0] + 1))


async def test_a_subscriber_resumes_after_the_last_position_seen(server: str) -> None:
    start = await head(server)
    async with socket_to(server) as ws:
        await ws.subscribe("1", after=start)
        await record(server, *(statement() for _ in range(5)))
        seen = await ws.events(5)
    last = seen[-1]["position"]
    assert last == start + 5
    missed = await record(server, *(statement() for _ in range(7)))  # while disconnected
    async with socket_to(server) as ws:
        await ws.subscribe("1", after=last)
        live = await record(server, statement())
        got = await ws.events(8)
        assert [e["position"] for e in got] == missed + live
        sentinel = await record(server, statement())
        assert [e["position"] for e in await ws.events(1)] == sentinel


async def test_the_filter_holds_for_replay_and_live(server: str) -> None:
    start = await head(server)
    french = await record(server, statement("FRA", "DEU"), statement("CHN", "USA"))
    # A French statement retracted before the subscription starts: its original is left out
    # (includeRetracted is false), the retraction itself is French and comes.
    doomed = await post(server, RECORD, {"input": statement("FRA", "ITA")})
    doomed_id = doomed["recordEvent"]["event"]["id"]
    retraction = await post(
        server,
        'mutation R($id: ID!) { retractEvent(input: {id: $id, reason: "wrong"}) '
        "{ event { position } } }",
        {"id": doomed_id},
    )
    retraction_position = retraction["retractEvent"]["event"]["position"]
    async with socket_to(server) as ws:
        await ws.subscribe("1", after=start, filter={"actors": ["FR"]})
        await ws.subscribe("2", after=start, filter={"types": ["EventRetracted"]})
        live = await record(server, statement("USA", "CHN"), statement("DEU", "FRA"))
        sentinel = await record(server, statement("FRA", "GBR"))
        received: dict[str, list[int]] = {"1": [], "2": []}
        while len(received["1"]) < 4 or len(received["2"]) < 1:
            message = await ws.receive()
            assert message["type"] == "next", message
            received[message["id"]].append(message["payload"]["data"]["eventRecorded"]["position"])
        assert received["1"] == [french[0], retraction_position, live[1], sentinel[0]]
        assert received["2"] == [retraction_position]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"after": -1}, "BAD_USER_INPUT", "afterPosition"),
        ({"filter": {"actors": ["Not An Actor"]}}, "BAD_USER_INPUT", "filter.actors"),
        ({"after": "seven"}, "BAD_USER_INPUT", None),
        ({"filter": {"colour": "red"}}, "BAD_USER_INPUT", None),
    ],
)
async def test_bad_subscriptions_get_a_code_and_the_connection_goes_on(
    server: str, variables: dict[str, Any], code: str, field: str | None
) -> None:
    async with socket_to(server) as ws:
        await ws.send(
            {
                "id": "bad",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": variables},
            }
        )
        message = await ws.receive()
        assert message["id"] == "bad" and message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == code, message
        assert message["payload"][0]["extensions"].get("field") == field, message
        # The connection still serves a good subscription.
        await ws.subscribe("good", after=await head(server))
        recorded = await record(server, statement())
        assert [e["position"] for e in await ws.events(1, op="good")] == recorded


async def test_a_document_that_does_not_validate(server: str) -> None:
    async with socket_to(server) as ws:
        await ws.subscribe("1", text="subscription { eventRecorded { nope } }")
        message = await ws.receive()
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_subscriptions_per_connection_are_limited(database_url: str) -> None:
    settings = settings_for(database_url, TIMELINE_MAX_SUBSCRIPTIONS="2")
    async with serving(settings) as address, socket_to(address) as ws:
        start = await head(address)
        await ws.subscribe("1", after=start)
        await ws.subscribe("2", after=start)
        await ws.subscribe("3", after=start)
        refused = await ws.receive()
        assert refused["type"] == "error" and refused["id"] == "3", refused
        assert refused["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        # The two running ones still work; once one completes, another may start.
        await ws.send({"id": "1", "type": "complete"})
        await ws.subscribe("4", after=start)
        recorded = await record(address, statement())
        got: dict[str, list[int]] = {}
        while sum(map(len, got.values())) < 2:
            message = await ws.receive()
            assert message["type"] == "next", message
            got.setdefault(message["id"], []).append(
                message["payload"]["data"]["eventRecorded"]["position"]
            )
        assert got == {"2": recorded, "4": recorded}


async def test_shutdown_ends_waiting_subscriptions(database_url: str) -> None:
    server = serving(settings_for(database_url))
    address = await server.__aenter__()
    async with socket_to(address) as ws:
        await ws.subscribe("1")
        await record(address, statement())  # it waits for more now
        # Stopping the server with the subscription waiting neither hangs nor leaves it open.
        async with asyncio.timeout(WAIT):
            await server.__aexit__(None, None, None)
        with pytest.raises(ConnectionClosed):
            while True:
                assert (await ws.receive())["type"] in ("next", "complete")


# --- real processes and a real client ----------------------------------------------------------


async def test_an_event_recorded_by_one_process_reaches_a_subscriber_of_another(
    database_url: str,
) -> None:
    # PostgreSQL: by NOTIFY to the other process's LISTEN; SQLite: by the other's poll.
    async with timeline_serve(database_url) as writer, timeline_serve(database_url) as reader:
        start = await head(reader)
        async with socket_to(reader) as ws:
            await ws.subscribe("1", after=start)
            recorded = await record(writer, *(statement() for _ in range(3)))
            recorded += await record(writer, statement())
            assert [e["position"] for e in await ws.events(4)] == recorded


async def test_the_gql_client_queries_and_subscribes(database_url: str) -> None:
    async with timeline_serve(database_url) as address:
        http = HTTPXAsyncTransport(url=f"http://{address}/graphql", headers=AUTH)
        async with Client(transport=http) as session:
            result = await session.execute(gql("{ logHead { position } }"))
            start = result["logHead"]["position"]
        ws = WebsocketsTransport(
            url=f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
        )
        async with Client(transport=ws) as session:
            request = gql(SUBSCRIBE)
            request.variable_values = {"after": start, "filter": {"actors": ["USA"]}}
            recorded = await record(address, statement("CHN", "USA"), statement("FRA", "DEU"))
            recorded += await record(address, statement("USA", "GBR"))
            got = []
            async with asyncio.timeout(WAIT), aclosing(session.subscribe(request)) as stream:
                async for event in stream:
                    got.append(event["eventRecorded"])
                    if len(got) == 2:
                        break
        assert [e["position"] for e in got] == [recorded[0], recorded[2]]
        assert got[0]["issuer"] == {"id": "CHN"} and got[1]["about"] == [{"id": "GBR"}]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMELINE_LOG_POLL_SECONDS", "0"),
        ("TIMELINE_LOG_POLL_SECONDS", "often"),
        ("TIMELINE_LOG_RECHECK_SECONDS", "nan"),
    ],
)
def test_wake_up_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})
    assert Settings.from_env({name: "0.5"}) != Settings()


@pytest.mark.parametrize("database_url", [BACKENDS[1]], indirect=True)
async def test_a_lost_listen_connection_loses_no_event(database_url: str) -> None:
    # Appends by another writer (a store of the test's own, not the server's) reach the
    # subscriber only through NOTIFY; the server's LISTEN connection is killed in between.
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    engine = create_engine(database_url)
    other = EventStore(engine)
    admin = await asyncpg.connect(dsn)
    try:
        async with serving(settings_for(database_url)) as address, socket_to(address) as ws:
            start = await head(address)
            await ws.subscribe("1", after=start)
            first = await other.append([factories.statement("one")], recorded_by="other")
            assert [e["position"] for e in await ws.events(1)] == [first[0].position]
            pids = await admin.fetch(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
            )
            assert len(pids) == 1, pids  # one LISTEN connection per process
            await admin.execute("SELECT pg_terminate_backend($1)", pids[0]["pid"])
            # Appended while the server does not listen: its NOTIFY goes nowhere. The listener
            # reconnects and wakes its readers, which read the log.
            missed = await other.append([factories.statement("two")], recorded_by="other")
            assert [e["position"] for e in await ws.events(1)] == [missed[0].position]
            # And the new LISTEN connection hears the next append.
            later = await other.append([factories.statement("three")], recorded_by="other")
            assert [e["position"] for e in await ws.events(1)] == [later[0].position]
    finally:
        await admin.close()
        await engine.dispose()
