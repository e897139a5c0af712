"""Hostile input against a live `timeline serve` (the corpus of tests/hostile_input.py), and the
error boundary for the server's own faults (api/boundary.py): every answer is coded, carries
the security headers and a request id, and no log line holds what the client sent."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.graphql.errors import ApiError
from api.graphql.paging import decode_cursor, encode_cursor
from events.db import create_engine
from tests.api_client import EDITOR_TOKEN, api_client
from tests.hostile_input import DEEP, hostile_requests
from tests.servers import AUTH, SUBSCRIBE, WAIT, serving, settings_for, timeline_process

DAY = date(2024, 1, 1)
SECURITY_HEADERS = (
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "content-security-policy",
    "cross-origin-opener-policy",
    "x-request-id",
)


def assert_coded(response: httpx.Response, status: int, code: str, name: str = "") -> None:
    """`response` has `status`, the security headers and a request id, and a GraphQL body
    whose first error has `code`."""
    assert response.status_code == status, (name, response.status_code, response.text[:500])
    missing = [header for header in SECURITY_HEADERS if header not in response.headers]
    assert not missing, (name, missing)
    if status >= 400:
        assert response.headers["cache-control"] == "no-store", name
    body: dict[str, Any] = response.json()
    assert body.get("data") is None, (name, body)
    assert body["errors"][0]["extensions"]["code"] == code, (name, body)


async def test_the_hostile_corpus_gets_coded_answers_and_leaves_no_trace_in_the_log(
    database_url: str,
) -> None:
    secret = f"Hostile{uuid.uuid4().hex}"
    cases = hostile_requests(secret)
    async with timeline_process(database_url) as served:
        async with httpx.AsyncClient(base_url=f"http://{served.address}", timeout=WAIT) as http:
            for case in cases:
                headers = dict(case.headers)
                headers.setdefault("authorization", AUTH["Authorization"])
                response = await http.request(
                    case.method, case.path, content=case.body, headers=headers
                )
                assert_coded(response, case.status, case.code, case.name)
            # Still serving, and nothing was appended.
            head = await http.post(
                "/graphql", json={"query": "{ logHead { position } }"}, headers=AUTH
            )
            assert head.json()["data"]["logHead"]["position"] == 0
        lines = served.log_lines()
    assert lines, "the server logged nothing"
    for line in lines:
        assert secret not in line, line
        assert secret.lower()[:20] not in line, line
        assert EDITOR_TOKEN not in line, line
        assert "Traceback" not in line and "unexpected error" not in line, line


async def test_a_fault_of_the_server_is_a_masked_coded_500_with_headers(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("the server's own fault, with a detail no client may see")

    monkeypatch.setattr("api.app.TimelineGraphQL.process_result", broken)
    async with api_client(database_url) as http:
        response = await http.post(
            "/graphql",
            json={"query": "{ logHead { position } }"},
            headers={**AUTH, "X-Request-ID": "fault-1"},
        )
    assert_coded(response, 500, "INTERNAL_SERVER_ERROR")
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["requestId"] == "fault-1" == response.headers["x-request-id"]
    assert "detail no client may see" not in response.text
    logged = [r for r in caplog.records if r.name == "timeline.api" and r.exc_info]
    assert logged and getattr(logged[0], "request_id", "fault-1") == "fault-1"


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64!",
        "x" * 300,
        encode_cursor((DAY, DAY, 2**63)),
        encode_cursor((DAY, DAY, -1)),
        encode_cursor((DAY, DAY, 5), "relation"),
        encode_cursor((DAY, DAY, 5)).rstrip("=") + "==",
    ],
)
def test_a_forged_cursor_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(ApiError) as raised:
        decode_cursor(cursor, "after")
    assert (raised.value.extensions or {})["code"] == "BAD_USER_INPUT"


async def test_database_errors_carry_no_bound_parameters(database_url: str) -> None:
    secret = f"Hostile{uuid.uuid4().hex}"
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TEMPORARY TABLE secrets (id TEXT PRIMARY KEY)"))
            insert = text("INSERT INTO secrets (id) VALUES (:id)")
            await conn.execute(insert, {"id": secret})
            with pytest.raises(StatementError) as caught:
                await conn.execute(insert, {"id": secret})
    finally:
        await engine.dispose()
    assert "hidden" in str(caught.value)
    assert secret not in str(caught.value)


async def test_hostile_websocket_messages_close_the_socket_with_a_code(database_url: str) -> None:
    deep = '{"type": "connection_init", "payload": ' + "[" * DEEP + "]" * DEEP + "}"
    surrogate = json.dumps(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": SUBSCRIBE, "variables": {"filter": {"stream": "\ud800"}}},
        }
    )
    settings = settings_for(database_url, TIMELINE_MAX_BODY_BYTES="2000000")
    async with serving(settings) as address:
        for first, message in ((None, deep), ({"type": "connection_init"}, surrogate)):
            async with connect(
                f"ws://{address}/graphql", subprotocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL]
            ) as ws:
                if first is not None:
                    await ws.send(json.dumps(first))
                    assert json.loads(await ws.recv())["type"] == "connection_ack"
                await ws.send(message)
                with pytest.raises(ConnectionClosed) as closed:
                    async with asyncio.timeout(WAIT):
                        await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_a_fault_on_a_websocket_closes_it_with_1011(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("the server's own fault")

    monkeypatch.setattr("api.app.TimelineGraphQL.get_context", broken)
    async with (
        serving(settings_for(database_url)) as address,
        connect(
            f"ws://{address}/graphql",
            subprotocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            additional_headers={"X-Request-ID": "ws-fault-1"},
        ) as ws,
    ):
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(WAIT):
                await ws.send(json.dumps({"type": "connection_init"}))
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
    assert "ws-fault-1" in closed.value.rcvd.reason
