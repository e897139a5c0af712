"""Tests of the migrations: they build exactly the tables the models describe (on SQLite and
PostgreSQL), they make the log append-only, and `schema_problem` tells an unmigrated database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, Text, TextClause, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from events.db import Base, alembic_config, create_engine, head_revision, schema_problem, upgrade
from events.projections import tables  # noqa: F401  (registers its tables, as env.py does)
from events.projections.rebuild import verify
from events.store import EventStore
from tests.factories import actor, meeting, new
from tests.test_in_effect import SPANS, span_events
from tests.test_store import correction, retraction
from tests.test_stream_objects import ALL, seed


async def diff_against(url: str, metadata: MetaData) -> list[Any]:
    """What autogenerate would change to make the database at `url` match `metadata`."""

    def compare(connection: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(compare)
    finally:
        await engine.dispose()


def with_extra_column() -> MetaData:
    """A copy of the models' metadata with one column more on `events`."""
    copy = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(copy)
    copy.tables["events"].append_column(Column("extra", Text(), nullable=True))
    return copy


async def test_models_and_migrations_agree(database_url: str) -> None:
    # upgrade() runs its own event loop (Alembic's env.py): call it off this one
    await asyncio.to_thread(upgrade, database_url)  # already at head: a no-op
    assert await diff_against(database_url, Base.metadata) == []


async def test_comparison_notices_a_column_without_a_migration(database_url: str) -> None:
    diff = await diff_against(database_url, with_extra_column())
    assert len(diff) == 1
    op, _schema, table, column = diff[0]
    assert (op, table, column.name) == ("add_column", "events", "extra")


async def test_downgrade_and_upgrade_again(database_url: str) -> None:
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "base")
    engine = create_engine(database_url)
    try:
        problem = await schema_problem(engine)
        assert problem is not None
        assert "timeline db upgrade" in problem
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, database_url)
    assert await diff_against(database_url, Base.metadata) == []
    engine = create_engine(database_url)
    try:
        assert await schema_problem(engine) is None
        store = EventStore(engine)
        await store.append([meeting("m", "USA")], recorded_by="t")
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE events SET note = 'x'"))
    finally:
        await engine.dispose()


