"""A log written before the notices, disputes and involvement were added reads back the same.

tests/fixtures/log-before-notices.jsonl was exported by the code of the commit before them
(every event type of that time, in three transactions, with a correction and a retraction).
Every change since is additive (new types, new enum values, references that take more than
they did), so no payload needed an upcaster: each reads as it was written, at its
schemaVersion, and the new projections are filled from it as a rebuild fills them (the `store`
fixture verifies them after the test).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from events.interchange.jsonl import export_jsonl, import_jsonl
from events.store import EventStore
from events.types import EVENT_TYPES, upcast
from events.views.changes import relation_events
from events.views.relation import relation
from events.views.timeline import EventFilter, events_timeline

FIXTURE = Path(__file__).parent / "fixtures" / "log-before-notices.jsonl"
LINES = FIXTURE.read_text(encoding="utf-8").splitlines()
NOW = datetime(2030, 1, 1, tzinfo=UTC)


async def imported(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")


def test_every_payload_of_the_old_log_reads_at_its_schema_version_unchanged() -> None:
    for line in LINES:
        event = json.loads(line)
        assert event["schemaVersion"] == EVENT_TYPES[event["type"]].schema_version == 1
        data = upcast(event["type"], event["schemaVersion"], event["data"])
        typed = EVENT_TYPES[event["type"]].model_validate(data)
        assert typed.to_json() == event["data"]


async def test_the_old_log_imports_and_exports_the_same(store: EventStore) -> None:
    await imported(store)
    written: list[str] = []
    await export_jsonl(store, written.append)
    again = "".join(written).splitlines()
    assert [json.loads(line) for line in again] == [json.loads(line) for line in LINES]


async def test_the_old_log_reads_right_in_the_new_views(store: EventStore) -> None:
    await imported(store)
    view = await relation(store.engine, "JPN", "KOR", date(2020, 1, 1), NOW)
    assert [m.measure for m in view.measures_in_force] == ["measure/answer", "measure/controls"]
    [gsomia] = view.shared_instruments
    assert gsomia.a is not None and gsomia.b is not None
    assert (gsomia.a.status, gsomia.b.status) == ("ACTIVE", "ACTIVE")
    assert [(d.dialogue, d.status) for d in view.dialogues] == [("dialogue/talks", "ACTIVE")]
    assert view.disputes == ()
    # A meeting scheduled in 2024-01 and cancelled, whose cancellation was retracted: planned.
    later = await relation(store.engine, "USA", "KOR", date(2024, 6, 1), NOW)
    assert later.upcoming == ("meeting/cancelled",)


@pytest.mark.parametrize(
    ("actor", "streams"),
    [
        # The lift names nobody: it involves the measure's imposer and target (and kita, whom
        # an amendment added, only where it is named).
        ("kita", {"actor/kita", "measure/controls", "dialogue/talks"}),
        # Sullivan counts for the USA; the woodside meeting names him.
        ("jake-sullivan", {"actor/jake-sullivan", "meeting/woodside", "statement/mofa"}),
    ],
)
async def test_old_events_involve_their_streams_actors(
    store: EventStore, actor: str, streams: set[str]
) -> None:
    await imported(store)
    page = await events_timeline(store.engine, EventFilter(actors=(actor,)), first=100)
    assert {entry.stream for entry in page.items} == streams


async def test_what_happened_between_two_dates_in_the_old_log(store: EventStore) -> None:
    await imported(store)
    page = await relation_events(
        store.engine, "JPN", "KOR", date(2019, 6, 1), date(2023, 12, 31), first=100, known_at=NOW
    )
    types = [(entry.stream, entry.type) for entry in page.items]
    assert ("measure/controls", "MeasureImposed") in types
    assert ("measure/controls", "MeasureLifted") in types
    assert ("dialogue/talks", "DialogueEnded") in types
