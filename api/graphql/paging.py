"""Relay paging: opaque cursors over sort keys, and the page-size rule (docs/configuration.md,
"Query limits")."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from api.graphql.errors import ApiError, bad_input
from events.views.states import Cursor
from events.views.timeline import MAX_PAGE


def encode_cursor(cursor: Cursor) -> str:
    """An opaque cursor for a sort key."""
    earliest, latest, position = cursor
    text = f"{earliest.isoformat()}|{latest.isoformat()}|{position}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(text: str, field: str) -> Cursor:
    """The sort key of a cursor, or BAD_USER_INPUT."""
    try:
        earliest, latest, position = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return (date.fromisoformat(earliest), date.fromisoformat(latest), int(position))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input(f"{text!r} is not a cursor this API gave out", field) from None


def page_size(first: int | None, last: int | None, limit: int = MAX_PAGE) -> None:
    """Check that exactly one of first and last is given and within the page limit."""
    if (first is None) == (last is None):
        raise bad_input("give exactly one of `first` and `last`", "first")
    size = first if first is not None else last
    if size is None or size < 0:
        raise bad_input("`first` and `last` must not be negative", "first")
    if size > min(limit, MAX_PAGE):
        raise ApiError(
            f"a page holds at most {min(limit, MAX_PAGE)} items, not {size}",
            "QUERY_TOO_COMPLEX",
            field="first" if first is not None else "last",
        )


def encode_text(text: str) -> str:
    """An opaque cursor for an id."""
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_text(cursor: str, field: str) -> str:
    """The id in a cursor made by `encode_text`, or BAD_USER_INPUT."""
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_input(f"{cursor!r} is not a cursor this API gave out", field) from None
