"""Knowledge time moves only forward with the clock (events/store.py, docs/guarantees.md): an
imported recordedAt past the clock plus the skew is refused by line, the server's own stamps are
never ahead of its clock, and a head ahead of a replica's clock makes it wait (within the skew)
or refuse (past it). The store's clock is a fake one here, an offset from the system clock."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from events.db import create_engine
from events.errors import ClockBehind
from events.interchange.jsonl import ImportFailed, import_jsonl
from events.store import EventStore
from events.types import NewEvent, format_timestamp
from events.views.objects import events_at
from tests.api_client import api_client
from tests.factories import event_json, meeting
from tests.servers import AUTH
from tests.test_store import everything, refused, restored


@dataclass
class FakeClock:
    """The system clock shifted by `offset`: a replica whose clock is behind (or ahead)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def stamped(stream: str, recorded_at: datetime) -> NewEvent:
    """A MeetingHeld restored with its recordedAt."""
    return restored(
        stream, "MeetingHeld", format_timestamp(recorded_at), title="T", participants=["USA"]
    )


def line(stream: str, recorded_at: datetime) -> str:
    """A JSON Lines import line of a MeetingHeld recorded at `recorded_at`."""
    obj = {
        **event_json(stream, "MeetingHeld", title="T", participants=["USA"]),
        "recordedAt": format_timestamp(recorded_at),
    }
    return json.dumps(obj)


async def test_a_recorded_at_past_the_clock_and_skew_is_refused_naming_its_line(
    store: EventStore,
) -> None:
    store.clock = FakeClock()
    past = datetime(2020, 1, 1, tzinfo=UTC)
    lines = [line("meeting/a", past), line("meeting/b", datetime(2999, 1, 1, tzinfo=UTC))]
    with pytest.raises(ImportFailed) as caught:
        await import_jsonl(store, lines, recorded_by="importer")
    message = str(caught.value)
    assert "line 2: recordedAt:" in message and "later than this server's clock" in message
    assert "line 1" not in message
    assert await everything(store) == []
    # The clock's time plus less than the skew is accepted, plus more is not.
    soon = datetime.now(UTC) + store.max_skew / 2
    late = datetime.now(UTC) + store.max_skew * 3
    error = await refused(store, [stamped("meeting/c", late)])
    assert [(p.index, p.field) for p in error.problems] == [(0, "recordedAt")]
    await store.append([stamped("meeting/d", soon)], recorded_by="importer")


async def test_own_stamps_follow_the_clock_and_a_write_is_read_at_once(
    store: EventStore,
) -> None:
    store.clock = FakeClock()
    # The head within the skew ahead of the clock: the next append waits until the clock has
    # passed it, then stamps the clock's time (never the head's future one).
    ahead = store.clock() + store.max_skew / 4
    await store.append([stamped("meeting/a", ahead)], recorded_by="importer")
    [event] = await store.append([meeting("b", "USA")], recorded_by="tester")
    assert event.recorded_at >= ahead
    assert event.recorded_at <= store.clock()
    # Read-your-writes: the event is there as known now.
    found = await events_at(store.engine, ids=[event.id])
    assert [view.recorded.id for view in found] == [event.id]
    stamps = [e.recorded_at for e in await everything(store)]
    assert stamps == sorted(stamps)


async def test_a_replica_far_behind_the_head_refuses_to_stamp(store: EventStore) -> None:
    await store.append([meeting("a", "USA")], recorded_by="replica-1")
    # Another replica whose clock is an hour slow: stamping the clock's time would send
    # knowledge time back, stamping the head's would put it ahead of the clock.
    store.clock = FakeClock(-timedelta(hours=1))
    before = await everything(store)
    with pytest.raises(ClockBehind, match="ahead of this server's clock"):
        await store.append([meeting("b", "USA")], recorded_by="replica-2")
    assert await everything(store) == before


async def test_a_future_line_is_refused_and_read_your_writes_holds_after_it(
    database_url: str,
) -> None:
    future = line("meeting/future", datetime(2999, 1, 1, tzinfo=UTC))
    engine = create_engine(database_url)
    try:
        with pytest.raises(ImportFailed, match="line 1: recordedAt"):
            await import_jsonl(EventStore(engine), [future], recorded_by="importer")
    finally:
        await engine.dispose()
    async with api_client(database_url) as http:
        answer = await http.post(
            "/graphql",
            json={
                "query": "mutation($input: RecordEventInput!) { recordEvent(input: $input) { "
                "event { id recordedAt } userErrors { message } } }",
                "variables": {
                    "input": {
                        "stream": "meeting/after",
                        "occurred": "2024-02-20",
                        "data": {"meetingHeld": {"title": "After", "participants": ["USA"]}},
                    }
                },
            },
            headers=AUTH,
        )
        recorded = answer.json()["data"]["recordEvent"]["event"]
        assert recorded is not None, answer.text
        read = await http.post(
            "/graphql",
            json={
                "query": f'{{ event(id: "{recorded["id"]}") {{ id }} events(first: 5) {{ '
                "edges { node { id } } } }"
            },
            headers=AUTH,
        )
        data = read.json()["data"]
        assert data["event"] == {"id": recorded["id"]}
        assert [edge["node"]["id"] for edge in data["events"]["edges"]] == [recorded["id"]]
