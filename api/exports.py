"""Exports over HTTP, `GET /export/<format>`, and the reading of their parameters, which the
`timeline export` command shares: each parameter turned into the domain's ExportQuery or refused
with its name. What each format holds is events/interchange/ (docs/exports.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.auth import Unauthenticated
from api.transport import JSON, error_response
from events.actors import InvalidActor, canonical_actor
from events.interchange.formats import FORMATS, Format
from events.interchange.selection import ExportQuery
from events.store import EventStore
from events.types import EVENT_TYPES
from events.views.timeline import EventFilter

# The query parameters of /export/<format>; lists may repeat or be comma-separated.
PARAMETERS = ("actors", "types", "from", "to", "knownAt", "asOf")


class BadParameter(ValueError):
    """A parameter of an export that cannot be taken, with its name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def export_query(
    format: Format,
    *,
    actors: Sequence[str] = (),
    types: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    known_at: datetime | None = None,
    as_of: date | None = None,
    names: dict[str, str] | None = None,
) -> ExportQuery:
    """The query of an export, or BadParameter naming the parameter at fault; `names` maps the
    parameters (actors, types, from, to, knownAt, asOf) to what the caller calls them."""
    called = {name: name for name in PARAMETERS} | (names or {})
    canonical = []
    for actor in actors:
        try:
            canonical.append(canonical_actor(actor))
        except InvalidActor as error:
            raise BadParameter(called["actors"], str(error)) from None
    for name in types:
        if name not in EVENT_TYPES:
            known = ", ".join(EVENT_TYPES)
            raise BadParameter(called["types"], f"unknown event type {name!r} ({known})")
    if start is not None and end is not None and start > end:
        raise BadParameter(called["to"], f"{called['to']} ({end}) is before {called['from']}")
    if as_of is not None and not format.as_of:
        with_it = ", ".join(f.name for f in FORMATS.values() if f.as_of)
        raise BadParameter(
            called["asOf"],
            f"only the formats that show a meeting's status ({with_it}) take "
            f"{called['asOf']}, not {format.name}; select events by date with "
            f"{called['from']} and {called['to']}",
        )
    if known_at is not None and known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    where = EventFilter(
        actors=tuple(dict.fromkeys(canonical)), types=tuple(types), start=start, end=end
    )
    return ExportQuery(where=where, known_at=known_at, as_of=as_of)


def query_from_params(format: Format, request: Request) -> ExportQuery:
    """The ExportQuery of an HTTP request's query string."""
    params = request.query_params
    for name in params:
        if name not in PARAMETERS:
            raise BadParameter(name, f"unknown parameter {name!r} (use {', '.join(PARAMETERS)})")
    for name in ("from", "to", "knownAt", "asOf"):
        if len(params.getlist(name)) > 1:
            raise BadParameter(name, f"give {name} once")

    def listed(name: str) -> list[str]:
        return [
            item.strip()
            for value in params.getlist(name)
            for item in value.split(",")
            if item.strip()
        ]

    return export_query(
        format,
        actors=listed("actors"),
        types=listed("types"),
        start=_day(params.get("from"), "from"),
        end=_day(params.get("to"), "to"),
        known_at=_instant(params.get("knownAt"), "knownAt"),
        as_of=_day(params.get("asOf"), "asOf"),
    )


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(
            name, f"{name} must be an RFC 3339 date-time (2024-02-19T08:00:00Z), not {text!r}"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def bad_parameter(error: BadParameter) -> Response:
    """400 with the parameter at fault (BAD_USER_INPUT and extensions.field, as docs/graphql.md
    describes errors)."""
    return error_response(400, str(error), "BAD_USER_INPUT", JSON, field=error.name)


def unknown_format(name: str) -> Response:
    """404 naming the formats there are."""
    return error_response(
        404,
        f"no export format {name!r} (use {', '.join(FORMATS)})",
        "NOT_FOUND",
        JSON,
        field="format",
    )


def unauthenticated(error: Unauthenticated) -> Response:
    """401 asking for a bearer token."""
    return error_response(
        401, str(error), "UNAUTHENTICATED", JSON, headers={"WWW-Authenticate": "Bearer"}
    )


def streamed(store: EventStore, format: Format, query: ExportQuery) -> Response:
    """The export as a streamed download named for its format."""

    async def body() -> AsyncIterator[bytes]:
        async for chunk in format.chunks(store, query, None):
            yield chunk.encode()

    filename = f"timeline.{format.extension}"
    return StreamingResponse(
        body(),
        media_type=format.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
