"""The status of memberships (a notice given, suspended; a party suspended), read for the
memberships a view has found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from events.projections.tables import membership_statuses
from events.views.axes import known, possibly
from events.views.rows import MEMBERSHIP_STATUS_COLUMNS, MembershipStatusRow, with_status
from events.views.states import Membership

CHUNK = 500  # values per IN (...) list


async def with_statuses(
    conn: AsyncConnection, members: Sequence[Membership], as_of: date, known_at: datetime
) -> list[Membership]:
    """`members` (possibly in effect at `as_of`, as known at `known_at`) with their statuses."""
    table = membership_statuses
    streams = sorted({member.instrument for member in members})
    actors = sorted({member.actor for member in members})
    rows: list[MembershipStatusRow] = []
    for start in range(0, len(streams), CHUNK):
        query = select(*MEMBERSHIP_STATUS_COLUMNS).where(
            table.c.stream.in_(streams[start : start + CHUNK]),
            table.c.actor.in_(actors),
            known(table, known_at),
            possibly(table, "since", as_of),
        )
        rows.extend(tuple(row) for row in await conn.execute(query))
    if not rows:
        return list(members)
    return [with_status(member, rows) for member in members]
