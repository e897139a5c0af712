"""Errors with a code in `extensions.code` (docs/graphql.md, "Errors"); only unexpected ones
masked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.execution import StreamExecutionResult

from events.errors import OutOfBounds

logger = logging.getLogger("timeline.api")

INTERNAL = "Internal server error"
_REFUSED_AT = re.compile(r"Variable '\$\w+' has invalid value at (?P<place>[^ :]+): ")


class ApiError(GraphQLError):
    """An error a client caused, with its code and, where one field is at fault, the field."""

    def __init__(self, message: str, code: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


class RefusedValue(ValueError):
    """A scalar's refusal of a value: the message, the value, and what the scalar takes."""

    def __init__(self, message: str, value: str, expected: str) -> None:
        super().__init__(message)
        self.value = value
        self.expected = expected


def bad_input(message: str, field: str | None = None) -> ApiError:
    """BAD_USER_INPUT, naming the field at fault."""
    return ApiError(message, "BAD_USER_INPUT", **({"field": field} if field else {}))


def not_found(message: str, field: str | None = None) -> ApiError:
    """NOT_FOUND, naming the field that named the missing thing."""
    return ApiError(message, "NOT_FOUND", **({"field": field} if field else {}))


def too_many_tokens(error: GraphQLError) -> bool:
    """Whether `error` is the parser's refusal of a document over the token limit (graphql-core
    says so only in its message)."""
    message = error.message
    return message.startswith("Syntax Error: Document contains more than") and message.endswith(
        "tokens. Parsing aborted."
    )


def _refused_variable(message: str, original: Exception) -> dict[str, str]:
    """The parts of a variable's value that a scalar refused, as an import names them: the
    field in the variable (`events[0].occurred`), the value and what the scalar takes.
    graphql-core names the field in its message only (`Variable '$input' has invalid value at
    .events[0].occurred: …`), and wraps the scalar's error in its own."""
    parts: dict[str, str] = {}
    match = _REFUSED_AT.match(message)
    if match is not None:
        parts["field"] = match["place"].removeprefix(".")
    cause: BaseException | None = original
    while isinstance(cause, GraphQLError):
        cause = cause.original_error
    if isinstance(cause, RefusedValue):
        parts["value"] = cause.value
        parts["expected"] = cause.expected
    return parts


def coded(error: GraphQLError) -> GraphQLError:
    """`error` with its code: the one it carries, GRAPHQL_PARSE_FAILED or
    GRAPHQL_VALIDATION_FAILED for a bad document (QUERY_TOO_COMPLEX for one over the token
    limit), else masked as INTERNAL_SERVER_ERROR (the detail goes to the log, never to the
    client)."""
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, ApiError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=original.extensions,
        )
    if isinstance(original, OutOfBounds):
        return GraphQLError(
            str(original),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT", "field": original.field},
        )
    if original is not None and error.path is None:
        # Raised while coercing the request's variables (a scalar refusing its value), before
        # anything executed: the client's input, not the server, is at fault.
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            extensions={"code": "BAD_USER_INPUT", **_refused_variable(error.message, original)},
        )
    if original is None:
        if too_many_tokens(error):
            code = "QUERY_TOO_COMPLEX"
        elif error.message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        INTERNAL,
        nodes=error.nodes,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorCodes(SchemaExtension):
    """Gives every error of a result its code (see `coded`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded(error) for error in result.errors]

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        """The same for each result sent over a WebSocket (subscriptions, and queries there)."""
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = [coded(error) for error in result.errors]
        yield
