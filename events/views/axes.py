"""The two time axes of every view: defaults and the conditions that select by them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, FromClause, and_


def today() -> date:
    """The default `as_of`: today's date in UTC."""
    return datetime.now(UTC).date()


def now() -> datetime:
    """The default `known_at`: this instant."""
    return datetime.now(UTC)


def resolve_axes(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    """`as_of` and `known_at` with their defaults; a naive `known_at` is taken as UTC."""
    if known_at is None:
        known_at = now()
    elif known_at.tzinfo is None:
        known_at = known_at.replace(tzinfo=UTC)
    return (today() if as_of is None else as_of), known_at


def known(table: FromClause, known_at: datetime) -> ColumnElement[bool]:
    """Rows the log held at `known_at`: rt_from <= K < rt_to."""
    return and_(table.c.rt_from <= known_at, table.c.rt_to > known_at)


def possibly(table: FromClause, prefix: str, as_of: date) -> ColumnElement[bool]:
    """Facts `<prefix>_earliest <= D < until_latest`: possibly in effect at D."""
    return and_(table.c[f"{prefix}_earliest"] <= as_of, table.c.until_latest > as_of)
