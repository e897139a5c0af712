"""What an import finds wrong with a file, all of it at once, so that one round of fixes is enough.

The CSV (and .xlsx) and JSON Lines imports, and a batch recorded through GraphQL, report the same
problems in the same words; each import names its places in its own terms (`row 3`, `line 3`,
`events[2]`):

- every problem is kept up to MAX_PROBLEMS, and the rest counted (`Bounded`);
- an id given twice in the file is reported at both places, each naming the other (`twins`);
- an id the log holds for another event is reported with that event (`reused`);
- an event without an id that is the same as an earlier one without an id (a row or line
  pasted twice) is reported naming the earlier one (`same_event`), unless duplicates are
  allowed;
- the actors of a row or line that failed validation are still looked up in the log
  (`unknown_actors`), so that a bad date does not hide an unregistered actor on the same row.

Besides problems, an import notes the actor ids it read otherwise than they are stored
(`note_resolved`, `resolutions`): `SK` is Slovakia to ISO 3166, South Korea to many writers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from events.actors import SLUG, state_code, state_name
from events.interchange.csv_layout import mentioned_actors
from events.store import Appender, unknown_actor
from events.types import NewEvent, RecordedEvent, dumps, format_timestamp

MAX_PROBLEMS = 200
_PATH_PART = re.compile(r"\[[0-9]+\]|[^.\[]+")

P = TypeVar("P")
Place = Callable[[int], str]  # the number of a row or line -> how the file's user names it


class Bounded(list[P]):
    """The first `limit` problems found; `omitted` counts those found beyond them."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self.omitted = 0

    def add(self, problem: P) -> None:
        """Keep `problem` while there is room, else count it."""
        if len(self) < self.limit:
            self.append(problem)
        else:
            self.omitted += 1

    @property
    def total(self) -> int:
        """How many problems were found, kept or not."""
        return len(self) + self.omitted

    def more(self) -> str | None:
        """The line that says how many were left out, or None when none was."""
        if not self.omitted:
            return None
        return (
            f"… and {self.omitted} more problems "
            f"({self.total} in all; the first {self.limit} shown)"
        )


def twins(places: Iterable[tuple[int, UUID]], place: Place) -> list[tuple[int, str]]:
    """(number, message) for each place whose id is given at another place too, each message
    naming the other places: both twins are reported, so either may be fixed."""
    seen: dict[UUID, list[int]] = {}
    for number, event_id in places:
        seen.setdefault(event_id, []).append(number)
    found: list[tuple[int, str]] = []
    for event_id, numbers in seen.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = ", ".join(place(other) for other in numbers if other != number)
            found.append((number, twin_message(event_id, others)))
    return sorted(found)


def twin_message(event_id: UUID | str, others: str) -> str:
    """The message for an id given at another place (`others`) of the same file too."""
    return f"id {event_id} is given twice: also on {others}; every event needs its own id"


def same_event(event: NewEvent) -> bytes:
    """What two events without ids share when they are the same event: all but their made-up
    ids. A digest, so that a long file's events are not kept whole to be compared."""
    return hashlib.sha256(dumps({**event.to_json(), "id": None}).encode()).digest()


def same_event_message(earlier: str) -> str:
    """The message for an event without an id that is the same as one at `earlier`."""
    return (
        f"the same event as {earlier}, and neither has an id: remove one, or import with "
        "--allow-duplicates to keep both"
    )


async def reused(
    appender: Appender, entries: Sequence[tuple[int, NewEvent]]
) -> list[tuple[int, str]]:
    """(number, message) for each event whose id the log holds already for other content."""
    originals = await appender.reused([event for _, event in entries])
    return [
        (number, reused_message(event.id, originals[event.id]))
        for number, event in entries
        if event.id in originals
    ]


def reused_message(event_id: UUID | str, original: RecordedEvent) -> str:
    """The message for an id the log holds for an event with other content."""
    return (
        f"event id {event_id} is already used by an event with other content: the log's "
        f"position {original.position}, {original.type} on {original.stream} recorded "
        f"{format_timestamp(original.recorded_at)}"
    )


async def unknown_actors(
    appender: Appender, failed: Sequence[tuple[int, Mapping[str, Any]]], registering: set[str]
) -> list[tuple[int, str, str, str]]:
    """(number, JSON path, actor, message) for each unregistered actor slug that the JSON
    forms of rows or lines that failed validation name; `registering`: the slugs the file
    registers (a row that registers an actor may have failed too: its actor is not
    reported)."""
    named = [
        (number, path, actor)
        for number, obj in failed
        for path, actor in mentioned_actors(obj)
        if SLUG.match(actor) and state_code(actor) is None and actor not in registering
    ]
    missing = await appender.unregistered({actor for _, _, actor in named})
    return [
        (number, path, actor, unknown_actor(actor))
        for number, path, actor in named
        if actor in missing
    ]


def value_at(obj: object, path: str) -> str | None:
    """The value at the JSON `path` (`data.participants[1]`) of the JSON form `obj`, as
    written: a string as it is, anything else as JSON; None when there is none."""
    if not path:
        return None
    found: object = obj
    for key in _PATH_PART.findall(path):
        if key.startswith("["):
            index = int(key[1:-1])
            if not isinstance(found, list) or index >= len(found):
                return None
            found = found[index]
        elif isinstance(found, Mapping) and key in found:
            found = found[key]
        else:
            return None
    return found if isinstance(found, str) else dumps(found)


def note_resolved(obj: Mapping[str, Any], resolved: dict[str, str]) -> None:
    """Add to `resolved` each state that the JSON form of an event names by another id than
    the one stored (`SK` -> `SVK`, `cn` -> `CHN`)."""
    for _, written in mentioned_actors(obj):
        code = state_code(written)
        if code is not None and code != written:
            resolved[written] = code


def resolutions(resolved: Mapping[str, str]) -> list[str]:
    """`SK -> Slovakia (SVK)` for each actor id written otherwise than stored."""
    return [
        f"{written} -> {state_name(code)} ({code})" for written, code in sorted(resolved.items())
    ]


def registered_slug(obj: Mapping[str, Any]) -> str | None:
    """The slug an ActorRegistered event's JSON form registers, valid or not; else None."""
    stream = obj.get("stream")
    if obj.get("type") != "ActorRegistered" or not isinstance(stream, str):
        return None
    kind, _, slug = stream.partition("/")
    return slug if kind == "actor" and slug else None
