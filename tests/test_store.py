"""Tests of events.store: append, read, head, snapshot; atomicity, expected versions,
idempotency, immutability, the checks that need the log, and concurrent writers with a tailing
reader. Every test runs on SQLite and, with TIMELINE_TEST_POSTGRES_URL set, on PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.exc import DBAPIError

from events.db import create_engine, events_table
from events.errors import ConcurrencyConflict, DuplicateId, InvalidEvents
from events.projections import Changes
from events.store import EventStore
from events.types import NewEvent, RecordedEvent, event_from_json
from tests import profiles
from tests.factories import actor, event_json, meeting, new, statement

# --- helpers ------------------------------------------------------------------------------------


def instrument(slug: str, **data: Any) -> NewEvent:
    """InstrumentAdopted on instrument/`slug`."""
    return new(
        f"instrument/{slug}", "InstrumentAdopted", title=f"Instrument {slug}", kind="TREATY", **data
    )


def correction(
    stream: str, target: uuid.UUID, new_occurred: str | None = None, **data: Any
) -> NewEvent:
    """EventCorrected of `target`; `new_occurred` is its data's `occurred`."""
    obj = event_json(stream, "EventCorrected", target=str(target), reason="a mistake", **data)
    if new_occurred is not None:
        obj["data"]["occurred"] = new_occurred
    return event_from_json(obj)


def retraction(stream: str, target: uuid.UUID) -> NewEvent:
    return new(stream, "EventRetracted", target=str(target), reason="never happened")


async def everything(store: EventStore) -> list[RecordedEvent]:
    return await store.read_all(after_position=0, limit=1_000_000)


async def row_count(store: EventStore) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(events_table))).scalar_one()


async def refused(store: EventStore, events: list[NewEvent]) -> InvalidEvents:
    """Append `events`, expect InvalidEvents, check nothing was appended; return the error."""
    before = await everything(store)
    with pytest.raises(InvalidEvents) as caught:
        await store.append(events, recorded_by="tester")
    assert await everything(store) == before
    assert await row_count(store) == len(before)
    return caught.value


def fields(error: InvalidEvents) -> set[tuple[int, str]]:
    return {(problem.index, problem.field) for problem in error.problems}


# --- append and read back -------------------------------------------------------------------------


async def test_empty_log_has_empty_head(store: EventStore) -> None:
    head = await store.head()
    assert (head.position, head.recorded_at, head.count) == (0, None, 0)
    assert await store.read_all() == []
    assert await store.read_stream("meeting/nothing") == []
    assert await store.get(uuid.uuid4()) is None


async def test_append_then_read_back(store: EventStore) -> None:
    first = await store.append(
        [
            actor("eu", kind="IGO"),
            meeting("m1", "cn", "eu", "US"),
            statement("s1", issuer="us"),
            new("actor/eu", "ActorRenamed", name="European Union"),
        ],
        recorded_by="alice",
    )
    second = await store.append([meeting("m2", "GBR")], recorded_by="bob")
    recorded = first + second

    assert [e.position for e in recorded] == [1, 2, 3, 4, 5]
    assert [(e.stream, e.version) for e in recorded] == [
        ("actor/eu", 1),
        ("meeting/m1", 1),
        ("statement/s1", 1),
        ("actor/eu", 2),
        ("meeting/m2", 1),
    ]
    assert [e.recorded_by for e in recorded] == ["alice"] * 4 + ["bob"]
    times = [e.recorded_at for e in recorded]
    assert times == sorted(times)
    assert all(t.utcoffset() == timedelta(0) for t in times)
    # canonical data: alpha-2 in any case becomes alpha-3; slugs stay as they are
    assert recorded[1].data["participants"] == ["CHN", "eu", "USA"]
    assert recorded[2].data["issuer"] == "USA"
    assert recorded[1].type == "MeetingHeld"
    assert recorded[1].schema_version == 1
    assert recorded[1].occurred == "2024-01-27"
    assert recorded[1].sources[0]["publisher"] == "The Straits Times"

    # what append returned is what the log holds
    assert await everything(store) == recorded
    assert await store.read_all(after_position=1, limit=2) == recorded[1:3]
    assert await store.read_all(after_position=5) == []
    assert [e.version for e in await store.read_stream("actor/eu")] == [1, 2]
    assert await store.read_stream("actor/eu", after_version=1) == [recorded[3]]
    assert await store.read_stream("actor/eu", limit=1) == [recorded[0]]
    assert await store.read_stream("meeting/m1") == [recorded[1]]
    assert await store.get(recorded[2].id) == recorded[2]

    head = await store.head()
    assert head.position == 5
    assert head.count == 5
    assert head.recorded_at == recorded[-1].recorded_at


