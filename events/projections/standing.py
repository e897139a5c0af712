"""A party's standing in an instrument: when it is a party, and its status while it is one.

Each actor's steps (joining, withdrawing, notices and their suspension or rescission, its own
suspension and resumption) are walked in date order (docs/projections.md, "Instruments"):

- an opening while not a party starts a membership, `ACTIVE`; a closing while a party ends it;
- a notice makes the status `NOTICE_GIVEN` and falls due on its `effective` date: on that date
  the membership ends, unless the notice was suspended (`NOTICE_SUSPENDED`) or rescinded
  (`ACTIVE` again) before it;
- a party's suspension makes it `SUSPENDED` (still a party) until it resumes; while suspended,
  its notice (if any) still runs, and shows again once it resumes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from events.projections.history import Dated, Interval
from events.types import PartyAction


class Step(Enum):
    """What one dated step does to an actor's standing."""

    OPEN = "open"
    CLOSE = "close"
    NOTICE = "notice"  # given; falls due at `due`
    DUE = "due"  # the notice given at position `notice` falls due
    HOLD = "hold"  # the notice is suspended
    RESCIND = "rescind"
    SUSPEND = "suspend"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class Move:
    """One step of an actor's standing, at a date."""

    at: Dated
    step: Step
    action: PartyAction | None = None  # of an opening
    due: Dated | None = None  # of a notice


@dataclass(frozen=True, slots=True)
class Status:
    """A status of a membership from `since` until `until` (None: the membership's end);
    `due` is the date a notice given takes effect."""

    since: Dated
    status: str
    until: Dated | None
    due: Dated | None


def notice_moves(at: Dated, due: Dated) -> list[Move]:
    """The two steps of a notice given at `at` to take effect on `due`."""
    return [Move(at, Step.NOTICE, due=due), Move(Dated(due.value, at.position), Step.DUE)]


def standing(
    moves: Iterable[Move],
) -> list[tuple[Interval[PartyAction], list[Status]]]:
    """The memberships that `moves` make, in date order, each with its statuses: none when it
    stayed `ACTIVE` throughout, else every status it had, `ACTIVE` ones included."""
    found: list[tuple[Interval[PartyAction], list[Status]]] = []
    since: Dated | None = None
    action: PartyAction | None = None
    notice: tuple[str, int, Dated] | None = None  # (GIVEN or HELD, its position, due date)
    suspended = False
    changes: list[tuple[Dated, str, Dated | None]] = []

    def close(at: Dated) -> None:
        nonlocal since
        assert since is not None and action is not None
        found.append((Interval(since, action, at), _statuses(changes, at)))
        since = None

    for move in sorted(moves, key=lambda m: m.at.key()):
        step = move.step
        if step is Step.OPEN and since is None:
            since, action, notice, suspended = move.at, move.action, None, False
            changes = [(move.at, "ACTIVE", None)]
            continue
        if since is None:
            continue
        if step is Step.CLOSE:
            close(move.at)
            continue
        if step is Step.DUE:
            if notice is not None and notice[0] == "GIVEN" and notice[1] == move.at.position:
                close(move.at)
            continue
        if step is Step.NOTICE and move.due is not None:
            notice = ("GIVEN", move.at.position, move.due)
        elif step is Step.HOLD and notice is not None and notice[0] == "GIVEN":
            notice = ("HELD", notice[1], notice[2])
        elif step is Step.RESCIND:
            notice = None
        elif step is Step.SUSPEND:
            suspended = True
        elif step is Step.RESUME:
            suspended = False
        status, due = _status(notice, suspended)
        if (status, due) != changes[-1][1:]:
            changes.append((move.at, status, due))
    if since is not None and action is not None:
        found.append((Interval(since, action, None), _statuses(changes, None)))
    return found


def _status(notice: tuple[str, int, Dated] | None, suspended: bool) -> tuple[str, Dated | None]:
    if suspended:
        return "SUSPENDED", None
    if notice is None:
        return "ACTIVE", None
    if notice[0] == "GIVEN":
        return "NOTICE_GIVEN", notice[2]
    return "NOTICE_SUSPENDED", None


def _statuses(changes: list[tuple[Dated, str, Dated | None]], end: Dated | None) -> list[Status]:
    if len(changes) == 1:
        return []
    return [
        Status(at, status, changes[i + 1][0] if i + 1 < len(changes) else end, due)
        for i, (at, status, due) in enumerate(changes)
    ]
