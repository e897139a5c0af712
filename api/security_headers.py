"""Security headers on every HTTP response (OWASP's for an API): no MIME sniffing, no
referrer, no framing, a Content-Security-Policy that allows nothing unless the response brings
its own (GraphiQL's page, api/graphiql.py), HSTS when configured (behind TLS), and errors never
stored by a cache.

A header the response already has is left as it is, so that a route may set its own; nothing
here touches the Cache-Control of a successful response (HTTP caching of GraphQL GETs is the
business of the route that answers them).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# An API response is data, never a page: it may load nothing and be framed by nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
BASE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": API_POLICY,
    "cross-origin-opener-policy": "same-origin",
}
ERROR_CACHING = "no-store"


class SecurityHeaders:
    """ASGI middleware adding the headers of the module's docstring to HTTP responses."""

    def __init__(self, app: ASGIApp, hsts_seconds: int = 0) -> None:
        self.app = app
        self.headers = dict(BASE)
        if hsts_seconds > 0:
            self.headers["strict-transport-security"] = f"max-age={hsts_seconds}; includeSubDomains"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app, adding the headers to the start of the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if message["status"] >= 400:
                    headers.setdefault("cache-control", ERROR_CACHING)
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
