"""uvicorn's HTTP protocol (httptools) with bounds on a request's head, which uvicorn lacks: a
client that sends its request line and headers too slowly (slowloris) or too long is answered
408 or 431 and cut off, rather than holding a connection and memory for as long as it likes.

The deadline runs from the moment the connection is made, and again from the end of each
response, until the head is complete; the keep-alive timeout, shorter, still closes a connection
that sends nothing. The body is bounded by the app (api/transport.py `read_body`).
`timeline serve` hands uvicorn this class; its limits come from the environment, as every
worker process reads them (docs/configuration.md).
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.settings import Connections, Settings

LINGER_SECONDS = 2.0


@cache
def connection_limits() -> Connections:
    """The connection limits of this process, from its environment."""
    return Settings.from_env().connections


def _refusal(status: bytes, message: str) -> bytes:
    body = message.encode()
    return b"".join(
        [
            b"HTTP/1.1 " + status + b"\r\n",
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
    )


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
        """uvicorn's parsing; a head still incomplete past the size limit is refused."""
        if self.refused:
            return  # what a refused client still sends is dropped (see `_refuse`)
        waiting = self.head_deadline is not None
        super().data_received(data)
        if waiting and self.head_deadline is not None:  # the head is still not complete
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head:
                self._refuse(
                    b"431 Request Header Fields Too Large",
                    f"the request line and headers are larger than {self.max_head} bytes",
                )

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
        )

    def _refuse(self, status: bytes, message: str) -> None:
        """Answer `status` and end the connection: our side at once, theirs a moment later, so
        that what they were still sending does not reset the connection before they read
        the answer (a lingering close)."""
        self._head_done()
        if self.refused or self.transport.is_closing():
            return
        self.refused = True
        self.logger.warning("refused a client: %s", message)
        self.transport.write(_refusal(status, message))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
