"""Indexes shaped for a relation's lookups (bench/RESULTS.md, "bench.asof").

- measure_targets by (imposer, target): a relation's measures in force are found among the pair's
  own measures, not among every measure either side ever imposed, inside the index;
- statements and contacts: each actor's walk (newest first, stopping after a few) reads its
  index alone; on PostgreSQL the narrower indexes led the planner to read and sort an issuer's
  whole history instead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, index, columns now, columns before)
CHANGED = [
    (
        "measure_targets",
        "ix_measure_targets_1",
        ["imposer", "target", "since_earliest", "until_latest", "rt_from", "rt_to", "stream"],
        ["imposer", "since_earliest"],
    ),
    (
        "statements",
        "ix_statements_1",
        [
            "issuer",
            "occurred_earliest",
            "occurred_latest",
            "position",
            "about_actor",
            "rt_from",
            "rt_to",
            "stream",
        ],
        ["issuer", "occurred_earliest"],
    ),
    (
        "contacts",
        "ix_contacts_1",
        [
            "participant",
            "held_earliest",
            "held_latest",
            "held_position",
            "rt_from",
            "rt_to",
            "stream",
        ],
        ["participant", "held_earliest"],
    ),
]


def upgrade() -> None:
    for table, index, now, _ in CHANGED:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, now, unique=False)


def downgrade() -> None:
    for table, index, _, before in CHANGED:
        op.drop_index(index, table_name=table)
        op.create_index(index, table, before, unique=False)
