"""Stream objects: a row per instrument, measure, dialogue and dispute with what a reference to
it shows (title, kind, dates, the rest of its fields), bitemporal like every projection.

A query naming thousands of them (a relation's instruments, expanded) read and resolved each
one's events; it now reads a row each. The table is filled here from the streams of those kinds
through the projection's own fold, so it holds exactly what a rebuild writes (`timeline
projections verify` is clean afterwards).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from events.projections.bitemporal import replay_streams
from events.projections.objects import ObjectsProjection

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STREAMS_PER_BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "stream_objects",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start_edtf", sa.String(100), nullable=False),
        sa.Column("start_earliest", sa.Date(), nullable=False),
        sa.Column("start_latest", sa.Date(), nullable=False),
        sa.Column("end_edtf", sa.String(100), nullable=True),
        sa.Column("end_earliest", sa.Date(), nullable=False),
        sa.Column("end_latest", sa.Date(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stream_objects_stream_current", "stream_objects", ["stream", "rt_to"])
    projection = ObjectsProjection()
    events = sa.table("events", sa.column("stream"), sa.column("version"))
    first = sa.select(events.c.stream).where(events.c.version == 1)
    conn = op.get_bind()
    streams = sorted(
        stream for stream in conn.scalars(first) if stream.split("/", 1)[0] in projection.kinds
    )
    for start in range(0, len(streams), STREAMS_PER_BATCH):
        replay_streams(conn, [projection], streams[start : start + STREAMS_PER_BATCH])


def downgrade() -> None:
    op.drop_table("stream_objects")