async def test_client_supplied_id_and_note_kept(store: EventStore) -> None:
    chosen = uuid.uuid4()
    obj = {
        **event_json("statement/s", "StatementIssued", issuer="CHN", summary="x"),
        "id": str(chosen),
    }
    obj["note"] = "a note"
    [recorded] = await store.append([event_from_json(obj)], recorded_by="alice")
    assert recorded.id == chosen
    fetched = await store.get(chosen)
    assert fetched is not None
    assert fetched.note == "a note"
    assert fetched.to_json()["recordedBy"] == "alice"


# --- atomic batches -------------------------------------------------------------------------------


async def test_batch_with_invalid_last_event_appends_nothing(store: EventStore) -> None:
    await store.append([meeting("before", "USA")], recorded_by="tester")
    head = await store.head()
    error = await refused(
        store,
        [
            actor("eu"),
            meeting("m", "USA", "eu"),
            statement("s", issuer="eu"),
            new("instrument/x", "PartyJoined", actor="USA", action="SIGN"),
        ],
    )
    assert fields(error) == {(3, "stream")}
    assert "event 3" in str(error)
    assert await store.head() == head
    for stream in ("actor/eu", "meeting/m", "statement/s", "instrument/x"):
        assert await store.read_stream(stream) == []
    # the actors projection was rolled back with the log: `eu` is still unknown
    error = await refused(store, [meeting("m", "eu")])
    assert fields(error) == {(0, "data.participants[0]")}


async def test_every_problem_of_a_batch_is_reported(store: EventStore) -> None:
    error = await refused(
        store,
        [
            meeting("ok", "USA"),
            meeting("m", "USA", "nobody"),
            new("instrument/x", "PartyJoined", actor="USA", action="SIGN"),
        ],
    )
    assert fields(error) == {(1, "data.participants[1]"), (2, "stream")}


async def test_transaction_commits_all_appends_or_none(store: EventStore) -> None:
    async with store.transaction() as batch:
        first = await batch.append([actor("eu")], recorded_by="importer")
        second = await batch.append([meeting("m", "USA", "eu")], recorded_by="importer")
        assert batch.appended == 2
    assert [e.position for e in first + second] == [1, 2]
    assert await everything(store) == first + second

    with pytest.raises(InvalidEvents):
        async with store.transaction() as batch:
            await batch.append([actor("nato")], recorded_by="importer")
            await batch.append([meeting("n", "USA", "nato")], recorded_by="importer")
            await batch.append([meeting("o", "USA", "ghost")], recorded_by="importer")
    assert await everything(store) == first + second
    error = await refused(store, [meeting("p", "nato")])
    assert fields(error) == {(0, "data.participants[0]")}


# --- expected versions ----------------------------------------------------------------------------


async def test_expected_version_for_one_stream(store: EventStore) -> None:
    [a] = await store.append([meeting("a", "USA")], recorded_by="t", expected_version=0)
    assert a.version == 1
    [b] = await store.append([meeting("a", "CHN")], recorded_by="t", expected_version=1)
    assert b.version == 2
    head = await store.head()

    for expected in (0, 1, 3):
        with pytest.raises(ConcurrencyConflict) as caught:
            await store.append([meeting("a", "USA")], recorded_by="t", expected_version=expected)
        assert caught.value.stream == "meeting/a"
        assert caught.value.expected == expected
        assert caught.value.actual == 2
    assert await store.head() == head
    assert await row_count(store) == 2

    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append([meeting("new", "USA")], recorded_by="t", expected_version=1)
    assert caught.value.actual == 0
    assert await store.read_stream("meeting/new") == []


async def test_expected_version_mapping_for_several_streams(store: EventStore) -> None:
    await store.append([meeting("a", "USA")], recorded_by="t")
    recorded = await store.append(
        [meeting("a", "USA"), meeting("b", "CHN"), meeting("a", "GBR")],
        recorded_by="t",
        expected_version={"meeting/a": 1, "meeting/b": 0},
    )
    assert [(e.stream, e.version) for e in recorded] == [
        ("meeting/a", 2),
        ("meeting/b", 1),
        ("meeting/a", 3),
    ]
    head = await store.head()
    # the mismatch is on the second stream of the batch: the first one's event is not kept either
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(
            [meeting("a", "USA"), meeting("b", "USA")],
            recorded_by="t",
            expected_version={"meeting/a": 3, "meeting/b": 0},
        )
    assert (caught.value.stream, caught.value.expected, caught.value.actual) == ("meeting/b", 0, 1)
    assert await store.head() == head
    assert [e.version for e in await store.read_stream("meeting/a")] == [1, 2, 3]


