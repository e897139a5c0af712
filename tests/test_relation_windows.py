"""A relation view carries the latest RECENT contacts and statements; the rest are reached by
window."""

from __future__ import annotations

from datetime import date

from events.store import EventStore
from events.views.relation import RECENT, contacts_between, relation, statements_between
from tests.factories import meeting, new

COUNT = RECENT + 5


async def test_a_view_holds_the_latest_contacts_and_windows_hold_all(store: EventStore) -> None:
    meetings = [
        meeting(f"m{n:02d}", "USA", "CHN", occurred=f"2020-{n % 12 + 1:02d}-{n + 1:02d}")
        for n in range(COUNT)
    ]
    said = [
        new(
            f"statement/s{n:02d}",
            "StatementIssued",
            f"2021-01-{n + 1:02d}",
            issuer="CHN",
            summary="On the United States",
            about=["USA"],
            stance="NEUTRAL",
        )
        for n in range(COUNT)
    ]
    await store.append([*meetings, *said], recorded_by="t")
    view = await relation(store.engine, "USA", "CHN", date(2022, 1, 1))
    everything = await contacts_between(store.engine, "USA", "CHN", None, date(2022, 1, 1))
    assert len(everything) == COUNT
    ordered = sorted(everything, key=lambda c: (c.held.earliest, c.held.latest))
    assert list(everything) == ordered
    assert view.contacts == everything[-RECENT:]
    assert view.last_contact == everything[-1]
    # a window: after the 3rd meeting's day, by the 8th's
    window = await contacts_between(
        store.engine, "USA", "CHN", everything[2].held.earliest, everything[7].held.earliest
    )
    assert window == everything[3:8]
    statements = await statements_between(store.engine, "CHN", "USA", None, date(2022, 1, 1))
    assert len(statements) == COUNT
    assert view.statements == statements[-RECENT:]
    assert [s.statement for s in statements] == [f"statement/s{n:02d}" for n in range(COUNT)]
