"""Sides: an actor and every registered actor that counts for it (its country's people,
companies, think-tanks), as known at an instant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from events.projections.tables import actors
from events.views.axes import KNOWN_AT, known
from events.views.reader import run_sync

# Built once: the actors whose country is one of `ids`, as known at `known_at`.
_MEMBERS = select(actors.c.actor, actors.c.country).where(
    actors.c.country.in_(bindparam("ids", expanding=True)), known(actors, KNOWN_AT)
)


async def sides(
    conn: AsyncConnection, ids: Iterable[str], known_at: datetime
) -> dict[str, frozenset[str]]:
    """For each actor id, its side: itself plus the actors whose country it is."""
    ids = list(ids)
    return await run_sync(conn, lambda sync: sides_of(sync, ids, known_at))


def sides_of(conn: Connection, ids: Iterable[str], known_at: datetime) -> dict[str, frozenset[str]]:
    """`sides()` on a synchronous connection."""
    ids = list(ids)
    members: dict[str, set[str]] = {actor: {actor} for actor in ids}
    for actor, country in conn.execute(_MEMBERS, {"ids": ids, "known_at": known_at}):
        members[country].add(actor)
    return {actor: frozenset(side) for actor, side in members.items()}
