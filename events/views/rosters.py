"""Rosters: an instrument's parties, a dialogue's or a dispute's status, the measures in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from events.projections.tables import measure_targets, memberships
from events.views.axes import known, possibly, resolve_axes
from events.views.reader import Reader
from events.views.rows import (
    DIALOGUE_STATUS_COLUMNS,
    DISPUTE_STATUS_COLUMNS,
    MEMBERSHIP_COLUMNS,
    AnyRow,
    DialogueStatusRow,
    dialogue_state,
    dispute_state,
    measure_state,
    memberships_by_actor,
)
from events.views.sides import sides
from events.views.standing import CHUNK, with_statuses
from events.views.states import DialogueState, DisputeState, MeasureState, Membership


async def instrument_parties(
    engine: Reader,
    instrument: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> tuple[Membership, ...]:
    """The parties to `instrument` (possibly) at `as_of`, as known at `known_at`, by actor."""
    found = await instruments_parties(engine, [instrument], as_of, known_at)
    return found.get(instrument, ())


async def instruments_parties(
    reader: Reader,
    instruments: Sequence[str],
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> dict[str, tuple[Membership, ...]]:
    """The parties to each of `instruments` (possibly) at `as_of`, as known at `known_at`, by
    actor, in a statement per CHUNK instruments and one for their statuses; an instrument
    without parties is left out."""
    as_of, known_at = resolve_axes(as_of, known_at)
    wanted = sorted(set(instruments))
    rows: dict[str, list[Any]] = {}
    async with reader.connect() as conn:
        for start in range(0, len(wanted), CHUNK):
            query = select(*MEMBERSHIP_COLUMNS).where(
                memberships.c.stream.in_(wanted[start : start + CHUNK]),
                known(memberships, known_at),
                possibly(memberships, "since", as_of),
            )
            for row in await conn.execute(query):
                rows.setdefault(row[0], []).append(row)
        members = [
            member
            for stream in sorted(rows)
            for member in memberships_by_actor(rows[stream], as_of).values()
        ]
        found: dict[str, list[Membership]] = {}
        for member in await with_statuses(conn, members, as_of, known_at):
            found.setdefault(member.instrument, []).append(member)
    return {stream: tuple(parties) for stream, parties in found.items()}


async def dialogue_status(
    engine: AsyncEngine,
    dialogue: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> DialogueState | None:
    """The status of `dialogue` at `as_of`, as known at `known_at`; None before it began."""
    as_of, known_at = resolve_axes(as_of, known_at)
    rows = await _statuses(engine, DIALOGUE_STATUS_COLUMNS, dialogue, as_of, known_at)
    return dialogue_state(rows, as_of) if rows else None


async def dispute_status(
    engine: AsyncEngine,
    dispute: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> DisputeState | None:
    """The status of `dispute` at `as_of`, as known at `known_at`; None before it was filed."""
    as_of, known_at = resolve_axes(as_of, known_at)
    rows = await _statuses(engine, DISPUTE_STATUS_COLUMNS, dispute, as_of, known_at)
    return dispute_state(rows, as_of) if rows else None


async def _statuses(
    engine: AsyncEngine,
    columns: tuple[Column[Any], ...],
    stream: str,
    as_of: date,
    known_at: datetime,
) -> list[DialogueStatusRow]:
    """The rows (`columns` of a status table) of `stream`'s statuses possibly in effect."""
    table = columns[0].table
    query = select(*columns).where(
        table.c.stream == stream, known(table, known_at), possibly(table, "since", as_of)
    )
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]


async def measures_in_force(
    engine: AsyncEngine,
    as_of: date | None = None,
    known_at: datetime | None = None,
    *,
    imposer: str | None = None,
    target: str | None = None,
) -> tuple[MeasureState, ...]:
    """Measures in force at `as_of`, as known at `known_at`, by stream id; `imposer` and
    `target` keep those imposed by (or on) that actor's side."""
    as_of, known_at = resolve_axes(as_of, known_at)
    table = measure_targets
    in_force = and_(known(table, known_at), possibly(table, "since", as_of))
    async with engine.connect() as conn:
        side = await sides(conn, [a for a in (imposer, target) if a is not None], known_at)
        query = select(table).where(in_force)
        if imposer is not None:
            query = query.where(table.c.imposer.in_(side[imposer]))
        rows = list(await conn.execute(query.order_by(table.c.stream, table.c.target)))
    by_stream: dict[str, list[AnyRow]] = {}
    for row in rows:
        by_stream.setdefault(row.stream, []).append(row)

    def counts(row: AnyRow) -> bool:
        return target is None or row.target in side[target]

    return tuple(
        measure_state(group, as_of, counts)
        for stream, group in sorted(by_stream.items())
        if any(counts(row) for row in group)
    )