async def test_int_expected_version_with_several_streams_is_a_value_error(
    store: EventStore,
) -> None:
    with pytest.raises(ValueError, match="mapping"):
        await store.append(
            [meeting("a", "USA"), meeting("b", "USA")], recorded_by="t", expected_version=0
        )
    assert await row_count(store) == 0


# --- idempotency ----------------------------------------------------------------------------------


async def test_same_batch_twice_is_appended_once(store: EventStore) -> None:
    batch = [actor("eu"), meeting("m", "USA", "eu"), statement("s")]
    first = await store.append(batch, recorded_by="alice")
    again = await store.append(batch, recorded_by="bob")
    assert again == first  # same positions, versions, recordedAt, recordedBy
    assert await row_count(store) == 3
    # a retry that also carries a new event returns the originals and appends only the new one
    extra = meeting("m", "CHN")
    mixed = await store.append([*batch, extra], recorded_by="bob")
    assert mixed[:3] == first
    assert (mixed[3].position, mixed[3].version, mixed[3].recorded_by) == (4, 2, "bob")
    assert await row_count(store) == 4
    # the same JSON validated again (another request) is the same event
    same = event_from_json(
        {
            "id": str(batch[2].id),
            "stream": "statement/s",
            "type": "StatementIssued",
            "occurred": "2024-01-27",
            "data": {"issuer": "us", "summary": "A statement."},
            "sources": [batch[2].sources[0].to_json()],
        }
    )
    assert await store.append([same], recorded_by="carol") == [first[2]]
    assert await row_count(store) == 4


async def test_idempotent_retry_ignores_expected_version_already_reached(
    store: EventStore,
) -> None:
    event = meeting("m", "USA")
    [first] = await store.append([event], recorded_by="t", expected_version=0)
    # the retry of a request whose response was lost: the stream is at 1 now
    assert await store.append([event], recorded_by="t", expected_version=0) == [first]
    assert await row_count(store) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"issuer": "CHN", "summary": "A statement."}},
        {"occurred": "2024-01-28"},
        {"note": "other"},
        {"sources": [{"title": "Other"}]},
    ],
)
async def test_used_id_with_other_content_is_a_duplicate(
    store: EventStore, change: dict[str, Any]
) -> None:
    obj = event_json("statement/s", "StatementIssued", issuer="USA", summary="A statement.")
    [original] = await store.append([event_from_json(obj)], recorded_by="t")
    changed = event_from_json({**obj, **change})
    with pytest.raises(DuplicateId) as caught:
        await store.append([meeting("fresh", "USA"), changed], recorded_by="t")
    assert caught.value.event_id == str(original.id)
    assert await everything(store) == [original]


async def test_used_id_on_another_stream_is_a_duplicate(store: EventStore) -> None:
    [original] = await store.append([meeting("a", "USA")], recorded_by="t")
    other = event_from_json(
        {
            **event_json("meeting/b", "MeetingHeld", title="Meeting a", participants=["USA"]),
            "id": str(original.id),
        }
    )
    with pytest.raises(DuplicateId):
        await store.append([other], recorded_by="t")
    assert await everything(store) == [original]


async def test_same_id_twice_in_a_batch_is_invalid(store: EventStore) -> None:
    obj = event_json("meeting/m", "MeetingHeld", title="T", participants=["USA"])
    twice = [meeting("first", "USA"), event_from_json(obj), event_from_json(obj)]
    error = await refused(store, twice)
    assert fields(error) == {(2, "id")}


# --- immutability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement_sql",
    ["UPDATE events SET note = 'x'", "DELETE FROM events", "DELETE FROM events WHERE position = 1"],
)
async def test_database_refuses_update_and_delete(store: EventStore, statement_sql: str) -> None:
    await store.append([actor("eu"), meeting("m", "USA", "eu")], recorded_by="t")
    before = await everything(store)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as conn:
            await conn.execute(text(statement_sql))
    assert await everything(store) == before


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)  # SQLite has no TRUNCATE
async def test_postgresql_refuses_truncate(store: EventStore) -> None:
    assert not store.is_sqlite
    await store.append([meeting("m", "USA")], recorded_by="t")
    before = await everything(store)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as conn:
            await conn.execute(text("TRUNCATE events"))
    assert await everything(store) == before


# --- checks that need the log ---------------------------------------------------------------------


async def test_first_event_of_a_stream_must_create_it(store: EventStore) -> None:
    error = await refused(store, [new("instrument/x", "PartyJoined", actor="USA", action="SIGN")])
    assert fields(error) == {(0, "stream")}
    assert "InstrumentAdopted" in error.problems[0].message
    # created earlier in the same batch: fine
    recorded = await store.append(
        [instrument("x"), new("instrument/x", "PartyJoined", actor="USA", action="SIGN")],
        recorded_by="t",
    )
    assert [e.version for e in recorded] == [1, 2]


