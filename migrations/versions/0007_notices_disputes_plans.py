"""Party notices and suspensions, disputes, upcoming meetings, and who an event involves.

- membership_statuses: the statuses of a membership whose status ever changed (a notice given,
  suspended or rescinded; a party suspended or resumed). A log written before this revision
  holds none of those events, so the table starts empty, as a rebuild leaves it.
- dispute_pairs, dispute_statuses: the `dispute/` streams, new with this revision: empty.
- meeting_plans: meetings scheduled, from their scheduling until held or cancelled; filled
  here from the meeting streams.
- timeline_actors now holds every actor an event involves: those it names and those of its
  stream (as its first standing event names them); refilled here for every stream.

Both fills replay the streams' histories through the projections' own folds, so they write
exactly what a rebuild writes (`timeline projections verify` is clean afterwards). After a
downgrade, run `timeline projections rebuild` with the older code to restore timeline_actors
under its older rule.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from events.db import UTCDateTime
from events.projections import Changes
from events.projections.bitemporal import replay_streams
from events.projections.contacts import ContactsProjection
from events.projections.history import StreamEvent
from events.projections.index import IndexProjection
from events.projections.tables import meeting_plans, timeline_actors

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STREAMS_PER_BATCH = 2000


def _id() -> sa.types.TypeEngine[Any]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _dated(name: str, *, nullable: bool = False) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{name}_edtf", sa.String(100), nullable=nullable),
        sa.Column(f"{name}_earliest", sa.Date(), nullable=False),
        sa.Column(f"{name}_latest", sa.Date(), nullable=False),
    ]


def _create(name: str, columns: list[sa.Column[Any]], indexes: list[list[str]]) -> None:
    op.create_table(
        name,
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("stream", sa.String(200), nullable=False),
        *columns,
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(f"ix_{name}_stream_current", name, ["stream", "rt_to"])
    for number, index in enumerate(indexes, start=1):
        op.create_index(f"ix_{name}_{number}", name, index)


STATUS_INDEX = [
    *["stream", "since_earliest", "until_latest", "rt_from", "rt_to"],
    *["seq", "status", "since_edtf", "since_latest", "until_earliest"],
]


def upgrade() -> None:
    _create(
        "membership_statuses",
        [
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            *_dated("since"),
            sa.Column("since_position", sa.BigInteger(), nullable=False),
            *_dated("until", nullable=True),
            sa.Column("due_edtf", sa.String(100)),
        ],
        [["stream", "actor", "since_earliest", "until_latest", "rt_from", "rt_to"]],
    )
    _create(
        "meeting_plans",
        [
            sa.Column("participant", sa.String(200), nullable=False),
            *_dated("since"),
            *_dated("until", nullable=True),
        ],
        [["participant", "since_earliest", "until_latest", "rt_from", "rt_to", "stream"]],
    )
    _create(
        "dispute_pairs",
        [
            sa.Column("party", sa.String(200), nullable=False),
            sa.Column("other", sa.String(200), nullable=False),
        ],
        [["party", "other", "rt_from", "rt_to", "stream"]],
    )
    _create(
        "dispute_statuses",
        [
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            *_dated("since"),
            *_dated("until", nullable=True),
        ],
        [STATUS_INDEX],
    )
    conn = op.get_bind()
    streams = sa.table("events", sa.column("stream"), sa.column("version"))
    every = sorted(conn.scalars(sa.select(streams.c.stream).where(streams.c.version == 1)))
    meetings = [stream for stream in every if stream.startswith("meeting/")]
    for projection, chosen in (
        (_Only(ContactsProjection(), meeting_plans, _PLANS), meetings),
        (_Only(IndexProjection(), timeline_actors), every),
    ):
        for start in range(0, len(chosen), STREAMS_PER_BATCH):
            replay_streams(conn, [projection], chosen[start : start + STREAMS_PER_BATCH])


def downgrade() -> None:
    for name in ("dispute_statuses", "dispute_pairs", "meeting_plans", "membership_statuses"):
        op.drop_table(name)


# meeting_plans as this revision makes it: the projection's facts have since gained columns
# after these (0010's `span`), which a fill here leaves out and the later revision fills.
_PLANS = sa.Table(
    "meeting_plans",
    sa.MetaData(),
    sa.Column("id", _id(), primary_key=True, autoincrement=True),
    sa.Column("stream", sa.String(200), nullable=False),
    sa.Column("participant", sa.String(200), nullable=False),
    *_dated("since"),
    *_dated("until", nullable=True),
    sa.Column("rt_from", UTCDateTime, nullable=False),
    sa.Column("rt_to", UTCDateTime, nullable=False),
)


class _Only:
    """One of a projection's tables: its folds' changes to that table alone, written to
    `written` (the table as this revision makes it; the projection's own by default), each
    fact cut to its columns."""

    def __init__(self, projection: Any, table: sa.Table, written: sa.Table | None = None) -> None:
        self.projection = projection
        self.kinds = projection.kinds
        self.table = table
        self.tables = (table if written is None else written,)

    def start(self, stream: str) -> "_OnlyFold":
        return _OnlyFold(self.projection.start(stream), self.table, self.tables[0])


class _OnlyFold:
    def __init__(self, fold: Any, table: sa.Table, written: sa.Table) -> None:
        self.fold = fold
        self.table = table
        self.written = written
        # The fact columns: all but the surrogate id, the stream and the rt range.
        self.width = len(written.columns) - 4

    def add(self, events: Sequence[StreamEvent]) -> Changes:
        changes: Changes = self.fold.add(events)
        kept = Changes()
        for found, into in ((changes.removed, kept.removed), (changes.added, kept.added)):
            into[self.written] = {fact[: self.width] for fact in found.get(self.table, set())}
        return kept
