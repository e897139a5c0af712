"""PostgreSQL: one server-side function takes the append lock and reads what an append needs.

`timeline_append_read(...)` locks the log (`LOCK TABLE events IN EXCLUSIVE MODE`, as before)
and then, in statements that each take a snapshot after the lock was granted (PL/pgSQL takes one
per statement in a VOLATILE function), returns as one JSON object everything the append's checks
and projections read: the head, the events the batch's ids name, the versions of the streams it
names, the registered slugs it names, the events it corrects or retracts, the histories of the
streams it appends to and their current projection rows. One round trip instead of one per
statement; docs/architecture.md, "One append, top to bottom", says why it stays correct.

SQLite has no server-side functions and no round trips: nothing changes there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATE = """
CREATE FUNCTION timeline_append_read(
    ids uuid[], streams text[], slugs text[], targets uuid[], touched text[],
    fact_tables text[], forever timestamptz
) RETURNS json LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    facts json := '{}';
    rows json;
    fact_table text;
BEGIN
    -- Positions must grow in commit order: every statement below reads after the lock.
    LOCK TABLE events IN EXCLUSIVE MODE;
    -- Streams with no events yet (most appends open one) have no projection rows: no
    -- statement per table then, each of which PostgreSQL would plan anew.
    IF NOT EXISTS (SELECT 1 FROM events WHERE stream = ANY(touched)) THEN
        fact_tables := '{}';
    END IF;
    FOREACH fact_table IN ARRAY fact_tables LOOP
        EXECUTE format(
            'SELECT coalesce(json_agg(t), ''[]'') FROM %I t '
            'WHERE stream = ANY($1) AND rt_to = $2', fact_table
        ) INTO rows USING touched, forever;
        facts := (facts::jsonb || jsonb_build_object(fact_table, rows))::json;
    END LOOP;
    RETURN json_build_object(
        'head', (SELECT json_build_array(position, recorded_at) FROM events
                 ORDER BY position DESC LIMIT 1),
        'recorded', (SELECT coalesce(json_agg(e), '[]') FROM events e WHERE id = ANY(ids)),
        'versions', (SELECT coalesce(json_object_agg(stream, version), '{}') FROM (
                        SELECT stream, max(version) AS version FROM events
                        WHERE stream = ANY(streams) GROUP BY stream) v),
        'registered', (SELECT coalesce(json_agg(actor), '[]') FROM actors
                       WHERE actor = ANY(slugs) AND rt_to = forever),
        'targets', (SELECT coalesce(json_agg(json_build_array(id, stream, type, data)), '[]')
                    FROM events WHERE id = ANY(targets)),
        'histories', (SELECT coalesce(json_agg(json_build_array(
                          position, id, stream, type, schema_version, occurred, recorded_at,
                          note, data) ORDER BY stream, version), '[]')
                      FROM events WHERE stream = ANY(touched)),
        'facts', facts
    );
END
$$
"""

DROP = (
    "DROP FUNCTION timeline_append_read(uuid[], text[], text[], uuid[], text[], text[], "
    "timestamptz)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
