"""Small builders for the JSON form of events, so tests say only what matters to them."""

from __future__ import annotations

import uuid
from typing import Any

from events.types import NewEvent, event_from_json

ARTICLE = {
    "title": "US and China agree to talk about AI",
    "publisher": "The Straits Times",
    "published": "2024-02-19",
    "url": "https://www.straitstimes.com/",
}


def event_json(
    stream: str, type_name: str, occurred: str = "2024-01-27", **data: Any
) -> dict[str, Any]:
    """The JSON form of one event with a fresh id and one source."""
    return {
        "id": str(uuid.uuid4()),
        "stream": stream,
        "type": type_name,
        "occurred": occurred,
        "data": data,
        "sources": [ARTICLE],
    }


def new(stream: str, type_name: str, occurred: str = "2024-01-27", **data: Any) -> NewEvent:
    """One validated NewEvent."""
    return event_from_json(event_json(stream, type_name, occurred, **data))


def actor(slug: str, kind: str = "ORGANIZATION", **data: Any) -> NewEvent:
    """ActorRegistered for `slug`."""
    return new(f"actor/{slug}", "ActorRegistered", "2000", name=slug.title(), kind=kind, **data)


def meeting(slug: str, *participants: str, occurred: str = "2024-01-27") -> NewEvent:
    """MeetingHeld on meeting/`slug`."""
    return new(
        f"meeting/{slug}",
        "MeetingHeld",
        occurred,
        title=f"Meeting {slug}",
        participants=list(participants),
    )


def statement(slug: str, issuer: str = "USA", summary: str = "A statement.") -> NewEvent:
    """StatementIssued on statement/`slug`."""
    return new(f"statement/{slug}", "StatementIssued", issuer=issuer, summary=summary)
