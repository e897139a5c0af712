"""Secrets and access (docs/graphql.md, "Access"): tokens are never logged nor echoed, only
their digests are kept and compared in constant time, reading can be locked, CORS and
WebSocket origins come from an allow-list, and every HTTP response carries the security headers."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import AsyncIterator
from contextlib import suppress

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api import auth
from api.auth import Token, TokenTable, Unauthenticated, digest_of
from api.graphiql import graphiql_html
from api.security_headers import API_POLICY
from api.settings import Settings
from events.errors import ConfigurationError
from events.store import EventStore
from tests.api_client import EDITOR_TOKEN, api_client, import_sample
from tests.servers import AUTH, TOKENS, WAIT, serving, settings_for, statement, timeline_process

QUERY = {"query": "{ logHead { count } }"}
READER_TOKEN = "reader-token-0123456789-Kq7Zx2Vb9Lw4"
WITH_READER = json.dumps(
    [
        *json.loads(TOKENS),
        {"principal": "rita", "role": "reader", "token": READER_TOKEN},
    ]
)
ALLOWED = "https://timeline.example.org"
OTHER = "https://evil.example.com"


@pytest.fixture
async def client(store: EventStore, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    await import_sample(store)
    async with api_client(database_url, TIMELINE_CORS_ORIGINS=ALLOWED) as http:
        yield http


# --- tokens ------------------------------------------------------------------------------------


async def test_tokens_never_reach_the_logs(database_url: str) -> None:
    """At DEBUG, with a token in the header (known and unknown), the query string, GraphQL
    variables and an error: no log line holds one."""
    unknown = "unknown-token-9876543210"
    async with (
        timeline_process(database_url, TIMELINE_LOG_LEVEL="debug") as served,
        httpx.AsyncClient() as http,
    ):
        base = f"http://{served.address}"
        for token in (EDITOR_TOKEN, unknown):
            await http.post(
                f"{base}/graphql?token={token}&access_token={token}",
                json={
                    "query": "query E($id: ID!) { event(id: $id) { id } }",
                    "variables": {"id": token},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            await http.get(f"{base}/export/jsonl?token={token}", headers=AUTH)
            await http.post(f"{base}/graphql", content=f'{{"query": "{token}', headers=AUTH)
        await served.logged("/export/jsonl", times=2)
        lines = served.log_lines()
    assert [line for line in lines if "timeline.access" in line]
    assert [line for line in lines if EDITOR_TOKEN in line or unknown in line] == []


@pytest.mark.parametrize(
    "header",
    ["Bearer unknown-token-9876543210", "Basic unknown-token-9876543210", "unknown-token-98765"],
)
async def test_a_refused_token_is_not_echoed(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "unknown-token" not in response.text
    assert all("unknown-token" not in value for value in response.headers.values())


def test_only_digests_are_kept() -> None:
    settings = Settings.from_env({"TIMELINE_TOKENS": WITH_READER})
    [editor, reader] = settings.tokens.tokens
    assert reader.sha256 == digest_of(READER_TOKEN) and editor.sha256 == digest_of(EDITOR_TOKEN)
    held = [getattr(token, name) for token in settings.tokens.tokens for name in Token.__slots__]
    assert READER_TOKEN not in repr(held) and READER_TOKEN not in repr(settings)
    assert reader.principal.name == "rita"
    assert settings.tokens.authenticate(f"Bearer {READER_TOKEN}") == reader.principal


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every configured digest goes through hmac.compare_digest, found or not; no `==`."""
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", compare_digest)
    table = Settings.from_env({"TIMELINE_TOKENS": WITH_READER}).tokens
    for presented in (EDITOR_TOKEN, READER_TOKEN, "unknown-token-9876543210"):
        compared.clear()
        with suppress(Unauthenticated):
            table.authenticate(f"Bearer {presented}")
        assert compared == [(t.sha256, digest_of(presented)) for t in table.tokens]
    assert TokenTable().authenticate(None) is None


