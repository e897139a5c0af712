"""Servers for the tests that talk to the API over the network: uvicorn in the test's loop
(`serving`), `timeline serve` processes of their own (`timeline_process`, `timeline_serve`), and
clients of GraphQL over HTTP and graphql-transport-ws.

Waiting on the wire is bounded by WAIT seconds, a safety net against a hang, never an assertion
on speed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from api.app import create_app
from api.auth import digest_of
from api.settings import Settings
from tests.api_client import EDITOR_TOKEN

TOKENS = json.dumps(
    [{"principal": "ed", "role": "editor", "sha256": digest_of(EDITOR_TOKEN).hex()}]
)
AUTH = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
TIMELINE = Path(sys.executable).parent / "timeline"
WAIT = 30.0  # seconds: the longest any single message may take before we give up
# A `timeline serve` process imports the whole stack before it answers: on a machine shared by
# busy test runs that alone took 17 to 20 s, so start-up gets a safety net of its own.
STARTUP = 90.0
# Servers under test never re-read the log on their own: an event that only that safety net
# would deliver (a wake-up lost) makes a test wait WAIT seconds and fail.
NO_RECHECK = {"TIMELINE_LOG_RECHECK_SECONDS": "3600"}

EVENT_SELECTION = """
    __typename id stream { id } version position type recordedBy occurred { edtf }
    ... on StatementIssued { summary issuer { id } about { id } stance }
"""
SUBSCRIBE = f"""
subscription Follow($filter: EventFilter, $after: Int) {{
  eventRecorded(filter: $filter, afterPosition: $after) {{ {EVENT_SELECTION} }}
}}"""
RECORD = """
mutation Record($input: RecordEventInput!) {
  recordEvent(input: $input) { event { id position } userErrors { field message } }
}"""
RECORD_MANY = """
mutation RecordMany($input: RecordEventsInput!) {
  recordEvents(input: $input) { events { id position } userErrors { field message } }
}"""


def statement(issuer: str = "CHN", about: str = "USA", summary: str = "A statement.") -> dict:
    """The input of one StatementIssued on a stream of its own."""
    return {
        "stream": f"statement/{uuid.uuid4().hex[:12]}",
        "occurred": "2024-02-20",
        "data": {"statementIssued": {"issuer": issuer, "summary": summary, "about": [about]}},
    }


# --- servers ---------------------------------------------------------------------------------


def settings_for(database_url: str, **env: str) -> Settings:
    return Settings.from_env(
        {"TIMELINE_DATABASE_URL": database_url, "TIMELINE_TOKENS": TOKENS, **NO_RECHECK, **env}
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn in this loop on a free port of 127.0.0.1; its address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True, slots=True)
class Served:
    """A `timeline serve` process of a test: where it answers, and the file its standard
    error (the server's log) goes to, read whenever the test likes."""

    address: str
    process: asyncio.subprocess.Process
    log: Path

    def log_lines(self) -> list[str]:
        """What the server has logged so far, line by line."""
        return self.log.read_text(encoding="utf-8").splitlines()

    async def logged(self, text: str, times: int = 1) -> None:
        """Until the log holds a line with `text` `times` times (within WAIT seconds)."""
        async with asyncio.timeout(WAIT):
            while True:
                if sum(text in line for line in self.log_lines()) >= times:
                    return
                await asyncio.sleep(0.05)


@asynccontextmanager
async def timeline_process(database_url: str, *options: str, **env: str) -> AsyncIterator[Served]:
    """`timeline serve` (with `options`, and `env` on top of the test settings) in a process
    of its own on a free port, ready (its /readyz answers 200); killed whatever happens. Its
    log goes to a file, not a pipe, which a server logging every request would fill."""
    port = free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")},
        "TIMELINE_DATABASE_URL": database_url,
        "TIMELINE_TOKENS": TOKENS,
        **NO_RECHECK,
        **env,
    }
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory(prefix="timeline-serve-") as directory:
        log = Path(directory) / "stderr.log"
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                str(TIMELINE),
                "serve",
                *options,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                env=full_env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        served = Served(f"127.0.0.1:{port}", process, log)
        try:
            async with httpx.AsyncClient() as http, asyncio.timeout(STARTUP):
                while True:
                    if process.returncode is not None:
                        pytest.fail(f"timeline serve exited: {log.read_text(encoding='utf-8')}")
                    with suppress(httpx.TransportError):
                        if (await http.get(f"http://{served.address}/readyz")).status_code == 200:
                            break
                    await asyncio.sleep(0.05)
            yield served
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
                    await process.wait()


@asynccontextmanager
async def timeline_serve(database_url: str, *options: str, **env: str) -> AsyncIterator[str]:
    """The address of a `timeline serve` process (see timeline_process)."""
    async with timeline_process(database_url, *options, **env) as served:
        yield served.address


# --- GraphQL over HTTP and over graphql-transport-ws -----------------------------------------


async def post(address: str, text: str, variables: dict[str, Any] | None = None) -> dict:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"http://{address}/graphql",
            json={"query": text, "variables": variables or {}},
            headers=AUTH,
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def head(address: str) -> int:
    position: int = (await post(address, "{ logHead { position } }"))["logHead"]["position"]
    return position


async def record(address: str, *inputs: dict) -> list[int]:
    """Record `inputs` (one: recordEvent; more: recordEvents, atomically); their positions."""
    if len(inputs) == 1:
        payload = (await post(address, RECORD, {"input": inputs[0]}))["recordEvent"]
        assert payload["userErrors"] == [], payload
        return [payload["event"]["position"]]
    payload = (await post(address, RECORD_MANY, {"input": {"events": list(inputs)}}))[
        "recordEvents"
    ]
    assert payload["userErrors"] == [], payload
    return [event["position"] for event in payload["events"]]


class Socket:
    """One graphql-transport-ws connection, spoken message by message."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            message: dict[str, Any] = json.loads(await self.ws.recv())
        return message

    async def subscribe(
        self, op: str, after: int | None = None, filter: dict | None = None, text: str = SUBSCRIBE
    ) -> None:
        variables = {"after": after, "filter": filter}
        await self.send(
            {"id": op, "type": "subscribe", "payload": {"query": text, "variables": variables}}
        )

    async def events(self, count: int, op: str = "1") -> list[dict[str, Any]]:
        """The next `count` events of subscription `op` (every message must be one)."""
        found = []
        while len(found) < count:
            message = await self.receive()
            assert message["type"] == "next" and message["id"] == op, message
            assert "errors" not in message["payload"], message
            found.append(message["payload"]["data"]["eventRecorded"])
        return found


@asynccontextmanager
async def socket_to(address: str) -> AsyncIterator[Socket]:
    async with connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        client = Socket(ws)
        await client.send({"type": "connection_init", "payload": {}})
        assert (await client.receive())["type"] == "connection_ack"
        yield client
