"""Abuse against a real `timeline serve` process (docs/configuration.md, "Query limits" and
"Connections"): query bombs, a 10 MB body, 1,000 subscriptions on one socket and slow clients
are refused or cut off, and all the while another client's health check answers.

The only bound on time is HEALTHY, a generous liveness bound on a health check made during the
abuse; every other wait is the safety net WAIT of tests/servers.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import httpx
import pytest

from tests.servers import AUTH, WAIT, record, socket_to, statement, timeline_serve
from tests.test_limits import aliases, fragment_tree, nested

# Seconds a /healthz may take while the server is abused: a liveness bound, generous because
# the test machine is shared (at a load of 12 on 2 cores, 2 s was missed now and then).
HEALTHY = 5.0
# The bounds of a connection are the server's, the same whatever the database: the tests of
# them alone run on SQLite only.
TRANSPORT_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SLOW = {"TIMELINE_HEADER_TIMEOUT_SECONDS": "2", "TIMELINE_BODY_TIMEOUT_SECONDS": "2"}


@asynccontextmanager
async def health_checked(address: str) -> AsyncIterator[list[float]]:
    """While the block runs, /healthz is asked again and again on fresh connections by a client
    in a thread of its own (the test's loop, busy with the abuse, would delay its reading);
    each must answer 200 within HEALTHY seconds. Yields the times taken."""
    times: list[float] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                started = time.perf_counter()
                response = httpx.get(f"http://{address}/healthz", timeout=HEALTHY)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            except (httpx.HTTPError, AssertionError) as error:
                failures.append(error)
                return
            stop.wait(0.1)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield times
    finally:
        stop.set()
        await asyncio.to_thread(thread.join)
    assert not failures, failures
    assert times, "no health check was made during the abuse"


async def raw(address: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = address.split(":")
    return await asyncio.open_connection(host, int(port))


# --- query bombs -------------------------------------------------------------------------------


def bombs() -> list[str]:
    """Queries over each limit, each made unique so that no cache spares the server the work."""
    tag = uuid.uuid4().hex[:8]
    return [
        nested(40).replace("{ id }", f"{{ id{tag}: id }}", 1),
        aliases(31).replace("a0:", f"a{tag}:"),
        aliases(1000).replace("a0:", f"a{tag}:"),  # past the token limit
        fragment_tree(40).replace("query Q", f"query Q{tag}"),  # 2**40 aliases
        aliases(11, "events(first: 100) { edges { node { id } } }").replace("a0:", f"a{tag}:"),
        f"query Q{tag} {{ __schema {{ types {{ fields {{ type {{ fields {{ name }} }} }} }} }} }}",
    ]


async def test_query_bombs_are_refused_while_health_checks_answer(database_url: str) -> None:
    async with timeline_serve(database_url, TIMELINE_MAX_COST="1000") as address:

        async def bomber() -> set[str]:
            codes: set[str] = set()
            async with httpx.AsyncClient(timeout=WAIT) as http:
                for _ in range(10):
                    for text in bombs():
                        response = await http.post(
                            f"http://{address}/graphql", json={"query": text}, headers=AUTH
                        )
                        assert response.status_code == 200, response.text
                        body = response.json()
                        assert body.get("data") is None, body
                        codes |= {error["extensions"]["code"] for error in body["errors"]}
            return codes

        async with health_checked(address):
            results = await asyncio.gather(*(bomber() for _ in range(3)))
        assert set().union(*results) == {"QUERY_TOO_COMPLEX"}


# --- a 10 MB body ------------------------------------------------------------------------------


@TRANSPORT_ONLY
async def test_a_10_mb_body_is_refused_before_it_is_read(database_url: str) -> None:
    size = 10 * 1024 * 1024
    async with timeline_serve(database_url) as address, health_checked(address):
        # Declared: the 413 comes back while almost all of the body is still unsent.
        reader, writer = await raw(address)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
            + b'{"query": "'
            + b" " * 1000
        )
        await writer.drain()
        status, rest = await answer(reader)
        writer.close()
        assert status == 413, rest
        assert b'"code":"QUERY_TOO_COMPLEX"' in rest and b'"limit":1000000' in rest

        # Chunked, no length: refused as soon as it passes the limit, the rest never read.
        sent = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal sent
            yield b'{"query": "'
            while sent < size:
                sent += 65536
                yield b" " * 65536

        async with httpx.AsyncClient(timeout=WAIT) as http:
            try:
                response = await http.post(
                    f"http://{address}/graphql",
                    content=chunks(),
                    headers={"Content-Type": "application/json"},
                )
            except httpx.TransportError:
                response = None  # closed while we still sent: refused all the same
        if response is not None:
            assert response.status_code == 413
            assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert sent < size


# --- 1,000 subscriptions on one socket ---------------------------------------------------------


async def test_a_thousand_subscriptions_on_one_socket_are_bounded(database_url: str) -> None:
    async with (
        timeline_serve(database_url, TIMELINE_MAX_SUBSCRIPTIONS="20") as address,
        socket_to(address) as ws,
        health_checked(address),
    ):
        for op in range(1000):
            # From position 0: a subscription from "now" that is still reading the head when
            # the event below commits would start after it, and rightly never see it.
            await ws.subscribe(str(op), after=0)
        refusals = []
        while len(refusals) < 980:
            message = await ws.receive()
            assert message["type"] == "error", message
            refusals.append(message)
        assert {r["payload"][0]["extensions"]["code"] for r in refusals} == {"QUERY_TOO_COMPLEX"}
        assert "at most 20 subscriptions" in refusals[0]["payload"][0]["message"]
        refused = {int(r["id"]) for r in refusals}
        assert len(refused) == 980 and min(refused) == 20
        # The twenty that run still deliver.
        positions = await record(address, statement())
        got: dict[str, int] = {}
        while len(got) < 20:
            message = await ws.receive()
            assert message["type"] == "next", message
            got[message["id"]] = message["payload"]["data"]["eventRecorded"]["position"]
        assert got == {str(op): positions[0] for op in range(20)}


# --- slow clients ------------------------------------------------------------------------------


async def trickle(address: str, head: bytes, drip: bytes) -> tuple[int, bytes]:
    """Send `head`, then `drip` every half second until the server answers; its answer."""
    reader, writer = await raw(address)
    writer.write(head)
    async with asyncio.timeout(WAIT):
        while True:
            try:
                first = await asyncio.wait_for(reader.read(1), 0.5)
                break
            except TimeoutError:
                with suppress(ConnectionError):
                    writer.write(drip)
    status, rest = await answer(reader, first)
    writer.close()
    return status, rest


async def answer(reader: asyncio.StreamReader, first: bytes = b"") -> tuple[int, bytes]:
    """The status and the rest of what the server sent until it closed the connection."""
    async with asyncio.timeout(WAIT):
        data = first + await reader.read(-1)
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest


@TRANSPORT_ONLY
async def test_clients_trickling_their_headers_are_cut_off(database_url: str) -> None:
    async with timeline_serve(database_url, **SLOW) as address, health_checked(address):
        answers = await asyncio.gather(
            *(
                trickle(address, b"GET /healthz HTTP/1.1\r\nHost: test\r\n", b"X-Drip: 1\r\n")
                for _ in range(50)
            )
        )
    assert {status for status, _ in answers} == {408}
    assert b"longer than 2 seconds" in answers[0][1]


@TRANSPORT_ONLY
async def test_an_oversize_head_is_refused(database_url: str) -> None:
    async with timeline_serve(database_url, TIMELINE_MAX_HEADER_BYTES="8192") as address:
        reader, writer = await raw(address)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        for _ in range(100):
            writer.write(b"X-Padding: " + b"p" * 1000 + b"\r\n")
        with suppress(ConnectionError):
            await writer.drain()
        status, rest = await answer(reader)
        writer.close()
        assert status == 431 and b"larger than 8192 bytes" in rest


def head_of(size: int) -> bytes:
    """A GET of /healthz whose head (request line, headers, blank line) is `size` bytes."""
    start = b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\nX-Padding: "
    return start + b"p" * (size - len(start) - 4) + b"\r\n\r\n"


@TRANSPORT_ONLY
async def test_the_head_limit_is_exact_however_the_head_arrives(database_url: str) -> None:
    limit = 65_536
    async with timeline_serve(database_url) as address:
        for size, in_pieces, expected in [
            (limit, False, 200),
            (limit, True, 200),
            (limit + 1, False, 431),
            (limit + 1, True, 431),
            (66_000, False, 431),
            (120_000, False, 431),
        ]:
            reader, writer = await raw(address)
            head = head_of(size)
            if in_pieces:  # the blank line alone in the last read
                writer.write(head[:-2])
                await writer.drain()
                await asyncio.sleep(0.2)
                writer.write(head[-2:])
            else:
                writer.write(head)
            with suppress(ConnectionError):
                await writer.drain()
            status, rest = await answer(reader)
            writer.close()
            assert status == expected, (size, in_pieces, rest[:300])
            if status == 431:
                headers, _, body = rest.partition(b"\r\n\r\n")
                assert b"x-content-type-options: nosniff" in headers.lower()
                assert b"x-request-id:" in headers.lower()
                assert json.loads(body)["errors"][0]["extensions"] == {
                    "code": "QUERY_TOO_COMPLEX",
                    "limit": limit,
                }


@TRANSPORT_ONLY
async def test_a_client_trickling_its_body_gets_408(database_url: str) -> None:
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    async with timeline_serve(database_url, **SLOW) as address, health_checked(address):
        answers = await asyncio.gather(*(trickle(address, head, b" ") for _ in range(20)))
    assert {status for status, _ in answers} == {408}
    assert b"took longer than 2 seconds to arrive" in answers[0][1]


def opcodes(data: bytes) -> list[int]:
    """The opcodes of the (unmasked) frames a server sent."""
    found = []
    while data:
        length, offset = data[1] & 0x7F, 2
        if length == 126:
            length, offset = struct.unpack("!H", data[2:4])[0], 4
        elif length == 127:
            length, offset = struct.unpack("!Q", data[2:10])[0], 10
        found.append(data[0] & 0x0F)
        data = data[offset + length :]
    return found


def ws_frame(message: dict[str, object]) -> bytes:
    """A masked text frame, as a client sends one."""
    payload = json.dumps(message).encode()
    mask = os.urandom(4)
    header = b"\x81" + (
        bytes([0x80 | len(payload)])
        if len(payload) < 126
        else b"\xfe" + struct.pack("!H", len(payload))
    )
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def test_a_subscriber_that_never_reads_is_dropped(database_url: str) -> None:
    """It never answers a ping: the server closes it; another subscriber goes on."""
    async with (
        timeline_serve(database_url, TIMELINE_WS_PING_SECONDS="1") as address,
        socket_to(address) as other,
    ):
        await other.subscribe("1")
        reader, writer = await raw(address)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                "GET /graphql HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
            + ws_frame({"type": "connection_init", "payload": {}})
            + ws_frame(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "subscription { eventRecorded { id position } }"},
                }
            )
        )
        await writer.drain()
        async with health_checked(address):
            recorded = []
            for _ in range(5):
                recorded += await record(address, statement(summary="x" * 2000))
                await asyncio.sleep(0.5)
            assert [e["position"] for e in await other.events(5)] == recorded
        # Read only now: everything the server sent, then its end of the connection.
        async with asyncio.timeout(WAIT):
            sent = await reader.read(-1)
        handshake, _, frames = sent.partition(b"\r\n\r\n")
        assert handshake.startswith(b"HTTP/1.1 101")
        kinds = opcodes(frames)
        assert 0x9 in kinds and kinds[-1] == 0x8  # pinged, then closed
        writer.close()
