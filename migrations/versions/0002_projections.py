"""The projection tables: bitemporal facts derived from the log (events/projections/tables.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actors_1", "actors", ["actor", "rt_to"], unique=False)
    op.create_index("ix_actors_2", "actors", ["country", "rt_from"], unique=False)
    op.create_index("ix_actors_stream_current", "actors", ["stream", "rt_to"], unique=False)
    op.create_table(
        "contacts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("participant", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("held_position", sa.BigInteger(), nullable=False),
        sa.Column("held_edtf", sa.String(length=100), nullable=False),
        sa.Column("held_earliest", sa.Date(), nullable=False),
        sa.Column("held_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contacts_1", "contacts", ["participant", "held_earliest"], unique=False)
    op.create_index("ix_contacts_stream_current", "contacts", ["stream", "rt_to"], unique=False)
    op.create_table(
        "dialogue_parties",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dialogue_parties_1", "dialogue_parties", ["party", "rt_from"], unique=False)
    op.create_index(
        "ix_dialogue_parties_stream_current", "dialogue_parties", ["stream", "rt_to"], unique=False
    )
    op.create_table(
        "dialogue_statuses",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("since_edtf", sa.String(length=100), nullable=False),
        sa.Column("since_earliest", sa.Date(), nullable=False),
        sa.Column("since_latest", sa.Date(), nullable=False),
        sa.Column("until_edtf", sa.String(length=100), nullable=True),
        sa.Column("until_earliest", sa.Date(), nullable=False),
        sa.Column("until_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_dialogue_statuses_stream_current",
        "dialogue_statuses",
        ["stream", "rt_to"],
        unique=False,
    )
    op.create_table(
        "measure_targets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("imposer", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("start_edtf", sa.String(length=100), nullable=False),
        sa.Column("start_earliest", sa.Date(), nullable=False),
        sa.Column("start_latest", sa.Date(), nullable=False),
        sa.Column("since_edtf", sa.String(length=100), nullable=False),
        sa.Column("since_earliest", sa.Date(), nullable=False),
        sa.Column("since_latest", sa.Date(), nullable=False),
        sa.Column("until_edtf", sa.String(length=100), nullable=True),
        sa.Column("until_earliest", sa.Date(), nullable=False),
        sa.Column("until_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_measure_targets_1", "measure_targets", ["imposer", "since_earliest"], unique=False
    )
    op.create_index(
        "ix_measure_targets_2", "measure_targets", ["target", "since_earliest"], unique=False
    )
    op.create_index(
        "ix_measure_targets_stream_current", "measure_targets", ["stream", "rt_to"], unique=False
    )
    op.create_table(
        "memberships",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("since_edtf", sa.String(length=100), nullable=False),
        sa.Column("since_earliest", sa.Date(), nullable=False),
        sa.Column("since_latest", sa.Date(), nullable=False),
        sa.Column("until_edtf", sa.String(length=100), nullable=True),
        sa.Column("until_earliest", sa.Date(), nullable=False),
        sa.Column("until_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_memberships_1", "memberships", ["actor", "since_earliest", "until_latest"], unique=False
    )
    op.create_index(
        "ix_memberships_stream_current", "memberships", ["stream", "rt_to"], unique=False
    )
    op.create_table(
        "meetings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("planned_edtf", sa.String(length=100), nullable=True),
        sa.Column("held_edtf", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meetings_stream_current", "meetings", ["stream", "rt_to"], unique=False)
    op.create_table(
        "statements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("about_actor", sa.String(length=200), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("occurred_edtf", sa.String(length=100), nullable=False),
        sa.Column("occurred_earliest", sa.Date(), nullable=False),
        sa.Column("occurred_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_statements_1", "statements", ["issuer", "occurred_earliest"], unique=False)
    op.create_index(
        "ix_statements_2", "statements", ["about_actor", "occurred_earliest"], unique=False
    )
    op.create_index("ix_statements_stream_current", "statements", ["stream", "rt_to"], unique=False)
    op.create_table(
        "timeline",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("corrected_by", sa.BigInteger(), nullable=True),
        sa.Column("occurred_edtf", sa.String(length=100), nullable=False),
        sa.Column("occurred_earliest", sa.Date(), nullable=False),
        sa.Column("occurred_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_timeline_1",
        "timeline",
        ["occurred_earliest", "occurred_latest", "position"],
        unique=False,
    )
    op.create_index("ix_timeline_2", "timeline", ["position"], unique=False)
    op.create_index("ix_timeline_stream_current", "timeline", ["stream", "rt_to"], unique=False)
    op.create_table(
        "timeline_actors",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_timeline_actors_1", "timeline_actors", ["actor", "position"], unique=False)
    op.create_index("ix_timeline_actors_2", "timeline_actors", ["position"], unique=False)
    op.create_index(
        "ix_timeline_actors_stream_current", "timeline_actors", ["stream", "rt_to"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_timeline_actors_stream_current", table_name="timeline_actors")
    op.drop_index("ix_timeline_actors_2", table_name="timeline_actors")
    op.drop_index("ix_timeline_actors_1", table_name="timeline_actors")
    op.drop_table("timeline_actors")
    op.drop_index("ix_timeline_stream_current", table_name="timeline")
    op.drop_index("ix_timeline_2", table_name="timeline")
    op.drop_index("ix_timeline_1", table_name="timeline")
    op.drop_table("timeline")
    op.drop_index("ix_statements_stream_current", table_name="statements")
    op.drop_index("ix_statements_2", table_name="statements")
    op.drop_index("ix_statements_1", table_name="statements")
    op.drop_table("statements")
    op.drop_index("ix_meetings_stream_current", table_name="meetings")
    op.drop_table("meetings")
    op.drop_index("ix_memberships_stream_current", table_name="memberships")
    op.drop_index("ix_memberships_1", table_name="memberships")
    op.drop_table("memberships")
    op.drop_index("ix_measure_targets_stream_current", table_name="measure_targets")
    op.drop_index("ix_measure_targets_2", table_name="measure_targets")
    op.drop_index("ix_measure_targets_1", table_name="measure_targets")
    op.drop_table("measure_targets")
    op.drop_index("ix_dialogue_statuses_stream_current", table_name="dialogue_statuses")
    op.drop_table("dialogue_statuses")
    op.drop_index("ix_dialogue_parties_stream_current", table_name="dialogue_parties")
    op.drop_index("ix_dialogue_parties_1", table_name="dialogue_parties")
    op.drop_table("dialogue_parties")
    op.drop_index("ix_contacts_stream_current", table_name="contacts")
    op.drop_index("ix_contacts_1", table_name="contacts")
    op.drop_table("contacts")
    op.drop_index("ix_actors_stream_current", table_name="actors")
    op.drop_index("ix_actors_2", table_name="actors")
    op.drop_index("ix_actors_1", table_name="actors")
    op.drop_table("actors")
