"""The state of a bilateral relation at a date, as known at an instant (docs/projections.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Column,
    ColumnElement,
    CompoundSelect,
    Date,
    FromClause,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from events import dates
from events.db import UTCDateTime
from events.projections.tables import (
    contact_pairs,
    contacts,
    dialogue_pairs,
    dialogue_parties,
    dialogue_statuses,
    dispute_pairs,
    dispute_statuses,
    measure_targets,
    meeting_plans,
    memberships,
    statements,
)
from events.views.axes import (
    AS_OF,
    KNOWN_AT,
    in_effect_by_span,
    in_effect_by_span_known,
    known,
    possibly,
    resolve_axes,
)
from events.views.reader import Reader, read
from events.views.rows import (
    DIALOGUE_STATUS_COLUMNS,
    DISPUTE_STATUS_COLUMNS,
    MEMBERSHIP_COLUMNS,
    AnyRow,
    DialogueStatusRow,
    MembershipRow,
    actor_list,
    dialogue_state,
    dispute_state,
    measure_state,
    memberships_by_actor,
)
from events.views.sides import sides_of
from events.views.standing import statuses_of
from events.views.states import (
    Contact,
    DatedPage,
    DateKey,
    DialogueState,
    DisputeState,
    InstrumentStanding,
    MeasureState,
    Membership,
    Relation,
    Standings,
    StatementItem,
    T,
)

Side = frozenset[str]
Sides = tuple[Side, Side]  # a's side, b's side


# Walks per query: SQLite's limit on the selects of one compound SELECT is 500.
WALKS_PER_QUERY = 250

# A LIMIT both databases take for "no limit" (SQLite's -1 is an error on PostgreSQL).
NO_LIMIT = 2**62

# How many of the latest contacts and statements a relation view carries; older ones are
# reached through `contacts_between` and `statements_between`.
RECENT = 10

# A walk's rows: the stream, its date key (earliest, latest, position), then these columns,
# which is all a relation shows of a meeting or a statement.
KEY = 3
CONTACT_COLUMNS = ("title", "held_edtf", "participants")
STATEMENT_COLUMNS = ("issuer", "about", "stance", "occurred_edtf")

# How far back from its date a relation first looks for its latest contacts and statements.
RECENT_WINDOW = timedelta(days=730)

# The parameters every seek of a walk shares, one object each, typed: SQLAlchemy copies an
# untyped parameter at each comparison, and then converts and binds the same value once per
# seek (hundreds per walk) on every call, which cost more than SQLite running the walk.
WALK_KNOWN_AT: BindParameter[Any] = bindparam("known_at", type_=UTCDateTime())
WALK_SINCE: BindParameter[Any] = bindparam("since", type_=Date())
WALK_UNTIL: BindParameter[Any] = bindparam("until", type_=Date())
# Untyped as before: typed, asyncpg would cast it to a 4-byte integer, too small for NO_LIMIT.
WALK_ITEMS: BindParameter[Any] = bindparam("items")


async def relation(
    engine: Reader,
    a: str,
    b: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
    *,
    instruments: bool = True,
    recent: int = RECENT,
    given: Sides | None = None,
) -> Relation:
    """What stood between `a` and `b` on `as_of`, as the log knew it at `known_at`, with the
    `recent` latest contacts and statements (at least the last contact is always looked up).
    The instrument lists, whose length grows with the log, are left out (None) unless
    `instruments`; `instrument_standings()` gives them on their own. `given`: the sides of `a`
    and `b` at `known_at` if already read (`pair_sides`)."""
    if a == b:
        raise ValueError(f"a relation needs two different actors, not {a!r} twice")
    as_of, known_at = resolve_axes(as_of, known_at)

    def view(conn: Connection) -> Relation:
        side_a, side_b = given or _pair_sides(conn, a, b, known_at)
        held = _contacts(conn, side_a, side_b, known_at, None, as_of, max(recent, 1))
        standings = None
        if instruments:
            standings = _instruments(conn, a, b, side_a, side_b, as_of, known_at)
        return Relation(
            a=a,
            b=b,
            as_of=as_of,
            known_at=known_at,
            last_contact=held[-1] if held else None,
            dialogues=_dialogues(conn, side_a, side_b, as_of, known_at),
            measures_in_force=_measures(conn, side_a, side_b, as_of, known_at),
            instruments=standings,
            contacts=held[-recent:] if recent else (),
            statements=(
                _statements(conn, side_a, side_b, known_at, None, as_of, recent) if recent else ()
            ),
            disputes=_disputes(conn, side_a, side_b, as_of, known_at),
            upcoming=_upcoming(conn, side_a, side_b, as_of, known_at),
        )

    return await read(engine, view)


async def pair_sides(engine: Reader, a: str, b: str, known_at: datetime) -> Sides:
    """The sides of `a` and `b` at `known_at`: what the functions taking `given` would read,
    read once for several of them."""
    return await read(engine, lambda conn: _pair_sides(conn, a, b, known_at))


def _pair_sides(conn: Connection, a: str, b: str, known_at: datetime) -> Sides:
    side = sides_of(conn, (a, b), known_at)
    return side[a], side[b]


async def contacts_between(
    engine: AsyncEngine,
    a: str,
    b: str,
    after: date | None,
    until: date,
    known_at: datetime | None = None,
) -> tuple[Contact, ...]:
    """Every contact between `a` and `b` held (possibly) after `after` and by `until`
    (by its earliest day), oldest first; `certain` as of `until`."""
    _, known_at = resolve_axes(until, known_at)

    def found(conn: Connection) -> tuple[Contact, ...]:
        side_a, side_b = _pair_sides(conn, a, b, known_at)
        return _contacts(conn, side_a, side_b, known_at, after, until, None)

    return await read(engine, found)


async def statements_between(
    engine: AsyncEngine,
    a: str,
    b: str,
    after: date | None,
    until: date,
    known_at: datetime | None = None,
) -> tuple[StatementItem, ...]:
    """Every statement one side issued about the other after `after` and by `until` (by its
    earliest day), oldest first; `certain` as of `until`."""
    _, known_at = resolve_axes(until, known_at)

    def found(conn: Connection) -> tuple[StatementItem, ...]:
        side_a, side_b = _pair_sides(conn, a, b, known_at)
        return _statements(conn, side_a, side_b, known_at, after, until, None)

    return await read(engine, found)


async def contacts_page(
    engine: Reader,
    a: str,
    b: str,
    *,
    first: int | None = None,
    after: DateKey | None = None,
    last: int | None = None,
    before: DateKey | None = None,
    since: date | None = None,
    until: date,
    known_at: datetime | None = None,
    count: bool = True,
    given: Sides | None = None,
) -> DatedPage[Contact]:
    """The contacts between `a` and `b` held (by their earliest day) after `since` and by
    `until`, oldest first: the `first` whose keys follow `after`, or the `last` whose keys
    precede `before` (give one of `first` and `last`), and how many there are in all (None
    unless `count`); `certain` as of `until`. `given`: as for `relation()`."""
    _, known_at = resolve_axes(until, known_at)
    size, newest, bound = _direction(first, after, last, before)

    def page(conn: Connection) -> DatedPage[Contact]:
        side_a, side_b = given or _pair_sides(conn, a, b, known_at)
        found = _walk(
            conn,
            "contacts",
            side_a,
            side_b,
            known_at,
            since,
            until,
            size + 1,
            newest=newest,
            bound=bound,
        )
        held = [_contact(stream, values, until) for stream, values in found]
        total = None
        if count:
            both = side_a & side_b
            params = {
                "side_a": list(side_a),
                "side_b": list(side_b),
                "both": list(both),
                "known_at": known_at,
                "since": since,
                "until": until,
            }
            total = conn.scalar(_contacts_count(bool(both), since is not None), params)
        return _dated_page(found, held, size, total, newest=newest, bound=bound)

    return await read(engine, page)


@cache
def _contacts_count(both: bool, since: bool) -> Select[Any]:
    """How many meetings the sides held (with the actors on both sides, if `both`) after
    `since` (if `since`) and by `until`, built once: a meeting is counted once, whichever pairs
    of its participants found it. Counted by distinct `held_position`, the position of the
    meeting's last MeetingHeld: as known at an instant, every row of a meeting has the same
    one, and no two meetings share one; grouping integers costs SQLite a third of what a
    DISTINCT over the stream ids did (10 against 21 ms for 27,538 meetings at 1M events)."""
    after = WALK_SINCE if since else None
    met: Select[Any] | CompoundSelect[Any] = select(
        contact_pairs.c.held_position.label("position")
    ).where(
        *_window(contact_pairs, "held", WALK_KNOWN_AT, after, WALK_UNTIL),
        contact_pairs.c.participant.in_(SIDE_A),
        contact_pairs.c.other.in_(SIDE_B),
    )
    if both:
        met = union_all(
            met,
            select(contacts.c.held_position).where(
                *_window(contacts, "held", WALK_KNOWN_AT, after, WALK_UNTIL),
                contacts.c.participant.in_(BOTH),
            ),
        )
    return _count_distinct_positions(met)


def _count_distinct_positions(rows: Select[Any] | CompoundSelect[Any]) -> Select[Any]:
    """How many distinct values the one column `position` of `rows` holds: grouped (SQLite
    sorts them) rather than counted DISTINCT (SQLite inserts each row into a b-tree index),
    which took half as long again."""
    found = rows.subquery()
    return select(func.count()).select_from(
        select(found.c.position).group_by(found.c.position).subquery()
    )


def _contacts(
    conn: Connection,
    side_a: Side,
    side_b: Side,
    known_at: datetime,
    after: date | None,
    until: date,
    limit: int | None,
) -> tuple[Contact, ...]:
    """The `limit` latest contacts held in (after, until], oldest first."""
    found = _walk(conn, "contacts", side_a, side_b, known_at, after, until, limit, newest=True)
    return tuple(_contact(stream, values, until) for stream, values in reversed(found))


def _window(
    table: FromClause, prefix: str, known_at: Any, since: Any, until: Any
) -> list[ColumnElement[bool]]:
    """Rows known at `known_at` whose `<prefix>_earliest` day is after `since` (if given) and
    by `until`."""
    earliest = table.c[f"{prefix}_earliest"]
    conditions = [known(table, known_at), earliest <= until]
    if since is not None:
        conditions.append(earliest > since)
    return conditions


def _contact(stream: str, values: tuple[Any, ...], until: date) -> Contact:
    """A contact from a walk's row: its date key, then CONTACT_COLUMNS."""
    _, latest, _, title, held, participants = values
    return Contact(
        meeting=stream,
        title=title,
        held=dates.parse(held),
        participants=actor_list(participants),
        certain=latest <= until,
    )