async def test_meeting_held_may_follow_meeting_scheduled(store: EventStore) -> None:
    scheduled = new("meeting/m", "MeetingScheduled", title="T", participants=["USA"])
    recorded = await store.append([scheduled, meeting("m", "USA")], recorded_by="t")
    assert [e.version for e in recorded] == [1, 2]
    error = await refused(
        store, [new("meeting/m", "MeetingScheduled", title="T", participants=["USA"])]
    )
    assert fields(error) == {(0, "stream")}


async def test_creating_event_on_an_existing_stream_is_refused(store: EventStore) -> None:
    await store.append([instrument("x")], recorded_by="t")
    error = await refused(store, [instrument("x")])
    assert fields(error) == {(0, "stream")}
    assert "exists already" in error.problems[0].message
    # twice in one batch
    error = await refused(store, [instrument("y"), instrument("y")])
    assert fields(error) == {(1, "stream")}
    # an actor cannot be registered twice
    await store.append([actor("eu")], recorded_by="t")
    error = await refused(store, [actor("eu")])
    assert fields(error) == {(0, "stream")}


async def test_unknown_actor_slug_is_named(store: EventStore) -> None:
    error = await refused(store, [meeting("m", "USA", "brookings")])
    assert fields(error) == {(0, "data.participants[1]")}
    assert "brookings" in str(error)
    error = await refused(store, [instrument("x", parties=[{"actor": "ghost", "action": "SIGN"}])])
    assert fields(error) == {(0, "data.parties[0].actor")}
    assert "ghost" in str(error)
    # states need no registration, in any of their spellings
    [recorded] = await store.append([meeting("m", "us", "CN", "gbr".upper())], recorded_by="t")
    assert recorded.data["participants"] == ["USA", "CHN", "GBR"]


async def test_actor_registered_earlier_is_accepted(store: EventStore) -> None:
    recorded = await store.append(
        [actor("brookings"), meeting("m", "USA", "brookings")], recorded_by="t"
    )
    assert recorded[1].data["participants"] == ["USA", "brookings"]
    # and in a later batch, from the projection
    [later] = await store.append([statement("s", issuer="brookings")], recorded_by="t")
    assert later.data["issuer"] == "brookings"
    # registered after the event that names it: refused
    error = await refused(store, [meeting("n", "USA", "cfr"), actor("cfr")])
    assert fields(error) == {(0, "data.participants[1]")}


async def test_reference_to_a_missing_stream_is_refused(store: EventStore) -> None:
    side = new(
        "meeting/side", "MeetingHeld", title="T", participants=["USA"], sidelineOf="meeting/g20"
    )
    error = await refused(store, [side])
    assert fields(error) == {(0, "data.sidelineOf")}
    assert "meeting/g20" in str(error)
    # created earlier in the same batch
    recorded = await store.append([meeting("g20", "USA"), side], recorded_by="t")
    assert recorded[1].data["sidelineOf"] == "meeting/g20"
    # any-kind reference
    error = await refused(
        store,
        [
            new(
                "statement/s",
                "StatementIssued",
                issuer="USA",
                summary="x",
                concerns="instrument/nothing",
            )
        ],
    )
    assert fields(error) == {(0, "data.concerns")}


async def test_a_response_to_an_event_needs_that_event(store: EventStore) -> None:
    visit = meeting("visit", "USA", "TWN")
    missing = uuid.uuid4()

    def sanctions(answers: str) -> NewEvent:
        return new(
            "measure/sanctions",
            "MeasureImposed",
            title="Sanctions",
            kind="SANCTION",
            imposer="CHN",
            targets=["USA"],
            respondsTo=answers,
        )

    error = await refused(store, [visit, sanctions(str(missing))])
    assert fields(error) == {(1, "data.respondsTo")}
    assert str(missing) in str(error)
    # an event appended earlier in the same batch, or already in the log
    recorded = await store.append([visit, sanctions(str(visit.id))], recorded_by="t")
    assert recorded[1].data["respondsTo"] == str(visit.id)


async def test_correction_target_must_exist(store: EventStore) -> None:
    await store.append([meeting("m", "USA")], recorded_by="t")
    missing = uuid.uuid4()
    for event in (
        correction("meeting/m", missing, new_occurred="2024-01-28"),
        retraction("meeting/m", missing),
    ):
        error = await refused(store, [event])
        assert fields(error) == {(0, "data.target")}
        assert str(missing) in str(error)


async def test_correction_target_must_be_in_the_same_stream(store: EventStore) -> None:
    [held, _] = await store.append([meeting("m", "USA"), meeting("n", "USA")], recorded_by="t")
    for event in (
        correction("meeting/n", held.id, new_occurred="2024-01-28"),
        retraction("meeting/n", held.id),
    ):
        error = await refused(store, [event])
        assert fields(error) == {(0, "data.target")}
        assert "meeting/m" in str(error)


