"""The Starlette application: GraphQL at /graphql (HTTP and WebSocket), health and schema.

`create_app(settings)` builds it; `app_from_env()` is the factory `timeline serve` hands uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types import ExecutionResult

from api.auth import ANONYMOUS, Principal, Unauthenticated
from api.graphql.context import Context
from api.graphql.errors import ApiError, coded
from api.graphql.schema import schema
from api.settings import Settings
from events.db import create_engine, schema_problem
from events.notify import LogListener
from events.store import EventStore


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler; an operation over the connection's limit is
    refused with QUERY_TOO_COMPLEX (api.md, "Limits"), the others go on."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        """Refuse an operation over the limit with a code; else strawberry's handling."""
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = ApiError(
                f"at most {limit} subscriptions may run at once on one connection",
                "QUERY_TOO_COMPLEX",
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)


class TimelineGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with the project's context and response extensions."""

    graphql_transport_ws_handler_class = TransportWS

    def __init__(self, settings: Settings, store: EventStore, listener: LogListener) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.limits.max_subscriptions,
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.store = store
        self.listener = listener

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, then answer: a bad token never reaches GraphQL."""
        try:
            principal = _principal(self.settings, Headers(scope=scope).get("authorization"))
        except Unauthenticated as error:
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=4401, reason=str(error))
            else:
                await _unauthenticated(str(error))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """Who asks (authenticated in __call__) and the request's loaders."""
        principal = request.state.principal
        context = Context(
            store=self.store, settings=self.settings, principal=principal, listener=self.listener
        )
        request.state.context = context  # for process_result, which is not handed it
        return context

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response, every error with its code, and the log position it was answered at."""
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        response = await super().process_result(request, result)
        context: Context | None = getattr(request.state, "context", None)
        head = context.head if context is not None else None
        if head is None:
            head = await self.store.head()
        response["extensions"] = {
            **(response.get("extensions") or {}),
            "logPosition": head.position,
        }
        return response


def _principal(settings: Settings, authorization: str | None) -> Principal:
    principal = settings.tokens.authenticate(authorization)
    if principal is None:
        if settings.read_requires_token:
            raise Unauthenticated("this server requires a token to read: Authorization: Bearer …")
        return ANONYMOUS
    return principal


def create_app(settings: Settings) -> Starlette:
    """The application for `settings`; the database is opened when it starts."""
    engine = create_engine(settings.database_url)
    store = EventStore(engine)
    listener = LogListener(
        store, poll_interval=settings.log_poll_seconds, recheck=settings.log_recheck_seconds
    )
    graphql = TimelineGraphQL(settings, store, listener)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        problem = await schema_problem(engine)
        if problem is not None:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def schema_sdl(request: Request) -> Response:
        return PlainTextResponse(schema.as_str() + "\n", media_type="application/graphql")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # Subscriptions still waiting end (complete) rather than hang the shutdown.
            await listener.close()
            await engine.dispose()

    return Starlette(
        routes=[
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/schema.graphql", schema_sdl),
        ],
        lifespan=lifespan,
    )


def _unauthenticated(message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def app_from_env() -> Starlette:
    """The application configured from the environment (see docs/configuration.md)."""
    return create_app(Settings.from_env())
