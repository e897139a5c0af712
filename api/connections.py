"""uvicorn's HTTP protocol (httptools) with bounds on a request's head, which uvicorn lacks: a
client that sends its request line and headers too slowly (slowloris) or too long is answered
408 or 431 and cut off, rather than holding a connection and memory for as long as it likes.

The head's bytes are counted as they arrive, up to the blank line that ends it, and a head
over the limit is refused before it is parsed, however many reads brought it (except the head
of a request pipelined behind another in the same read, which uvicorn parses with the first).
The deadline runs from the moment the connection is made, and again from the end of each
response, until the head is complete; the keep-alive timeout, shorter, still closes a
connection that sends nothing. The body is bounded by the app (api/transport.py `read_body`).
`timeline serve` hands uvicorn this class; its limits come from the environment, as every
worker process reads them (docs/configuration.md).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.request_id import HEADER
from api.security_headers import BASE, ERROR_CACHING
from api.settings import Connections, Settings

LINGER_SECONDS = 2.0


@cache
def connection_limits() -> Connections:
    """The connection limits of this process, from its environment."""
    return Settings.from_env().connections


def _refusal(status: bytes, message: str, code: str, **extensions: object) -> bytes:
    """A refusal as the app answers errors: a coded GraphQL error in JSON, with the security
    headers and a request id (there is no request to take one from)."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    body = json.dumps({"errors": [error]}, separators=(",", ":")).encode()
    headers = {
        **BASE,
        "cache-control": ERROR_CACHING,
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        HEADER: uuid.uuid4().hex,
    }
    lines = [b"HTTP/1.1 " + status] + [f"{k}: {v}".encode() for k, v in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _head_part(tail: bytes, data: bytes) -> int:
    """How many bytes of `data` belong to a head whose last bytes so far are `tail`: up to and
    including the blank line that ends it (CRLF CRLF, or bare LFs, which the parser takes too),
    or all of `data` when it does not end there."""
    seen = tail + data
    ends = [found + len(end) for end in (b"\n\r\n", b"\n\n") if (found := seen.find(end)) >= 0]
    if not ends:
        return len(data)
    return max(min(ends) - len(tail), 0)


class BoundedHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a deadline and a size limit on each request's head."""

    limits: Connections | None = None  # None: those of the environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = self.limits or connection_limits()
        self.head_timeout = limits.header_timeout_seconds
        self.max_head = limits.max_header_bytes
        self.head_deadline: asyncio.TimerHandle | None = None
        self.head_bytes = 0
        self.head_tail = b""  # the last bytes of the head so far: its end may span two reads
        self.refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """uvicorn's, then the deadline for the first request's head."""
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        """uvicorn's, the deadline cancelled."""
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """uvicorn's parsing, after the bytes of the head are counted: a head (request line,
        headers, the blank line) longer than the limit is refused before it is parsed, whether
        it came in many reads or in one."""
        if self.refused:
            return  # what a refused client still sends is dropped (see `_refuse`)
        if self.head_deadline is not None:  # a head is awaited
            in_head = _head_part(self.head_tail, data)
            self.head_bytes += in_head
            if self.head_bytes > self.max_head:
                self._refuse(
                    b"431 Request Header Fields Too Large",
                    f"the request line and headers are larger than {self.max_head} bytes",
                    "QUERY_TOO_COMPLEX",
                    limit=self.max_head,
                )
                return
            self.head_tail = (self.head_tail + data[:in_head])[-3:]
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """The head is in: no deadline while the request is answered."""
        self._head_done()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """uvicorn's, then the deadline for the next request's head, unless one is queued."""
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_head()

    def _await_head(self) -> None:
        self._head_done()
        self.head_bytes = 0
        self.head_tail = b""
        self.head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _head_done(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered (its head came in meanwhile)
        if self.head_bytes == 0:
            # Connected (or kept alive) and silent: nothing to answer, as keep-alive does.
            self.transport.close()
            return
        self._refuse(
            b"408 Request Timeout",
            f"the request line and headers took longer than {self.head_timeout:g} seconds",
            "BAD_USER_INPUT",
        )

    def _refuse(self, status: bytes, message: str, code: str, **extensions: object) -> None:
        """Answer `status` and end the connection: our side at once, theirs a moment later, so
        that what they were still sending does not reset the connection before they read
        the answer (a lingering close)."""
        self._head_done()
        if self.refused or self.transport.is_closing():
            return
        self.refused = True
        self.logger.warning("refused a client: %s", message)
        self.transport.write(_refusal(status, message, code, **extensions))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
