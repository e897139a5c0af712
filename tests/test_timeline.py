"""The timeline view (`events.views.timeline.events_timeline`): filters, order, keyset paging and
knowledge time, on a small log from the seed article and, in a property test, on random logs
compared with a naive filter over the log as known at `known_at`.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from events.dates import Edtf, parse
from events.interchange.formats import FORMATS
from events.interchange.selection import ExportQuery
from events.store import EventStore
from events.types import EVENT_TYPES, RecordedEvent, actor_refs, event_from_json, upcast
from events.views.states import Page, TimelineEntry
from events.views.timeline import EventFilter, events_timeline
from tests import oracle, profiles
from tests.conftest import BACKENDS, FreshEngine
from tests.strategies import ACTORS, boundary_days, known_at_points, load_log, logs

# --- a small log ---------------------------------------------------------------------------------

R0 = "2024-02-01T00:00:00Z"  # the log as first recorded
R1 = "2024-02-02T00:00:00Z"  # the Vienna meeting
R2 = "2024-02-03T00:00:00Z"  # Bangkok moved to March
R3 = "2024-02-04T00:00:00Z"  # the chip controls retracted


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def later(stamp: str, minutes: int = 1) -> datetime:
    return at(stamp) + timedelta(minutes=minutes)


def ev(stream: str, type_name: str, occurred: str, recorded: str, /, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "stream": stream,
        "type": type_name,
        "occurred": occurred,
        "recordedAt": recorded,
        "data": data,
        "sources": [{"title": "China, US are taking baby steps to cooperate on AI"}],
    }


async def append(store: EventStore, *events: dict[str, Any]) -> None:
    await store.append([event_from_json(e, restoring=True) for e in events], recorded_by="test")


# Entries are named by (stream, type).
JAKE = ("actor/jake-sullivan", "ActorRegistered")
WANG = ("actor/wang-yi", "ActorRegistered")
LISTING = ("measure/entity-listing", "MeasureImposed")
CHIPS = ("measure/chips", "MeasureImposed")
BLETCHLEY = ("instrument/bletchley", "InstrumentAdopted")
DIALOGUE = ("dialogue/ai", "DialogueEstablished")
WOODSIDE = ("meeting/woodside", "MeetingHeld")
NOVEMBER = ("statement/november", "StatementIssued")
BANGKOK = ("meeting/bangkok", "MeetingHeld")
READOUT = ("statement/readout", "StatementIssued")
OPEN_END = ("statement/open-end", "StatementIssued")
OPEN_START = ("statement/open-start", "StatementIssued")
VIENNA = ("meeting/vienna", "MeetingHeld")
MOVED = ("meeting/bangkok", "EventCorrected")
RETRACTION = ("measure/chips", "EventRetracted")

# Positions in the order appended.
POSITION = {
    name: number
    for number, name in enumerate(
        [
            JAKE,
            WANG,
            LISTING,
            CHIPS,
            BLETCHLEY,
            DIALOGUE,
            WOODSIDE,
            NOVEMBER,
            BANGKOK,
            READOUT,
            OPEN_END,
            OPEN_START,
            VIENNA,
            MOVED,
            RETRACTION,
        ],
        start=1,
    )
}


async def seed(store: EventStore) -> None:
    chips = ev(
        CHIPS[0],
        "MeasureImposed",
        "2022-10~",
        R0,
        title="Advanced computing export controls",
        kind="EXPORT_CONTROL",
        imposer="USA",
        targets=["CHN"],
    )
    bangkok = ev(
        BANGKOK[0],
        "MeetingHeld",
        "2024-01-26/2024-01-27",
        R0,
        title="Sullivan-Wang talks, Bangkok",
        participants=["jake-sullivan", "wang-yi"],
    )
    woodside = ev(
        WOODSIDE[0],
        "MeetingHeld",
        "2023-11-15",
        R0,
        title="Biden-Xi summit, Woodside",
        participants=["USA", "CHN"],
    )
    woodside["note"] = "Reported by The Straits Times"
    await append(
        store,
        ev(JAKE[0], "ActorRegistered", "2000", R0, name="Jake Sullivan", kind="PERSON",
           country="USA"),
        ev(WANG[0], "ActorRegistered", "2000", R0, name="Wang Yi", kind="PERSON", country="CHN"),
        ev(LISTING[0], "MeasureImposed", "2019-10", R0, title="Entity listing of Huawei",
           kind="ENTITY_LISTING", imposer="USA", targets=["CHN"], scope="sub_system exports"),
        chips,
        ev(BLETCHLEY[0], "InstrumentAdopted", "2023-11-01", R0, title="The Bletchley Declaration",
           kind="DECLARATION", parties=[{"actor": "GBR", "action": "SIGN"},
                                        {"actor": "USA", "action": "SIGN"},
                                        {"actor": "CHN", "action": "SIGN"}]),
        ev(DIALOGUE[0], "DialogueEstablished", "2023-11-15", R0, name="US-China talks on AI",
           track="TRACK_I", parties=["USA", "CHN"], topic="military AI"),
        woodside,
        ev(NOVEMBER[0], "StatementIssued", "2023-11", R0, issuer="USA", about=["CHN"],
           summary="Tariff of 100% on electric vehicles", stance="CRITICAL"),
        bangkok,
        ev(READOUT[0], "StatementIssued", "2024-01-27", R0, issuer="CHN", about=["USA"],
           summary="Wang Yi and Sullivan had candid, substantive talks"),
        ev(OPEN_END[0], "StatementIssued", "2021-05/..", R0, issuer="FRA", about=["GBR"],
           summary="A position held ever since"),
        ev(OPEN_START[0], "StatementIssued", "../2018-05-01", R0, issuer="GBR",
           summary="A position of unknown start"),
    )  # fmt: skip
    await append(
        store,
        ev(VIENNA[0], "MeetingHeld", "2023-05-10", R1, title="Sullivan-Wang talks, Vienna",
           participants=["jake-sullivan", "wang-yi"]),
    )  # fmt: skip
    await append(
        store,
        ev(BANGKOK[0], "EventCorrected", "2024-02-19", R2, target=bangkok["id"],
           reason="The talks were in March", occurred="2024-03-01"),
    )  # fmt: skip
    await append(
        store,
        ev(CHIPS[0], "EventRetracted", "2024-02-04", R3, target=chips["id"],
           reason="Filed under the wrong stream"),
    )  # fmt: skip


# Everything as known now, in timeline order, retracted events included.
EVERYTHING = [
    OPEN_START,  # ../2018-05-01: no earliest day
    JAKE,  # 2000, and by position
    WANG,
    LISTING,  # 2019-10
    OPEN_END,  # 2021-05/..
    CHIPS,  # 2022-10~ (retracted)
    VIENNA,  # 2023-05-10
    BLETCHLEY,  # 2023-11-01: same earliest as November, earlier latest
    NOVEMBER,  # 2023-11
    DIALOGUE,  # 2023-11-15, and by position
    WOODSIDE,
    READOUT,  # 2024-01-27
    RETRACTION,  # 2024-02-04
    MOVED,  # 2024-02-19
    BANGKOK,  # 2024-03-01 as corrected
]
VISIBLE = [name for name in EVERYTHING if name != CHIPS]


def names(page: Page) -> list[tuple[str, str]]:
    return [(entry.stream, entry.type) for entry in page.items]


async def timeline(store: EventStore, **kwargs: Any) -> list[tuple[str, str]]:
    """One page of up to 100 entries, which must hold the whole timeline."""
    known_at = kwargs.pop("known_at", None)
    page = await events_timeline(store.engine, EventFilter(**kwargs), first=100, known_at=known_at)
    assert not page.has_next and not page.has_previous
    assert page.total_count == len(page.items)
    return names(page)


# --- filters -----------------------------------------------------------------------------------


async def test_the_whole_timeline_in_date_order(store: EventStore) -> None:
    await seed(store)
    page = await events_timeline(store.engine, first=100)
    assert names(page) == VISIBLE
    assert [e.position for e in page.items] == [POSITION[name] for name in VISIBLE]
    assert page.items[0].occurred == parse("../2018-05-01")
    assert page.items[VISIBLE.index(OPEN_END)].occurred == parse("2021-05/..")
    assert page.total_count == len(VISIBLE)
    assert await timeline(store, include_retracted=True) == EVERYTHING


async def test_actors_must_all_take_part_and_count_for_their_country(store: EventStore) -> None:
    await seed(store)
    # Sullivan (USA) and Wang (CHN) meeting counts for the USA and China; a correction or
    # retraction names nobody and involves the actors of its stream's first event.
    assert await timeline(store, actors=("USA", "CHN")) == [
        LISTING, VIENNA, BLETCHLEY, NOVEMBER, DIALOGUE, WOODSIDE, READOUT, RETRACTION, MOVED,
        BANGKOK,
    ]  # fmt: skip
    assert await timeline(store, actors=("CHN", "USA")) == await timeline(
        store, actors=("USA", "CHN")
    )
    assert await timeline(store, actors=("wang-yi",)) == [WANG, VIENNA, MOVED, BANGKOK]
    assert await timeline(store, actors=("jake-sullivan", "CHN")) == [VIENNA, MOVED, BANGKOK]
    assert await timeline(store, actors=("GBR",)) == [OPEN_START, OPEN_END, BLETCHLEY]
    assert await timeline(store, actors=("GBR", "CHN")) == [BLETCHLEY]
    assert await timeline(store, actors=("GBR", "jake-sullivan")) == []
    assert await timeline(store, actors=("IND",)) == []


async def test_types_and_streams(store: EventStore) -> None:
    await seed(store)
    assert await timeline(store, types=("MeetingHeld",)) == [VIENNA, WOODSIDE, BANGKOK]
    assert await timeline(store, types=("MeetingHeld", "StatementIssued")) == [
        OPEN_START, OPEN_END, VIENNA, NOVEMBER, WOODSIDE, READOUT, BANGKOK,
    ]  # fmt: skip
    assert await timeline(store, streams=("meeting/bangkok",)) == [MOVED, BANGKOK]
    assert await timeline(
        store,
        streams=("meeting/bangkok", "measure/chips"),
        types=("EventCorrected", "EventRetracted"),
    ) == [RETRACTION, MOVED]
    assert await timeline(store, streams=("meeting/bangkok",), types=("DialogueEnded",)) == []
    assert await timeline(store, streams=("meeting/bangkok",), actors=("GBR",)) == []


async def test_dates_select_events_whose_bounds_overlap(store: EventStore) -> None:
    await seed(store)
    # "2019-10" may be 31 October 2019 and may be 1 October.
    day = date(2019, 10, 31)
    assert await timeline(store, start=day, end=day) == [LISTING]
    assert await timeline(store, start=date(2019, 10, 1), end=date(2019, 10, 1)) == [LISTING]
    assert await timeline(store, start=date(2019, 11, 1), end=date(2019, 12, 31)) == []
    assert await timeline(store, end=date(2019, 9, 30)) == [OPEN_START, JAKE, WANG]
    assert await timeline(store, end=date(2019, 10, 1)) == [OPEN_START, JAKE, WANG, LISTING]
    # An open end reaches any later day; an open start any earlier one.
    assert await timeline(store, start=date(2030, 1, 1)) == [OPEN_END]
    assert await timeline(store, end=date(1900, 1, 1)) == [OPEN_START]
    # Mid-November 2023: the month-long statement and the events of the day.
    middle = date(2023, 11, 15)
    assert await timeline(store, start=middle, end=middle) == [
        OPEN_END, NOVEMBER, DIALOGUE, WOODSIDE
    ]  # fmt: skip
    # The two Bangkok days before the correction moved the meeting to March.
    assert await timeline(
        store, start=date(2024, 1, 27), end=date(2024, 1, 27), known_at=later(R1)
    ) == [OPEN_END, BANGKOK, READOUT]
    assert await timeline(store, start=date(2024, 1, 27), end=date(2024, 1, 27)) == [
        OPEN_END,
        READOUT,
    ]


async def test_text_words_all_appear_in_any_case(store: EventStore) -> None:
    await seed(store)
    assert await timeline(store, text="BANGKOK") == [BANGKOK]
    assert await timeline(store, text="sullivan TALKS") == [VIENNA, READOUT, BANGKOK]
    assert await timeline(store, text="talks") == [
        VIENNA, DIALOGUE, READOUT, MOVED, BANGKOK
    ]  # fmt: skip
    assert await timeline(store, text="bangkok vienna") == []
    assert await timeline(store, text="sullivan") == [JAKE, VIENNA, READOUT, BANGKOK]
    # Every field the index keeps: name, topic, scope, summary, reason, and the note.
    assert await timeline(store, text="wang yi") == [WANG, READOUT]
    assert await timeline(store, text="military") == [DIALOGUE]
    assert await timeline(store, text="exports") == [LISTING]
    assert await timeline(store, text="march") == [MOVED]
    assert await timeline(store, text="wrong stream") == [RETRACTION]
    assert await timeline(store, text="straits") == [WOODSIDE]
    # Blank text filters nothing.
    assert await timeline(store, text="   ") == VISIBLE


async def test_percent_and_underscore_in_the_text_are_literal(store: EventStore) -> None:
    await seed(store)
    assert await timeline(store, text="100%") == [NOVEMBER]
    assert await timeline(store, text="10%") == []  # "%" is no wildcard: 100% does not match
    assert await timeline(store, text="%") == [NOVEMBER]
    assert await timeline(store, text="sub_system") == [LISTING]
    assert await timeline(store, text="t_lks") == []  # "_" is no wildcard: talks do not match
    assert await timeline(store, text="_") == [LISTING]
    assert await timeline(store, text="sub%system") == []
    assert await timeline(store, text="\\") == []


async def test_text_case_folding_is_not_limited_to_ascii(store: EventStore) -> None:
    await append(
        store,
        ev("meeting/elysee", "MeetingHeld", "2023-01-22", R0, title="Talks at the ÉLYSÉE palace",
           participants=["FRA", "DEU"]),
        ev("statement/zhou", "StatementIssued", "1954-06", R0, issuer="CHN",
           summary="Zhōu Ēnlái on peaceful coexistence"),
    )  # fmt: skip
    elysee = [("meeting/elysee", "MeetingHeld")]
    assert await timeline(store, text="ÉLYSÉE") == elysee
    assert await timeline(store, text="élysée") == elysee
    assert await timeline(store, text="Élysée palace") == elysee
    zhou = [("statement/zhou", "StatementIssued")]
    assert await timeline(store, text="zhōu ēnlái") == zhou
    assert await timeline(store, text="ZHŌU") == zhou


async def test_retracted_events_are_hidden_unless_asked_for(store: EventStore) -> None:
    await seed(store)
    assert CHIPS not in await timeline(store)
    page = await events_timeline(store.engine, EventFilter(include_retracted=True), first=100)
    assert names(page) == EVERYTHING
    assert [(e.stream, e.type) for e in page.items if e.retracted] == [CHIPS]
    # Before the retraction was recorded the measure is there, not retracted.
    earlier = await events_timeline(store.engine, first=100, known_at=later(R2))
    assert CHIPS in names(earlier)
    assert RETRACTION not in names(earlier)
    assert not any(e.retracted for e in earlier.items)
    # Exactly at the retraction's recordedAt it is known.
    assert CHIPS not in names(await events_timeline(store.engine, first=100, known_at=at(R3)))


async def test_knowledge_time(store: EventStore) -> None:
    await seed(store)
    empty = await events_timeline(store.engine, first=100, known_at=later(R0, -1))
    assert empty.items == ()
    assert empty.total_count == 0
    assert not empty.has_next
    # Before Vienna was recorded, and before Bangkok was moved: the original order.
    first = await events_timeline(store.engine, first=100, known_at=later(R0))
    assert names(first) == [
        OPEN_START, JAKE, WANG, LISTING, OPEN_END, CHIPS, BLETCHLEY, NOVEMBER, DIALOGUE, WOODSIDE,
        BANGKOK, READOUT,
    ]  # fmt: skip
    bangkok = first.items[names(first).index(BANGKOK)]
    assert bangkok.occurred == parse("2024-01-26/2024-01-27")
    assert bangkok.corrected_by is None
    # A naive known_at is UTC.
    naive = later(R0).replace(tzinfo=None)
    assert names(await events_timeline(store.engine, first=100, known_at=naive)) == names(first)
    # Vienna is known from its recordedAt on.
    assert VIENNA in names(await events_timeline(store.engine, first=100, known_at=at(R1)))
    assert VIENNA not in names(
        await events_timeline(store.engine, first=100, known_at=later(R1, -1))
    )
    # Once the correction is known Bangkok sorts after the readout, dated as corrected.
    before = await events_timeline(store.engine, first=100, known_at=later(R2, -1))
    assert names(before)[-2:] == [BANGKOK, READOUT]
    after = await events_timeline(store.engine, first=100, known_at=at(R2))
    assert names(after)[-3:] == [READOUT, MOVED, BANGKOK]
    moved = after.items[-1]
    assert moved.occurred == parse("2024-03-01")
    assert moved.corrected_by == POSITION[MOVED]
    assert after.items[-2].corrected_by is None
    assert (await events_timeline(store.engine, first=100)).items[-1] == moved


async def test_a_correction_of_a_retracted_event_changes_nothing(store: EventStore) -> None:
    """docs/projections.md, Knowledge: retractions are final."""
    await seed(store)
    listing = (await store.read_stream(LISTING[0]))[0]
    await append(
        store,
        ev(LISTING[0], "EventRetracted", "2024-02-05", "2024-02-05T00:00:00Z",
           target=str(listing.id), reason="Not an AI measure"),
        ev(LISTING[0], "EventCorrected", "2024-02-06", "2024-02-06T00:00:00Z",
           target=str(listing.id), reason="It was 2020", occurred="2020-05"),
    )  # fmt: skip
    page = await events_timeline(store.engine, EventFilter(include_retracted=True), first=100)
    entry = next(e for e in page.items if (e.stream, e.type) == LISTING)
    assert entry.retracted
    assert entry.occurred == parse("2019-10")
    assert entry.corrected_by is None


async def test_an_event_naming_nobody_takes_the_actors_of_its_streams_first_event(
    store: EventStore,
) -> None:
    """events/projections/index.py: an event naming no actor takes those of the stream's
    first event; here the first event names nobody."""
    resolution = "instrument/un-ai-resolution"
    await append(
        store,
        ev(resolution, "InstrumentAdopted", "2024-03-21", R0, title="UN resolution on AI",
           kind="RESOLUTION"),
        ev(resolution, "PartyJoined", "2024-03-22", R0, actor="USA", action="COSPONSOR"),
        ev(resolution, "InstrumentAmended", "2024-04-01", R0, summary="An amendment"),
        ev(DIALOGUE[0], "DialogueEstablished", "2023-11-15", R0, name="US-China talks on AI",
           track="TRACK_I", parties=["USA", "CHN"]),
        ev(DIALOGUE[0], "DialogueRoundHeld", "2024-05-14", R0, round=1),
    )  # fmt: skip
    assert await timeline(store, actors=("CHN",)) == [DIALOGUE, (DIALOGUE[0], "DialogueRoundHeld")]
    assert await timeline(store, actors=("USA",), streams=(resolution,)) == [
        (resolution, "PartyJoined")
    ]


# --- order and paging --------------------------------------------------------------------------


async def walk_forward(
    engine: AsyncEngine, where: EventFilter, size: int, known_at: datetime | None = None
) -> list[Page]:
    pages = [await events_timeline(engine, where, first=size, known_at=known_at)]
    while pages[-1].has_next:
        assert len(pages) < 200, "paging does not end"
        cursor = Page.cursor(pages[-1].items[-1])
        pages.append(
            await events_timeline(engine, where, first=size, after=cursor, known_at=known_at)
        )
    return pages


async def walk_backward(
    engine: AsyncEngine, where: EventFilter, size: int, known_at: datetime | None = None
) -> list[Page]:
    pages = [await events_timeline(engine, where, last=size, known_at=known_at)]
    while pages[-1].has_previous:
        assert len(pages) < 200, "paging does not end"
        cursor = Page.cursor(pages[-1].items[0])
        pages.append(
            await events_timeline(engine, where, last=size, before=cursor, known_at=known_at)
        )
    return pages


async def test_paging_forward_visits_every_entry_once_in_order(store: EventStore) -> None:
    await seed(store)
    where = EventFilter(include_retracted=True)
    pages = await walk_forward(store.engine, where, 2)
    assert [names(page) for page in pages] == [EVERYTHING[i : i + 2] for i in range(0, 15, 2)]
    assert [page.has_next for page in pages] == [True] * 7 + [False]
    assert [page.has_previous for page in pages] == [False] + [True] * 7
    assert {page.total_count for page in pages} == {15}
    # Exactly a page's worth left: the last full page says there is no next one.
    pages = await walk_forward(store.engine, EventFilter(), 7)
    assert [len(page.items) for page in pages] == [7, 7]
    assert [page.has_next for page in pages] == [True, False]
    # After the last entry: nothing.
    end = await events_timeline(
        store.engine, where, first=2, after=Page.cursor(pages[-1].items[-1])
    )
    assert names(end) == []
    assert not end.has_next
    assert end.has_previous
    # An empty page says whether there is a first entry.
    empty = await events_timeline(store.engine, where, first=0)
    assert (empty.items, empty.has_next, empty.total_count) == ((), True, 15)


async def test_paging_backward_visits_every_entry_once_in_order(store: EventStore) -> None:
    await seed(store)
    where = EventFilter(include_retracted=True)
    pages = await walk_backward(store.engine, where, 2)
    assert [names(page) for page in pages] == [
        EVERYTHING[max(0, i - 2) : i] for i in range(15, 0, -2)
    ]
    assert [page.has_previous for page in pages] == [True] * 7 + [False]
    assert [page.has_next for page in pages] == [False] + [True] * 7
    assert {page.total_count for page in pages} == {15}
    # `last` before an entry in the middle, and `first` after one.
    cursor = Page.cursor((await events_timeline(store.engine, where, first=6)).items[-1])
    assert (
        names(await events_timeline(store.engine, where, last=2, before=cursor))
        == (EVERYTHING[3:5])
    )
    assert (
        names(await events_timeline(store.engine, where, first=3, after=cursor))
        == (EVERYTHING[6:9])
    )


async def test_a_filtered_timeline_pages_the_same_as_it_lists(store: EventStore) -> None:
    await seed(store)
    where = EventFilter(actors=("USA", "CHN"), start=date(2023, 1, 1))
    whole = await timeline(store, actors=("USA", "CHN"), start=date(2023, 1, 1))
    assert len(whole) == 9
    forward = await walk_forward(store.engine, where, 4)
    assert [name for page in forward for name in names(page)] == whole
    assert {page.total_count for page in forward} == {9}
    backward = await walk_backward(store.engine, where, 4)
    assert [name for page in reversed(backward) for name in names(page)] == whole


async def test_cursors_stay_valid_while_the_log_grows(store: EventStore) -> None:
    await seed(store)
    where = EventFilter(actors=("USA", "CHN"))
    first = await events_timeline(store.engine, where, first=3)
    assert names(first) == [LISTING, VIENNA, BLETCHLEY]
    assert first.total_count == 10
    cursor = Page.cursor(first.items[-1])
    # Two new meetings: one the same day as Bletchley (so after it, by position), one the same
    # day as Vienna (before the cursor).
    await append(
        store,
        ev("meeting/after", "MeetingHeld", "2023-11-01", R3, title="After",
           participants=["USA", "CHN"]),
        ev("meeting/before", "MeetingHeld", "2023-05-10", R3, title="Before",
           participants=["USA", "CHN"]),
    )  # fmt: skip
    after = ("meeting/after", "MeetingHeld")
    second = await events_timeline(store.engine, where, first=2, after=cursor)
    assert names(second) == [after, NOVEMBER]
    assert second.total_count == 12
    rest = [*names(second)]
    page = second
    while page.has_next:
        page = await events_timeline(
            store.engine, where, first=2, after=Page.cursor(page.items[-1])
        )
        rest += names(page)
    assert rest == [after, NOVEMBER, DIALOGUE, WOODSIDE, READOUT, RETRACTION, MOVED, BANGKOK]
    # Going back from the cursor finds the meeting appended before it (after Vienna).
    back = await events_timeline(store.engine, where, last=2, before=cursor)
    assert names(back) == [VIENNA, ("meeting/before", "MeetingHeld")]
    # The old page, asked again, is as it was where it does not hold the new entries.
    assert names(await events_timeline(store.engine, where, first=2)) == [LISTING, VIENNA]


@pytest.mark.parametrize(
    ("first", "last"),
    [(None, None), (2, 2), (101, None), (-1, None), (None, 101), (None, -1), (0, 0)],
)
async def test_invalid_page_arguments(
    store: EventStore, first: int | None, last: int | None
) -> None:
    with pytest.raises(ValueError):
        await events_timeline(store.engine, first=first, last=last)


async def test_the_largest_page(store: EventStore) -> None:
    await seed(store)
    assert len((await events_timeline(store.engine, first=100)).items) == len(VISIBLE)
    assert len((await events_timeline(store.engine, last=100)).items) == len(VISIBLE)


# --- property: the timeline equals a naive filter over the log ----------------------------------

Log = list[list[dict[str, Any]]]
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
# No shrinking: every example loads a database, and shrinking a failure would take minutes.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]


@dataclass(frozen=True)
class Indexed:
    """An event as the naive timeline sees it at K."""

    entry: TimelineEntry
    actors: frozenset[str]
    text: str


TEXT_FIELDS = ("title", "name", "summary", "topic", "scope", "reason")
REWRITING = ("EventCorrected", "EventRetracted")


def naive_index(events: Sequence[RecordedEvent], known_at: datetime) -> list[Indexed]:
    """Every event recorded by K, dated and corrected as known at K (docs/projections.md,
    Knowledge), with the actors it involves (those it names and its stream's: its first standing
    event's, else (none standing, or it names nobody) its first event's) and its text."""
    visible = sorted((e for e in events if e.recorded_at <= known_at), key=lambda e: e.position)
    occurred: dict[UUID, str] = {}
    data: dict[UUID, dict[str, Any]] = {}
    corrected_by: dict[UUID, int] = {}
    retracted: set[UUID] = set()
    for event in visible:
        occurred[event.id] = event.occurred
        data[event.id] = dict(upcast(event.type, event.schema_version, event.data))
        if event.type == "EventCorrected":
            target = UUID(event.data["target"])
            if target in retracted:
                continue  # retractions are final
            if event.data.get("occurred"):
                occurred[target] = event.data["occurred"]
            if event.data.get("data"):
                data[target] = {**data[target], **event.data["data"]}
            corrected_by[target] = event.position
        elif event.type == "EventRetracted":
            retracted.add(UUID(event.data["target"]))
    first_actors: dict[str, frozenset[str]] = {}
    stream_actors: dict[str, frozenset[str]] = {}
    named_by: dict[int, set[str]] = {}
    for event in visible:
        payload = EVENT_TYPES[event.type].model_validate(data[event.id])
        named = {actor for _, actor in actor_refs(payload)}
        if event.type == "ActorRegistered":
            named.add(event.stream.split("/", 1)[1])
        named_by[event.position] = named
        first_actors.setdefault(event.stream, frozenset(named))
        standing = event.id not in retracted and event.type not in REWRITING
        if standing:
            stream_actors.setdefault(event.stream, frozenset(named))
    result = []
    for event in visible:
        payload = EVENT_TYPES[event.type].model_validate(data[event.id])
        named = named_by[event.position]
        texts = [getattr(payload, name, None) for name in TEXT_FIELDS] + [event.note]
        result.append(
            Indexed(
                TimelineEntry(
                    position=event.position,
                    stream=event.stream,
                    type=event.type,
                    occurred=parse(occurred[event.id]),
                    retracted=event.id in retracted,
                    corrected_by=corrected_by.get(event.id),
                ),
                # The stream's actors: its first standing event's, or its first event's when
                # none stands or the one standing names nobody (a lift left of a retracted
                # imposition involves those the imposition named).
                frozenset(named) | (stream_actors.get(event.stream) or first_actors[event.stream]),
                "\n".join(t for t in texts if isinstance(t, str)).lower(),
            )
        )
    return result


def naive_timeline(
    events: Sequence[RecordedEvent], where: EventFilter, known_at: datetime
) -> list[TimelineEntry]:
    log = oracle.known_log(events, known_at)
    sides = {actor: oracle.side(log, actor) for actor in where.actors}
    words = (where.text or "").lower().split()

    def keep(item: Indexed) -> bool:
        entry = item.entry
        when: Edtf = entry.occurred
        return (
            (where.include_retracted or not entry.retracted)
            and (not where.types or entry.type in where.types)
            and (not where.streams or entry.stream in where.streams)
            and (where.start is None or when.latest >= where.start)
            and (where.end is None or when.earliest <= where.end)
            and all(word in item.text for word in words)
            and all(item.actors & sides[actor] for actor in where.actors)
        )

    kept = [item.entry for item in naive_index(events, known_at) if keep(item)]
    return sorted(kept, key=lambda e: (e.occurred.earliest, e.occurred.latest, e.position))


WORDS = ("meeting", "m0", "held", "said", "amended", "mistake", "wrong", "dialogue", "ended")


@st.composite
def filters(draw: st.DrawFn, log: Log) -> EventFilter:
    present_types = sorted({e["type"] for tx in log for e in tx})
    present_streams = sorted({e["stream"] for tx in log for e in tx})
    days = boundary_days(log)
    start = draw(st.none() | st.sampled_from(days))
    end = draw(st.none() | st.sampled_from(days))
    if start is not None and end is not None and end < start:
        start, end = end, start
    text = draw(st.none() | st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join))
    return EventFilter(
        actors=tuple(draw(st.lists(st.sampled_from(ACTORS), max_size=2, unique=True))),
        types=tuple(draw(st.lists(st.sampled_from(present_types), max_size=3, unique=True))),
        streams=tuple(draw(st.lists(st.sampled_from(present_streams), max_size=4, unique=True)))
        if draw(st.integers(1, 4)) == 1
        else (),
        start=start,
        end=end,
        text=text,
        include_retracted=draw(st.booleans()),
    )


def generated_logs(backend: str) -> Callable[[Check], Callable[[], None]]:
    """Runs a check on logs of the timeline-oracle size for `backend` (tests/profiles.py)."""

    def run(check: Check) -> Callable[[], None]:
        examples = profiles.TIMELINE.value(backend)
        logged = given(log=logs(min_streams=1, max_streams=3), data=st.data())(check)
        return settings(  # type: ignore[no-any-return]
            max_examples=examples, deadline=None, suppress_health_check=HEALTH, phases=PHASES
        )(logged)

    return run


Check = Callable[[Log, st.DataObject], None]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_timeline_equals_a_naive_filter_of_the_log(
    backend: str, fresh_engine: FreshEngine
) -> None:
    @generated_logs(backend)
    def check(log: Log, data: st.DataObject) -> None:
        queries = [
            (
                data.draw(filters(log), label="where"),
                data.draw(known_at_points(log), label="known_at"),
                data.draw(st.integers(1, 7), label="page size"),
            )
            for _ in range(4)
        ]

        async def run() -> None:
            async with fresh_engine() as engine:
                events = await load_log(engine, log)
                for where, known_at, size in queries:
                    expected = naive_timeline(events, where, known_at)
                    forward = await walk_forward(engine, where, size, known_at)
                    got = [entry for page in forward for entry in page.items]
                    assert got == expected, f"forward, {where}, known_at={known_at}"
                    assert {page.total_count for page in forward} == {len(expected)}
                    backward = await walk_backward(engine, where, size, known_at)
                    got = [entry for page in reversed(backward) for entry in page.items]
                    assert got == expected, f"backward, {where}, known_at={known_at}"

        asyncio.run(run())

    check()


def countries_known(events: Sequence[RecordedEvent], known_at: datetime) -> dict[str, str]:
    """The country of each actor registered with one, as known at `known_at`."""
    log = oracle.known_log(events, known_at)
    return {
        stream.split("/", 1)[1]: event.data.country  # type: ignore[attr-defined]
        for stream, items in oracle.of_kind(log, "actor").items()
        for event in items
        if event.type == "ActorRegistered" and event.data.country  # type: ignore[attr-defined]
    }


async def export_text(engine: AsyncEngine, name: str, known_at: datetime) -> str:
    store = EventStore(engine)
    try:
        chunks = FORMATS[name].chunks(store, ExportQuery(known_at=known_at), None)
        return "".join([chunk async for chunk in chunks])
    finally:
        await store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_exports_name_whom_an_actor_filter_selects_each_event_for(
    backend: str, fresh_engine: FreshEngine
) -> None:
    """The csv `actors` column and the JSON-LD `about` of each event are who the event involves
    (the naive index's actors and their countries as known at K), for generated logs; and an
    actor filter on X selects exactly the rows whose column holds X."""

    @generated_logs(backend)
    def check(log: Log, data: st.DataObject) -> None:
        known_at = data.draw(known_at_points(log), label="known_at")

        async def run() -> None:
            async with fresh_engine() as engine:
                events = await load_log(engine, log)
                ids = {event.position: str(event.id) for event in events}
                country = countries_known(events, known_at)
                involves = {
                    ids[item.entry.position]: item.actors
                    | {country[a] for a in item.actors if a in country}
                    for item in naive_index(events, known_at)
                }
                body = (await export_text(engine, "csv", known_at)).removeprefix("\ufeff")
                rows = list(csv.DictReader(io.StringIO(body, newline="")))
                column = {
                    row["id"]: row["actors"].split(";") if row["actors"] else [] for row in rows
                }
                for event_id, actors in column.items():
                    assert len(actors) == len(set(actors)), f"{event_id} names one twice"
                    assert set(actors) == involves[event_id], f"csv actors of {event_id}"
                items = json.loads(await export_text(engine, "jsonld", known_at))["@graph"]
                for item in items:
                    if not item["identifier"].startswith("meeting/"):
                        about = [a["identifier"] for a in item.get("about", [])]
                        assert about == column[item["identifier"]], item["identifier"]
                for actor in ACTORS:
                    pages = await walk_forward(engine, EventFilter(actors=(actor,)), 100, known_at)
                    found = {ids[entry.position] for page in pages for entry in page.items}
                    assert found & set(column) == {
                        i for i, actors in column.items() if actor in actors
                    }, f"filter on {actor}"

        asyncio.run(run())

    check()
