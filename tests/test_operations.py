"""What an operator runs the service by: request ids, JSON logs, Prometheus metrics, pool
settings and a graceful shutdown (docs/deploy.md, docs/configuration.md)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed

from api.metrics import MAX_OPERATIONS, NO_OPERATION, OTHER, UNNAMED
from api.settings import Settings
from events.db import create_engine
from events.errors import ConfigurationError
from events.store import EventStore
from tests import factories
from tests.api_client import EDITOR_TOKEN, api_client, import_sample
from tests.servers import AUTH, RECORD, WAIT, socket_to, statement, timeline_process

GRAPHQL_SECONDS = "timeline_graphql_request_duration_seconds"
# uvicorn, its shutdown done, raises the SIGTERM it caught again: the process ends by it.
STOPPED = -signal.SIGTERM


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics answer by (name, labels), parsed by prometheus_client."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def operation_counts(text: str) -> dict[str, float]:
    """GraphQL requests counted by operation label."""
    return {
        dict(labels)["operation"]: value
        for (name, labels), value in samples(text).items()
        if name == f"{GRAPHQL_SECONDS}_count"
    }


async def graphql(http: httpx.AsyncClient, text: str, **headers: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": text}, headers={**AUTH, **headers})


# --- request ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("3f2a9c1e-77b0-4d5e-9a10-1c2d3e4f5a6b", True),
        ("proxy.host:1234-abc_DEF", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("has spaces", False),
        ("<script>", False),
        ('a"b', False),
        ("", False),
    ],
)
async def test_a_sane_request_id_is_kept_any_other_replaced(
    client: httpx.AsyncClient, sent: str, kept: bool
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": sent})
    given = response.headers["x-request-id"]
    if kept:
        assert given == sent
    else:
        assert given != sent and re.fullmatch(r"[0-9a-f]{32}", given)


async def test_every_request_gets_an_id_of_its_own(client: httpx.AsyncClient) -> None:
    ids = {(await graphql(client, "{ logHead { position } }")).headers["x-request-id"]}
    ids.add((await client.get("/nowhere")).headers["x-request-id"])
    ids.add((await graphql(client, "{ nonsense }")).headers["x-request-id"])
    assert len(ids) == 3


# --- metrics -----------------------------------------------------------------------------------


async def test_metrics_count_requests_by_operation_and_the_events_appended(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(2):
        assert (await graphql(client, "query Head { logHead { position } }")).status_code == 200
    await graphql(client, "{ logHead { count } }")
    await graphql(client, "{ nonsense }")  # refused by validation: no operation ran
    recorded = await client.post(
        "/graphql", json={"query": RECORD, "variables": {"input": statement()}}, headers=AUTH
    )
    assert recorded.json()["data"]["recordEvent"]["userErrors"] == []
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    assert operation_counts(response.text) == {
        "Head": 2,
        UNNAMED: 1,
        NO_OPERATION: 1,
        "Record": 1,
    }
    assert found[("timeline_events_appended_total", frozenset())] == 1
    assert found[("timeline_log_head_position", frozenset())] == 8  # the sample's 7, and 1
    assert found[("timeline_database_up", frozenset())] == 1
    requests = {("route", "/graphql"), ("method", "POST"), ("status", "200")}
    assert found[("timeline_http_requests_total", frozenset(requests))] == 5


async def test_operation_labels_are_bounded(client: httpx.AsyncClient) -> None:
    for n in range(MAX_OPERATIONS + 20):
        await graphql(client, f"query Q{n} {{ logHead {{ position }} }}")
    await graphql(client, f"query {'Long' * 20} {{ logHead {{ position }} }}")
    counts = operation_counts((await client.get("/metrics")).text)
    assert len(counts) == MAX_OPERATIONS + 1
    assert counts[OTHER] == 21
    assert counts["Q0"] == 1 and "Q119" not in counts


async def test_metrics_can_be_turned_off(store: EventStore, database_url: str) -> None:
    await import_sample(store)
    async with api_client(database_url, TIMELINE_METRICS="false") as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await graphql(http, "{ logHead { position } }")).status_code == 200


async def test_subscriptions_are_counted_while_they_run(database_url: str) -> None:
    async with timeline_process(database_url) as served, httpx.AsyncClient() as http:
        url = f"http://{served.address}/metrics"

        async def reaches(count: int) -> None:
            """Until the gauge shows `count`: it changes as the operations start and end."""
            async with asyncio.timeout(WAIT):
                while True:
                    found = samples((await http.get(url)).text)
                    if found[("timeline_subscriptions", frozenset())] == count:
                        return
                    await asyncio.sleep(0.05)

        async with socket_to(served.address) as ws:
            await ws.subscribe("1")
            await ws.subscribe("2")
            await reaches(2)
            await ws.send({"id": "1", "type": "complete"})
            await reaches(1)
        await reaches(0)


async def test_the_metrics_of_several_workers_add_up(database_url: str) -> None:
    fresh = httpx.Limits(max_keepalive_connections=0)  # a connection each: any worker answers
    async with (
        timeline_process(database_url, "--workers", "2") as served,
        httpx.AsyncClient(base_url=f"http://{served.address}", limits=fresh) as http,
    ):
        await served.logged("Application startup complete.", times=2)  # both workers
        for _ in range(40):
            assert (await graphql(http, "query Head { logHead { position } }")).status_code == 200
        # Whichever worker answers the scrape, it counts the requests of both.
        for _ in range(6):
            assert operation_counts((await http.get("/metrics")).text)["Head"] == 40
        answered = [json.loads(line) for line in served.log_lines()]
        workers = {a["pid"] for a in answered if a["logger"] == "timeline.access"}
        assert len(workers) == 2


# --- logs --------------------------------------------------------------------------------------


async def test_logs_are_one_json_object_per_line_with_the_request_id_and_no_token(
    database_url: str,
) -> None:
    async with timeline_process(database_url) as served, httpx.AsyncClient() as http:
        url = f"http://{served.address}/graphql?token={EDITOR_TOKEN}"
        response = await http.post(
            url,
            json={"query": "query Head { logHead { position } }"},
            headers={**AUTH, "X-Request-ID": "trace-42"},
        )
        assert response.status_code == 200
        await http.post(url, json={"query": "{ nonsense }"}, headers=AUTH)
        served.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(served.process.wait(), WAIT) == STOPPED
        lines = served.log_lines()
    records = [json.loads(line) for line in lines]
    assert all(isinstance(record, dict) for record in records)
    assert {"time", "level", "logger", "pid", "message", "request_id"} <= set(records[0])
    access = [record for record in records if record["logger"] == "timeline.access"]
    assert [(a["request_id"], a["operation"], a["status"]) for a in access[:1]] == [
        ("trace-42", "Head", 200)
    ]
    assert access[0]["route"] == access[0]["path"] == "/graphql"
    assert access[1]["operation"] is None and re.fullmatch(r"[0-9a-f]{32}", access[1]["request_id"])
    assert any(record["message"] == "Application shutdown complete." for record in records)
    assert not [line for line in lines if EDITOR_TOKEN in line]


async def test_text_logs_for_a_terminal(database_url: str) -> None:
    async with timeline_process(database_url, TIMELINE_LOG_FORMAT="text") as served:
        async with httpx.AsyncClient() as http:
            await http.get(f"http://{served.address}/schema.graphql")
        served.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(served.process.wait(), WAIT)
        access = [line for line in served.log_lines() if "timeline.access" in line]
    assert len(access) == 1 and "GET /schema.graphql 200" in access[0]
    assert not access[0].startswith("{")


# --- shutdown ----------------------------------------------------------------------------------


async def test_sigterm_finishes_the_request_in_flight_and_closes_subscriptions(
    database_url: str,
) -> None:
    body = json.dumps({"query": RECORD, "variables": {"input": statement()}}).encode()
    half_sent = asyncio.Event()
    terminated = asyncio.Event()

    async def slowly() -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        half_sent.set()  # resumed: the first half is on the wire
        await terminated.wait()
        yield body[len(body) // 2 :]

    async with timeline_process(database_url) as served, socket_to(served.address) as ws:
        await ws.subscribe("1")
        async with httpx.AsyncClient(timeout=WAIT) as http:
            request = asyncio.create_task(
                http.post(
                    f"http://{served.address}/graphql",
                    content=slowly(),
                    headers={**AUTH, "Content-Type": "application/json"},
                )
            )
            await asyncio.wait_for(half_sent.wait(), WAIT)
            await asyncio.sleep(0.2)  # the server has read the request line by now
            served.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.2)  # it has stopped accepting by now
            terminated.set()
            response = await request
        assert response.status_code == 200
        payload: dict[str, Any] = response.json()["data"]["recordEvent"]
        assert payload["userErrors"] == [] and payload["event"]["position"] == 1
        # The subscription was closed by the server with a close frame, not dropped.
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(WAIT):
                while True:
                    await ws.receive()
        # 1012, service restart: the client reconnects and resumes from its last position.
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        assert await asyncio.wait_for(served.process.wait(), WAIT) == STOPPED
        assert "Application shutdown complete." in served.log.read_text(encoding="utf-8")


# --- settings ----------------------------------------------------------------------------------


async def test_pool_settings_reach_the_engine() -> None:
    settings = Settings.from_env(
        {
            "TIMELINE_DB_POOL_SIZE": "3",
            "TIMELINE_DB_MAX_OVERFLOW": "0",
            "TIMELINE_DB_POOL_TIMEOUT_SECONDS": "2.5",
            "TIMELINE_DB_POOL_RECYCLE_SECONDS": "600",
            "TIMELINE_DB_POOL_PRE_PING": "false",
        }
    )
    engine = create_engine("postgresql://u@localhost/db", **settings.pool.engine_options())
    pool: Any = engine.pool
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (3, 0, 2.5, 600)
    assert pool._pre_ping is False
    await engine.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMELINE_DB_POOL_SIZE", "0"),
        ("TIMELINE_DB_MAX_OVERFLOW", "-1"),
        ("TIMELINE_DB_POOL_TIMEOUT_SECONDS", "forever"),
        ("TIMELINE_DB_POOL_PRE_PING", "maybe"),
        ("TIMELINE_LOG_LEVEL", "loud"),
        ("TIMELINE_LOG_FORMAT", "xml"),
        ("TIMELINE_METRICS", "2"),
        ("TIMELINE_ANSWER_CACHE_ENTRIES", "-1"),
        ("TIMELINE_ANSWER_CACHE_BYTES", "0"),
    ],
)
def test_bad_operations_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})


def test_every_setting_is_documented_with_its_default_and_an_example() -> None:
    root = Path(__file__).parent.parent
    named = {
        name
        for path in (root / "api").rglob("*.py")
        for name in re.findall(r"\b(?:TIMELINE|PROMETHEUS)_[A-Z_]+[A-Z]\b", path.read_text())
    }
    assert {"TIMELINE_DB_POOL_SIZE", "TIMELINE_WORKERS", "PROMETHEUS_MULTIPROC_DIR"} <= named
    rows = {
        line.split("|")[1].strip().strip("`"): [cell.strip() for cell in line.split("|")[2:4]]
        for line in (root / "docs" / "configuration.md").read_text().splitlines()
        if line.startswith("| `")
    }
    documented = {name for name, (default, example) in rows.items() if default and example}
    assert named - {"TIMELINE_"} <= documented, named - documented
    compose = (root / "docker" / "compose.yaml").read_text()
    assert set(re.findall(r"^ +(TIMELINE_\w+):", compose, re.MULTILINE)) <= documented
    # What compose itself reads from docker/.env is listed in docs/deploy.md.
    deploy = (root / "docs" / "deploy.md").read_text()
    assert [name for name in re.findall(r"\$\{(\w+)", compose) if f"`{name}`" not in deploy] == []


def test_log_settings_are_read() -> None:
    settings = Settings.from_env({"TIMELINE_LOG_LEVEL": "WARNING", "TIMELINE_LOG_FORMAT": "text"})
    assert (settings.log_level, settings.log_format) == ("warning", "text")


async def test_metrics_say_when_the_database_is_down(store: EventStore, database_url: str) -> None:
    await store.append([factories.statement("one")], recorded_by="test")
    async with api_client(database_url) as http:
        assert (await http.get("/metrics")).status_code == 200
    # An app on a database that is not there answers /metrics all the same, with up = 0.
    gone = database_url.rsplit("/", 1)[0] + "/timeline_no_such_database_here"
    if gone.startswith("sqlite"):
        gone = "sqlite+aiosqlite:////nonexistent-dir/timeline.db"
    async with api_client(gone) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert samples(response.text)[("timeline_database_up", frozenset())] == 0