async def test_schema_problem_is_none_when_migrated(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await schema_problem(engine) is None
    finally:
        await engine.dispose()


async def test_schema_problem_names_the_upgrade_command_on_an_empty_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        problem = await schema_problem(engine)
    finally:
        await engine.dispose()
    assert problem is not None
    assert "timeline db upgrade" in problem
    assert "revision none" in problem
    assert head_revision() in problem


async def test_schema_problem_names_an_unreachable_database() -> None:
    # nothing listens on port 1
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    try:
        problem = await schema_problem(engine)
    finally:
        await engine.dispose()
    assert problem is not None
    assert problem.startswith("cannot reach the database")


async def test_triggers_make_the_log_append_only(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                query = (
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
                )
                expected = {"events_no_update", "events_no_delete"}
            else:
                query = (
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'events'::regclass "
                    "AND NOT tgisinternal"
                )
                expected = {"events_no_update_or_delete", "events_no_truncate"}
            assert set((await conn.execute(text(query))).scalars()) == expected
        await EventStore(engine).append([meeting("m", "USA")], recorded_by="t")
        statements = ["UPDATE events SET note = 'x'", "DELETE FROM events"]
        if engine.dialect.name != "sqlite":
            statements.append("TRUNCATE events")
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT position, note FROM events"))).all()
        assert [tuple(row) for row in rows] == [(1, None)]
    finally:
        await engine.dispose()


async def test_the_pair_lookups_migration_fills_contact_pairs_as_a_rebuild_would(
    database_url: str,
) -> None:
    # Contacts whose rows change while a pair's fact does not (a corrected title), a pair that
    # leaves (a corrected participant list) and a retracted meeting: downgrading drops
    # contact_pairs, and upgrading must refill it with exactly a rebuild's rows.
    engine = create_engine(database_url)
    store = EventStore(engine)
    try:
        held = meeting("trio", "USA", "CHN", "GBR")
        gone = meeting("gone", "USA", "FRA")
        await store.append(
            [actor("anna-li", kind="PERSON", country="CHN"), held, gone], recorded_by="t"
        )
        title = new(
            "meeting/trio",
            "EventCorrected",
            target=str(held.id),
            reason="r",
            data={"title": "Trio talks"},
        )
        await store.append([title], recorded_by="t")
        people = new(
            "meeting/trio",
            "EventCorrected",
            target=str(held.id),
            reason="r",
            data={"participants": ["USA", "anna-li"]},
        )
        retracted = new("meeting/gone", "EventRetracted", target=str(gone.id), reason="r")
        await store.append([people, retracted], recorded_by="t")
        await store.append([meeting("later", "CHN", "USA")], recorded_by="t")
        before, after = await _refilled(engine, database_url, "contact_pairs", "0003")
        assert before > 2
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def test_the_dialogue_pairs_migration_fills_them_as_a_rebuild_would(
    database_url: str,
) -> None:
    # A dialogue whose parties a correction changes (one pair leaves, one comes), a retracted
    # one and a plain one: downgrading drops dialogue_pairs, and upgrading must refill it with
    # exactly a rebuild's rows.
    engine = create_engine(database_url)
    store = EventStore(engine)
    try:
        talks = new(
            "dialogue/talks",
            "DialogueEstablished",
            name="Talks",
            track="TRACK_I",
            parties=["USA", "CHN", "GBR"],
        )
        gone = new(
            "dialogue/gone",
            "DialogueEstablished",
            name="Gone",
            track="TRACK_II",
            parties=["USA", "FRA"],
        )
        await store.append([talks, gone], recorded_by="t")
        parties = new(
            "dialogue/talks",
            "EventCorrected",
            target=str(talks.id),
            reason="r",
            data={"parties": ["USA", "CHN", "JPN"]},
        )
        retracted = new("dialogue/gone", "EventRetracted", target=str(gone.id), reason="r")
        await store.append([parties, retracted], recorded_by="t")
        later = new(
            "dialogue/later",
            "DialogueEstablished",
            name="Later",
            track="TRACK_I",
            parties=["CHN", "USA"],
        )
        await store.append([later], recorded_by="t")
        before, after = await _refilled(engine, database_url, "dialogue_pairs", "0004")
        # talks: 6 pairs, of which the 4 with GBR end and 4 with JPN begin; gone; later.
        assert before == 6 + 4 + 2 + 2
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def test_the_strata_migration_fills_them_as_a_rebuild_would(
    database_url: str,
) -> None:
    # Memberships and measures of every stratum, from a day to open-ended, at the edges of the
    # calendar (which asyncpg stores as infinities): downgrading drops `span`, and upgrading
    # must fill it as a rebuild does, or verify finds the rows differ.
    engine = create_engine(database_url)
    store = EventStore(engine)
    spans = text(
        "SELECT 'm', span, count(*) FROM memberships GROUP BY span UNION ALL "
        "SELECT 't', span, count(*) FROM measure_targets GROUP BY span ORDER BY 1, 2"
    )
    try:
        await store.append(span_events(), recorded_by="t")
        before, after = await _reread(engine, database_url, spans, "0005")
        assert len(before) >= 16
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def test_the_plan_strata_migration_fills_them_as_a_rebuild_would(
    database_url: str,
) -> None:
    # Meetings scheduled at each span's start, held at its end where it has one: downgrading
    # drops meeting_plans' `span` (and the open stratum's indexes); upgrading must fill it as
    # a rebuild does, or verify finds the rows differ.
    engine = create_engine(database_url)
    store = EventStore(engine)
    spans = text("SELECT span, count(*) FROM meeting_plans GROUP BY span ORDER BY span")
    scheduled, held = [], []
    for number, (since, until) in enumerate(SPANS):
        stream = f"meeting/span-{number}"
        talks = {"title": "Talks", "participants": ["USA", "CHN"]}
        scheduled.append(new(stream, "MeetingScheduled", since.isoformat(), **talks))
        if until is not None:
            held.append(new(stream, "MeetingHeld", until.isoformat(), **talks))
    try:
        await store.append(scheduled, recorded_by="t")
        await store.append(held, recorded_by="t")
        before, after = await _reread(engine, database_url, spans, "0008")
        assert len(before) >= 8
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def _refilled(
    engine: AsyncEngine, database_url: str, table: str, revision: str
) -> tuple[int, int]:
    """The rows of `table` before a downgrade to `revision` (which drops it) and after the
    upgrade back to head (which fills it again)."""
    count = text(f"SELECT count(*) FROM {table}")
    before, after = await _reread(engine, database_url, count, revision)
    return before[0][0], after[0][0]


async def _reread(
    engine: AsyncEngine, database_url: str, query: TextClause, revision: str
) -> tuple[list[Any], list[Any]]:
    """The rows `query` reads before a downgrade to `revision` and after the upgrade back to
    head."""
    async with engine.connect() as conn:
        before = list((await conn.execute(query)).all())
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)
    await asyncio.to_thread(upgrade, database_url)
    async with engine.connect() as conn:
        after = list((await conn.execute(query)).all())
    return before, after


async def test_the_notices_migration_fills_plans_and_involvement_as_a_rebuild_would(
    database_url: str,
) -> None:
    # A meeting scheduled then held, one scheduled and still planned, a measure lifted (its
    # lift names nobody: it involves the measure's imposer and target): downgrading drops
    # meeting_plans; the involvement rows are emptied as a log projected by older code would
    # lack some; upgrading must refill both with exactly a rebuild's rows.
    engine = create_engine(database_url)
    store = EventStore(engine)
    counts = text(
        "SELECT 'plans', count(*) FROM meeting_plans UNION ALL "
        "SELECT 'actors', count(*) FROM timeline_actors ORDER BY 1"
    )
    try:
        planned = new("meeting/visit", "MeetingScheduled", title="Visit", participants=["JPN"])
        later = new("meeting/later", "MeetingScheduled", title="Later", participants=["KOR"])
        imposed = new(
            "measure/controls",
            "MeasureImposed",
            "2019-07-04",
            title="Controls",
            kind="EXPORT_CONTROL",
            imposer="JPN",
            targets=["KOR"],
        )
        await store.append([planned, later, imposed], recorded_by="t")
        held = new("meeting/visit", "MeetingHeld", "2024-02", title="Visit", participants=["JPN"])
        lifted = new("measure/controls", "MeasureLifted", "2023-04-24")
        await store.append([held, lifted], recorded_by="t")
        async with engine.connect() as conn:
            before = list((await conn.execute(counts)).all())
        await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0006")
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM timeline_actors"))
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as conn:
            after = list((await conn.execute(counts)).all())
        # plans: the visit's while planned, then until held; the later one. Actors: JPN, KOR,
        # JPN and KOR for the imposition, JPN for the visit held, JPN and KOR for the lift.
        assert before == [("actors", 7), ("plans", 3)]
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()


async def test_the_stream_objects_migration_fills_them_as_a_rebuild_would(
    database_url: str,
) -> None:
    # An instrument joined and corrected, a measure amended, a dialogue, a dispute retracted:
    # downgrading drops stream_objects; upgrading must refill it with exactly a rebuild's rows,
    # the closed ones (as known before the correction and the retraction) included.
    engine = create_engine(database_url)
    store = EventStore(engine)
    rows = text("SELECT stream, title, rt_to < '9000-01-01' FROM stream_objects ORDER BY 1, 3")
    try:
        first = await seed(store)
        await store.append(
            [
                correction(ALL[0], first[ALL[0]].id, None, data={"title": "Accord II"}),
                new(ALL[1], "MeasureAmended", "2020", summary="Adds HKG", targetsAdded=["HKG"]),
                retraction(ALL[3], first[ALL[3]].id),
            ],
            recorded_by="t",
        )
        async with engine.connect() as conn:
            before = list((await conn.execute(rows)).all())
        await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0008")
        await asyncio.to_thread(upgrade, database_url)
        async with engine.connect() as conn:
            after = list((await conn.execute(rows)).all())
        assert len(before) == 6
        assert after == before
        assert await verify(engine) == []
    finally:
        await engine.dispose()
