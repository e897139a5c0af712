"""The status of memberships (a notice given, suspended; a party suspended), read for the
memberships a view has found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from events.projections.tables import membership_statuses
from events.views.axes import AS_OF, KNOWN_AT, known, possibly
from events.views.reader import run_sync
from events.views.rows import MEMBERSHIP_STATUS_COLUMNS, MembershipStatusRow, with_status
from events.views.states import Membership

CHUNK = 500  # values per IN (...) list

# Built once, run with each call's values (events/views/axes.py KNOWN_AT).
_STATUSES = select(*MEMBERSHIP_STATUS_COLUMNS).where(
    membership_statuses.c.stream.in_(bindparam("streams", expanding=True)),
    membership_statuses.c.actor.in_(bindparam("actors", expanding=True)),
    known(membership_statuses, KNOWN_AT),
    possibly(membership_statuses, "since", AS_OF),
)


async def with_statuses(
    conn: AsyncConnection, members: Sequence[Membership], as_of: date, known_at: datetime
) -> list[Membership]:
    """`members` (possibly in effect at `as_of`, as known at `known_at`) with their statuses."""
    return await run_sync(conn, lambda sync: statuses_of(sync, members, as_of, known_at))


def statuses_of(
    conn: Connection, members: Sequence[Membership], as_of: date, known_at: datetime
) -> list[Membership]:
    """`with_statuses()` on a synchronous connection."""
    streams = sorted({member.instrument for member in members})
    actors = sorted({member.actor for member in members})
    rows: list[MembershipStatusRow] = []
    for start in range(0, len(streams), CHUNK):
        chunk = streams[start : start + CHUNK]
        params = {"streams": chunk, "actors": actors, "known_at": known_at, "as_of": as_of}
        rows.extend(tuple(row) for row in conn.execute(_STATUSES, params))
    if not rows:
        return list(members)
    return [with_status(member, rows) for member in members]