def _dialogues(
    conn: Connection, side_a: Side, side_b: Side, as_of: date, known_at: datetime
) -> tuple[DialogueState, ...]:
    """The dialogues with a party of each side (found by pair of parties, or by an actor on
    both sides), each with its status at `as_of`."""
    both = side_a & side_b
    query = _dialogues_query(bool(both))
    params = _sides(side_a, side_b, as_of, known_at) | {"both": list(both)}
    statuses: dict[str, list[DialogueStatusRow]] = {}
    for row in conn.execute(query, params):
        statuses.setdefault(row[0], []).append(row)
    return tuple(dialogue_state(rows, as_of) for _, rows in sorted(statuses.items()))


def _sides(side_a: Side, side_b: Side, as_of: date, known_at: datetime) -> dict[str, Any]:
    """The values of the parameters a statement built once by this module takes."""
    return {"side_a": list(side_a), "side_b": list(side_b), "as_of": as_of, "known_at": known_at}


# The sides as bound parameters (expanding: a list of actor ids each).
SIDE_A: BindParameter[Any] = bindparam("side_a", expanding=True)
SIDE_B: BindParameter[Any] = bindparam("side_b", expanding=True)
BOTH: BindParameter[Any] = bindparam("both", expanding=True)


@cache
def _dialogues_query(both: bool) -> Select[Any]:
    """The statuses of the dialogues between the sides, built once (with the actors on both
    sides, if `both`)."""
    pairs = dialogue_pairs
    between: Select[Any] | CompoundSelect[Any] = select(pairs.c.stream).where(
        pairs.c.party.in_(SIDE_A), pairs.c.other.in_(SIDE_B), known(pairs, KNOWN_AT)
    )
    if both:
        parties = dialogue_parties
        between = union(
            between,
            select(parties.c.stream).where(parties.c.party.in_(BOTH), known(parties, KNOWN_AT)),
        )
    return select(*DIALOGUE_STATUS_COLUMNS).where(
        dialogue_statuses.c.stream.in_(between.scalar_subquery()),
        known(dialogue_statuses, KNOWN_AT),
        possibly(dialogue_statuses, "since", AS_OF),
    )


