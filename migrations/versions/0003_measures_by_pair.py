"""Measures looked up by (imposer, target): a relation's measures in force are found among the
pair's own measures, not among every measure either side ever imposed (bench/RESULTS.md).

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

PAIR = ["imposer", "target", "since_earliest", "until_latest", "rt_from", "rt_to", "stream"]


def upgrade() -> None:
    op.drop_index("ix_measure_targets_1", table_name="measure_targets")
    op.create_index("ix_measure_targets_1", "measure_targets", PAIR, unique=False)


def downgrade() -> None:
    op.drop_index("ix_measure_targets_1", table_name="measure_targets")
    op.create_index(
        "ix_measure_targets_1", "measure_targets", ["imposer", "since_earliest"], unique=False
    )