async def test_correction_of_a_correction_is_refused(store: EventStore) -> None:
    [held] = await store.append([meeting("m", "USA")], recorded_by="t")
    [fixed] = await store.append(
        [correction("meeting/m", held.id, new_occurred="2024-01-28")], recorded_by="t"
    )
    [gone] = await store.append([retraction("meeting/m", held.id)], recorded_by="t")
    for target in (fixed.id, gone.id):
        for event in (
            correction("meeting/m", target, new_occurred="2024-01-29"),
            retraction("meeting/m", target),
        ):
            error = await refused(store, [event])
            assert fields(error) == {(0, "data.target")}
            assert "original" in str(error)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "NOPE"}, "data.data.kind"),
        ({"title": ""}, "data.data.title"),
        ({"nope": 1}, "data.data.nope"),
        ({"parties": [{"actor": "ghost", "action": "SIGN"}]}, "data.data.parties[0].actor"),
    ],
)
async def test_correction_that_would_make_its_target_invalid_is_refused(
    store: EventStore, data: dict[str, Any], field: str
) -> None:
    [adopted] = await store.append([instrument("x")], recorded_by="t")
    error = await refused(store, [correction("instrument/x", adopted.id, data=data)])
    assert fields(error) == {(0, field)}


async def test_correction_to_a_missing_stream_reference_is_refused(store: EventStore) -> None:
    # A MeetingHeld whose sidelineOf names a missing stream is refused on append; a correction
    # that makes it so must be refused too.
    [held] = await store.append([meeting("m", "USA")], recorded_by="t")
    error = await refused(
        store, [correction("meeting/m", held.id, data={"sidelineOf": "meeting/nowhere"})]
    )
    assert fields(error) == {(0, "data.data.sidelineOf")}


async def test_valid_correction_and_retraction_append(store: EventStore) -> None:
    [adopted, held] = await store.append([instrument("x"), meeting("m", "USA")], recorded_by="t")
    recorded = await store.append(
        [
            correction("instrument/x", adopted.id, data={"kind": "AGREEMENT", "binding": True}),
            correction(
                "meeting/m",
                held.id,
                new_occurred="2024-01-26",
                data={"participants": ["USA", "cn"]},
            ),
            retraction("meeting/m", held.id),
        ],
        recorded_by="t",
    )
    assert [(e.stream, e.version, e.type) for e in recorded] == [
        ("instrument/x", 2, "EventCorrected"),
        ("meeting/m", 2, "EventCorrected"),
        ("meeting/m", 3, "EventRetracted"),
    ]
    assert recorded[0].data["target"] == str(adopted.id)
    assert recorded[0].data["data"] == {"kind": "AGREEMENT", "binding": True}
    # a correction of an event appended earlier in the same batch
    fresh = meeting("n", "USA")
    more = await store.append(
        [fresh, correction("meeting/n", fresh.id, data={"title": "Renamed"})], recorded_by="t"
    )
    assert [e.version for e in more] == [1, 2]


async def test_correction_of_an_event_naming_a_registered_actor(store: EventStore) -> None:
    # `eu` was registered in an earlier batch; the merged target still names it and is valid.
    await store.append([actor("eu")], recorded_by="t")
    [held] = await store.append([meeting("m", "USA", "eu")], recorded_by="t")
    [fixed] = await store.append(
        [correction("meeting/m", held.id, data={"title": "EU-US talks"})], recorded_by="t"
    )
    assert fixed.version == 2
    # and a correction that adds a registered actor
    await store.append([actor("nato")], recorded_by="t")
    [added] = await store.append(
        [correction("meeting/m", held.id, data={"participants": ["USA", "eu", "nato"]})],
        recorded_by="t",
    )
    assert added.version == 3


async def test_correction_adding_an_unknown_actor_is_refused(store: EventStore) -> None:
    [held] = await store.append([meeting("m", "USA")], recorded_by="t")
    error = await refused(
        store, [correction("meeting/m", held.id, data={"participants": ["USA", "ghost"]})]
    )
    assert fields(error) == {(0, "data.data.participants[1]")}
    assert "ghost" in str(error)


# --- restoring recordedAt -------------------------------------------------------------------------


def restored(stream: str, type_name: str, recorded_at: str, **data: Any) -> NewEvent:
    obj = {
        **event_json(stream, type_name, **data),
        "version": 7,
        "position": 99,
        "recordedAt": recorded_at,
        "recordedBy": "archivist",
    }
    return event_from_json(obj, restoring=True)


