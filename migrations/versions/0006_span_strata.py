"""Memberships and measures in effect at a date by seeks per stratum of length
(bench/RESULTS.md).

`span`, on memberships and measure_targets, is the stratum of a row's length in days (the
least `s` with 2**s >= it, `events.projections.tables.span_stratum`), and a relation's lookup
index puts it before since_earliest: the rows of a side (or of a pair of sides) in effect at D
are then a short seek per stratum, since_earliest in (D - 2**s, D], instead of a scan of every
row that began before D, which grew with the history. Filled here as a rebuild would fill it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The relation's lookup index of each table, before and now.
INDEXES = {
    "memberships": ["actor"],
    "measure_targets": ["imposer", "target"],
}
REST = ["since_earliest", "until_latest", "rt_from", "rt_to", "stream"]
STRATA = 23  # events.projections.tables.SPAN_STRATA


def _days() -> str:
    """A row's length in days, in this database's SQL."""
    if op.get_bind().dialect.name == "sqlite":
        return "CAST(julianday(until_latest) - julianday(since_earliest) AS INTEGER)"
    # asyncpg stores the first and last days of the calendar as -infinity and infinity.
    return "(LEAST(until_latest, DATE '9999-12-31') - GREATEST(since_earliest, DATE '0001-01-01'))"


def upgrade() -> None:
    # The least s with 2**s >= the length (0 for a length of one day or less).
    ladder = " ".join(f"WHEN {_days()} <= {2**s} THEN {s}" for s in range(STRATA - 1))
    for table, key in INDEXES.items():
        op.drop_index(f"ix_{table}_1", table_name=table)
        op.add_column(table, sa.Column("span", sa.SmallInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET span = CASE {ladder} ELSE {STRATA - 1} END")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("span", existing_type=sa.SmallInteger(), nullable=False)
        op.create_index(f"ix_{table}_1", table, [*key, "span", *REST], unique=False)


def downgrade() -> None:
    for table, key in INDEXES.items():
        op.drop_index(f"ix_{table}_1", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("span")
        op.create_index(f"ix_{table}_1", table, [*key, *REST], unique=False)
