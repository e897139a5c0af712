"""A relation's dialogues by pair, its memberships inside one index (bench/RESULTS.md).

- dialogue_pairs: a row per ordered pair of distinct parties of each dialogue, so that a
  relation finds its dialogues by index seeks per pair of actors, one of each side, instead of
  reading every dialogue either side was ever party to (which grew with the history). Filled
  here from the parties already projected: a pair holds while both of its parties do, so its
  recorded-time range is the overlap of theirs, as a rebuild would give it.
- memberships: the first index also holds the recorded-time range and the stream, so that the
  memberships of a side in effect at a date are told from those of other dates and other
  knowledge inside the index: a membership that ended was once recorded as open-ended, and
  that row, no longer known, would otherwise be fetched from the table for every date after
  its start (the number of such rows grows with the history).
- dialogue_statuses: an index that holds what a relation reads of a status, so that the
  statuses of a pair's hundreds of ended dialogues are passed over inside it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = [
    "stream",
    "since_earliest",
    "until_latest",
    "rt_from",
    "rt_to",
    "seq",
    "status",
    "since_edtf",
    "since_latest",
    "until_earliest",
]
MEMBERSHIPS_BEFORE = ["actor", "since_earliest", "until_latest"]
MEMBERSHIPS_NOW = [*MEMBERSHIPS_BEFORE, "rt_from", "rt_to", "stream"]

FILL = """
INSERT INTO dialogue_pairs (stream, party, other, rt_from, rt_to)
SELECT mine.stream, mine.party, theirs.party,
       CASE WHEN mine.rt_from > theirs.rt_from THEN mine.rt_from ELSE theirs.rt_from END,
       CASE WHEN mine.rt_to < theirs.rt_to THEN mine.rt_to ELSE theirs.rt_to END
FROM dialogue_parties AS mine
JOIN dialogue_parties AS theirs
  ON theirs.stream = mine.stream AND theirs.party <> mine.party
 AND theirs.rt_from < mine.rt_to AND mine.rt_from < theirs.rt_to
"""


def upgrade() -> None:
    op.create_table(
        "dialogue_pairs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("other", sa.String(length=200), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(FILL)
    op.create_index(
        "ix_dialogue_pairs_1",
        "dialogue_pairs",
        ["party", "other", "rt_from", "rt_to", "stream"],
        unique=False,
    )
    op.create_index(
        "ix_dialogue_pairs_stream_current", "dialogue_pairs", ["stream", "rt_to"], unique=False
    )
    op.drop_index("ix_memberships_1", table_name="memberships")
    op.create_index("ix_memberships_1", "memberships", MEMBERSHIPS_NOW, unique=False)
    op.create_index("ix_dialogue_statuses_1", "dialogue_statuses", STATUSES, unique=False)


def downgrade() -> None:
    op.drop_index("ix_dialogue_statuses_1", table_name="dialogue_statuses")
    op.drop_index("ix_memberships_1", table_name="memberships")
    op.create_index("ix_memberships_1", "memberships", MEMBERSHIPS_BEFORE, unique=False)
    op.drop_index("ix_dialogue_pairs_stream_current", table_name="dialogue_pairs")
    op.drop_index("ix_dialogue_pairs_1", table_name="dialogue_pairs")
    op.drop_table("dialogue_pairs")