async def test_restoring_keeps_recorded_at_and_by(store: EventStore) -> None:
    events = [
        restored(
            "meeting/a", "MeetingHeld", "2020-01-01T00:00:00Z", title="A", participants=["USA"]
        ),
        restored(
            "meeting/a",
            "MeetingHeld",
            "2020-01-01T02:00:00.123456+01:00",
            title="A",
            participants=["USA"],
        ),
    ]
    recorded = await store.append(events, recorded_by="importer")
    assert [(e.position, e.version) for e in recorded] == [(1, 1), (2, 2)]
    assert [e.recorded_by for e in recorded] == ["archivist", "archivist"]
    expected = [
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, 1, 0, 0, 123456, tzinfo=UTC),
    ]
    stored = await everything(store)
    assert [e.recorded_at for e in stored] == expected
    assert [e.to_json()["recordedAt"] for e in stored] == [
        "2020-01-01T00:00:00.000000Z",
        "2020-01-01T01:00:00.123456Z",
    ]
    head = await store.head()
    assert head.recorded_at == expected[1]
    # a live append afterwards is recorded now, after the restored ones
    [live] = await store.append([meeting("b", "USA")], recorded_by="alice")
    assert live.recorded_at > expected[1]
    assert live.recorded_by == "alice"


async def test_restoring_refuses_recorded_at_going_back(store: EventStore) -> None:
    await store.append(
        [
            restored(
                "meeting/a", "MeetingHeld", "2020-06-01T00:00:00Z", title="A", participants=["USA"]
            )
        ],
        recorded_by="importer",
    )
    # earlier than the log's newest
    error = await refused(
        store,
        [
            restored(
                "meeting/b", "MeetingHeld", "2020-05-31T23:59:59Z", title="B", participants=["USA"]
            )
        ],
    )
    assert fields(error) == {(0, "recordedAt")}
    # going back inside one batch
    error = await refused(
        store,
        [
            restored(
                "meeting/c", "MeetingHeld", "2021-01-01T00:00:00Z", title="C", participants=["USA"]
            ),
            restored(
                "meeting/d", "MeetingHeld", "2020-12-31T00:00:00Z", title="D", participants=["USA"]
            ),
        ],
    )
    assert fields(error) == {(1, "recordedAt")}
    # earlier than a live append's recordedAt
    await store.append([meeting("live", "USA")], recorded_by="alice")
    error = await refused(
        store,
        [
            restored(
                "meeting/e", "MeetingHeld", "2021-01-01T00:00:00Z", title="E", participants=["USA"]
            )
        ],
    )
    assert fields(error) == {(0, "recordedAt")}
    # equal to the newest is fine (non-decreasing)
    newest = (await store.head()).recorded_at
    assert newest is not None
    stamp = newest.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    [same] = await store.append(
        [restored("meeting/f", "MeetingHeld", stamp, title="F", participants=["USA"])],
        recorded_by="importer",
    )
    assert same.recorded_at == newest


# --- snapshot ------------------------------------------------------------------------------------


async def test_snapshot_is_a_consistent_prefix_while_appends_go_on(store: EventStore) -> None:
    for start in range(0, 60, 20):
        await store.append(
            [meeting(f"m{i}", "USA") for i in range(start, start + 20)], recorded_by="t"
        )
    committed = await everything(store)
    assert len(committed) == 60

    stop = asyncio.Event()
    appended_during = 0

    async def writer() -> None:
        nonlocal appended_during
        i = 0
        while not stop.is_set():
            await store.append([meeting(f"w{i}", "USA")], recorded_by="w")
            appended_during += 1
            i += 1
            await asyncio.sleep(0)

    seen: list[RecordedEvent] = []
    batches = 0
    async for batch in store.snapshot(batch_size=7):
        batches += 1
        seen.extend(batch)
        if batches == 1:
            # The appends start once the snapshot has read (SQLite takes its snapshot at the
            # first read: an append committed before that is rightly part of the prefix).
            task = asyncio.create_task(writer())
            # the log grows for certain after the snapshot began reading
            await store.append([meeting("during", "USA")], recorded_by="t")
        await asyncio.sleep(0.005)
    stop.set()
    await task

    assert seen == committed
    assert appended_during > 0
    assert (await store.head()).position == 60 + 1 + appended_during
    # a new snapshot sees everything
    again = [event async for batch in store.snapshot(batch_size=1000) for event in batch]
    assert again == await everything(store)


# --- concurrency ---------------------------------------------------------------------------------

WRITERS = 8
APPENDS_PER_WRITER = profiles.APPENDS_PER_WRITER.value()
SHARED = 4  # streams every writer appends to at a time
# An append re-reads the whole history of the streams it touches (the projections), so its cost
# grows with the stream's length: the writers move to fresh streams every ROUND appends to keep
# the streams short and the test quick, as real meeting streams are.
ROUND = 20


