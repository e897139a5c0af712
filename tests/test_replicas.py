"""Several API processes on one database, as behind a load balancer (docs/deploy.md): each is
stateless, so what one appends the other reads at once and streams to its subscribers. Runs on
SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL, the production layout.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.servers import AUTH, RECORD, socket_to, statement, timeline_serve

EVENT = "query Event($id: ID!) { event(id: $id) { id position } logHead { position } }"


async def answer(http: httpx.AsyncClient, address: str, text: str, variables: dict) -> Any:
    """The whole answer (data and extensions) of one GraphQL request to `address`."""
    response = await http.post(
        f"http://{address}/graphql", json={"query": text, "variables": variables}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body


async def test_a_write_to_one_replica_is_read_at_once_on_the_other(database_url: str) -> None:
    async with (
        timeline_serve(database_url) as one,
        timeline_serve(database_url) as other,
        httpx.AsyncClient() as http,
        socket_to(other) as ws,
    ):
        start = (await answer(http, other, "{ logHead { position } }", {}))["data"]["logHead"]
        await ws.subscribe("1", after=start["position"])
        seen: list[int] = []  # logPosition of every answer, in the order they were answered
        written = []
        for round in range(6):
            writer, reader = (one, other) if round % 2 == 0 else (other, one)
            recorded = await answer(http, writer, RECORD, {"input": statement()})
            payload = recorded["data"]["recordEvent"]
            assert payload["userErrors"] == [], payload
            event = payload["event"]
            written.append(event["position"])
            seen.append(recorded["extensions"]["logPosition"])
            # The next request, to the other process, already sees it.
            read = await answer(http, reader, EVENT, {"id": event["id"]})
            assert read["data"]["event"] == event
            assert read["data"]["logHead"]["position"] >= event["position"]
            seen.append(read["extensions"]["logPosition"])
        assert seen == sorted(seen) and seen[-1] == written[-1]
        # The subscriber of `other` got every event, those recorded through `one` included.
        assert [e["position"] for e in await ws.events(len(written))] == written
