"""The projection tables: bitemporal facts derived from the log.

Every table holds one fact per row, the stream it comes from, and the recorded-time range
`[rt_from, rt_to)` in which the log held it (`rt_to` is FOREVER while it still holds). Dates a
fact depends on are stored three ways: the EDTF string as written, and its earliest and latest
day for indexed comparisons (an open end is `date.max`, so "no end" needs no NULL test).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from events.dates import Edtf
from events.db import Base, UTCDateTime
from events.projections.history import Dated

# rt_to of a fact the log still holds: a far future, so "known at K" is rt_from <= K < rt_to.
FOREVER = datetime(9999, 12, 31, tzinfo=UTC)
NO_END = date.max

_Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only


def _dated(name: str, *, nullable: bool = False) -> list[Column[Any]]:
    return [
        Column(f"{name}_edtf", String(100), nullable=nullable),
        Column(f"{name}_earliest", Date, nullable=False),
        Column(f"{name}_latest", Date, nullable=False),
    ]


def _fact_table(name: str, *columns: Column[Any], indexes: list[list[str]]) -> Table:
    table = Table(
        name,
        Base.metadata,
        Column("id", _Id, primary_key=True, autoincrement=True),
        Column("stream", String(200), nullable=False),
        *columns,
        Column("rt_from", UTCDateTime, nullable=False),
        Column("rt_to", UTCDateTime, nullable=False),
    )
    Index(f"ix_{name}_stream_current", table.c.stream, table.c.rt_to)
    for number, index in enumerate(indexes, start=1):
        Index(f"ix_{name}_{number}", *(table.c[column] for column in index))
    return table


actors = _fact_table(
    "actors",
    Column("actor", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("country", String(3)),
    Column("aliases", Text, nullable=False),  # JSON list
    indexes=[["actor", "rt_to"], ["country", "rt_from"]],
)

memberships = _fact_table(
    "memberships",
    Column("actor", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    *_dated("since"),
    *_dated("until", nullable=True),
    Column("span", SmallInteger, nullable=False),  # see `span_stratum`
    # A relation's lookup (a side's memberships in effect at D, known at K) is a seek per
    # stratum of this index (see `span_stratum`), answered inside it.
    indexes=[["actor", "span", "since_earliest", "until_latest", "rt_from", "rt_to", "stream"]],
)

# The statuses of a membership whose status ever changed (a notice, a suspension): a
# membership with no row here is ACTIVE throughout. `due_edtf`: when a notice given takes effect.
membership_statuses = _fact_table(
    "membership_statuses",
    Column("actor", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    *_dated("since"),
    Column("since_position", BigInteger, nullable=False),  # of the event that dates it
    *_dated("until", nullable=True),
    Column("due_edtf", String(100)),
    indexes=[["stream", "actor", "since_earliest", "until_latest", "rt_from", "rt_to"]],
)

measure_targets = _fact_table(
    "measure_targets",
    Column("kind", String(32), nullable=False),
    Column("imposer", String(200), nullable=False),
    Column("target", String(200), nullable=False),
    *_dated("start"),  # the measure's start
    *_dated("since"),  # this target's start
    *_dated("until", nullable=True),
    Column("span", SmallInteger, nullable=False),  # see `span_stratum`
    # The first: a relation's lookup (measures between two sides in force at D, known at K) is
    # a seek per stratum (see `span_stratum`) among the pair's own measures, inside the index;
    # the third: that of the open stratum, by rt_to (events.views.axes.in_effect_by_span_known).
    indexes=[
        [
            "imposer",
            "target",
            "span",
            *["since_earliest", "until_latest", "rt_from", "rt_to", "stream"],
        ],
        ["target", "since_earliest"],
        [
            "imposer",
            "target",
            "span",
            *["rt_to", "rt_from", "since_earliest", "until_latest", "stream"],
        ],
    ],
)

dialogue_parties = _fact_table(
    "dialogue_parties",
    Column("party", String(200), nullable=False),
    indexes=[["party", "rt_from"]],
)

STATUS_KEY = ["stream", "since_earliest", "until_latest", "rt_from", "rt_to"]

# Every ordered pair of distinct parties of a dialogue: a relation's dialogues are seeks per
# pair of its sides' actors, not every dialogue either side ever had.
dialogue_pairs = _fact_table(
    "dialogue_pairs",
    Column("party", String(200), nullable=False),
    Column("other", String(200), nullable=False),
    indexes=[["party", "other", "rt_from", "rt_to", "stream"]],
)


def _status_table(name: str) -> Table:
    """A thing's statuses (a dialogue's, a dispute's), each from its date to the next one's."""
    return _fact_table(
        name,
        Column("seq", Integer, nullable=False),
        Column("status", String(16), nullable=False),
        *_dated("since"),
        *_dated("until", nullable=True),
        # Covers a relation's lookup (the statuses of its dialogues in effect at D, known at K)
        # inside the index: an ended dialogue's earlier statuses are passed over without
        # reading the table.
        indexes=[[*STATUS_KEY, "seq", "status", "since_edtf", "since_latest", "until_earliest"]],
    )


dialogue_statuses = _status_table("dialogue_statuses")

contacts = _fact_table(
    "contacts",
    Column("participant", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("participants", Text, nullable=False),  # JSON list, as in the event
    Column("held_position", BigInteger, nullable=False),
    *_dated("held"),
    # Each participant's walk (newest first, a few) reads this index alone.
    indexes=[
        [
            "participant",
            "held_earliest",
            "held_latest",
            "held_position",
            "rt_from",
            "rt_to",
            "stream",
        ]
    ],
)

# Every ordered pair of distinct participants of a meeting held: a relation's contacts are
# found by seeking each pair of its sides' actors, so a pair that seldom met costs as little
# to look up as one that meets every week, whatever the length of either actor's history.
contact_pairs = _fact_table(
    "contact_pairs",
    Column("participant", String(200), nullable=False),
    Column("other", String(200), nullable=False),
    Column("held_position", BigInteger, nullable=False),
    Column("held_earliest", Date, nullable=False),
    Column("held_latest", Date, nullable=False),
    indexes=[
        [
            "participant",
            "other",
            "held_earliest",
            "held_latest",
            "held_position",
            "rt_from",
            "rt_to",
            "stream",
        ]
    ],
)

# A meeting planned (MeetingScheduled) from its scheduling until it is held or cancelled, a row
# per participant: the upcoming meetings of a relation.
meeting_plans = _fact_table(
    "meeting_plans",
    Column("participant", String(200), nullable=False),
    *_dated("since"),
    *_dated("until", nullable=True),
    Column("span", SmallInteger, nullable=False),  # see `span_stratum`
    # A relation's `upcoming` (a side's meetings planned at D, known at K) is a seek per
    # stratum of the first index (see `span_stratum`), and one of the second for the open
    # stratum (events.views.axes.in_effect_by_span_known): not a scan of every meeting a
    # participant was ever scheduled for before D, which grew with the history.
    indexes=[
        ["participant", "span", "since_earliest", "until_latest", "rt_from", "rt_to", "stream"],
        ["participant", "span", "rt_to", "rt_from", "since_earliest", "until_latest", "stream"],
    ],
)

meetings = _fact_table(
    "meetings",
    Column("status", String(16), nullable=False),  # SCHEDULED, POSTPONED, CANCELLED, HELD
    Column("title", Text, nullable=False),
    Column("participants", Text, nullable=False),  # JSON list
    Column("planned_edtf", String(100)),
    Column("held_edtf", String(100)),
    Column("kind", String(32)),
    Column("level", String(32)),
    Column("location", Text),  # JSON object
    indexes=[],
)

statements = _fact_table(
    "statements",
    Column("issuer", String(200), nullable=False),
    Column("about_actor", String(200), nullable=False),
    Column("about", Text, nullable=False),  # JSON list, as in the event
    Column("stance", String(16)),
    Column("position", BigInteger, nullable=False),
    *_dated("occurred"),
    # Each (issuer, actor spoken about) pair's walk (newest first, a few) reads the first
    # index alone.
    indexes=[
        [
            "issuer",
            "about_actor",
            "occurred_earliest",
            "occurred_latest",
            "position",
            "rt_from",
            "rt_to",
            "stream",
        ],
        ["about_actor", "occurred_earliest"],
    ],
)

# Every ordered pair (complainant, respondent) of a dispute, both ways: a relation's disputes
# are seeks per pair of its sides' actors.
dispute_pairs = _fact_table(
    "dispute_pairs",
    Column("party", String(200), nullable=False),
    Column("other", String(200), nullable=False),
    indexes=[["party", "other", "rt_from", "rt_to", "stream"]],
)

dispute_statuses = _status_table("dispute_statuses")

# One row per stream object (an instrument, a measure, a dialogue, a dispute): what a reference
# to it shows, so that a page naming thousands of them reads a row each in one batch instead of
# resolving each one's events (`events.views.objects`).
stream_objects = _fact_table(
    "stream_objects",
    Column("title", Text, nullable=False),  # a dialogue's name
    # An instrument's or a measure's kind, a dialogue's track, a dispute's forum.
    Column("kind", String(32), nullable=False),
    *_dated("start"),  # adopted, in effect (a measure), established, filed
    *_dated("end", nullable=True),  # a measure's lift
    Column("details", Text, nullable=False),  # JSON object: the rest of the object's fields
    indexes=[],
)

timeline = _fact_table(
    "timeline",
    Column("position", BigInteger, nullable=False),
    Column("type", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("retracted", Boolean, nullable=False),
    Column("corrected_by", BigInteger),
    *_dated("occurred"),
    indexes=[["occurred_earliest", "occurred_latest", "position"], ["position"]],
)

timeline_actors = _fact_table(
    "timeline_actors",
    Column("position", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    indexes=[["actor", "position"], ["position"]],
)

ALL = (
    actors,
    memberships,
    membership_statuses,
    measure_targets,
    dialogue_parties,
    dialogue_pairs,
    dialogue_statuses,
    contacts,
    contact_pairs,
    meeting_plans,
    meetings,
    statements,
    dispute_pairs,
    dispute_statuses,
    stream_objects,
    timeline,
    timeline_actors,
)


@cache
def fact_columns(table: Table) -> tuple[Column[Any], ...]:
    """The columns that make up a fact: all but the surrogate id, the stream and rt range."""
    return tuple(c for c in table.columns if c.name not in ("id", "stream", "rt_from", "rt_to"))


# The strata of `span_stratum`: 2**22 days outlast any two dates of the calendar.
SPAN_STRATA = range(23)


def span_stratum(earliest: date, until_latest: date) -> int:
    """The stratum of a fact possibly in effect over `[earliest, until_latest)`: the least `s`
    with 2**s >= its length in days (an open end makes it the last stratum).

    A fact of stratum `s` possibly in effect at D began after D - 2**s. So the facts in effect
    at D are found by one short seek per stratum, `earliest` in (D - 2**s, D], rather than by a
    scan of every fact that began before D, which grows with the history (an interval
    lookup by strata of length; see docs/projections.md)."""
    return max(0, (until_latest - earliest).days - 1).bit_length()


def stored(value: Dated | Edtf) -> tuple[str, date, date]:
    """How a date is stored in a fact: (edtf, earliest, latest)."""
    edtf = value.value if isinstance(value, Dated) else value
    return (edtf.edtf, edtf.earliest, edtf.latest)


def stored_end(value: Dated | None) -> tuple[str | None, date, date]:
    """How an end is stored; no end is (None, NO_END, NO_END)."""
    return (None, NO_END, NO_END) if value is None else stored(value)