def shared_stream(number: int, j: int) -> str:
    return f"meeting/shared-{j // ROUND}-{(number + j) % SHARED}"


def own_stream(number: int, j: int) -> str:
    return f"meeting/own-{number}-{j // (2 * ROUND)}"


async def test_concurrent_writers_and_a_tailing_reader(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=WRITERS + 4, max_overflow=10)
    shared_store = EventStore(engine)
    # On PostgreSQL every writer gets its own store (as separate processes would), so that only
    # the database orders the appends; on SQLite one store queues the writers of a process.
    stores = [
        shared_store if shared_store.is_sqlite else EventStore(engine) for _ in range(WRITERS)
    ]
    succeeded: list[RecordedEvent] = []
    conflicts: list[ConcurrencyConflict] = []
    seen: list[RecordedEvent] = []
    writers_done = asyncio.Event()

    async def writer(number: int) -> None:
        writer_store = stores[number]
        known: dict[str, int] = defaultdict(int)
        for j in range(APPENDS_PER_WRITER):
            if j % 2:
                stream = shared_stream(number, j)
                slug = stream.split("/", 1)[1]
                # the version just before appending: other writers may append in between
                newer = await writer_store.read_stream(stream, after_version=known[stream])
                if newer:
                    known[stream] = newer[-1].version
                try:
                    recorded = await writer_store.append(
                        [meeting(slug, "USA")],
                        recorded_by=f"writer-{number}",
                        expected_version=known[stream],
                    )
                except ConcurrencyConflict as conflict:
                    assert conflict.stream == stream
                    assert conflict.expected == known[stream]
                    assert conflict.actual > conflict.expected
                    conflicts.append(conflict)
                    continue
            else:
                slug = own_stream(number, j).split("/", 1)[1]
                recorded = await writer_store.append(
                    [meeting(slug, "CHN")], recorded_by=f"writer-{number}"
                )
            assert len(recorded) == 1
            succeeded.extend(recorded)

    async def reader() -> None:
        last = 0
        while True:
            done = writers_done.is_set()
            batch = await shared_store.read_all(after_position=last, limit=250)
            for event in batch:
                assert event.position == last + 1, f"gap or reorder after {last}"
                last = event.position
            seen.extend(batch)
            if not batch:
                if done:
                    return
                await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    try:
        await asyncio.gather(*(writer(number) for number in range(WRITERS)))
        writers_done.set()
        await reading
        head = await shared_store.head()
        log = await everything(shared_store)
    finally:
        reading.cancel()
        await engine.dispose()

    # every commit, once, in position order without gaps
    assert conflicts, "the shared streams should have produced conflicts"
    assert head.count == head.position == len(succeeded) == len(log)
    assert len(succeeded) + len(conflicts) == WRITERS * APPENDS_PER_WRITER
    assert [event.position for event in seen] == list(range(1, head.position + 1))
    assert seen == log
    assert len({event.id for event in seen}) == len(seen)
    assert {event.id: event for event in succeeded} == {event.id: event for event in seen}
    assert len({event.position for event in succeeded}) == len(succeeded)
    times = [event.recorded_at for event in seen]
    assert times == sorted(times)
    # per-stream versions are 1..n without gaps, and in position order
    versions: dict[str, list[int]] = defaultdict(list)
    for event in seen:
        versions[event.stream].append(event.version)
    shared = {shared_stream(n, j) for n in range(WRITERS) for j in range(APPENDS_PER_WRITER)}
    own = {own_stream(n, j) for n in range(WRITERS) for j in range(APPENDS_PER_WRITER)}
    assert set(versions) <= shared | own
    assert own <= set(versions)
    for stream, numbers in versions.items():
        assert numbers == list(range(1, len(numbers) + 1)), stream
    assert sum(len(versions[stream]) for stream in own) == WRITERS * APPENDS_PER_WRITER // 2
    own_appends = Counter(
        own_stream(n, j) for n in range(WRITERS) for j in range(0, APPENDS_PER_WRITER, 2)
    )
    assert {stream: len(versions[stream]) for stream in own} == own_appends


class _Held:
    """A projection of meetings whose fold waits on `release` (on the writer thread): it holds
    an append in the middle of its transaction for as long as the test wants."""

    kinds = frozenset({"meeting"})
    tables: tuple[Any, ...] = ()

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def start(self, stream: str) -> _Held:
        return self

    def add(self, events: Sequence[Any]) -> Changes:
        self.entered.set()
        assert self.release.wait(timeout=30), "the test never released the append"
        return Changes()


