"""Japan and South Korea, 2019 to 2023, recorded as a historian would (tests/fixtures/
japan-korea-2019-2023.jsonl, each event with its public source and recorded a day or so after
it happened), read back at several dates and moments, on both databases:

- South Korea gave notice of terminating GSOMIA on 2019-08-22, to take effect on 2019-11-23;
  it suspended the notice on 2019-11-22 and withdrew it on 2023-03-21: GSOMIA never lapsed.
- Japan's stricter licensing of three materials for Korea, effective 2019-07-04, lifted in
  2023-03; Korea's countermeasure (Japan off its list of trusted partners) answered it.
- Korea's WTO complaint DS590, filed 2019-09-11, withdrawn in 2023-03.
- Prime Minister Kishida's visit to Seoul, announced in 2023-04 and held on 2023-05-07.
- President Yoon's visit to Tokyo on 2023-03-16, recorded between the two leaders (people
  registered with their countries), for who an event involves in every export.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import icalendar

from api.exports import export_query
from events.actors import state_name
from events.dates import parse
from events.interchange.csv_import import import_csv
from events.interchange.csv_layout import event_row, layout
from events.interchange.formats import FORMATS
from events.interchange.jsonl import import_jsonl
from events.store import EventStore
from events.types import event_from_json
from events.views.changes import changes, relation_events
from events.views.objects import meetings_by_stream
from events.views.relation import relation
from events.views.rosters import dispute_status, instrument_parties
from events.views.states import Membership, Relation
from events.views.timeline import EventFilter, events_timeline
from tests.conftest import MakeStore
from tests.factories import new

FIXTURE = Path(__file__).parent / "fixtures" / "japan-korea-2019-2023.jsonl"
LINES = FIXTURE.read_text(encoding="utf-8").splitlines()
GSOMIA = "instrument/japan-korea-gsomia"
CONTROLS = "measure/japan-export-controls-2019"
COUNTER = "measure/korea-white-list-2019"
DS590 = "dispute/wto-ds590"
VISIT = "meeting/kishida-seoul-2023"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def view(store: EventStore, as_of: str, known_at: datetime = NOW) -> Relation:
    return await relation(store.engine, "JPN", "KOR", date.fromisoformat(as_of), known_at)


def korea_in_gsomia(seen: Relation) -> Membership | None:
    standing = [s for s in (*seen.shared_instruments, *seen.only_b) if s.instrument == GSOMIA]
    return standing[0].b if standing else None


async def test_gsomia_notice_suspension_and_rescission(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    before = korea_in_gsomia(await view(store, "2019-08-01"))
    assert before is not None and (before.status, before.until) == ("ACTIVE", None)
    noticed = korea_in_gsomia(await view(store, "2019-09-01"))
    assert noticed is not None
    assert (noticed.status, noticed.until) == ("NOTICE_GIVEN", parse("2019-11-23"))
    suspended = korea_in_gsomia(await view(store, "2019-12-01"))
    assert suspended is not None and (suspended.status, suspended.until) == (
        "NOTICE_SUSPENDED",
        None,
    )
    # GSOMIA stayed shared throughout: it was never Japan's alone.
    assert [s.instrument for s in (await view(store, "2020-06-01")).shared_instruments] == [GSOMIA]
    again = korea_in_gsomia(await view(store, "2023-06-01"))
    assert again is not None and again.status == "ACTIVE"
    parties = await instrument_parties(store.engine, GSOMIA, date(2019, 9, 1), NOW)
    assert [(p.actor, p.status) for p in parties] == [("JPN", "ACTIVE"), ("KOR", "NOTICE_GIVEN")]


async def test_what_the_log_knew_before_the_suspension(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    # Known on 2019-11-01, the notice was due to take effect: as of December Korea is out.
    known = moment("2019-11-01T00:00:00")
    december = await view(store, "2019-12-01", known)
    assert [s.instrument for s in december.only_a] == [GSOMIA]
    assert korea_in_gsomia(december) is None
    # The same question once the suspension was recorded.
    known = moment("2019-11-22T12:00:00")
    assert korea_in_gsomia(await view(store, "2019-12-01", known)) is not None


async def test_export_controls_and_the_countermeasure_that_answered_them(
    store: EventStore,
) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    in_force = (await view(store, "2020-01-01")).measures_in_force
    assert [(m.measure, m.imposer) for m in in_force] == [(CONTROLS, "JPN"), (COUNTER, "KOR")]
    assert (await view(store, "2019-07-02")).measures_in_force == ()
    assert (await view(store, "2023-06-01")).measures_in_force == ()
    # Known before the lift was recorded, the controls were still in force in 2023-06.
    known = moment("2023-03-01T00:00:00")
    assert [m.measure for m in (await view(store, "2023-06-01", known)).measures_in_force] == [
        CONTROLS,
        COUNTER,
    ]


async def test_the_wto_dispute_from_filing_to_withdrawal(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    assert (await view(store, "2019-09-01")).disputes == ()
    [open_] = (await view(store, "2021-01-01")).disputes
    assert (open_.dispute, open_.status, open_.since) == (DS590, "OPEN", parse("2019-09-11"))
    assert (await view(store, "2023-06-01")).disputes == ()
    closed = await dispute_status(store.engine, DS590, date(2023, 6, 1), NOW)
    assert closed is not None and (closed.status, closed.since) == ("CLOSED", parse("2023-03"))
    # Within 2023-03 the withdrawal may have happened: the last status possibly in effect is
    # shown, uncertain; the relation lists open and ruled disputes only.
    maybe = await dispute_status(store.engine, DS590, date(2023, 3, 10), NOW)
    assert maybe is not None and (maybe.status, maybe.certain) == ("CLOSED", False)
    assert (await view(store, "2023-03-10")).disputes == ()


async def test_the_head_of_government_visit_planned_then_held(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    assert (await view(store, "2023-03-01")).upcoming == ()
    planned = await view(store, "2023-05-01")
    assert planned.upcoming == (VISIT,)
    assert planned.last_contact is None
    held = await view(store, "2023-05-09")
    assert held.upcoming == ()
    assert held.last_contact is not None and held.last_contact.meeting == VISIT
    [visit] = (await meetings_by_stream(store.engine, [VISIT], NOW)).values()
    assert (visit.status, visit.level, visit.planned) == (
        "HELD",
        "HEAD_OF_GOVERNMENT",
        parse("2023-05-07/2023-05-08"),
    )


async def test_what_happened_between_2019_and_2023(store: EventStore) -> None:
    await import_jsonl(store, LINES, recorded_by="test")
    start, end = date(2019, 6, 1), date(2023, 12, 31)
    found = await changes(store.engine, "JPN", "KOR", start, end, NOW)
    # Imposed and lifted inside the window: both.
    assert [m.measure for m in found.measures_imposed] == [CONTROLS, COUNTER]
    assert [m.measure for m in found.measures_lifted] == [CONTROLS, COUNTER]
    assert found.instruments_left == ()  # GSOMIA was never left
    assert [c.meeting for c in found.contacts] == [VISIT]
    page = await relation_events(store.engine, "JPN", "KOR", start, end, first=100, known_at=NOW)
    assert [(e.stream, e.type) for e in page.items] == [
        (CONTROLS, "MeasureImposed"),
        (GSOMIA, "PartyNoticeGiven"),
        (DS590, "DisputeFiled"),
        (COUNTER, "MeasureImposed"),
        (GSOMIA, "PartyNoticeSuspended"),
        (DS590, "DisputeClosed"),  # 2023-03: earliest 03-01
        (CONTROLS, "MeasureLifted"),  # 2023-03-16
        (GSOMIA, "PartyNoticeRescinded"),
        (VISIT, "MeetingScheduled"),  # 2023-04~
        (COUNTER, "MeasureLifted"),
        (VISIT, "MeetingHeld"),
    ]
    # Korea's own notice is found by an actor filter on Korea.
    korea = await events_timeline(store.engine, EventFilter(actors=("KOR",)), first=100)
    assert (GSOMIA, "PartyNoticeGiven") in [(e.stream, e.type) for e in korea.items]


SHEETS: dict[str, str] = {
    "PartyNoticeGiven": (
        "stream,occurred,actor,effective,reason,source.title,source.publisher\n"
        f"{GSOMIA},2019-08-22,KOR,2019-11-23,Notice of termination,Statement by Foreign "
        "Minister Taro Kono,Ministry of Foreign Affairs of Japan\n"
    ),
    "PartyNoticeSuspended": (
        "stream,occurred,actor,source.title,source.publisher\n"
        f"{GSOMIA},2019-11-22,KOR,Statement by Foreign Minister Toshimitsu Motegi,"
        "Ministry of Foreign Affairs of Japan\n"
    ),
    "PartyNoticeRescinded": (
        "stream,occurred,actor,source.title,source.publisher\n"
        f"{GSOMIA},2023-03-21,KOR,Withdrawal of the notice,Ministry of Foreign Affairs of Japan\n"
    ),
    "MeetingScheduled": (
        "stream,occurred,title,participants,planned\n"
        f"{VISIT},2023-04~,Prime Minister Kishida's visit to Seoul,JPN;KOR,2023-05-07/2023-05-08\n"
    ),
    "MeetingHeld": (
        "stream,occurred,title,participants,kind,level,location.name,location.country\n"
        f"{VISIT},2023-05-07,Japan-ROK Summit Meeting,JPN;KOR,VISIT,HEAD_OF_GOVERNMENT,Seoul,KOR\n"
    ),
}


async def test_the_same_history_recorded_through_csv_sheets(store: EventStore) -> None:
    by_sheet = {'"type": "' + name + '"' for name in SHEETS}
    rest = [line for line in LINES if not any(marker in line for marker in by_sheet)]
    await import_jsonl(store, rest, recorded_by="test")
    for type_name, text in SHEETS.items():
        await import_csv(store, type_name, text, recorded_by="historian")
    answers: dict[str, Any] = {}
    for day in ("2019-09-01", "2019-12-01", "2023-05-01", "2023-06-01"):
        seen = await view(store, day)
        member = korea_in_gsomia(seen)
        answers[day] = (member and (member.status, member.until), seen.upcoming)
    assert answers == {
        "2019-09-01": (("NOTICE_GIVEN", parse("2019-11-23")), ()),
        "2019-12-01": (("NOTICE_SUSPENDED", None), ()),
        "2023-05-01": (("ACTIVE", None), (VISIT,)),
        "2023-06-01": (("ACTIVE", None), ()),
    }
    held = (await view(store, "2023-06-01")).last_contact
    assert held is not None and held.meeting == VISIT


async def record_as_sheets(store: EventStore) -> dict[datetime, datetime]:
    """The fixture's events recorded through CSV sheets, as a historian would have kept them up:
    each recording of the fixture (its events of one recordedAt) imported then, in its order,
    a sheet per run of events of one type, written by the sheets' own layout (ids kept, so
    that `respondsTo` naming an event still finds it). Returns when each recording of the
    fixture was recorded through the sheets."""
    recordings = groupby((json.loads(line) for line in LINES), key=lambda obj: obj["recordedAt"])
    moments: dict[datetime, datetime] = {}
    for recorded, objs in recordings:
        for type_name, run in groupby(objs, key=lambda obj: obj["type"]):
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=layout(type_name).header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(event_row(event_from_json(obj, restoring=True)) for obj in run)
            await import_csv(store, type_name, out.getvalue(), recorded_by="historian")
        head = (await store.head()).recorded_at
        assert head is not None
        moments[moment(recorded.removesuffix("Z"))] = head
    return moments


DATED = ("effective", "planned", "announced")


def edge_days() -> set[date]:
    """Each day a date of the fixture begins or ends, with the days either side."""
    edges = set()
    for line in LINES:
        obj = json.loads(line)
        for text in (obj["occurred"], *(v for k, v in obj["data"].items() if k in DATED)):
            for bound in (parse(text).earliest, parse(text).latest):
                edges |= {bound + timedelta(days=shift) for shift in (-1, 0, 1)}
    return edges


EDGES = sorted(edge_days())
MONTHS = [date(year, month, 1) for year in range(2019, 2024) for month in range(1, 13)]


async def test_the_whole_history_through_csv_sheets_reads_as_through_jsonl(
    store: EventStore, empty_store: MakeStore
) -> None:
    """Recorded through JSON Lines (recordedAt kept) and, a recording at a time, through CSV
    sheets (recorded when imported): the relation reads the same at every day asked and as
    known after each recording, and the changes of 2019-2023 are the same."""
    await import_jsonl(store, LINES, recorded_by="test")
    sheets = await empty_store()
    moments = await record_as_sheets(sheets)
    assert len(moments) == len({json.loads(line)["recordedAt"] for line in LINES})
    for known, known_by_sheets in [*moments.items(), (NOW, datetime.now(UTC))]:
        # Every month and every edge once everything is known; the edges as known before.
        for day in sorted({*MONTHS, *EDGES}) if known == NOW else EDGES:
            jsonl = await relation(store.engine, "JPN", "KOR", day, known)
            csv_ = await relation(sheets.engine, "JPN", "KOR", day, known_by_sheets)
            assert replace(csv_, known_at=known) == jsonl, (day, known)
    # The head of government's visit, planned then held, as the meeting shows it.
    assert await meetings_by_stream(sheets.engine, [VISIT]) == await meetings_by_stream(
        store.engine, [VISIT], NOW
    )
    start, end = date(2019, 6, 1), date(2023, 12, 31)
    through_csv = await changes(sheets.engine, "JPN", "KOR", start, end, datetime.now(UTC))
    assert replace(through_csv, known_at=NOW) == await changes(
        store.engine, "JPN", "KOR", start, end, NOW
    )
    page = await relation_events(sheets.engine, "JPN", "KOR", start, end, first=100)
    assert [(e.stream, e.type) for e in page.items] == [
        (e.stream, e.type)
        for e in (
            await relation_events(store.engine, "JPN", "KOR", start, end, first=100, known_at=NOW)
        ).items
    ]


# --- who an event involves, in every export ---------------------------------------------------

TOKYO = "meeting/yoon-tokyo-2023"
NOTICE = "20190000-0000-4000-8000-000000000003"  # Korea's notice on GSOMIA


async def with_the_leaders(store: EventStore) -> None:
    """The fixture, then the two leaders (people, registered with their countries) and the
    summit they held in Tokyo, which names the people alone."""
    await import_jsonl(store, LINES, recorded_by="test")
    leaders = [
        new(
            f"actor/{slug}",
            "ActorRegistered",
            "2022",
            name=name,
            kind="PERSON",
            country=country,
        )
        for slug, name, country in (
            ("yoon-suk-yeol", "Yoon Suk Yeol", "KOR"),
            ("fumio-kishida", "Fumio Kishida", "JPN"),
        )
    ]
    summit = new(
        TOKYO,
        "MeetingHeld",
        "2023-03-16",
        title="Japan-ROK Summit Meeting in Tokyo",
        participants=["yoon-suk-yeol", "fumio-kishida"],
        kind="VISIT",
        location={"name": "Tokyo"},
    )
    await store.append([*leaders, summit], recorded_by="test")


async def export(store: EventStore, name: str, *actors: str) -> str:
    chunks = FORMATS[name].chunks(store, export_query(FORMATS[name], actors=actors), None)
    return "".join([chunk async for chunk in chunks])


async def test_every_export_names_whom_its_filter_selected_an_event_for(
    store: EventStore,
) -> None:
    await with_the_leaders(store)
    korea, japan = state_name("KOR"), state_name("JPN")

    # CSV: the actors column is who the event involves, the countries of the people included.
    rows = list(csv.DictReader(io.StringIO((await export(store, "csv", "KOR")).lstrip("\ufeff"))))
    assert all("KOR" in row["actors"].split(";") for row in rows)
    by_event = {(row["stream"], row["type"]): row["actors"] for row in rows}
    assert by_event[(GSOMIA, "PartyNoticeGiven")] == "KOR;JPN"  # its actor, then the parties
    assert by_event[(CONTROLS, "MeasureLifted")] == "JPN;KOR"  # the measure's imposer, targets
    assert by_event[(TOKYO, "MeetingHeld")] == "yoon-suk-yeol;fumio-kishida;KOR;JPN"

    # TimelineJS: every slide of the filter on Korea names Korea, by name.
    slides = json.loads(await export(store, "timelinejs", "KOR"))["events"]
    assert slides and all(korea in slide["text"]["text"] for slide in slides)
    by_id = {slide["unique_id"]: slide["text"]["text"] for slide in slides}
    assert f"{korea}, {japan}" in by_id[NOTICE]
    summit = next(s for s in slides if s["text"]["headline"].endswith("in Tokyo"))
    assert f"Yoon Suk Yeol, Fumio Kishida, {korea}, {japan}" in summit["text"]["text"]

    # JSON-LD: every Event is `about` whom it involves; a meeting's attendees are its people.
    items = json.loads(await export(store, "jsonld", "KOR"))["@graph"]
    about = {item["identifier"]: [a["identifier"] for a in item["about"]] for item in items}
    assert items and all("KOR" in actors for actors in about.values())
    assert about[NOTICE] == ["KOR", "JPN"]
    assert about[TOKYO] == ["yoon-suk-yeol", "fumio-kishida", "KOR", "JPN"]
    tokyo = next(item for item in items if item["identifier"] == TOKYO)
    assert [a["identifier"] for a in tokyo["attendee"]] == ["yoon-suk-yeol", "fumio-kishida"]
    assert [a["@type"] for a in tokyo["about"]] == ["Person", "Person", "Country", "Country"]

    # iCalendar: the meetings of the filter on Japan, each saying whom it involves.
    calendar = icalendar.Calendar.from_ical(await export(store, "ics", "JPN"))
    described = {
        str(e["UID"]).split("@")[0]: str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")
    }
    assert set(described) == {TOKYO, VISIT}
    assert f"Involves: Yoon Suk Yeol, Fumio Kishida, {korea}, {japan}" in described[TOKYO]
    assert f"Involves: {japan}, {korea}" in described[VISIT]


async def test_a_meeting_of_two_leaders_is_found_by_either_country_in_every_export(
    store: EventStore,
) -> None:
    await with_the_leaders(store)
    for actors in (("JPN",), ("KOR",), ("JPN", "KOR")):
        rows = (await export(store, "csv", *actors)).splitlines()
        assert any(row.startswith(TOKYO, row.index(",") + 1) for row in rows[1:]), actors
        slides = json.loads(await export(store, "timelinejs", *actors))["events"]
        assert "Japan-ROK Summit Meeting in Tokyo" in [s["text"]["headline"] for s in slides]
        items = json.loads(await export(store, "jsonld", *actors))["@graph"]
        assert TOKYO in [item["identifier"] for item in items]
        assert f"UID:{TOKYO}@" in await export(store, "ics", *actors)
    # A filter on a third country finds none of it.
    assert TOKYO not in await export(store, "csv", "CHN")
    assert TOKYO not in await export(store, "ics", "CHN")
