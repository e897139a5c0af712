"""What changed in a relation between two dates, and the relation as a series for charts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncEngine

from events.views.axes import resolve_axes
from events.views.relation import contacts_between, facts_during, relation, statements_between
from events.views.states import (
    Contact,
    Cursor,
    DialogueChange,
    MeasureState,
    Membership,
    Page,
    Relation,
    RelationChanges,
    RelationPoint,
    StanceCounts,
)
from events.views.timeline import EventFilter, events_timeline


class Interval(StrEnum):
    """The width of a series' buckets."""

    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


MAX_BUCKETS = 400


async def changes(
    engine: AsyncEngine,
    a: str,
    b: str,
    start: date,
    end: date,
    known_at: datetime | None = None,
) -> RelationChanges:
    """What differs between the relation of `a` and `b` at `start` and at `end`."""
    if end < start:
        raise ValueError(f"`to` ({end}) is before `from` ({start})")
    _, known_at = resolve_axes(start, known_at)
    before = await relation(engine, a, b, start, known_at)
    after = await relation(engine, a, b, end, known_at)
    held = await contacts_between(engine, a, b, start, end, known_at)
    measures, members = await facts_during(engine, a, b, start, end, known_at)
    return diff(before, after, held, measures, members)


async def relation_events(
    engine: AsyncEngine,
    a: str,
    b: str,
    start: date,
    end: date,
    *,
    first: int | None = None,
    after: Cursor | None = None,
    last: int | None = None,
    before: Cursor | None = None,
    known_at: datetime | None = None,
) -> Page:
    """Every event dated inside [`start`, `end`] (by overlap of its bounds) that involves
    both sides, in date order: what happened between the two dates, whatever began and
    ended inside them; `first` after `after` or `last` before `before`."""
    if end < start:
        raise ValueError(f"`to` ({end}) is before `from` ({start})")
    where = EventFilter(actors=(a, b), start=start, end=end)
    return await events_timeline(
        engine, where, first=first, after=after, last=last, before=before, known_at=known_at
    )


def diff(
    before: Relation,
    after: Relation,
    held: tuple[Contact, ...],
    measures: tuple[MeasureState, ...] = (),
    members: tuple[Membership, ...] = (),
) -> RelationChanges:
    """The changes from one view of a relation to a later one; `held` are the contacts in
    between; `measures` and `members`, those in effect some day in between (`facts_during`):
    one in effect at neither end began and ended inside, and counts as imposed and lifted,
    or joined and left."""
    measures_before = {m.measure: m for m in before.measures_in_force}
    measures_after = {m.measure: m for m in after.measures_in_force}
    status_before = {d.dialogue: d.status for d in before.dialogues}
    status_after = {d.dialogue: d.status for d in after.dialogues}
    dialogue_changes = tuple(
        DialogueChange(dialogue, status_before.get(dialogue), status_after.get(dialogue))
        for dialogue in sorted(status_before.keys() | status_after.keys())
        if status_before.get(dialogue) != status_after.get(dialogue)
    )
    members_before, members_after = _members(before), _members(after)
    inside: set[object] = set()
    for measure in measures:
        if measure.measure not in measures_before and measure.measure not in measures_after:
            measures_before[measure.measure] = measures_after[measure.measure] = measure
            inside.add(measure.measure)
    for member in members:
        key = (member.instrument, member.actor)
        if key not in members_before and key not in members_after:
            members_before[key] = members_after[key] = member
            inside.add(key)
    return RelationChanges(
        a=after.a,
        b=after.b,
        start=before.as_of,
        end=after.as_of,
        known_at=after.known_at,
        measures_imposed=tuple(
            m
            for key, m in sorted(measures_after.items())
            if key not in measures_before or key in inside
        ),
        measures_lifted=tuple(
            m
            for key, m in sorted(measures_before.items())
            if key not in measures_after or key in inside
        ),
        dialogue_changes=dialogue_changes,
        instruments_joined=tuple(
            m
            for key, m in sorted(members_after.items())
            if key not in members_before or key in inside
        ),
        instruments_left=tuple(
            m
            for key, m in sorted(members_before.items())
            if key not in members_after or key in inside
        ),
        contacts=held,
    )


def _members(view: Relation) -> dict[tuple[str, str], Membership]:
    found: dict[tuple[str, str], Membership] = {}
    for standing in (*view.shared_instruments, *view.only_a, *view.only_b):
        for member in (standing.a, standing.b):
            if member is not None:
                found[(member.instrument, member.actor)] = member
    return found


async def relation_series(
    engine: AsyncEngine,
    a: str,
    b: str,
    start: date,
    end: date,
    interval: Interval,
    known_at: datetime | None = None,
) -> tuple[RelationPoint, ...]:
    """The relation bucket by bucket from the bucket holding `start` to the one holding `end`."""
    if end < start:
        raise ValueError(f"`to` ({end}) is before `from` ({start})")
    _, known_at = resolve_axes(start, known_at)
    buckets = _buckets(start, end, interval)
    if len(buckets) > MAX_BUCKETS:
        raise ValueError(f"{len(buckets)} buckets: at most {MAX_BUCKETS}; use a wider interval")
    first_start, last_end = buckets[0][0], buckets[-1][1]
    # The day before the first bucket; a series from year 1 has none, and starts from 0001-01-01.
    before_first = max(first_start, date.min + timedelta(days=1)) - timedelta(days=1)
    held = await contacts_between(engine, a, b, before_first, last_end, known_at)
    said = await statements_between(engine, a, b, before_first, last_end, known_at)
    previous = await relation(engine, a, b, before_first, known_at)
    points = []
    for bucket_start, bucket_end in buckets:
        view = await relation(engine, a, b, bucket_end, known_at)
        step = diff(previous, view, ())
        stances = [s.stance for s in said if bucket_start <= s.occurred.earliest <= bucket_end]
        points.append(
            RelationPoint(
                start=bucket_start,
                end=bucket_end,
                contacts=sum(1 for c in held if bucket_start <= c.held.earliest <= bucket_end),
                statements_by_stance=StanceCounts(
                    cooperative=stances.count("COOPERATIVE"),
                    neutral=stances.count("NEUTRAL"),
                    critical=stances.count("CRITICAL"),
                ),
                measures_imposed=len(step.measures_imposed),
                measures_lifted=len(step.measures_lifted),
                measures_in_force=len(view.measures_in_force),
                active_dialogues=sum(1 for d in view.dialogues if d.status == "ACTIVE"),
                open_disputes=len(view.disputes),
            )
        )
        previous = view
    return tuple(points)


def _buckets(start: date, end: date, interval: Interval) -> list[tuple[date, date]]:
    months = {Interval.MONTH: 1, Interval.QUARTER: 3, Interval.YEAR: 12}[interval]
    month = (start.month - 1) // months * months + 1 if months < 12 else 1
    current = date(start.year, month, 1)
    buckets = []
    while current <= end:
        total = current.year * 12 + current.month - 1 + months
        following = date(total // 12, total % 12 + 1, 1)
        buckets.append((current, following - timedelta(days=1)))
        current = following
    return buckets