@asynccontextmanager
async def sqlite_store(
    directory: Path, template: Path, projection: Any
) -> AsyncIterator[tuple[EventStore, list[int]]]:
    """A store on a fresh SQLite copy of `template` with only `projection`, and the head
    positions it announces to tailing readers."""
    path = directory / "timeline.db"
    shutil.copy(template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    store = EventStore(engine, [projection])
    announced: list[int] = []
    store.on_append(announced.append)
    try:
        yield store, announced
    finally:
        await store.close()
        await engine.dispose()


async def test_a_cancelled_append_on_sqlite_still_commits_whole_and_is_announced(
    tmp_path: Path, sqlite_template: Path
) -> None:
    # On SQLite a single append runs on the store's writer thread, which a cancelled caller
    # cannot stop: the append must then commit whole AND be announced to tailing readers, or a
    # subscriber would wait for an event the log already holds.
    held = _Held()
    async with sqlite_store(tmp_path, sqlite_template, held) as (store, announced):
        task = asyncio.create_task(store.append([meeting("held", "USA")], recorded_by="t"))
        assert await asyncio.to_thread(held.entered.wait, 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        held.release.set()
        await store.close()  # waits for the writer thread's transaction
        assert (await store.head()).position == 1
        assert announced == [1]
        # The next append, on a new writer thread, follows it.
        recorded = await store.append([meeting("next", "CHN")], recorded_by="t")
        assert [event.position for event in recorded] == [2]
        assert announced == [1, 2]


class _Failing:
    """A projection of meetings whose fold fails on the meeting `failing`: the error comes
    after the append has inserted its events."""

    kinds = frozenset({"meeting"})
    tables: tuple[Any, ...] = ()
    stream = ""

    def start(self, stream: str) -> _Failing:
        fold = _Failing()
        fold.stream = stream
        return fold

    def add(self, events: Sequence[Any]) -> Changes:
        if self.stream == "meeting/failing":
            raise RuntimeError("the projection failed")
        return Changes()


async def test_an_append_failing_in_its_projections_on_sqlite_leaves_nothing(
    tmp_path: Path, sqlite_template: Path
) -> None:
    async with sqlite_store(tmp_path, sqlite_template, _Failing()) as (store, announced):
        await store.append([meeting("first", "USA")], recorded_by="t")
        with pytest.raises(RuntimeError, match="the projection failed"):
            await store.append(
                [meeting("second", "USA"), meeting("failing", "USA")], recorded_by="t"
            )
        assert [event.stream for event in await store.read_all()] == ["meeting/first"]
        recorded = await store.append([meeting("third", "CHN")], recorded_by="t")
        assert [event.position for event in recorded] == [2]
        assert announced == [1, 2]


# --- the statements of one append ----------------------------------------------------------------


@asynccontextmanager
async def statements_sent() -> AsyncIterator[list[str]]:
    """The first word of every statement, BEGIN and COMMIT any engine sends meanwhile (on
    SQLite the append's run on the writer thread's engine, so listen on every Engine)."""
    sent: list[str] = []

    def statement(_conn: Any, _cursor: Any, text: str, *_args: Any) -> None:
        sent.append(text.split(None, 1)[0].upper())

    def began(conn: Any) -> None:
        if conn.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE is a statement (seen)
            sent.append("BEGIN")

    def committed(_conn: Any) -> None:
        sent.append("COMMIT")

    hooks = [("before_cursor_execute", statement), ("begin", began), ("commit", committed)]
    for name, hook in hooks:
        sa_event.listen(Engine, name, hook)
    try:
        yield sent
    finally:
        for name, hook in hooks:
            sa_event.remove(Engine, name, hook)


async def test_an_append_is_one_transaction_of_few_round_trips(store: EventStore) -> None:
    """On PostgreSQL every statement is a round trip: an append makes four (BEGIN, the lock and
    every lookup, every write with the NOTIFY, COMMIT), whatever it touches; on SQLite it is one
    transaction on the writer thread. The projections still equal a rebuild (the fixture)."""
    [held] = await store.append([meeting("m", "USA", "CHN")], recorded_by="t")
    cases = [
        [meeting("n", "USA", "FRA")],  # a new stream
        [correction("meeting/m", held.id, "2024-01-28")],  # an existing one: rows closed
        [actor("acme"), statement("s", issuer="acme"), retraction("meeting/m", held.id)],
    ]
    for events in cases:
        async with statements_sent() as sent:
            await store.append(events, recorded_by="t")
        if store.is_sqlite:
            assert sent[0] == "BEGIN" and sent[-1] == "COMMIT", sent
            assert sent.count("BEGIN") == 1 and sent.count("COMMIT") == 1, sent
        else:
            assert sent == ["BEGIN", "SELECT", "WITH", "COMMIT"], sent
    assert [e.type for e in await everything(store)][-1] == "EventRetracted"
