"""Projection rows turned into view values, with the choices docs/projections.md makes when
several rows could answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Row

from events import dates
from events.dates import Edtf
from events.projections.tables import (
    dialogue_statuses,
    dispute_statuses,
    membership_statuses,
    memberships,
)
from events.views.states import DialogueState, DisputeState, MeasureState, Membership

AnyRow = Row[*tuple[Any, ...]]


def edtf(row: AnyRow, prefix: str) -> Edtf:
    """The date stored under `<prefix>_edtf`."""
    return dates.parse(row._mapping[f"{prefix}_edtf"])


def end(row: AnyRow) -> Edtf | None:
    """The `until` stored in the row, if any."""
    value = row._mapping["until_edtf"]
    return None if value is None else dates.parse(value)


def certain(row: AnyRow, prefix: str, as_of: date) -> bool:
    """Whether the row's fact is certainly in effect at `as_of` (it is possibly so)."""
    return bool(row._mapping[f"{prefix}_latest"] <= as_of < row._mapping["until_earliest"])


def sort_key(row: AnyRow, prefix: str) -> tuple[date, date]:
    """(earliest, latest) of the row's date under `prefix`."""
    return (row._mapping[f"{prefix}_earliest"], row._mapping[f"{prefix}_latest"])


# The columns `membership` reads, in this order. Membership lists grow with the log, so they are
# read as plain tuples of these rather than as full rows.
MEMBERSHIP_COLUMNS = tuple(
    memberships.c[name]
    for name in (
        "stream",
        "actor",
        "action",
        "since_edtf",
        "since_earliest",
        "since_latest",
        "until_edtf",
        "until_earliest",
    )
)
MembershipRow = tuple[str, str, str, str, date, date, str | None, date]


def membership(rows: Sequence[MembershipRow], as_of: date) -> Membership:
    """One actor's membership from its rows (MEMBERSHIP_COLUMNS) possibly in effect: the one
    that started last, certain when any of them certainly holds."""
    latest = rows[0] if len(rows) == 1 else max(rows, key=lambda row: (row[4], row[5]))
    stream, actor, action, since, _, _, until, _ = latest
    return Membership(
        instrument=stream,
        actor=actor,
        action=action,
        since=dates.parse(since),
        until=None if until is None else dates.parse(until),
        certain=any(row[5] <= as_of < row[7] for row in rows),
    )


def memberships_by_actor(rows: Iterable[MembershipRow], as_of: date) -> dict[str, Membership]:
    """Memberships keyed by actor, from rows (MEMBERSHIP_COLUMNS) of one instrument."""
    grouped: dict[str, list[MembershipRow]] = {}
    for row in rows:
        grouped.setdefault(row[1], []).append(row)
    return {actor: membership(group, as_of) for actor, group in sorted(grouped.items())}


# The columns `dialogue_state` and `dispute_state` read, in this order: a pair of sides with a
# long history has hundreds of ended dialogues, read as plain tuples of these.
STATUS_NAMES = ("stream", "seq", "status", "since_edtf", "since_latest", "until_earliest")
DIALOGUE_STATUS_COLUMNS = tuple(dialogue_statuses.c[name] for name in STATUS_NAMES)
DISPUTE_STATUS_COLUMNS = tuple(dispute_statuses.c[name] for name in STATUS_NAMES)
DialogueStatusRow = tuple[str, int, str, str, date, date]


def _last_status(rows: Iterable[DialogueStatusRow], as_of: date) -> tuple[str, str, Edtf, bool]:
    stream, _, status, since, since_latest, until_earliest = max(rows, key=lambda row: row[1])
    return stream, status, dates.parse(since), since_latest <= as_of < until_earliest


def dialogue_state(rows: Iterable[DialogueStatusRow], as_of: date) -> DialogueState:
    """A dialogue's state from its statuses (DIALOGUE_STATUS_COLUMNS) possibly in effect: the
    last one."""
    return DialogueState(*_last_status(rows, as_of))


def dispute_state(rows: Iterable[DialogueStatusRow], as_of: date) -> DisputeState:
    """A dispute's state from its statuses (DISPUTE_STATUS_COLUMNS) possibly in effect: the
    last one."""
    return DisputeState(*_last_status(rows, as_of))


# The columns `with_status` reads, in this order.
MEMBERSHIP_STATUS_COLUMNS = tuple(
    membership_statuses.c[name]
    for name in (
        *("stream", "actor", "status", "since_earliest", "since_latest", "since_position"),
        "due_edtf",
    )
)
MembershipStatusRow = tuple[str, str, str, date, date, int, str | None]


def with_status(member: Membership, rows: Iterable[MembershipStatusRow]) -> Membership:
    """`member` with its status from the rows (MEMBERSHIP_STATUS_COLUMNS) of its statuses
    possibly in effect: the one that began last (none: ACTIVE); while a notice runs, `until`
    is the day it takes effect."""
    found = [row for row in rows if row[0] == member.instrument and row[1] == member.actor]
    if not found:
        return member
    _, _, status, _, _, _, due = max(found, key=lambda row: row[3:6])
    until = dates.parse(due) if due is not None else member.until
    return replace(member, status=status, until=until)


def measure_state(
    rows: Sequence[AnyRow], as_of: date, counts: Callable[[AnyRow], bool]
) -> MeasureState:
    """A measure's state from its target rows possibly in effect; `certain` when some row that
    `counts` (for the question asked) certainly holds."""
    first = rows[0]
    return MeasureState(
        measure=first.stream,
        kind=first.kind,
        imposer=first.imposer,
        targets=tuple(sorted({row.target for row in rows})),
        since=edtf(first, "start"),
        certain=any(certain(row, "since", as_of) for row in rows if counts(row)),
    )


def actor_list(text: str) -> tuple[str, ...]:
    """A JSON list of actor ids as stored."""
    return tuple(json.loads(text))