def _disputes(
    conn: Connection, side_a: Side, side_b: Side, as_of: date, known_at: datetime
) -> tuple[DisputeState, ...]:
    """The disputes between a complainant of one side and a respondent of the other, open or
    ruled at `as_of`."""
    statuses: dict[str, list[DialogueStatusRow]] = {}
    for row in conn.execute(_disputes_query(), _sides(side_a, side_b, as_of, known_at)):
        statuses.setdefault(row[0], []).append(row)
    found = (dispute_state(rows, as_of) for _, rows in sorted(statuses.items()))
    return tuple(state for state in found if state.status != "CLOSED")


@cache
def _disputes_query() -> Select[Any]:
    """The statuses of the disputes between the sides, built once."""
    pairs = dispute_pairs
    between = select(pairs.c.stream).where(
        pairs.c.party.in_(SIDE_A), pairs.c.other.in_(SIDE_B), known(pairs, KNOWN_AT)
    )
    return select(*DISPUTE_STATUS_COLUMNS).where(
        dispute_statuses.c.stream.in_(between.scalar_subquery()),
        known(dispute_statuses, KNOWN_AT),
        possibly(dispute_statuses, "since", AS_OF),
    )


def _upcoming(
    conn: Connection, side_a: Side, side_b: Side, as_of: date, known_at: datetime
) -> tuple[str, ...]:
    """The meetings with a participant of each side planned at `as_of` (scheduled by then,
    neither held nor cancelled by then), by the date they were scheduled, then stream id."""
    found = conn.execute(_upcoming_query(), _sides(side_a, side_b, as_of, known_at))
    rows = sorted(found, key=lambda row: (row[1], row[2], row[0]))
    return tuple(row[0] for row in rows)


