"""Meetings planned at a date by seeks per stratum of length, as memberships and measures
(0006); the open stratum of plans and measures sought by recorded time.

`span` on meeting_plans is the stratum of a plan's length in days (the least `s` with
2**s >= it, `events.projections.tables.span_stratum`; 22 while no end is known), and the
index a relation's `upcoming` seeks puts it before since_earliest: a side's meetings planned
at D are then a short seek per stratum, since_earliest in (D - 2**s, D], instead of a scan of
every meeting its participants were ever scheduled for before D, which grew with the history
(bench/RESULTS.md). Filled here as a rebuild would fill it.

A plan is open until its meeting is held, a measure until it is lifted: then the open row is
closed (rt_to) and replaced. The open stratum, sought by since_earliest, held every such row
closed before D; a second index on meeting_plans and a third on measure_targets, (key, span,
rt_to, ...), seek it by rt_to instead (events.views.axes.in_effect_by_span_known).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "meeting_plans"
KEY = ["participant"]
REST = ["since_earliest", "until_latest", "rt_from", "rt_to", "stream"]
# A row's stratum, in this database's SQL, as 0006 wrote it for memberships and measures.
_STRATA = import_module("migrations.versions.0006_span_strata")


# The open stratum's indexes: (key, span, rt_to, rt_from, since_earliest, until_latest, stream).
BY_RECORDED_TIME = {
    "ix_meeting_plans_2": ("meeting_plans", ["participant"]),
    "ix_measure_targets_3": ("measure_targets", ["imposer", "target"]),
}
RECORDED_REST = ["rt_to", "rt_from", "since_earliest", "until_latest", "stream"]


def upgrade() -> None:
    # The least s with 2**s >= the length (0 for a length of one day or less), as 0006.
    days, strata = _STRATA._days(), _STRATA.STRATA
    ladder = " ".join(f"WHEN {days} <= {2**s} THEN {s}" for s in range(strata - 1))
    op.drop_index(f"ix_{TABLE}_1", table_name=TABLE)
    op.add_column(TABLE, sa.Column("span", sa.SmallInteger(), nullable=True))
    op.execute(f"UPDATE {TABLE} SET span = CASE {ladder} ELSE {strata - 1} END")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("span", existing_type=sa.SmallInteger(), nullable=False)
    op.create_index(f"ix_{TABLE}_1", TABLE, [*KEY, "span", *REST], unique=False)
    for name, (table, key) in BY_RECORDED_TIME.items():
        op.create_index(name, table, [*key, "span", *RECORDED_REST], unique=False)


def downgrade() -> None:
    for name, (table, _) in BY_RECORDED_TIME.items():
        op.drop_index(name, table_name=table)
    op.drop_index(f"ix_{TABLE}_1", table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("span")
    op.create_index(f"ix_{TABLE}_1", TABLE, [*KEY, *REST], unique=False)
