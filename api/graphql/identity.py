"""Node identity: `key`, what arguments take, and `id`, what a client's cache keys an object by.

Caches (Apollo, urql, Relay) key an object by `__typename` and `id`: one pair must never stand for
two contents. An object shown as the log knows it now has `id` equal to its `key` (`USA`,
`meeting/2024-01-bangkok`, an event's UUID). Shown as known at an earlier instant, its `id` is
`<key>@<knownAt>` (RFC 3339, UTC); an event exactly as first recorded (`original`) has
`<key>@original`. The log only grows and an instant before the query names a fixed prefix of it,
so a versioned id always carries the same content, and `node(id)` refetches exactly it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

ORIGINAL = "original"


@dataclass(frozen=True, slots=True)
class Version:
    """What a node id names: a key, and the instant it is shown at (None: now), or its
    original recording (events only)."""

    key: str
    known_at: datetime | None = None
    original: bool = False


def shown_id(key: str, known_at: datetime, now: datetime, original: bool = False) -> str:
    """The id of `key` shown as known at `known_at` in a request begun at `now`."""
    if original:
        return f"{key}@{ORIGINAL}"
    if known_at >= now:
        return key
    return f"{key}@{known_at.astimezone(UTC).isoformat()}"


def parse_id(node_id: str) -> Version:
    """The version an id names; ValueError when its version part is no instant."""
    key, at, version = node_id.rpartition("@")
    if not at:
        return Version(key=node_id)
    if version == ORIGINAL:
        return Version(key=key, original=True)
    instant = datetime.fromisoformat(version)
    if instant.tzinfo is None:
        raise ValueError(f"{version!r} has no time zone")
    return Version(key=key, known_at=instant)