@cache
def _upcoming_query() -> CompoundSelect[Any]:
    """The meetings planned between the sides, built once: those of side A's participants by a
    seek per stratum (see `span_stratum`), each kept when one of side B's participants is in
    it too (a seek on the meeting's own rows)."""
    plans = meeting_plans
    other = plans.alias("other")
    with_b = (
        select(other.c.id)
        .where(
            other.c.stream == plans.c.stream,
            other.c.participant.in_(SIDE_B),
            known(other, KNOWN_AT),
            possibly(other, "since", AS_OF),
        )
        .exists()
    )
    columns = (plans.c.stream, plans.c.since_earliest, plans.c.since_latest)
    where = (plans.c.participant.in_(SIDE_A), with_b)
    return union(*in_effect_by_span_known(plans, columns, where, AS_OF, KNOWN_AT))


def _measures(
    conn: Connection, side_a: Side, side_b: Side, as_of: date, known_at: datetime
) -> tuple[MeasureState, ...]:
    params = _sides(side_a, side_b, as_of, known_at)
    streams = sorted(set(conn.scalars(_measures_between(), params)))
    if not streams:
        return ()
    rows: dict[str, list[AnyRow]] = {}
    query = _measures_query()
    for row in conn.execute(query, params | {"streams": streams}):
        rows.setdefault(row.stream, []).append(row)

    def counts(row: AnyRow) -> bool:
        return (row.imposer in side_a and row.target in side_b) or (
            row.imposer in side_b and row.target in side_a
        )

    return tuple(measure_state(rows[stream], as_of, counts) for stream in streams)


@cache
def _measures_between() -> CompoundSelect[Any]:
    """The measures one side imposed on the other, possibly in force, built once: one seek
    per stratum and pair of sides each way (a union: an OR of the two ways would not seek on
    both)."""
    table = measure_targets
    return union_all(
        *(
            seek
            for imposers, targets in ((SIDE_A, SIDE_B), (SIDE_B, SIDE_A))
            for seek in in_effect_by_span_known(
                table,
                (table.c.stream,),
                (table.c.imposer.in_(imposers), table.c.target.in_(targets)),
                AS_OF,
                KNOWN_AT,
            )
        )
    )


@cache
def _measures_query() -> Select[Any]:
    """Every target row of the measures `streams` possibly in force, built once."""
    table = measure_targets
    in_force = and_(known(table, KNOWN_AT), possibly(table, "since", AS_OF))
    streams: BindParameter[Any] = bindparam("streams", expanding=True)
    return (
        select(table)
        .where(in_force, table.c.stream.in_(streams))
        .order_by(table.c.stream, table.c.target)
    )


async def instrument_standings(
    engine: Reader,
    a: str,
    b: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
    *,
    given: Sides | None = None,
) -> Standings:
    """The instruments `a` and `b` are both party to, and those only one of them is party to,
    on `as_of` as known at `known_at` (the lists of `relation()`). `given`: as for
    `relation()`."""
    as_of, known_at = resolve_axes(as_of, known_at)

    def standings(conn: Connection) -> Standings:
        side_a, side_b = given or _pair_sides(conn, a, b, known_at)
        return _instruments(conn, a, b, side_a, side_b, as_of, known_at)

    return await read(engine, standings)


def _instruments(
    conn: Connection,
    a: str,
    b: str,
    side_a: Side,
    side_b: Side,
    as_of: date,
    known_at: datetime,
) -> Standings:
    rows: dict[str, list[MembershipRow]] = {}
    params = {"actors": list(side_a | side_b), "as_of": as_of, "known_at": known_at}
    for row in conn.execute(_memberships_query(), params):
        rows.setdefault(row[0], []).append(row)
    by_stream = {stream: memberships_by_actor(rows[stream], as_of) for stream in sorted(rows)}
    found = [member for members in by_stream.values() for member in members.values()]
    for member in statuses_of(conn, found, as_of, known_at):
        by_stream[member.instrument][member.actor] = member
    shared, only_a, only_b = [], [], []
    for stream, members in by_stream.items():
        item = InstrumentStanding(
            instrument=stream,
            a=_member_for(a, side_a, members),
            b=_member_for(b, side_b, members),
        )
        if item.a and item.b:
            shared.append(item)
        elif item.a:
            only_a.append(item)
        else:
            only_b.append(item)
    return Standings(tuple(shared), tuple(only_a), tuple(only_b))


@cache
def _memberships_query() -> Select[Any]:
    """The memberships of `actors` possibly in effect, built once."""
    table = memberships
    joined, in_effect = in_effect_by_span(table, AS_OF)
    return (
        select(*MEMBERSHIP_COLUMNS)
        .select_from(joined)
        .where(
            table.c.actor.in_(bindparam("actors", expanding=True)),
            known(table, KNOWN_AT),
            in_effect,
        )
    )


def _member_for(actor: str, side: Side, members: dict[str, Membership]) -> Membership | None:
    # The actor's own membership, else that of the first actor of its side, by id.
    if actor in members:
        return members[actor]
    on_side = sorted(m for m in members if m in side)
    return members[on_side[0]] if on_side else None


