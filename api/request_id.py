"""The request being answered: its id and GraphQL operation name, for the logs and metrics.

A request keeps the id its `X-Request-ID` header gives when that is sane (1 to 128 letters,
digits and `._:-`, as proxies and tracing systems make them), so that one id follows it from
the reverse proxy through the logs; otherwise it gets a new one. Either way the response
carries it back in `X-Request-ID`.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@dataclass(slots=True)
class RequestInfo:
    """What the logs and metrics say of the request in progress; the GraphQL layer fills in
    `operation` once it knows which operation runs ("" for an unnamed one)."""

    request_id: str
    operation: str | None = None


current: ContextVar[RequestInfo | None] = ContextVar("timeline_request", default=None)


def request_id(header: str | None) -> str:
    """The id for a request whose `X-Request-ID` is `header`: kept when sane, else new."""
    if header is not None and _SANE.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_id() -> str | None:
    """The id of the request this code runs for, if any."""
    info = current.get()
    return None if info is None else info.request_id
