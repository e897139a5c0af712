"""Relay paging: opaque cursors over sort keys, and the page-size rule (docs/configuration.md,
"Query limits")."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from api.graphql.errors import ApiError, bad_input
from events.views.states import Cursor
from events.views.timeline import MAX_PAGE

# Cursors are base64url of `1|<list>|<earliest>|<latest>|<position>`: a version, the list it
# pages (a cursor of one list is refused by another), and the sort key, each part checked and
# bounded when it comes back, so that a forged cursor is BAD_USER_INPUT, never a database error.
CURSOR_VERSION = "1"
MAX_POSITION = 2**63 - 1  # the largest position a BIGINT holds
# The most items a list that is not a connection holds (Instrument.parties per call, the
# RelationChanges lists, a stream object's events); their descriptions state it (docs/graph.md).
MAX_LIST = 1000
T = TypeVar("T")


def encode_cursor(cursor: Cursor, kind: str = "events") -> str:
    """An opaque cursor for the sort key `cursor` of list `kind`."""
    earliest, latest, position = cursor
    parts = (CURSOR_VERSION, kind, earliest.isoformat(), latest.isoformat(), str(position))
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


def decode_cursor(text: str, field: str, kind: str = "events") -> Cursor:
    """The sort key of a cursor `encode_cursor` made for list `kind`, or BAD_USER_INPUT."""
    try:
        if len(text) > 200:
            raise ValueError("too long")
        version, found, earliest, latest, position = (
            base64.urlsafe_b64decode(text.encode("ascii")).decode("ascii").split("|")
        )
        key = (date.fromisoformat(earliest), date.fromisoformat(latest), int(position))
    except (ValueError, binascii.Error):
        raise bad_input(f"{text[:100]!r} is not a cursor this API gave out", field) from None
    if version != CURSOR_VERSION or found != kind or not 0 <= key[2] <= MAX_POSITION:
        raise bad_input(f"{text[:100]!r} is not a cursor of this list", field)
    if encode_cursor(key, kind) != text:  # only the one spelling this API gives out
        raise bad_input(f"{text[:100]!r} is not a cursor this API gave out", field)
    return key


def first_or_last(first: int | None, last: int | None, default: int) -> int | None:
    """`first` as a connection takes it, where the schema gives `first` a `default`: that
    default gives way to an explicit `last` (`contacts(last: 5)` pages backwards)."""
    return None if last is not None and first == default else first


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


def bounded(items: Sequence[T], what: str, field: str, remedy: str) -> list[T]:
    """`items` as a list, or BAD_USER_INPUT on `field` when they are more than MAX_LIST: the
    bound a list's description states, never a silently shortened answer."""
    if len(items) > MAX_LIST:
        raise bad_input(
            f"{len(items):,} {what}: a list holds at most {MAX_LIST:,}; {remedy}", field
        )
    return list(items)


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """A page cut from a list held whole, and whether items precede and follow it."""

    items: list[T]
    has_previous: bool
    has_next: bool


def slice_page(
    items: Sequence[T],
    key: Callable[[T], int],
    *,
    first: int | None,
    after: int | None,
    last: int | None,
    before: int | None,
) -> Slice[T]:
    """The page of `items` (ordered by `key`) after key `after` and before key `before`: its
    `first` or its `last` (page_size has checked that exactly one is given)."""
    window = [
        item
        for item in items
        if (after is None or key(item) > after) and (before is None or key(item) < before)
    ]
    if first is not None:
        return Slice(window[:first], after is not None, len(window) > first)
    assert last is not None
    return Slice(window[max(len(window) - last, 0) :], len(window) > last, before is not None)
