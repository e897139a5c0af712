"""The outermost error boundary of the application: whatever fails while a request is answered,
the client gets a coded answer, never a bare 500 in plain text nor a dropped connection.

Clients' mistakes are answered where they are found (api/transport.py, api/request_json.py) as
coded 4xx errors. What reaches this boundary is the server's own fault: it is logged with its
traceback and the request id, and answered with a masked GraphQL error, HTTP 500,
`INTERNAL_SERVER_ERROR` and the request's id (`extensions.requestId`, and `X-Request-ID`), the
security headers added by the middleware around it. A WebSocket is closed with 1011 (internal
error) and the request id in the reason. A response already started cannot be replaced: the
connection is ended.
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.graphql.errors import INTERNAL
from api.request_id import current_id
from api.transport import error_response, media_type

logger = logging.getLogger("timeline.api")

WEBSOCKET_INTERNAL_ERROR = 1011


class ErrorBoundary:
    """ASGI middleware: a masked, coded 500 (or a WebSocket close 1011) for any exception."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app; on an exception answer as the module says."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False
        closed = False

        async def watched(message: Message) -> None:
            nonlocal started, closed
            if message["type"] in ("http.response.start", "websocket.accept"):
                started = True
            elif message["type"] == "websocket.close":
                closed = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            request_id = current_id()
            logger.exception(
                "unexpected error answering %s %s",
                scope.get("method", "WEBSOCKET"),
                scope.get("path", ""),
            )
            if scope["type"] == "websocket":
                if not closed:
                    await send(
                        {
                            "type": "websocket.close",
                            "code": WEBSOCKET_INTERNAL_ERROR,
                            "reason": f"{INTERNAL} (request {request_id})",
                        }
                    )
                return
            if started:
                return  # half an answer was sent: ending the connection is all that is left
            response = error_response(
                500,
                INTERNAL,
                "INTERNAL_SERVER_ERROR",
                media_type(Headers(scope=scope)),
                requestId=request_id,
            )
            await response(scope, receive, send)
