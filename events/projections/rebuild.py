"""Rebuild the projections from the log, and verify that the live ones equal a rebuild.

Both hold the append lock for their whole run, so the log does not move under them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, MetaData, Select, Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from events.projections import Projection
from events.projections.bitemporal import default_projections, rebuild_into
from events.projections.tables import fact_columns
from events.store import EventStore

# How many differing rows verify reports per table and direction.
SAMPLE = 5


async def rebuild(
    engine: AsyncEngine,
    projections: Sequence[Projection] | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Empty every projection table and replay the whole log into them, in one transaction;
    return the number of events replayed. `progress` hears the count so far."""
    projections = default_projections() if projections is None else projections
    async with EventStore(engine, projections).locked() as conn:
        for projection in projections:
            for table in projection.tables:
                await conn.execute(delete(table))
        return await rebuild_into(conn, projections, progress=progress)


async def verify(
    engine: AsyncEngine,
    projections: Sequence[Projection] | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[str]:
    """Rebuild into scratch tables and list every difference from the live tables (empty when
    they agree). Nothing is written: the scratch tables go with the rolled-back transaction."""
    projections = default_projections() if projections is None else projections
    scratch_metadata = MetaData()
    scratch = {
        table: Table(
            f"scratch_{table.name}",
            scratch_metadata,
            *(
                Column(c.name, c.type, primary_key=c.primary_key, autoincrement=c.autoincrement)
                for c in table.columns
            ),
        )
        for projection in projections
        for table in projection.tables
    }
    differences: list[str] = []
    async with EventStore(engine, projections).locked(rollback=True) as conn:
        await conn.run_sync(scratch_metadata.create_all)
        await rebuild_into(conn, projections, scratch, progress)
        for live, rebuilt in scratch.items():
            columns = ["stream", *(c.name for c in fact_columns(live)), "rt_from", "rt_to"]
            if await _same_rows(conn, live, rebuilt, columns):
                continue
            for name, left, right in (
                ("only live", live, rebuilt),
                ("missing from live", rebuilt, live),
            ):
                # Rows with their counts, so that a duplicated row is a difference too
                # (SQLite has no EXCEPT ALL).
                extra = _counted(left, columns).except_(_counted(right, columns))
                count = await conn.scalar(select(func.count()).select_from(extra.subquery()))
                if count:
                    rows = (await conn.execute(extra.limit(SAMPLE))).all()
                    differences.append(f"{live.name}: {count} rows {name}, e.g. {rows}")
    return differences


async def _same_rows(
    conn: AsyncConnection, live: Table, rebuilt: Table, columns: list[str]
) -> bool:
    """Whether two tables hold the same rows, duplicates counted, in one set difference rather
    than the two that name the differences: when both hold N rows and every (row, copies) of
    `live` is one of `rebuilt`, those account for all N rows of `rebuilt`, which holds no other."""
    sizes = [await conn.scalar(select(func.count()).select_from(t)) for t in (live, rebuilt)]
    if sizes[0] != sizes[1]:
        return False
    extra = _counted(live, columns).except_(_counted(rebuilt, columns))
    return not await conn.scalar(select(func.count()).select_from(extra.subquery()))


def _counted(table: Table, columns: list[str]) -> Select[Any]:
    selected = [table.c[c] for c in columns]
    return select(*selected, func.count().label("copies")).group_by(*selected)