async def statements_page(
    engine: Reader,
    a: str,
    b: str,
    *,
    first: int | None = None,
    after: DateKey | None = None,
    last: int | None = None,
    before: DateKey | None = None,
    until: date,
    known_at: datetime | None = None,
    count: bool = True,
    given: Sides | None = None,
) -> DatedPage[StatementItem]:
    """The statements one side issued about the other by `until` (by their earliest day),
    oldest first: the `first` whose keys follow `after`, or the `last` whose keys precede
    `before` (give one of `first` and `last`), and how many there are in all (None unless
    `count`); `certain` as of `until`. `given`: as for `relation()`."""
    _, known_at = resolve_axes(until, known_at)
    size, newest, bound = _direction(first, after, last, before)

    def page(conn: Connection) -> DatedPage[StatementItem]:
        side_a, side_b = given or _pair_sides(conn, a, b, known_at)
        found = _walk(
            conn,
            "statements",
            side_a,
            side_b,
            known_at,
            None,
            until,
            size + 1,
            newest=newest,
            bound=bound,
        )
        said = [_statement_item(stream, values, until) for stream, values in found]
        total = None
        if count:
            params = {
                "side_a": list(side_a),
                "side_b": list(side_b),
                "known_at": known_at,
                "until": until,
            }
            total = conn.scalar(_statements_count(), params)
        return _dated_page(found, said, size, total, newest=newest, bound=bound)

    return await read(engine, page)


@cache
def _statements_count() -> Select[Any]:
    """How many statements one side issued about the other by `until`, built once: by
    distinct `position` (that of the statement's StatementIssued, the same on each of its rows
    and no other statement's), each direction a seek of its own (SQLite's OR of two index
    searches keeps a set of the rows found to drop those both find; grouping by position drops
    them anyway): 7 ms against 17 for a count of distinct streams over 17,011 statements."""
    table = statements
    window = _window(table, "occurred", WALK_KNOWN_AT, None, WALK_UNTIL)
    directions = [
        select(table.c.position).where(
            *window, table.c.issuer.in_(issuers), table.c.about_actor.in_(about)
        )
        for issuers, about in ((SIDE_A, SIDE_B), (SIDE_B, SIDE_A))
    ]
    return _count_distinct_positions(union_all(*directions))


def _statements(
    conn: Connection,
    side_a: Side,
    side_b: Side,
    known_at: datetime,
    after: date | None,
    until: date,
    limit: int | None,
) -> tuple[StatementItem, ...]:
    """The `limit` latest statements issued in (after, until], oldest first."""
    found = _walk(conn, "statements", side_a, side_b, known_at, after, until, limit, newest=True)
    return tuple(_statement_item(stream, values, until) for stream, values in reversed(found))


def _statement_item(stream: str, values: tuple[Any, ...], until: date) -> StatementItem:
    """A statement from a walk's row: its date key, then STATEMENT_COLUMNS."""
    _, latest, position, issuer, about, stance, occurred = values
    return StatementItem(
        statement=stream,
        position=position,
        issuer=issuer,
        about=actor_list(about),
        stance=stance,
        occurred=dates.parse(occurred),
        certain=latest <= until,
    )


def _walk(
    conn: Connection,
    kind: str,
    side_a: Side,
    side_b: Side,
    known_at: datetime,
    since: date | None,
    until: date,
    limit: int | None,
    *,
    newest: bool,
    bound: DateKey | None = None,
) -> list[tuple[str, tuple[Any, ...]]]:
    """The meetings (`kind` "contacts") or statements ("statements") between the sides, held
    or issued after `since` and by `until`, with their date keys and, after them, their
    CONTACT_COLUMNS or STATEMENT_COLUMNS: the `limit` newest, newest first, whose keys precede
    `bound` (if given); or, in date order, the `limit` whose keys follow `bound` (if given).

    Each pair of actors, one of each side, seeks its own index range (contact_pairs by
    participant and other; statements by issuer and actor spoken about, both ways), backwards
    for the newest or forwards, from `bound` if given, and stops after `limit` items: the cost
    depends on the sides' sizes and `limit`, not on how much either actor did before. An actor
    on both sides (a country's minister in a relation with that country) has a contact in
    every meeting it attends: it walks its own contacts too.

    The newest are first sought in one join of the pairs with the rows of the last
    RECENT_WINDOW before `until` (or before `known_at`'s day, if earlier): when that finds
    `limit`, no pair has read more than the rows of that window, whatever the length of the
    history before it (pairs that meet weekly would otherwise read `limit` rows each). Only
    when the sides met less often than that are the pairs walked one by one."""
    pairs = _pairs(kind, side_a, side_b)
    singles = sorted(side_a & side_b) if kind == "contacts" else []
    # What was known at K mostly happened by K: as known long before `until`, the newest rows
    # lie before K's day. (Within RECENT_WINDOW of year 1 there is nothing before to skip.)
    top = min(until, known_at.date())
    if newest and bound is None and limit is not None and pairs and top - date.min > RECENT_WINDOW:
        window = top - RECENT_WINDOW
        if since is None or since < window:
            recent = _recent(conn, kind, pairs, singles, known_at, window, until, limit)
            if len(recent) >= limit:
                return recent
    params: dict[str, Any] = {
        "known_at": known_at,
        "until": until,
        "since": since,
        "items": NO_LIMIT if limit is None else limit,
        **dict(zip(("k0", "k1", "k2"), bound or (), strict=False)),
    }
    shape = (newest, since is not None, bound is not None)
    queries: list[tuple[Select[Any], dict[str, Any]]] = []
    if conn.dialect.name == "postgresql":
        if pairs:
            xs, ys = (list(column) for column in zip(*pairs, strict=True))
            queries.append((_lateral_walks(kind, *shape), {"xs": xs, "ys": ys}))
    else:
        # SQLite takes at most 500 selects in one UNION ALL: large sides seek in several queries.
        for start in range(0, len(pairs), WALKS_PER_QUERY):
            chunk = pairs[start : start + WALKS_PER_QUERY]
            names = {f"x{i}": x for i, (x, _) in enumerate(chunk)}
            names |= {f"y{i}": y for i, (_, y) in enumerate(chunk)}
            queries.append((_walks(kind, len(chunk), 0, *shape), names))
    if singles:  # a or b itself at most: two actors' sides share no one else
        names = {f"s{i}": actor for i, actor in enumerate(singles)}
        queries.append((_walks(kind, 0, len(singles), *shape), names))
    found: dict[str, tuple[Any, ...]] = {}
    for query, names in queries:
        rows = conn.execute(query, {**params, **names})
        found.update((row[0], tuple(row[1:])) for row in rows)
    ordered = sorted(found, key=found.__getitem__, reverse=newest)
    return [(stream, found[stream]) for stream in ordered[:limit]]


