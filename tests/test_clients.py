"""Clients nobody here wrote, against a live server holding the demo data and one correction,
with reading locked behind a token: Python's gql over HTTP and WebSocket (the token in
connection_init, as a browser sends it), a client ariadne-codegen generated from the committed
SDL (tests/clients/ariadne), and the Node clients of tests/clients/node (Apollo Client with
InMemoryCache and possibleTypes, urql, graphql-ws). Each checks real answers of the demo, and
Apollo keeps a knownAt before the correction next to the current answer in one cache."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from graphql import build_schema, parse, validate

from events.db import create_engine
from events.store import EventStore
from tests.servers import AUTH, WAIT, serving, settings_for
from tests.test_graph import BANGKOK, CORRECTED_TITLE, demo_with_a_correction

ROOT = Path(__file__).parent.parent
CLIENTS = Path(__file__).parent / "clients"
NODE_PACKAGE = CLIENTS / "node"
BANGKOK_TITLE = "Sullivan-Wang talks in Bangkok"
DEMO_MEETINGS = {
    "AI Safety Summit, Bletchley Park",
    "Biden-Xi summit near San Francisco",
    "EU agrees on the AI Act",
    CORRECTED_TITLE,
}


@dataclass(frozen=True)
class Demo:
    """A live server of the demo data: where it answers, and an instant before the correction."""

    address: str
    before: str


@asynccontextmanager
async def demo_server(database_url: str) -> AsyncIterator[Demo]:
    """The demo with the Bangkok meeting's title corrected, served with reading locked."""
    engine = create_engine(database_url)
    store = EventStore(engine)
    settings = settings_for(database_url, TIMELINE_READ_REQUIRES_TOKEN="true")
    try:
        async with (
            serving(settings) as address,
            httpx.AsyncClient(base_url=f"http://{address}") as http,
        ):
            corrected_at = await demo_with_a_correction(http, store)
            yield Demo(address, (corrected_at - timedelta(seconds=1)).isoformat())
    finally:
        await store.close()
        await engine.dispose()


async def test_gql_over_http_and_websocket_with_the_token_in_connection_params(
    database_url: str,
) -> None:
    async with demo_server(database_url) as demo:
        http = HTTPXAsyncTransport(url=f"http://{demo.address}/graphql", headers=AUTH)
        relation = gql(
            """query R($k: DateTime) { relation(a: "USA", b: "CHN", asOf: "2024-02-19",
            knownAt: $k) { lastContact { id key title location { country { id name } } }
            dialogues { dialogue { id key name track } status } } }"""
        )
        async with Client(transport=http, fetch_schema_from_transport=True) as session:
            now = await session.execute(relation)
            relation.variable_values = {"k": demo.before}
            then = await session.execute(relation)
        assert now["relation"]["lastContact"]["title"] == CORRECTED_TITLE
        assert now["relation"]["lastContact"]["id"] == now["relation"]["lastContact"]["key"]
        assert then["relation"]["lastContact"]["title"] == BANGKOK_TITLE
        assert then["relation"]["lastContact"]["id"].startswith(
            then["relation"]["lastContact"]["key"] + "@"
        )
        thailand = then["relation"]["lastContact"]["location"]["country"]
        assert thailand["name"] == "Thailand" and thailand["id"].startswith("THA@")
        assert {d["dialogue"]["name"] for d in now["relation"]["dialogues"]} >= {
            "US-China intergovernmental dialogue on AI"
        }
        # No header on the upgrade, as in a browser: the token in connectionParams.
        ws = WebsocketsTransport(
            url=f"ws://{demo.address}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            init_payload={"Authorization": AUTH["Authorization"]},
        )
        request = gql(
            "subscription { eventRecorded(afterPosition: 0, filter: {types: [MeetingHeld]}) "
            "{ __typename id stream { id } ... on MeetingHeld { title meetingKind } } }"
        )
        titles = []
        async with Client(transport=ws) as session:
            subscription = session.subscribe(request)
            async with asyncio.timeout(WAIT), aclosing(subscription) as stream:  # type: ignore[type-var]
                async for answer in stream:
                    titles.append(answer["eventRecorded"]["title"])
                    if len(titles) == 4:
                        break
        assert set(titles) >= DEMO_MEETINGS