# --- read access -------------------------------------------------------------------------------


async def test_read_access_can_be_locked(store: EventStore, database_url: str) -> None:
    await import_sample(store)
    async with api_client(
        database_url, TIMELINE_READ_REQUIRES_TOKEN="true", TIMELINE_TOKENS=WITH_READER
    ) as http:
        anonymous = await http.post("/graphql", json=QUERY)
        assert anonymous.status_code == 401
        error = anonymous.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "requires a token to read" in error["message"]
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert (await http.get("/graphql", params=QUERY)).status_code == 401
        assert (await http.get("/export/jsonl")).status_code == 401
        assert (await http.get("/schema.graphql")).status_code == 401
        reader = {"Authorization": f"Bearer {READER_TOKEN}"}
        allowed = await http.post("/graphql", json=QUERY, headers=reader)
        assert allowed.json() == {
            "data": {"logHead": {"count": 7}},
            "extensions": allowed.json()["extensions"],
        }
        assert (await http.get("/export/jsonl", headers=reader)).status_code == 200
        # GraphiQL's page holds no data and a browser opens it without a token.
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text
        # Health checks stay open to the orchestrator.
        assert (await http.get("/healthz")).status_code == 200
    async with api_client(database_url) as http:
        assert (await http.post("/graphql", json=QUERY)).json()["data"] == {"logHead": {"count": 7}}


async def test_a_locked_server_refuses_an_anonymous_websocket(database_url: str) -> None:
    settings = settings_for(
        database_url, TIMELINE_READ_REQUIRES_TOKEN="true", TIMELINE_TOKENS=WITH_READER
    )
    protocols = ["graphql-transport-ws"]
    async with serving(settings) as address:
        url = f"ws://{address}/graphql"
        # No token with the upgrade nor in connection_init; a wrong one in either: 4401.
        for headers, payload in (
            ({}, {}),
            ({}, {"Authorization": "Bearer wrong-token-0123456789"}),
            ({"Authorization": "Bearer wrong-token-0123456789"}, None),
        ):
            async with connect(url, subprotocols=protocols, additional_headers=headers) as ws:  # type: ignore[arg-type]
                with pytest.raises(ConnectionClosed) as closed:
                    if payload is not None:
                        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
                    await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401, payload
            expected = "requires a token to read" if payload == {} else "token"
            assert expected in closed.value.rcvd.reason
        # The token with the upgrade, or in connection_init as a browser sends it.
        for headers, payload in ((AUTH, {}), ({}, {"Authorization": f"Bearer {READER_TOKEN}"})):
            async with connect(url, subprotocols=protocols, additional_headers=headers) as ws:  # type: ignore[arg-type]
                await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                await ws.send(
                    json.dumps(
                        {"id": "1", "type": "subscribe", "payload": {"query": QUERY["query"]}}
                    )
                )
                answer = json.loads(await ws.recv())
                assert answer["type"] == "next" and answer["payload"]["data"]["logHead"], answer


async def test_a_token_in_connection_init_carries_its_role(database_url: str) -> None:
    """A reader's token in connection_init may read, not record; an editor's may record."""
    settings = settings_for(database_url, TIMELINE_TOKENS=WITH_READER)
    record = {
        "query": "mutation R($input: RecordEventInput!) { recordEvent(input: $input) "
        "{ event { recordedBy } } }",
        "variables": {"input": statement()},
    }
    async with serving(settings) as address:
        url = f"ws://{address}/graphql"
        answers = {}
        for token in (READER_TOKEN, EDITOR_TOKEN):
            async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                await ws.send(json.dumps(init))
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": record}))
                answers[token] = json.loads(await ws.recv())["payload"]
    assert answers[READER_TOKEN]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert answers[EDITOR_TOKEN]["data"]["recordEvent"]["event"]["recordedBy"] == "ed"


# --- origins -----------------------------------------------------------------------------------


