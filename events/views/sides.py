"""Sides: an actor and every registered actor that counts for it (its country's people,
companies, think-tanks), as known at an instant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from events.projections.tables import actors
from events.views.axes import known


async def sides(
    conn: AsyncConnection, ids: Iterable[str], known_at: datetime
) -> dict[str, frozenset[str]]:
    """For each actor id, its side: itself plus the actors whose country it is."""
    ids = list(ids)
    members: dict[str, set[str]] = {actor: {actor} for actor in ids}
    query = select(actors.c.actor, actors.c.country).where(
        actors.c.country.in_(ids), known(actors, known_at)
    )
    for actor, country in await conn.execute(query):
        members[country].add(actor)
    return {actor: frozenset(side) for actor, side in members.items()}
