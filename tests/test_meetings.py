"""The meetings projection: a meeting's standing as a plan or as held, as known at an instant."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from events.projections.tables import meetings
from events.store import EventStore
from events.views.axes import known
from events.views.relation import relation
from tests.factories import new


async def standing(store: EventStore, stream: str, known_at: datetime | None = None) -> tuple:
    at = known_at or datetime.now(UTC)
    query = select(
        meetings.c.status, meetings.c.planned_edtf, meetings.c.held_edtf, meetings.c.participants
    ).where(meetings.c.stream == stream, known(meetings, at))
    async with store.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    assert len(rows) <= 1
    return tuple(rows[0]) if rows else ()


async def test_a_plan_postponed_then_held(store: EventStore) -> None:
    scheduled = new(
        "meeting/ai-talks",
        "MeetingScheduled",
        "2024-02",
        title="US-China AI talks",
        participants=["US", "CN"],
        planned="2024-21",
    )
    [first] = await store.append([scheduled], recorded_by="t")
    assert await standing(store, "meeting/ai-talks") == (
        "SCHEDULED",
        "2024-21",
        None,
        json.dumps(["USA", "CHN"], separators=(",", ":")),
    )
    await store.append(
        [new("meeting/ai-talks", "MeetingPostponed", "2024-04", planned="2024-05")],
        recorded_by="t",
    )
    assert (await standing(store, "meeting/ai-talks"))[:3] == ("POSTPONED", "2024-05", None)
    await store.append(
        [
            new(
                "meeting/ai-talks",
                "MeetingHeld",
                "2024-05-14",
                title="US-China AI talks in Geneva",
                participants=["USA", "CHN"],
            )
        ],
        recorded_by="t",
    )
    assert (await standing(store, "meeting/ai-talks"))[:3] == ("HELD", "2024-05", "2024-05-14")
    # as known when only the plan was recorded
    assert (await standing(store, "meeting/ai-talks", first.recorded_at))[0] == "SCHEDULED"


async def test_a_cancelled_meeting_is_no_contact(store: EventStore) -> None:
    await store.append(
        [
            new(
                "meeting/visit",
                "MeetingScheduled",
                title="State visit",
                participants=["USA", "CHN"],
            ),
            new("meeting/visit", "MeetingCancelled", reason="Balloon incident"),
        ],
        recorded_by="t",
    )
    assert (await standing(store, "meeting/visit"))[0] == "CANCELLED"
    view = await relation(store.engine, "USA", "CHN")
    assert view.last_contact is None and view.contacts == ()