def _recent(
    conn: Connection,
    kind: str,
    pairs: list[tuple[str, str]],
    singles: list[str],
    known_at: datetime,
    since: date,
    until: date,
    limit: int,
) -> list[tuple[str, tuple[Any, ...]]]:
    """The `limit` newest meetings or statements between the pairs (and the actors on both
    sides) held or issued after `since` and by `until`, newest first, in one statement."""
    postgresql = conn.dialect.name == "postgresql"
    query = _window_join(kind, postgresql, len(singles))
    params: dict[str, Any] = {
        "known_at": known_at,
        "since": since,
        "until": until,
        "items": limit,
        **{f"s{i}": actor for i, actor in enumerate(singles)},
    }
    if postgresql:
        params |= {"xs": [x for x, _ in pairs], "ys": [y for _, y in pairs]}
    else:
        params["pairs"] = json.dumps(pairs)
    rows = conn.execute(query, params)
    return [(row[0], tuple(row[1:])) for row in rows]


@cache
def _window_join(kind: str, postgresql: bool, singles: int) -> Select[Any]:
    """The rows of every pair (given as two arrays `xs`, `ys` on PostgreSQL, one JSON list of
    pairs `pairs` on SQLite) and of `singles` single-actor contact walks in the window, and of
    them the `items` newest distinct."""
    x: ColumnElement[Any]
    y: ColumnElement[Any]
    if postgresql:
        given = select(
            func.unnest(bindparam("xs", type_=ARRAY(String))).label("x"),
            func.unnest(bindparam("ys", type_=ARRAY(String))).label("y"),
        ).subquery("pairs")
        x, y = given.c.x, given.c.y
    else:
        each = func.json_each(bindparam("pairs", type_=String)).table_valued("value").alias("p")
        x, y = func.json_extract(each.c.value, "$[0]"), func.json_extract(each.c.value, "$[1]")
    seeks = [_pair_seek(kind, x, y, since=True)]
    seeks += [_single_seek(bindparam(f"s{i}"), since=True) for i in range(singles)]
    rows = seeks[0] if len(seeks) == 1 else union_all(*seeks)
    return _first_distinct(kind, rows.subquery(), newest=True)


def _pairs(kind: str, side_a: Side, side_b: Side) -> list[tuple[str, str]]:
    """The (actor, other) index ranges a walk seeks: for contacts, an actor of `side_a` with
    a different one of `side_b` (contact_pairs holds both orders of every pair); for
    statements, an issuer of either side with an actor of the other spoken about."""
    forward = [(x, y) for x in sorted(side_a) for y in sorted(side_b)]
    if kind == "contacts":
        return [(x, y) for x, y in forward if x != y]
    backward = [(y, x) for y in sorted(side_b) for x in sorted(side_a)]
    return list(dict.fromkeys(forward + backward))


def _pair_seek(kind: str, x: Any, y: Any, since: bool) -> Select[Any]:
    """One pair's rows in the walk's window: contact_pairs of participant `x` with `y`, with
    their date keys and the participant; or statements issued by `x` about `y`, with their
    date keys, issuer and actor spoken about. Each reads its index alone (`_first_distinct`
    reads the details of the few kept)."""
    if kind == "contacts":
        table, prefix, first, second = contact_pairs, "held", "participant", "other"
        key: tuple[Column[Any], ...] = (
            table.c.held_earliest,
            table.c.held_latest,
            table.c.held_position,
            table.c.participant,
        )
    else:
        table, prefix, first, second = statements, "occurred", "issuer", "about_actor"
        key = (
            table.c.occurred_earliest,
            table.c.occurred_latest,
            table.c.position,
            table.c.issuer,
            table.c.about_actor,
        )
    window_since = WALK_SINCE if since else None
    return select(table.c.stream, *key).where(
        table.c[first] == x,
        table.c[second] == y,
        *_window(table, prefix, WALK_KNOWN_AT, window_since, WALK_UNTIL),
    )


