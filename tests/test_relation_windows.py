"""A relation view carries the latest RECENT contacts and statements; the rest are reached by
window."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from events.db import events_table
from events.store import EventStore
from events.views.relation import (
    RECENT,
    contacts_between,
    contacts_page,
    relation,
    statements_between,
    statements_page,
)
from tests.factories import actor, meeting, new

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


async def test_contacts_page_by_page_equal_the_whole_window(store: EventStore) -> None:
    # Several meetings on one day (same key but for the position), people who count for their
    # country, and a meeting of one side only, which is no contact.
    people = [
        new("actor/envoy", "ActorRegistered", "2000", name="Envoy", kind="PERSON", country="USA"),
        new("actor/aide", "ActorRegistered", "2000", name="Aide", kind="PERSON", country="CHN"),
    ]
    meetings = [
        meeting(f"m{n:02d}", *pair, occurred=f"2020-{n % 4 + 1:02d}-0{n % 3 + 1}")
        for n, pair in enumerate(
            [("USA", "CHN"), ("envoy", "CHN"), ("USA", "aide"), ("envoy", "aide")] * 4
        )
    ]
    await store.append([*people, *meetings, meeting("alone", "USA", "GBR")], recorded_by="t")
    until = date(2021, 1, 1)
    everything = await contacts_between(store.engine, "USA", "CHN", None, until)
    assert len(everything) == 16
    for since in (None, date(2020, 2, 1)):
        expected = [c for c in everything if since is None or c.held.earliest > since]
        seen, after = [], None
        while True:
            page = await contacts_page(
                store.engine, "USA", "CHN", first=3, after=after, since=since, until=until
            )
            assert page.total == len(expected)
            seen += [contact for _, contact in page.items]
            if not page.has_next:
                break
            after = page.items[-1][0]
        assert seen == expected


async def test_statements_page_by_page_equal_the_whole_window(store: EventStore) -> None:
    # Statements on the same day, about several actors at once, and one about a third party.
    said = [
        new(
            f"statement/s{n:02d}",
            "StatementIssued",
            f"2021-0{n % 3 + 1}-01",
            issuer=issuer,
            summary="On the other side",
            about=about,
        )
        for n, (issuer, about) in enumerate(
            [("CHN", ["USA"]), ("USA", ["CHN", "GBR"]), ("CHN", ["USA", "JPN"])] * 4
        )
    ]
    aside = new("statement/aside", "StatementIssued", "2021-01-01", issuer="USA", summary="x")
    await store.append([*said, aside], recorded_by="t")
    until = date(2022, 1, 1)
    everything = await statements_between(store.engine, "USA", "CHN", None, until)
    assert len(everything) == 12
    seen, after = [], None
    while True:
        page = await statements_page(store.engine, "USA", "CHN", first=5, after=after, until=until)
        assert page.total == 12
        seen += [item for _, item in page.items]
        if not page.has_next:
            break
        after = page.items[-1][0]
    assert seen == list(everything)


async def test_a_side_of_hundreds_of_actors(store: EventStore) -> None:
    # 600 people who count for the USA: more walks than one SQLite UNION ALL may hold (500).
    people = [
        new(f"actor/p{n}", "ActorRegistered", "2000", name=f"P{n}", kind="PERSON", country="USA")
        for n in range(600)
    ]
    said = new(
        "statement/s",
        "StatementIssued",
        "2021-06-01",
        issuer="p150",
        summary="On China",
        about=["CHN"],
    )
    await store.append(
        [*people, meeting("m", "p599", "CHN", occurred="2021-05-01"), said], recorded_by="t"
    )
    view = await relation(store.engine, "USA", "CHN", date(2022, 1, 1))
    assert view.last_contact is not None and view.last_contact.meeting == "meeting/m"
    assert [s.statement for s in view.statements] == ["statement/s"]
    page = await contacts_page(store.engine, "USA", "CHN", first=5, until=date(2022, 1, 1))
    assert page.total == 1 and [c.meeting for _, c in page.items] == ["meeting/m"]


async def test_a_pair_that_met_long_ago_behind_many_other_meetings(store: EventStore) -> None:
    # The one USA-CHN contact lies behind dozens of meetings of each with others: the pair's
    # own index range finds it, and a meeting of several people of one side counts once.
    await store.append(
        [
            actor("li-wei", kind="PERSON", country="CHN"),
            meeting("long-ago", "USA", "CHN", "li-wei", occurred="2001-05-04"),
            *(
                meeting(f"gb{n}", "USA", "GBR", occurred=f"20{10 + n // 12}-{n % 12 + 1:02d}-01")
                for n in range(40)
            ),
            *(
                meeting(f"fr{n}", "CHN", "FRA", occurred=f"20{10 + n // 12}-{n % 12 + 1:02d}-02")
                for n in range(40)
            ),
        ],
        recorded_by="t",
    )
    view = await relation(store.engine, "USA", "CHN", date(2020, 1, 1))
    assert view.last_contact is not None
    assert view.last_contact.meeting == "meeting/long-ago"
    assert [c.meeting for c in view.contacts] == ["meeting/long-ago"]
    page = await contacts_page(store.engine, "USA", "CHN", first=5, until=date(2020, 1, 1))
    assert (page.total, [c.meeting for _, c in page.items]) == (1, ["meeting/long-ago"])


async def test_an_actor_on_both_sides_connects_them_in_each_meeting_it_attends(
    store: EventStore,
) -> None:
    # An American envoy meeting France alone: a contact between the USA and the envoy (the
    # envoy counts for the USA), found although no pair of two different participants is
    # one of each side.
    await store.append(
        [
            actor("us-envoy", kind="PERSON", country="USA"),
            meeting("paris", "us-envoy", "FRA", occurred="2023-03-01"),
            meeting("elsewhere", "GBR", "FRA", occurred="2023-04-01"),
        ],
        recorded_by="t",
    )
    view = await relation(store.engine, "USA", "us-envoy", date(2024, 1, 1))
    assert [c.meeting for c in view.contacts] == ["meeting/paris"]
    page = await contacts_page(store.engine, "us-envoy", "USA", first=5, until=date(2024, 1, 1))
    assert (page.total, [c.meeting for _, c in page.items]) == (1, ["meeting/paris"])


async def test_a_meeting_held_again_and_a_corrected_statement_count_once_at_every_instant(
    store: EventStore,
) -> None:
    # The totals count distinct event positions: each version of a meeting or a statement has
    # one, on all of its rows (a row per pair of participants, per actor spoken about), and a
    # new version's rows replace the old ones. Counted now and as known before the new
    # versions, on both sides, and with an actor on both sides (the envoy counts for the USA).
    held = meeting("m", "USA", "envoy", "CHN", "li-wei", occurred="2020-03-01")
    said = new(
        "statement/s",
        "StatementIssued",
        "2020-03-02",
        issuer="CHN",
        summary="On the United States",
        about=["USA", "envoy"],
    )
    people = [actor("envoy", kind="PERSON", country="USA"), actor("li-wei", country="CHN")]
    await store.append([*people, held, said], recorded_by="t")
    async with store.engine.connect() as conn:
        (before,) = (await conn.execute(select(func.max(events_table.c.recorded_at)))).one()
    again = meeting("m", "CHN", "envoy", "li-wei", "USA", occurred="2020-03-05")
    fixed = new(
        "statement/s",
        "EventCorrected",
        "2020-03-03",
        target=str(said.id),
        reason="The envoy first.",
        data={"about": ["envoy", "USA"]},
    )
    await store.append([again, fixed], recorded_by="t")
    until = date(2021, 1, 1)
    for known_at in (None, before):
        for a, b in (("USA", "CHN"), ("CHN", "USA"), ("USA", "envoy")):
            contacts = await contacts_page(
                store.engine, a, b, first=5, until=until, known_at=known_at
            )
            assert (contacts.total, len(contacts.items)) == (1, 1), (a, b, known_at)
        said_page = await statements_page(
            store.engine, "USA", "CHN", first=5, until=until, known_at=known_at
        )
        assert (said_page.total, len(said_page.items)) == (1, 1), known_at


async def test_latest_contacts_partly_inside_the_recent_window(store: EventStore) -> None:
    # Seven meetings in the two years before the date and five long before: the view looks
    # first in the last two years, finds fewer than RECENT and must still hold the latest
    # RECENT of all, in date order; known at an instant before the later ones were recorded,
    # only the old ones.
    old = [meeting(f"old{n}", "USA", "CHN", occurred=f"2001-03-0{n + 1}") for n in range(5)]
    await store.append(old, recorded_by="t")
    async with store.engine.connect() as conn:
        (between,) = (await conn.execute(select(func.max(events_table.c.recorded_at)))).one()
    recent = [meeting(f"new{n}", "CHN", "USA", occurred=f"2021-05-1{n}") for n in range(7)]
    await store.append(recent, recorded_by="t")
    view = await relation(store.engine, "USA", "CHN", date(2022, 1, 1))
    assert [c.meeting for c in view.contacts] == [
        *(f"meeting/old{n}" for n in range(2, 5)),
        *(f"meeting/new{n}" for n in range(7)),
    ]
    then = await relation(store.engine, "USA", "CHN", date(2022, 1, 1), between)
    assert [c.meeting for c in then.contacts] == [f"meeting/old{n}" for n in range(5)]
