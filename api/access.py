"""The outermost layer of every request: its id (api/request_id.py), one access-log line, and
its count and time in the metrics (api/metrics.py).

The access line names the route, method, path (never the query string), status, time taken,
GraphQL operation and client; health checks and scrapes (/healthz, /readyz, /metrics) are
logged at DEBUG so that an orchestrator polling them does not drown the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import Metrics
from api.request_id import HEADER, RequestInfo, current, request_id

logger = logging.getLogger("timeline.access")

QUIET = frozenset({"/healthz", "/readyz", "/metrics"})
GRAPHQL = "/graphql"
UNMATCHED = "(unmatched)"


class Access:
    """ASGI middleware: request id in and out, access log, metrics."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], metrics: Metrics | None) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics

    def _route(self, scope: Scope) -> str:
        """The template of the route `scope` goes to: a bounded label, unlike the path."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return str(getattr(route, "path", UNMATCHED))
        return UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app with the request id set, then log and count the request."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        info = RequestInfo(request_id(Headers(scope=scope).get(HEADER)))
        id_header = (HEADER.encode(), info.request_id.encode())
        status = 500  # what the client gets should the app fail before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                message = {**message, "headers": [*message.get("headers", []), id_header]}
            elif kind == "websocket.close" and status == 500:
                status = 403  # closed before it was accepted: refused
            await send(message)

        token = current.set(info)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self._route(scope)
            method = scope.get("method", "WEBSOCKET")
            client = scope.get("client")
            logger.log(
                logging.DEBUG if route in QUIET else logging.INFO,
                "%s %s %s %.1f ms",
                method,
                scope["path"],
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "operation": info.operation,
                    "client": client[0] if client else None,
                },
            )
            if self.metrics is not None:
                self.metrics.observe(
                    route, method, status, seconds, info.operation, graphql=route == GRAPHQL
                )
            current.reset(token)
