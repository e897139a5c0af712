"""The Starlette application: GraphQL at /graphql (HTTP and WebSocket), health, schema,
exports (/export/<format>), and the pages for people (/, /explore, /static: api/web/).

`create_app(settings)` builds it; `app_from_env()` is the factory `timeline serve` hands uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.parse_content_type import parse_content_type
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult

from api import exports
from api.access import Access
from api.auth import ANONYMOUS, Principal, Unauthenticated
from api.boundary import ErrorBoundary
from api.caching import AnswerCaching
from api.graphiql import graphiql_html, graphiql_policy
from api.graphql.context import Context
from api.graphql.errors import ApiError, coded
from api.graphql.schema import schema
from api.metrics import Metrics
from api.request_json import BadRequest, graphql_request, loads, query_params
from api.security_headers import SecurityHeaders
from api.settings import Settings
from api.transport import (
    GRAPHQL_RESPONSE,
    JSON,
    BodyTooLarge,
    BodyTooSlow,
    error_response,
    is_request_error,
    media_type,
    read_body,
    replay,
    wants_graphql_response,
)
from api.web.pages import routes as page_routes
from events.db import create_engine, schema_problem
from events.interchange.formats import FORMATS
from events.notify import LogListener
from events.store import EventStore

GRAPHIQL_HEADERS = {"Content-Security-Policy": graphiql_policy()}
# The body of the request being answered and its JSON, checked in TimelineGraphQL.__call__,
# so that strawberry does not parse it a second time.
_CHECKED_BODY: ContextVar[tuple[bytes, object] | None] = ContextVar("checked_body", default=None)


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler; an operation over the connection's limit is
    refused with QUERY_TOO_COMPLEX (docs/configuration.md, "Query limits"), the others go on."""

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

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Authenticate from connection_init's payload (`{"Authorization": "Bearer …"}`, the
        graphql-ws `connectionParams` of a browser, which cannot set headers on a WebSocket)
        when it carries a token or the upgrade carried none: the same principals and roles as
        the header's, a wrong or missing token closed with the same 4401 and reason."""
        payload = message.get("payload")
        authorization = _payload_token(payload)
        context = self.context
        if isinstance(context, Context) and (authorization is not None or context.awaits_token):
            settings: Settings = self.view.settings  # type: ignore[attr-defined]
            try:
                context.principal = _principal(settings, authorization)
            except Unauthenticated as error:
                await self.websocket.close(code=4401, reason=str(error))
                return
            context.awaits_token = False
        await super().handle_connection_init(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """strawberry's run of an operation, counted in the metrics while it runs."""
        metrics: Metrics | None = getattr(self.view, "metrics", None)
        if metrics is None:
            await super().run_operation(operation)
            return
        metrics.subscriptions.inc()
        try:
            await super().run_operation(operation)
        finally:
            metrics.subscriptions.dec()


class TimelineGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with the project's context and response extensions, the body
    limit, and the media types of GraphQL over HTTP (api/transport.py)."""

    graphql_transport_ws_handler_class = TransportWS

    def __init__(
        self,
        settings: Settings,
        store: EventStore,
        listener: LogListener,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.limits.max_subscriptions,
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.store = store
        self.listener = listener
        self.metrics = metrics
        self.caching = AnswerCaching(settings, store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, then answer: a bad token never reaches GraphQL, nor a body over the
        limit JSON parsing."""
        headers = Headers(scope=scope)
        try:
            if scope["type"] == "websocket" and "authorization" not in headers:
                # The token may come in connection_init (TransportWS), before any operation.
                principal = ANONYMOUS
            else:
                principal = _principal(self.settings, headers.get("authorization"))
        except Unauthenticated as error:
            if scope["type"] == "websocket":
                await _refuse_websocket(WebSocket(scope, receive, send), str(error))
            elif _opens_graphiql(scope, headers):
                # The page holds no data, and a browser cannot send a token to open it: its
                # queries carry the token typed in its headers editor.
                await HTMLResponse(graphiql_html(), headers=GRAPHIQL_HEADERS)(scope, receive, send)
            else:
                await _unauthenticated(str(error), media_type(headers))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = self.settings.limits.max_body_bytes
        seconds = self.settings.connections.body_timeout_seconds
        try:
            body = await read_body(scope, receive, limit, seconds)
        except BodyTooLarge:
            response = error_response(
                413,
                f"the request body is larger than {limit} bytes",
                "QUERY_TOO_COMPLEX",
                media_type(headers),
                # The rest of the body is not read: the connection ends with the answer.
                headers={"Connection": "close"},
                limit=limit,
            )
        except BodyTooSlow:
            response = error_response(
                408,
                f"the request body took longer than {seconds:g} seconds to arrive",
                "BAD_USER_INPUT",
                media_type(headers),
            )
        else:
            try:
                self._check(scope, headers, body)
            except BadRequest as error:
                response = error_response(400, str(error), "BAD_USER_INPUT", media_type(headers))
            else:
                response = await self._answer(Request(scope, replay(body, receive)))
        await response(scope, receive, send)

    def _check(self, scope: Scope, headers: Headers, body: bytes) -> None:
        """BadRequest unless the request's JSON (the body of a POST, the query string of a
        GET) is a well-formed GraphQL request within the JSON bounds (api/request_json.py)."""
        depth = self.settings.limits.max_json_depth
        if scope["method"] == "GET":
            query_params(scope.get("query_string", b""), depth)
            return
        content_type, _ = parse_content_type(headers.get("content-type", ""))
        if "application/json" in content_type:  # as strawberry decides it; others it refuses
            _CHECKED_BODY.set((body, graphql_request(loads(body, depth))))

    def parse_json(self, data: str | bytes) -> Any:
        """The JSON of a body or of a query parameter, bounded (api/request_json.py); a body
        checked already is not parsed again."""
        checked = _CHECKED_BODY.get()
        if checked is not None and checked[0] == data:
            return checked[1]
        try:
            return loads(data, self.settings.limits.max_json_depth)
        except BadRequest as error:
            raise HTTPException(400, str(error)) from None

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message's JSON, bounded as a request's (api/request_json.py); one out
        of bounds is refused as JSON that does not parse (strawberry closes with 4400)."""
        try:
            return loads(data, self.settings.limits.max_json_depth, "the message")
        except BadRequest as error:
            raise json.JSONDecodeError(str(error), "", 0) from None

    async def _answer(self, request: Request) -> Response:
        """The answer; a GET goes through the answer cache (api/caching.py)."""
        if request.method != "GET":
            return await self._execute(request)
        return await self.caching.answer(
            request,
            request.state.principal,
            lambda: self._execute(request),
            lambda: getattr(request.state, "succeeded", False),
        )

    async def _execute(self, request: Request) -> Response:
        """strawberry's answer, with a request it cannot take as a coded error, and in
        graphql-response+json when the client accepts it: then a request error (nothing
        executed) is a 400, as the GraphQL-over-HTTP specification asks."""
        media = media_type(request.headers)
        try:
            response = await self.run(request)
        except HTTPException as error:
            return error_response(error.status_code, error.reason, "BAD_USER_INPUT", media)
        if media == GRAPHQL_RESPONSE and response.media_type == JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if getattr(request.state, "request_error", False):
                response.status_code = 400
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL, opened on the example queries (api/graphiql.py)."""
        return HTMLResponse(graphiql_html(), headers=GRAPHIQL_HEADERS)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        """Who asks (authenticated in __call__) and the request's loaders."""
        principal = request.state.principal
        context = Context(
            store=self.store,
            settings=self.settings,
            principal=principal,
            listener=self.listener,
            shares_reads=isinstance(request, Request),
            awaits_token=isinstance(request, WebSocket) and "authorization" not in request.headers,
        )
        request.state.context = context  # for process_result, which is not handed it
        return context

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response, every error with its code, and the log position it was answered at."""
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        request_error = is_request_error(result.data, result.errors)
        request.state.request_error = request_error
        request.state.succeeded = not result.errors  # only a success is cached
        response = await super().process_result(request, result)
        if request_error and wants_graphql_response(request.headers):
            # graphql-response+json: a request error has no `data` entry at all.
            response.pop("data", None)
        context: Context | None = getattr(request.state, "context", None)
        head = context.head if context is not None else None
        if head is None:
            head = await self.store.head()
        response["extensions"] = {
            **(response.get("extensions") or {}),
            "logPosition": head.position,
        }
        return response


async def _refuse_websocket(websocket: WebSocket, reason: str) -> None:
    """Close with graphql-transport-ws's 4401 (Unauthorized) and the reason, which a client of
    the protocol is shown; a close before accepting would reach it as a bare HTTP 403."""
    if GRAPHQL_TRANSPORT_WS_PROTOCOL in websocket.scope.get("subprotocols", ()):
        await websocket.accept(subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL)
    await websocket.close(code=4401, reason=reason)


def _opens_graphiql(scope: Scope, headers: Headers) -> bool:
    """Whether a request, with no token, asks for the GraphiQL page (a browser's GET of
    /graphql with no query), as strawberry decides it."""
    return (
        scope["type"] == "http"
        and scope["method"] == "GET"
        and "authorization" not in headers
        and b"query=" not in scope.get("query_string", b"")
        and "text/html" in headers.get("accept", "")
    )


def _payload_token(payload: object) -> str | None:
    """The `Authorization` of a connection_init payload (any case of the key), if a string."""
    if not isinstance(payload, dict):
        return None
    for key, value in payload.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            return value
    return None


def _principal(settings: Settings, authorization: str | None) -> Principal:
    principal = settings.tokens.authenticate(authorization)
    if principal is None:
        if settings.read_requires_token:
            raise Unauthenticated("this server requires a token to read: Authorization: Bearer …")
        return ANONYMOUS
    return principal


def create_app(settings: Settings) -> Starlette:
    """The application for `settings`; the database is opened when it starts."""
    engine = create_engine(settings.database_url, **settings.pool.engine_options())
    store = EventStore(engine, max_skew=settings.max_skew)
    listener = LogListener(
        store, poll_interval=settings.log_poll_seconds, recheck=settings.log_recheck_seconds
    )
    metrics = Metrics(store) if settings.metrics else None
    graphql = TimelineGraphQL(settings, store, listener, metrics)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        problem = await schema_problem(engine)
        if problem is not None:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def schema_sdl(request: Request) -> Response:
        try:
            _principal(settings, request.headers.get("authorization"))
        except Unauthenticated as error:
            return _unauthenticated(str(error), JSON)
        return PlainTextResponse(schema.as_str() + "\n", media_type="application/graphql")

    async def export(request: Request) -> Response:
        """GET /export/<format>: the events the parameters select, streamed (api/exports.py)."""
        try:
            _principal(settings, request.headers.get("authorization"))
        except Unauthenticated as error:
            return exports.unauthenticated(error)
        found = FORMATS.get(request.path_params["format"])
        if found is None:
            return exports.unknown_format(request.path_params["format"])
        try:
            query = exports.query_from_params(found, request, settings.public_url)
        except exports.BadParameter as error:
            return exports.bad_parameter(error)
        return exports.streamed(store, found, query.pinned())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hangup = _on_sighup(settings.tokens.reload)
        try:
            yield
        finally:
            hangup()
            # Subscriptions still waiting end (complete) rather than hang the shutdown.
            await listener.close()
            await store.close()
            await engine.dispose()
            if metrics is not None:
                metrics.close()

    routes = [
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/schema.graphql", schema_sdl),
        Route("/export/{format}", export, methods=["GET"]),
        *page_routes(),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", metrics.endpoint, methods=["GET"]))
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(Access, routes=routes, metrics=metrics),
            Middleware(SecurityHeaders, hsts_seconds=settings.hsts_seconds),
            Middleware(ErrorBoundary),
            # Bearer tokens, no cookies: no credentials mode, any origin not listed refused. A
            # browser may revalidate a cached answer (If-None-Match) and read its ETag.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "Accept",
                    "X-Request-ID",
                    "If-None-Match",
                ],
                expose_headers=["X-Request-ID", "ETag"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )


def _on_sighup(reload: Callable[[], object]) -> Callable[[], None]:
    """Make SIGHUP call `reload` (the token file read again) rather than end the process, in a
    process where this loop owns signals (a `timeline serve` worker); returns the undoing."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, reload)
    except (RuntimeError, NotImplementedError, ValueError):  # not the main thread, or Windows
        return lambda: None

    def undo() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    return undo


def _unauthenticated(message: str, media: str) -> Response:
    return error_response(
        401, message, "UNAUTHENTICATED", media, headers={"WWW-Authenticate": "Bearer"}
    )


def app_from_env() -> Starlette:
    """The application configured from the environment (see docs/configuration.md)."""
    return create_app(Settings.from_env())
