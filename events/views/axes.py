"""The two time axes of every view: defaults and the conditions that select by them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from events.errors import OutOfBounds
from events.projections.tables import SPAN_STRATA

# The axes as bound parameters, for statements built once and run with the values of each call:
# building a statement (and the cache key SQLAlchemy derives from it) cost more than running it.
KNOWN_AT: BindParameter[Any] = bindparam("known_at")
AS_OF: BindParameter[Any] = bindparam("as_of", type_=Date())


def today() -> date:
    """The default `as_of`: today's date in UTC."""
    return datetime.now(UTC).date()


def now() -> datetime:
    """The default `known_at`: this instant."""
    return datetime.now(UTC)


def resolve_axes(as_of: date | None, known_at: datetime | None) -> tuple[date, datetime]:
    """`as_of` and `known_at` with their defaults; a naive `known_at` is taken as UTC.
    Raises OutOfBounds for a `known_at` that is no UTC instant of the years 1 to 9999."""
    known_at = now() if known_at is None else utc_instant(known_at, "knownAt")
    return (today() if as_of is None else as_of), known_at


def utc_instant(moment: datetime, field: str) -> datetime:
    """`moment` (taken as UTC when naive) if it is an instant the log can store: one whose UTC
    time is within the years 1 to 9999 (`9999-12-31T23:59:59-23:59` is not); else OutOfBounds
    naming `field`."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise OutOfBounds(
            field, f"{moment.isoformat()} is outside the years 1 to 9999 in UTC"
        ) from None
    return moment


def known(table: FromClause, known_at: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """Rows the log held at `known_at` (a value, or a bound parameter of a statement built
    once): rt_from <= K < rt_to."""
    return and_(table.c.rt_from <= known_at, table.c.rt_to > known_at)


def possibly(
    table: FromClause, prefix: str, as_of: date | ColumnElement[Any]
) -> ColumnElement[bool]:
    """Facts `<prefix>_earliest <= D < until_latest`: possibly in effect at D."""
    return and_(table.c[f"{prefix}_earliest"] <= as_of, table.c.until_latest > as_of)


# A row per stratum of fact lengths (`span`, events.projections.tables.span_stratum) and the
# days (2**span - 1) by which a fact of that stratum in effect at D may have begun before D.
# Plain text, so that SQLAlchemy compiles a statement using it once, not on every call; a
# VALUES list, not a UNION ALL of SELECTs, which PostgreSQL plans as a parallel append and
# then pays for starting workers (30 ms) to run a millisecond of seeks.
_STRATA_VALUES = ", ".join(f"({s}, {2**s - 1})" for s in SPAN_STRATA)
SPAN_STRATA_ROWS: CTE = (
    text(f"SELECT column1 AS span, column2 AS days FROM (VALUES {_STRATA_VALUES}) AS strata")
    .columns(column("span", Integer), column("days", Integer))
    .cte("span_strata")
)


class StratumFloor(FunctionElement[Any]):
    """`as_of - days`, the earliest start of a fact of the stratum in effect at `as_of`, or the
    first day of the calendar when that is before it (no database counts days before it)."""

    type = Date()
    inherit_cache = True


@compiles(StratumFloor, "sqlite")
def _stratum_floor_sqlite(element: StratumFloor, compiler: SQLCompiler, **kw: Any) -> str:
    as_of, days = (compiler.process(clause, **kw) for clause in element.clauses)
    shifted = f"julianday({as_of}) - {days}"
    first = "'0001-01-01'"
    return f"CASE WHEN {shifted} < julianday({first}) THEN {first} ELSE date({shifted}) END"


@compiles(StratumFloor, "postgresql")
def _stratum_floor_postgresql(element: StratumFloor, compiler: SQLCompiler, **kw: Any) -> str:
    # asyncpg sends date.min as -infinity (and stores the first day so): no subtraction from it.
    as_of, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"CASE WHEN {as_of} < DATE '0001-01-01' + {days} THEN DATE '-infinity' "
        f"ELSE {as_of} - {days} END"
    )


def in_effect_by_span(
    table: FromClause, as_of: date | ColumnElement[Any]
) -> tuple[FromClause, ColumnElement[bool]]:
    """The strata joined to `table` (which has `span` and `since_earliest`), and the condition
    that its facts possibly in effect at `as_of` meet: one short seek per stratum of an index
    on (key, span, since_earliest), not a scan of every fact that began before `as_of`."""
    strata = SPAN_STRATA_ROWS
    joined = strata.join(
        table,
        and_(
            table.c.span == strata.c.span,
            table.c.since_earliest >= StratumFloor(as_of, strata.c.days),
        ),
    )
    return joined, possibly(table, "since", as_of)


# The stratum of facts with no end (and of any longer than 2**21 days): the last.
OPEN_STRATUM = SPAN_STRATA[-1]


def in_effect_by_span_known(
    table: FromClause,
    columns: Sequence[ColumnElement[Any]],
    where: Sequence[ColumnElement[bool]],
    as_of: date | ColumnElement[Any],
    known_at: datetime | ColumnElement[Any],
) -> list[Select[Any]]:
    """`columns` of `table`'s facts meeting `where`, possibly in effect at `as_of` and known
    at `known_at`, as two selects to be united: the facts of a bounded length by a seek per
    stratum (`in_effect_by_span`), and those of the open stratum by a seek on an index
    (key, span, rt_to, ...), from `known_at` on.

    A fact with no end is a plan or a measure until it is held or lifted: then its row is
    closed (rt_to) and one with an end replaces it. Sought by `since_earliest`, the open
    stratum held every such row ever closed before `as_of`, a scan that grew with the
    history; sought by `rt_to`, it holds the rows known at `known_at` or closed since, which
    as known now are only those still open."""
    joined, in_effect = in_effect_by_span(table, as_of)
    strata = SPAN_STRATA_ROWS
    bounded = (
        select(*columns)
        .select_from(joined)
        .where(*where, strata.c.span < OPEN_STRATUM, known(table, known_at), in_effect)
    )
    open_ = select(*columns).where(
        *where,
        table.c.span == OPEN_STRATUM,
        table.c.rt_to > known_at,
        table.c.rt_from <= known_at,
        # SQLite, without statistics, would seek by since_earliest as well: not by it here.
        NotSought(table.c.since_earliest) <= as_of,
        table.c.until_latest > as_of,
    )
    return [bounded, open_]


class NotSought(FunctionElement[Any]):
    """A column that the condition it is in must not seek an index by: `+column` on SQLite
    (its way to leave a term out of the index choice), the column elsewhere."""

    type = Date()
    inherit_cache = True


@compiles(NotSought)
def _not_sought(element: NotSought, compiler: SQLCompiler, **kw: Any) -> str:
    (column_,) = element.clauses
    return str(compiler.process(column_, **kw))


@compiles(NotSought, "sqlite")
def _not_sought_sqlite(element: NotSought, compiler: SQLCompiler, **kw: Any) -> str:
    (column_,) = element.clauses
    return f"+{compiler.process(column_, **kw)}"
