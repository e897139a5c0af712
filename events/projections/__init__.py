"""Projections: read models derived only from the log, kept in the append's transaction.

Each projection has `apply(conn, events)`, which the store runs inside the transaction that
appends `events`, so a reader sees its own write; and the tables it owns, so that a rebuild can
empty them and replay the whole log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from events.types import EventData, RecordedEvent

Applied = tuple[RecordedEvent, EventData]


class Projection(Protocol):
    """A read model: the tables it owns and how events change them."""

    tables: Sequence[Table]

    async def apply(self, conn: AsyncConnection, events: Sequence[Applied]) -> None:
        """Bring the tables up to date with `events` (in position order), inside the caller's
        transaction."""
        ...
