"""GraphQL over HTTP around strawberry's view: the request body limit, the response media type
and status (the GraphQL-over-HTTP specification), and errors of the request itself as coded
GraphQL errors rather than plain text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from graphql import GraphQLError
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def wants_graphql_response(headers: Headers) -> bool:
    """Whether the client accepts `application/graphql-response+json` (and not with q=0)."""
    for item in headers.get("accept", "").split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        if media.lower() != GRAPHQL_RESPONSE:
            continue
        weights = [p.split("=", 1)[1] for p in parameters if p.replace(" ", "").startswith("q=")]
        try:
            return not weights or float(weights[0]) > 0
        except ValueError:
            return True
    return False


def media_type(headers: Headers) -> str:
    """The media type to answer with: graphql-response+json when accepted, else JSON."""
    return GRAPHQL_RESPONSE if wants_graphql_response(headers) else JSON


def error_response(
    status: int,
    message: str,
    code: str,
    media: str = JSON,
    headers: dict[str, str] | None = None,
    **extensions: object,
) -> Response:
    """A GraphQL response holding one request error (no `data`), with its code."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status_code=status, media_type=media, headers=headers)


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Whether a result is a request error: nothing executed (a document that does not parse or
    validate, a limit, variables that do not coerce), so no field has a path."""
    return data is None and bool(errors) and all(error.path is None for error in errors or ())


class BodyTooLarge(Exception):
    """The request body is longer than the limit."""


class BodyTooSlow(Exception):
    """The request body took longer than the limit to arrive."""


async def read_body(scope: Scope, receive: Receive, limit: int, seconds: float) -> bytes:
    """The whole request body, or BodyTooLarge as soon as it passes `limit` bytes (a declared
    Content-Length over the limit is refused before anything is read), or BodyTooSlow when it
    has not all come within `seconds`: a client trickling its body holds no task for long."""
    declared = Headers(scope=scope).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    try:
        async with asyncio.timeout(seconds):
            return await _read(receive, limit)
    except TimeoutError:
        raise BodyTooSlow from None


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields `body` once, then hands over to the real one (disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