async def test_a_client_generated_by_ariadne_codegen_answers(database_url: str) -> None:
    sys.path.insert(0, str(CLIENTS / "ariadne"))
    try:
        from timeline_client import Client as Generated  # type: ignore[import-not-found]
        from timeline_client.enums import EventType  # type: ignore[import-not-found]
        from timeline_client.input_types import EventFilter  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(CLIENTS / "ariadne"))
    async with demo_server(database_url) as demo:
        client = Generated(url=f"http://{demo.address}/graphql", headers=AUTH)
        now = await client.relation(a="USA", b="CHN", as_of="2024-02-19")
        then = await client.relation(a="USA", b="CHN", as_of="2024-02-19", known_at=demo.before)
        # includeRetracted is optional: the generated input leaves it out.
        meetings = await client.events(filter_=EventFilter(types=[EventType.MeetingHeld]))
        refetched = await client.node(id=then.relation.last_contact.id)
    assert now.relation.last_contact.title == CORRECTED_TITLE
    assert then.relation.last_contact.title == BANGKOK_TITLE
    assert refetched.node.title == BANGKOK_TITLE and refetched.node.id != refetched.node.key
    assert {s.measure.kind.value for s in now.relation.measures_in_force} == {"EXPORT_CONTROL"}
    assert meetings.events.total_count == 4
    assert {n.title for n in meetings.events.nodes} >= DEMO_MEETINGS


def test_the_generated_clients_operations_hold_for_the_committed_schema() -> None:
    """The operations the generated client sends validate against the committed SDL (after a
    breaking change, `make ariadne-client` regenerates it)."""
    schema = build_schema((ROOT / "api" / "schema.graphql").read_text(encoding="utf-8"))
    document = parse((CLIENTS / "ariadne" / "queries.graphql").read_text(encoding="utf-8"))
    assert validate(schema, document) == []


def node_modules() -> Path | None:
    """The Node package's installed modules: installed with `npm ci` if node and npm are on
    PATH and they are missing; None (the test is skipped, saying why) without node."""
    if shutil.which("node") is None:
        return None
    installed = NODE_PACKAGE / "node_modules"
    if not installed.is_dir() and shutil.which("npm") is not None:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_PACKAGE, check=True, timeout=600
        )
    return installed if installed.is_dir() else None


async def test_node_clients_apollo_urql_and_graphql_ws(database_url: str) -> None:
    if node_modules() is None:
        pytest.skip(
            "node and the Node clients' modules are needed: install Node.js 20+ and npm, or run "
            "`npm ci` in tests/clients/node"
        )
    async with demo_server(database_url) as demo:
        process = await asyncio.create_subprocess_exec(
            "node",
            "check.mjs",
            cwd=NODE_PACKAGE,
            env={
                **os.environ,
                "ADDRESS": demo.address,
                "TOKEN": AUTH["Authorization"].removeprefix("Bearer "),
                "EVENT_ID": BANGKOK,
                "BEFORE": demo.before,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(120):
            out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    answers = json.loads(out)
    apollo = answers["apollo"]
    # A knownAt before the correction and the current answer, side by side in one cache.
    assert apollo["then"]["title"] == apollo["cachedThen"]["title"] == BANGKOK_TITLE
    assert apollo["now"]["title"] == apollo["cachedNow"]["title"] == CORRECTED_TITLE
    assert apollo["then"]["id"] != apollo["now"]["id"] == BANGKOK
    assert apollo["now"]["original"]["title"] == BANGKOK_TITLE
    assert apollo["now"]["location"]["country"] == {
        "__typename": "Actor",
        "id": "THA",
        "name": "Thailand",
    }
    assert len(apollo["cacheKeys"]) == 3  # now, then, and the original: three entries
    assert apollo["everyKind"] == 33  # the demo's 32 events and the correction
    assert "Biden-Xi summit near San Francisco" in apollo["dialogueAgreedAt"]
    urql = answers["urql"]
    assert {d["dialogue"]["name"] for d in urql["dialogues"]} == {
        "US-China intergovernmental dialogue on AI",
        "Tsinghua CISS-Brookings Track II dialogue on AI and international security",
    }
    assert {m["measure"]["kind"] for m in urql["measuresInForce"]} == {"EXPORT_CONTROL"}
    assert set(answers["graphqlWs"]) >= DEMO_MEETINGS