def _single_seek(actor: Any, since: bool) -> Select[Any]:
    """The contacts of `actor` (one on both sides) in the walk's window, with their date keys
    and the participant."""
    window_since = WALK_SINCE if since else None
    return select(
        contacts.c.stream,
        contacts.c.held_earliest,
        contacts.c.held_latest,
        contacts.c.held_position,
        contacts.c.participant,
    ).where(
        contacts.c.participant == actor,
        *_window(contacts, "held", WALK_KNOWN_AT, window_since, WALK_UNTIL),
    )


def _bounded(seek: Select[Any], newest: bool, bound: bool) -> Select[Any]:
    """`seek` in the walk's order (newest first, or oldest first), past the `k0..k2` key in
    that order if `bound`, limited to `items` rows."""
    columns = list(seek.selected_columns)[1 : 1 + KEY]
    if bound:
        key = tuple_(*(_key_bind(i, c.type) for i, c in enumerate(columns)))
        seek = seek.where(tuple_(*columns) < key if newest else tuple_(*columns) > key)
    if newest:
        seek = seek.order_by(*(column.desc() for column in columns))
    else:
        seek = seek.order_by(*columns)
    return seek.limit(WALK_ITEMS)


@cache
def _key_bind(i: int, type_: Any) -> BindParameter[Any]:
    """The parameter `k<i>` of the key a walk starts past, of `type_` (a column's): one object
    for every seek of a walk, as the WALK_ parameters."""
    return bindparam(f"k{i}", type_=type_)


