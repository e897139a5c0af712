"""The actors projection: which slugs are registered, their kind, name and country."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from events.db import actors_table
from events.projections import Applied
from events.types import ActorRegistered, ActorRenamed


class ActorsProjection:
    """Keeps `actors` in step with `ActorRegistered` and `ActorRenamed`."""

    tables: Sequence[Table] = (actors_table,)

    async def apply(self, conn: AsyncConnection, events: Sequence[Applied]) -> None:
        """Insert registered actors and apply renames, in position order."""
        registered = []
        for recorded, data in events:
            slug = recorded.stream.split("/", 1)[1]
            if isinstance(data, ActorRegistered):
                registered.append(
                    {
                        "id": slug,
                        "kind": data.kind.value,
                        "name": data.name,
                        "country": data.country,
                        "position": recorded.position,
                    }
                )
            elif isinstance(data, ActorRenamed):
                if registered:  # a rename in the same batch must see its registration
                    await conn.execute(insert(actors_table), registered)
                    registered = []
                await conn.execute(
                    update(actors_table).where(actors_table.c.id == slug).values(name=data.name)
                )
        if registered:
            await conn.execute(insert(actors_table), registered)
