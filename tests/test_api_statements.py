"""A page of 100 events with every actor they name and their sources costs a few SQL statements,
not one per event: references go through the request's loaders."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.graphql.schema import schema
from events.store import EventStore
from events.types import NewEvent
from tests import factories
from tests.api_client import EDITOR_TOKEN, api_client, import_sample

MAX_STATEMENTS = 10
# Transaction control (SQLite's BEGIN per connection taken) is no query: not counted.
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def actor_selections() -> str:
    """For every event type, each field naming actors (directly or as founding parties)."""
    fragments = []
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        if "Event" not in {interface.name for interface in graphql_type.interfaces}:
            continue
        fields = []
        for name, field in graphql_type.fields.items():
            target = get_named_type(field.type).name
            if target == "Actor":
                fields.append(f"{name} {{ id name kind country {{ id name }} }}")
            elif target == "FoundingParty":
                fields.append(f"{name} {{ action actor {{ id name country {{ id }} }} }}")
        if fields:
            fragments.append(f"... on {graphql_type.name} {{ {' '.join(fields)} }}")
    return " ".join(fragments)


def many_events() -> list[NewEvent]:
    """About 150 events naming registered actors and states in every way an event can."""
    people = [factories.actor(f"envoy-{i}", kind="PERSON", country="USA") for i in range(20)]
    made = list(people)
    for i in range(30):
        made.append(factories.meeting(f"m-{i}", f"envoy-{i % 20}", "CHN", "wang-yi"))
        made.append(factories.statement(f"s-{i}", issuer=f"envoy-{(i + 1) % 20}"))
        made.append(
            factories.new(
                f"measure/m-{i}",
                "MeasureImposed",
                "2023-05-01",
                title=f"Measure {i}",
                kind="SANCTION",
                imposer="USA",
                targets=["CHN", f"envoy-{i % 20}"],
            )
        )
        made.append(
            factories.new(
                f"instrument/i-{i}",
                "InstrumentAdopted",
                "2023-06-01",
                title=f"Declaration {i}",
                kind="DECLARATION",
                parties=[{"actor": "GBR", "action": "SIGN"}, {"actor": "FRA", "action": "SIGN"}],
            )
        )
    return made


async def test_an_events_page_costs_a_few_statements(store: EventStore, database_url: str) -> None:
    await import_sample(store)
    made = many_events()
    await store.append(made, recorded_by="test")
    measures = [e.id for e in made if e.stream.startswith("measure/")]
    async with api_client(database_url) as http:
        # ten corrections, so that correctedBy has ten events to load
        for measure in measures[:10]:
            corrected = await http.post(
                "/graphql",
                json={
                    "query": 'mutation C($id: ID!) { correctEvent(input: {id: $id, reason: "r", '
                    'occurred: "2023-05-02"}) { userErrors { message } } }',
                    "variables": {"id": str(measure)},
                },
                headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
            )
            assert corrected.json()["data"]["correctEvent"]["userErrors"] == []
        text = (
            "{ events(first: 100) { totalCount edges { cursor node { id type "
            "sources { title url publisher published { edtf } } "
            "correctedBy { id type } original { id occurred { edtf } } "
            f"{actor_selections()} }} }} }} }}"
        )
        statements = await count_statements(http, text)
    body, count = statements
    assert "errors" not in body, body
    page = body["data"]["events"]
    assert len(page["edges"]) == 100
    nodes = [edge["node"] for edge in page["edges"]]
    assert any(node.get("participants") for node in nodes)
    assert any(node.get("issuer") for node in nodes)
    assert any(node.get("parties") for node in nodes)
    assert sum(1 for node in nodes if node["correctedBy"]) == 10
    assert count <= MAX_STATEMENTS, f"{count} SQL statements for one page of events"
    assert count > 0  # the listener sees the app's engine


async def count_statements(http: httpx.AsyncClient, text: str) -> tuple[dict[str, Any], int]:
    """The answer to `text` and how many SQL statements were run for it: counted on every
    engine (the async engines' sync_engine), since the app opens its own."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statement: str = args[2]
        if not statement.lstrip().upper().startswith(CONTROL):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        response = await http.post("/graphql", json={"query": text})
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    body: dict[str, Any] = response.json()
    return body, len(statements)
