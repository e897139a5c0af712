"""Pair-keyed lookups for a relation's contacts and statements (bench/RESULTS.md, "bench.asof").

- contact_pairs: a row per ordered pair of distinct participants of each meeting held, so that a
  relation's contacts are index seeks per pair of actors, not a walk back through each actor's
  own history until it meets the other side (which grew with the history for a pair that
  seldom met). Filled here from the contacts already projected, with the recorded-time ranges a
  rebuild would give: a pair's row lasts over consecutive versions of its meeting that leave
  the pair's fact unchanged (a corrected title changes the contact rows, not the pair's).
- statements: the first index leads with (issuer, about_actor) for the same reason.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR_INDEX = [
    "participant",
    "other",
    "held_earliest",
    "held_latest",
    "held_position",
    "rt_from",
    "rt_to",
    "stream",
]
STATEMENTS_NOW = [
    "issuer",
    "about_actor",
    "occurred_earliest",
    "occurred_latest",
    "position",
    "rt_from",
    "rt_to",
    "stream",
]
STATEMENTS_BEFORE = [
    "issuer",
    "occurred_earliest",
    "occurred_latest",
    "position",
    "about_actor",
    "rt_from",
    "rt_to",
    "stream",
]

# Every version of a meeting's contact rows shares one recorded-time range (each row carries
# the whole participant list), so pairs are joined within a version; then runs of versions
# that follow each other without a gap and hold the same pair fact become one row
# (gaps and islands: a new island starts where the previous version did not end).
FILL = """
INSERT INTO contact_pairs
    (stream, participant, other, held_position, held_earliest, held_latest, rt_from, rt_to)
WITH pairs AS (
    SELECT mine.stream, mine.participant, theirs.participant AS other, mine.held_position,
           mine.held_earliest, mine.held_latest, mine.rt_from, mine.rt_to
    FROM contacts AS mine
    JOIN contacts AS theirs
      ON theirs.stream = mine.stream AND theirs.rt_from = mine.rt_from
     AND theirs.participant <> mine.participant
), marked AS (
    SELECT pairs.*,
           CASE WHEN LAG(rt_to) OVER fact = rt_from THEN 0 ELSE 1 END AS starts
    FROM pairs
    WINDOW fact AS (
        PARTITION BY stream, participant, other, held_position, held_earliest, held_latest
        ORDER BY rt_from
    )
), islands AS (
    SELECT marked.*,
           SUM(starts) OVER (
               PARTITION BY stream, participant, other, held_position, held_earliest, held_latest
               ORDER BY rt_from ROWS UNBOUNDED PRECEDING
           ) AS island
    FROM marked
)
SELECT stream, participant, other, held_position, held_earliest, held_latest,
       MIN(rt_from), MAX(rt_to)
FROM islands
GROUP BY stream, participant, other, held_position, held_earliest, held_latest, island
"""


def upgrade() -> None:
    op.create_table(
        "contact_pairs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("stream", sa.String(length=200), nullable=False),
        sa.Column("participant", sa.String(length=200), nullable=False),
        sa.Column("other", sa.String(length=200), nullable=False),
        sa.Column("held_position", sa.BigInteger(), nullable=False),
        sa.Column("held_earliest", sa.Date(), nullable=False),
        sa.Column("held_latest", sa.Date(), nullable=False),
        sa.Column("rt_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rt_to", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(FILL)
    op.create_index("ix_contact_pairs_1", "contact_pairs", PAIR_INDEX, unique=False)
    op.create_index(
        "ix_contact_pairs_stream_current", "contact_pairs", ["stream", "rt_to"], unique=False
    )
    op.drop_index("ix_statements_1", table_name="statements")
    op.create_index("ix_statements_1", "statements", STATEMENTS_NOW, unique=False)


def downgrade() -> None:
    op.drop_index("ix_statements_1", table_name="statements")
    op.create_index("ix_statements_1", "statements", STATEMENTS_BEFORE, unique=False)
    op.drop_index("ix_contact_pairs_stream_current", table_name="contact_pairs")
    op.drop_index("ix_contact_pairs_1", table_name="contact_pairs")
    op.drop_table("contact_pairs")
