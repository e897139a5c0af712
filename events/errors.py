"""The errors the domain raises. Each names what is wrong so that a caller can show it as is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one event of a batch.

    `index` is the event's place in the batch (0-based), `field` a dotted path into its JSON form
    (`data.participants[1]`), or "" when the event as a whole is at fault.
    """

    index: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{where}{self.message}"


class TimelineError(Exception):
    """Base of every error the domain raises on purpose."""


class InvalidEvents(TimelineError):
    """Events the domain refuses; nothing of their batch was appended."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"event {p.index}: {p}" for p in problems))


class ConcurrencyConflict(TimelineError):
    """A stream's version was not the one the caller expected; nothing was appended."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream!r} is at version {actual}, not at the expected version {expected}"
        )


class DuplicateId(TimelineError):
    """An event id already used for an event with different content; nothing was appended."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(f"event id {event_id} is already used by an event with other content")


class ConfigurationError(TimelineError):
    """A setting that cannot be used, named with the reason."""


class OutOfBounds(TimelineError, ValueError):
    """A value outside what the domain represents (an instant that is no UTC timestamp of the
    years 1 to 9999), named by the field that gave it."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class ClockBehind(TimelineError):
    """The log's newest recordedAt is further ahead of this process's clock than the allowed
    skew: stamping an append would move knowledge time ahead of the clock. Nothing was
    appended; the clock of this process (or of the one that wrote the head) needs fixing."""

    def __init__(self, newest: str, now: str, skew: float) -> None:
        self.newest = newest
        self.now = now
        super().__init__(
            f"the log's newest recordedAt {newest} is more than {skew:g} s ahead of this "
            f"server's clock ({now}); nothing was appended"
        )
