"""What a field naming an actor answers (docs/graph.md, "Actors the registry does not know"):
never null where the contract says `Actor!`, an unknown actor named as an argument NOT_FOUND."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from events.store import EventStore
from tests import factories


async def answer(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "root",
    [
        "relation(a: %s, b: %s) { asOf a { key } b { key } }",
        'changes(a: %s, b: %s, from: "2024-01-01", to: "2024-12-31") { measuresImposed { kind } }',
        'relationSeries(a: %s, b: %s, from: "2024-01-01", to: "2024-12-31", interval: YEAR) '
        "{ start }",
    ],
)
async def test_an_unregistered_side_is_not_found(client: httpx.AsyncClient, root: str) -> None:
    for a, b, field in (('"nobody"', '"CHN"', "a"), ('"CHN"', '"nobody"', "b")):
        body = await answer(client, "{ %s }" % (root % (a, b)))
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "NOT_FOUND", "field": field}, error
        assert "nobody" in error["message"]
    malformed = await answer(client, "{ %s }" % (root % ('"XXX"', '"CHN"')))
    assert malformed["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "a"}
    known = await answer(client, "{ %s }" % (root % ('"wang-yi"', '"USA"')))
    assert "errors" not in known, known


async def test_a_side_registered_after_known_at_is_not_found_then(
    client: httpx.AsyncClient, store: EventStore
) -> None:
    before = datetime.now(UTC).isoformat()
    await store.append([factories.actor("late-org")], recorded_by="test")
    text = '{ relation(a: "late-org", b: "CHN", knownAt: "%s") { a { key registered } } }'
    early = await answer(client, text % before)
    assert early["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "a"}
    now = await answer(client, text % datetime.now(UTC).isoformat())
    assert now["data"]["relation"]["a"] == {"key": "late-org", "registered": True}


async def test_an_actor_whose_registration_was_retracted_is_still_an_actor(
    client: httpx.AsyncClient, store: EventStore
) -> None:
    registered, *_ = await store.append(
        [
            factories.actor("envoy-r", kind="PERSON", country="USA"),
            factories.meeting("m-r", "envoy-r", "CHN", occurred="2024-03-01"),
            factories.new(
                "measure/m-r",
                "MeasureImposed",
                "2024-03-01",
                title="Measure r",
                kind="SANCTION",
                imposer="envoy-r",
                targets=["CHN"],
            ),
        ],
        recorded_by="test",
    )
    known = datetime.now(UTC).isoformat()
    await store.append(
        [
            factories.new(
                registered.stream,
                "EventRetracted",
                "2024-03-02",
                target=str(registered.id),
                reason="not an envoy",
            )
        ],
        recorded_by="test",
    )
    who = "{ key id name kind registered country { key } }"
    text = (
        '{ meeting: node(id: "meeting/m-r") { ... on Meeting { participants WHO } } '
        'measure(id: "measure/m-r") { imposer WHO targets { key } } '
        'events(first: 5, filter: {streams: ["measure/m-r"]}) '
        "{ nodes { ... on MeasureImposed { imposer WHO } } } "
        'actor(id: "envoy-r") { key } node(id: "envoy-r") { key } }'
    ).replace("WHO", who)
    body = await answer(client, text)
    assert "errors" not in body, body
    data = body["data"]
    shown = {
        "key": "envoy-r",
        "id": "envoy-r",
        "name": "Envoy-R",
        "kind": "PERSON",
        "registered": False,
        "country": {"key": "USA"},
    }
    assert shown in data["meeting"]["participants"]
    assert data["measure"]["imposer"] == shown
    assert data["events"]["nodes"] == [{"imposer": shown}]
    assert data["actor"] is None and data["node"] is None
    # as known before the retraction, the registry knew it
    then = await answer(
        client,
        (
            '{ measure(id: "measure/m-r", knownAt: "KNOWN") { imposer { key registered } } '
            'relation(a: "USA", b: "CHN", asOf: "2024-12-31", knownAt: "KNOWN") '
            "{ measuresInForce { imposer { key registered } } } }"
        ).replace("KNOWN", known),
    )
    assert "errors" not in then, then
    assert then["data"]["measure"]["imposer"] == {"key": "envoy-r", "registered": True}
    imposers = then["data"]["relation"]["measuresInForce"]
    assert {"key": "envoy-r", "registered": True} in [m["imposer"] for m in imposers]
    # a relation of the retracted actor itself is not found; its measures still name it
    gone = await answer(client, '{ relation(a: "envoy-r", b: "CHN") { asOf } }')
    assert gone["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "a"}
    usa = await answer(
        client,
        '{ relation(a: "USA", b: "CHN", asOf: "2024-12-31") '
        "{ measuresInForce { imposer { key registered } } } }",
    )
    assert "errors" not in usa, usa