async def test_cors_comes_from_the_allow_list(client: httpx.AsyncClient) -> None:
    allowed = await client.post("/graphql", json=QUERY, headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    other = await client.post("/graphql", json=QUERY, headers={"Origin": OTHER})
    assert other.status_code == 200  # answered, but no browser lets the page read it
    assert "access-control-allow-origin" not in other.headers
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    ok = await client.options("/graphql", headers={"Origin": ALLOWED, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    refused = await client.options("/graphql", headers={"Origin": OTHER, **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_websocket_origins_come_from_the_allow_list(database_url: str) -> None:
    settings = settings_for(database_url, TIMELINE_CORS_ORIGINS=ALLOWED)
    async with serving(settings) as address:
        url = f"ws://{address}/graphql"
        for origin in (ALLOWED, None):  # a listed page; a client that is no browser
            async with connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                origin=origin,  # type: ignore[arg-type]
                open_timeout=WAIT,
            ) as ws:
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                assert json.loads(await ws.recv())["type"] == "connection_ack"
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                origin=OTHER,  # type: ignore[arg-type]
                open_timeout=WAIT,
            ):
                pass
        assert refused.value.response.status_code == 403


@pytest.mark.parametrize("value", ["https://a.example/path", "timeline.example.org", "null"])
def test_a_bad_origin_is_named(value: str) -> None:
    with pytest.raises(ConfigurationError, match="TIMELINE_CORS_ORIGINS"):
        Settings.from_env({"TIMELINE_CORS_ORIGINS": value})


def test_origins_are_read_as_browsers_send_them() -> None:
    settings = Settings.from_env(
        {"TIMELINE_CORS_ORIGINS": " https://Timeline.Example.org:443 , http://localhost:5173"}
    )
    assert settings.cors_origins == ("http://localhost:5173", ALLOWED)


# --- security headers --------------------------------------------------------------------------


async def test_every_http_response_carries_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    responses = {
        "query": await client.post("/graphql", json=QUERY),
        "get query": await client.get("/graphql", params=QUERY),
        "health": await client.get("/healthz"),
        "schema": await client.get("/schema.graphql"),
        "export": await client.get("/export/jsonl"),
        "metrics": await client.get("/metrics"),
        "not found": await client.get("/nowhere"),
        "bad request": await client.post(
            "/graphql", content=b"{", headers={"Content-Type": "application/json"}
        ),
        "unauthenticated": await client.post(
            "/graphql", json=QUERY, headers={"Authorization": "Bearer unknown-token-987654"}
        ),
        "graphiql": await client.get("/graphql", headers={"Accept": "text/html"}),
    }
    for name, response in responses.items():
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["referrer-policy"] == "no-referrer", name
        assert headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in headers["content-security-policy"], name
        assert "strict-transport-security" not in headers, name
        if response.status_code >= 400:
            assert headers["cache-control"] == "no-store", name
        else:
            # /metrics sets its own; a GET query's answer carries the answer cache's.
            assert "cache-control" not in headers or name in ("metrics", "get query"), name
        if name != "graphiql":
            assert headers["content-security-policy"] == API_POLICY, name
    assert responses["not found"].status_code == 404
    assert responses["bad request"].status_code == 400


async def test_graphiqls_policy_allows_this_servers_scripts_only(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    policy = dict(
        item.strip().split(" ", 1) for item in page.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'self'"
    # No script of the page runs inline: the examples are data, not code.
    assert re.findall(r"<script>", graphiql_html()) == []
    sources = re.findall(r'<script src="([^"]+)" integrity="sha384-[^"]+"', page.text)
    assert len(sources) == 3 and all(src.startswith("/static/vendor/") for src in sources)
    assert "https://" not in page.text


async def test_hsts_only_when_configured(database_url: str) -> None:
    async with api_client(database_url, TIMELINE_HSTS_SECONDS="31536000") as http:
        response = await http.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