def _first_distinct(kind: str, rows: FromClause, newest: bool) -> Select[Any]:
    """The `items` first distinct (stream, key) rows of `rows`, in the walk's order, with the
    meetings' CONTACT_COLUMNS or the statements' STATEMENT_COLUMNS in place of the actors
    that found them."""

    def ordered(keys: Sequence[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
        return [column.desc() if newest else column for column in keys]

    # Several pairs find the same meeting or statement: one row of those that found it stands
    # for all, and its details are read through that row (a seek on its index, on the key just
    # found), in this statement rather than in one more (each statement costs more than the
    # seek), for the `items` kept only: the seeks read their index alone, where reading each
    # row's details cost statements' walks two thirds of their time (14 against 6 ms of
    # SQLite's for a first page of USA-CHN at 1M events).
    table, position, finders, details = (
        (contacts, contacts.c.held_position, ("participant",), CONTACT_COLUMNS)
        if kind == "contacts"
        else (statements, statements.c.position, ("issuer", "about_actor"), STATEMENT_COLUMNS)
    )
    keys = list(rows.c)[1 : 1 + KEY]
    # A statement's rows share its issuer: the least actor spoken about among those found
    # names one of them.
    finding = [func.min(rows.c[name]).label(name) for name in finders]
    found = (
        select(rows.c.stream, *keys, *finding)
        .group_by(rows.c.stream, *keys)
        .order_by(*ordered(keys))
        .limit(WALK_ITEMS)
        .subquery("found")
    )
    found_keys = list(found.c)[1 : 1 + KEY]
    earliest, latest, found_position = found_keys
    prefix = "held" if kind == "contacts" else "occurred"
    known_at: Any = WALK_KNOWN_AT
    row = and_(
        *(table.c[name] == found.c[name] for name in finders),
        table.c[f"{prefix}_earliest"] == earliest,
        table.c[f"{prefix}_latest"] == latest,
        position == found_position,
        table.c.stream == found.c.stream,
        known(table, known_at),
    )
    return (
        select(found.c.stream, *found_keys, *(table.c[name] for name in details))
        .select_from(found.join(table, row))
        .order_by(*ordered(found_keys))
    )


@cache
def _walks(
    kind: str, pairs: int, singles: int, newest: bool, since: bool, bound: bool
) -> Select[Any]:
    """The union of `pairs` pair seeks and `singles` single-actor contact walks, each limited
    to `items` rows, and of them the `items` first distinct, with bound parameters only, built
    once per shape: building and compiling dozens of selects on every call cost more than
    running them. (SQLite has no LATERAL; its planner takes a union of hundreds of selects in
    well under a millisecond.)"""
    seeks = [_pair_seek(kind, bindparam(f"x{i}"), bindparam(f"y{i}"), since) for i in range(pairs)]
    seeks += [_single_seek(bindparam(f"s{i}"), since) for i in range(singles)]
    bounded = [select(_bounded(seek, newest, bound).subquery()) for seek in seeks]
    return _first_distinct(kind, union_all(*bounded).subquery(), newest)


@cache
def _lateral_walks(kind: str, newest: bool, since: bool, bound: bool) -> Select[Any]:
    """The pair seeks as one LATERAL join over the pairs given as two arrays (`xs`, `ys`), for
    PostgreSQL: one small statement whatever the number of pairs, where a union of hundreds of
    selects took PostgreSQL longer to plan (it plans each call anew, force_custom_plan) than
    to run."""
    pairs = select(
        func.unnest(bindparam("xs", type_=ARRAY(String))).label("x"),
        func.unnest(bindparam("ys", type_=ARRAY(String))).label("y"),
    ).subquery("pairs")
    seek = _bounded(_pair_seek(kind, pairs.c.x, pairs.c.y, since), newest, bound).lateral("seek")
    walks = select(*seek.c).select_from(pairs.join(seek, true())).subquery()
    return _first_distinct(kind, walks, newest)


def _direction(
    first: int | None, after: DateKey | None, last: int | None, before: DateKey | None
) -> tuple[int, bool, DateKey | None]:
    """How a page is walked: its size, whether newest first (`last` before `before`), and
    the key it starts past."""
    if (first is None) == (last is None):
        raise ValueError("give exactly one of first and last")
    if first is not None:
        return first, False, after
    assert last is not None
    return last, True, before


def _dated_page(
    found: list[tuple[str, tuple[Any, ...]]],
    items: list[T],
    size: int,
    total: int | None,
    *,
    newest: bool,
    bound: DateKey | None,
) -> DatedPage[T]:
    """The page of a walk for `size + 1` items, oldest first. The side it was walked from
    has items when the walk started past a key (as Query.events and the timeline say: a
    cursor names an item there); the other has them when the walk found more than `size`."""
    page = [(values[:KEY], item) for (_, values), item in zip(found, items, strict=True)]
    more = len(page) > size
    if newest:
        return DatedPage(
            items=tuple(reversed(page[:size])),
            total=total,
            has_next=bound is not None,
            has_previous=more,
        )
    return DatedPage(
        items=tuple(page[:size]), total=total, has_next=more, has_previous=bound is not None
    )


async def facts_during(
    engine: Reader, a: str, b: str, start: date, end: date, known_at: datetime
) -> tuple[tuple[MeasureState, ...], tuple[Membership, ...]]:
    """The measures between `a` and `b` and the memberships of each side (as a relation view
    shows them: the actor's own, else the first of its side's, each actor's first by date)
    possibly in effect on some day of [`start`, `end`]: what `changes` looks through for facts
    begun and ended inside. Each is shown as of its first day in the window (its `certain`
    too); a measure with the targets on the other side."""

    def first_day(row: AnyRow) -> date:
        latest: date = row.since_latest
        return min(max(start, latest), end)

    def found(
        conn: Connection,
    ) -> tuple[Sides, tuple[MeasureState, ...], dict[str, list[AnyRow]]]:
        side_a, side_b = _pair_sides(conn, a, b, known_at)
        table = measure_targets
        during = _during(table, start, end, known_at)
        between = or_(
            and_(table.c.imposer.in_(side_a), table.c.target.in_(side_b)),
            and_(table.c.imposer.in_(side_b), table.c.target.in_(side_a)),
        )
        rows: dict[str, list[AnyRow]] = {}
        query = select(table).where(*during, between).order_by(table.c.stream, table.c.target)
        for row in conn.execute(query):
            rows.setdefault(row.stream, []).append(row)
        # A measure as of its first day in the window (the measure's, not a target's).
        measures = tuple(
            measure_state(group, min(max(start, group[0].start_latest), end), lambda row: True)
            for _, group in sorted(rows.items())
        )
        table = memberships
        during = _during(table, start, end, known_at)
        parties: dict[str, list[AnyRow]] = {}
        query = select(table).where(*during, table.c.actor.in_(side_a | side_b))
        order = (table.c.stream, table.c.actor, table.c.since_earliest, table.c.since_latest)
        for row in conn.execute(query.order_by(*order)):
            parties.setdefault(row.stream, []).append(row)
        return (side_a, side_b), measures, parties

    (side_a, side_b), measures, parties = await read(engine, found)
    members: list[Membership] = []
    for stream, group in sorted(parties.items()):
        by_actor: dict[str, Membership] = {}
        for row in group:
            member = Membership(
                instrument=stream,
                actor=row.actor,
                action=row.action,
                since=dates.parse(row.since_edtf),
                until=None if row.until_edtf is None else dates.parse(row.until_edtf),
                certain=row.since_latest <= first_day(row) < row.until_earliest,
            )
            by_actor.setdefault(row.actor, member)
        for actor, side in ((a, side_a), (b, side_b)):
            chosen = _member_for(actor, side, by_actor)
            if chosen is not None and chosen not in members:
                members.append(chosen)
    return measures, tuple(members)


def _during(table: FromClause, start: date, end: date, known_at: datetime) -> list[Any]:
    """Facts known at `known_at` possibly in effect on some day of [`start`, `end`]."""
    return [known(table, known_at), table.c.since_earliest <= end, table.c.until_latest > start]
