"""Exports (docs/exports.md): each format from events/interchange/, the filters, `timeline export`
and GET /export/<format>, on both databases."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest

from api.exports import BadParameter, export_query
from events.interchange.csv import COLUMNS
from events.interchange.formats import FORMATS
from events.interchange.jsonl import import_jsonl
from events.interchange.selection import ExportQuery
from events.store import EventStore
from events.types import NewEvent, dumps
from events.views.timeline import MAX_PAGE
from tests.api_client import EDITOR_TOKEN, api_client, import_sample
from tests.conftest import MakeStore
from tests.factories import new
from tests.test_cli import timeline

# --- the data: examples/sample.jsonl and a few plans, uncertain dates, a correction -------------

SAMPLE_EVENTS = 7


def plan(slug: str, occurred: str, title: str, planned: str, **data: Any) -> NewEvent:
    """MeetingScheduled on meeting/`slug`, between the US and China unless `data` says."""
    data = {"participants": ["USA", "CHN"], **data}
    return new(
        f"meeting/{slug}", "MeetingScheduled", occurred, title=title, planned=planned, **data
    )


def extras() -> list[NewEvent]:
    """Events beyond the sample, appended one by one in this order."""
    geneva = plan(
        "2024-05-geneva",
        "2024-02-20",
        "US-China AI talks in Geneva",
        "2024-05?",
        location={"name": "Geneva", "country": "CHE"},
    )
    spring = plan(
        "2024-spring-talks",
        "2024-01-27",
        "Spring talks on AI",
        "2024-21",
        participants=["jake-sullivan", "wang-yi"],
    )
    call = plan("2024-03-call", "2024-02-01", "Working-level call", "2024-03-14")
    mistake = new(
        "statement/2024-02-mistake",
        "StatementIssued",
        "2024-02-10",
        issuer="USA",
        summary="A statement recorded by mistake",
    )
    return [
        geneva,
        new("meeting/2024-05-geneva", "MeetingCancelled", "2024-04-10", reason="moved"),
        spring,
        new("meeting/2024-spring-talks", "MeetingPostponed", "2024-03-01", planned="2024-06-10"),
        call,
        new(
            "meeting/2024-03-call",
            "EventCorrected",
            "2024-02-02",
            target=str(call.id),
            reason="the date was off by one",
            data={"planned": "2024-03-15"},
        ),
        new(
            "dialogue/tsinghua-brookings",
            "DialogueEstablished",
            "2019-10~",
            name="Tsinghua CISS-Brookings dialogue on AI and national security",
            track="TRACK_II",
            parties=["USA", "CHN"],
        ),
        new(
            "statement/2024-02-expert",
            "StatementIssued",
            "2024-02-2X",
            issuer="CHN",
            summary="=1+1 is how an expert's remark begins",
            about=["USA"],
        ),
        mistake,
        new(
            "statement/2024-02-mistake",
            "EventRetracted",
            "2024-02-11",
            target=str(mistake.id),
            reason="never said",
        ),
    ]


ALL_EVENTS = SAMPLE_EVENTS + 10
LISTED = ALL_EVENTS - 1  # as the `events` query lists them: the retracted statement aside
BOOKKEEPING = 2  # the correction and the retraction
MEETINGS = {
    "meeting/2023-11-woodside-summit": "CONFIRMED",
    "meeting/2024-01-bangkok": "CONFIRMED",
    "meeting/2024-05-geneva": "CANCELLED",
    "meeting/2024-spring-talks": "TENTATIVE",
    "meeting/2024-03-call": "TENTATIVE",
}
OTHER_HAPPENINGS = 7  # 2 actors, a dialogue, a measure, an instrument, 2 statements


async def load(store: EventStore) -> datetime:
    """The sample, then the extras; returns when the sample was recorded."""
    await import_sample(store)
    head = await store.head()
    assert head.recorded_at is not None
    for event in extras():
        await store.append([event], recorded_by="test")
    return head.recorded_at


async def text(store: EventStore, name: str, query: ExportQuery | None = None) -> str:
    """The whole export of format `name`."""
    chunks = FORMATS[name].chunks(store, query or ExportQuery(), None)
    return "".join([chunk async for chunk in chunks])


def query(name: str = "csv", **filters: Any) -> ExportQuery:
    return export_query(FORMATS[name], **filters)


def csv_rows(body: str) -> list[dict[str, str]]:
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


def vevents(body: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    found = {str(e["UID"]).removesuffix("@diplomatic-timeline"): e for e in events}
    assert len(found) == len(events), "UIDs repeat"
    return found


# --- jsonl --------------------------------------------------------------------------------------


async def test_jsonl_is_the_log_and_round_trips_through_an_empty_database(
    store: EventStore, empty_store: MakeStore
) -> None:
    await load(store)
    exported = await text(store, "jsonl")
    # Byte for byte what `timeline export` has always written: each envelope, position order.
    every = await store.read_all(limit=1000)
    assert exported == "".join(dumps(event.to_json()) + "\n" for event in every)
    assert len(exported.splitlines()) == ALL_EVENTS

    second = await empty_store()
    report = await import_jsonl(second, exported.splitlines(), recorded_by="test")
    assert report.appended == ALL_EVENTS
    assert await text(second, "jsonl") == exported


async def test_jsonl_known_at_is_the_log_as_it_was_and_a_filter_keeps_position_order(
    store: EventStore,
) -> None:
    sample_recorded = await load(store)
    everything = await text(store, "jsonl")
    earlier = await text(store, "jsonl", query("jsonl", known_at=sample_recorded))
    assert len(earlier.splitlines()) == SAMPLE_EVENTS
    assert everything.startswith(earlier)

    plans = await text(store, "jsonl", query("jsonl", types=["MeetingScheduled"]))
    lines = [json.loads(line) for line in plans.splitlines()]
    assert [line["type"] for line in lines] == ["MeetingScheduled"] * 3
    positions = [line["position"] for line in lines]
    assert positions == sorted(positions)
    # As recorded: the correction of the call's date is an event of its own, not applied here.
    call = next(line for line in lines if line["stream"] == "meeting/2024-03-call")
    assert call["data"]["planned"] == "2024-03-14"

    # The log keeps a retracted event, with its retraction.
    said = await text(store, "jsonl", query("jsonl", types=["StatementIssued"]))
    assert "A statement recorded by mistake" in said


# --- csv ----------------------------------------------------------------------------------------


async def test_csv_has_a_header_and_one_row_per_listed_event(store: EventStore) -> None:
    await load(store)
    body = await text(store, "csv")
    assert body.splitlines()[0] == "\ufeff" + ",".join(COLUMNS)
    rows = csv_rows(body)
    # The events as known: the correction applied (not a row of its own), the retracted
    # statement and its retraction left out, so that each event is counted once.
    assert len(rows) == LISTED - BOOKKEEPING
    assert len({row["id"] for row in rows}) == LISTED - BOOKKEEPING
    assert "A statement recorded by mistake" not in body  # retracted
    assert not {"EventCorrected", "EventRetracted"} & {row["type"] for row in rows}
    by_stream = {row["stream"]: row for row in rows}

    bangkok = by_stream["meeting/2024-01-bangkok"]
    assert bangkok["occurred"] == "2024-01-26/2024-01-27"
    assert (bangkok["earliest"], bangkok["latest"]) == ("2024-01-26", "2024-01-27")
    # Who it involves, as an actor filter matches it: the people, their countries, and last
    # the country where it happened.
    assert bangkok["actors"] == "jake-sullivan;wang-yi;USA;CHN;THA"
    assert bangkok["title"] == "Sullivan-Wang talks in Bangkok"
    assert bangkok["source"].startswith("https://www.straitstimes.com/")
    assert bangkok["recordedAt"].endswith("Z")

    measure = by_stream["measure/us-chip-export-controls"]
    assert (measure["occurred"], measure["earliest"], measure["latest"]) == (
        "2022-10~",
        "2022-10-01",
        "2022-10-31",
    )
    # A cell a spreadsheet would evaluate is shown as text.
    assert (
        by_stream["statement/2024-02-expert"]["title"] == "'=1+1 is how an expert's remark begins"
    )
    cancelled = by_stream["meeting/2024-05-geneva"]
    assert cancelled["type"] == "MeetingCancelled"
    assert cancelled["title"] == "moved"
    # Date order: (earliest, latest, position).
    keys = [(row["earliest"], row["latest"]) for row in rows]
    assert keys == sorted(keys)


async def test_filters_select_by_actor_type_and_dates(store: EventStore) -> None:
    sample_recorded = await load(store)

    async def streams(**filters: Any) -> list[tuple[str, str]]:
        rows = csv_rows(await text(store, "csv", query(**filters)))
        return sorted((row["stream"], row["type"]) for row in rows)

    assert await streams(actors=["jake-sullivan"]) == [
        ("actor/jake-sullivan", "ActorRegistered"),
        ("meeting/2024-01-bangkok", "MeetingHeld"),
        ("meeting/2024-spring-talks", "MeetingPostponed"),  # the meeting's participants
        ("meeting/2024-spring-talks", "MeetingScheduled"),
    ]
    assert await streams(types=["MeetingHeld"]) == [
        ("meeting/2023-11-woodside-summit", "MeetingHeld"),
        ("meeting/2024-01-bangkok", "MeetingHeld"),
    ]
    assert await streams(actors=["wang-yi"], types=["MeetingHeld", "MeetingScheduled"]) == [
        ("meeting/2024-01-bangkok", "MeetingHeld"),
        ("meeting/2024-spring-talks", "MeetingScheduled"),
    ]
    from_, to = datetime(2024, 2, 1).date(), datetime(2024, 2, 29).date()
    assert await streams(start=from_, end=to) == [
        ("meeting/2024-03-call", "MeetingScheduled"),
        ("meeting/2024-05-geneva", "MeetingScheduled"),
        ("statement/2024-02-expert", "StatementIssued"),
    ]
    assert len(await streams(known_at=sample_recorded)) == SAMPLE_EVENTS


async def test_raw_csv_holds_the_logs_rows_as_recorded(store: EventStore) -> None:
    await load(store)

    rows = csv_rows(await text(store, "csv", query(raw=True)))

    assert len(rows) == ALL_EVENTS
    types = [row["type"] for row in rows]
    assert types.count("EventCorrected") == 1 and types.count("EventRetracted") == 1
    assert "A statement recorded by mistake" in {row["title"] for row in rows}
    with pytest.raises(BadParameter) as raised:
        query("jsonld", raw=True)
    assert raised.value.name == "raw"


# --- timelinejs ---------------------------------------------------------------------------------

# The TimelineJS3 JSON structure (https://timeline.knightlab.com/docs/json-format.html) as a
# JSON Schema, checked by `violations` below (jsonschema is not among the dependencies).
_DATE = {
    "type": "object",
    "required": ["year"],
    "dependentRequired": {"day": ["month"]},
    "additionalProperties": False,
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "minute": {"type": "integer", "minimum": 0, "maximum": 59},
        "second": {"type": "integer", "minimum": 0, "maximum": 59},
        "millisecond": {"type": "integer"},
        "display_date": {"type": "string"},
    },
}
_TEXT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
}
_SLIDE_PROPERTIES = {
    "start_date": _DATE,
    "end_date": _DATE,
    "text": _TEXT,
    "media": {
        "type": "object",
        "required": ["url"],
        "properties": {"url": {"type": "string"}, "caption": {"type": "string"}},
    },
    "group": {"type": "string"},
    "display_date": {"type": "string"},
    "background": {"type": "object"},
    "autolink": {"type": "boolean"},
    "unique_id": {"type": "string", "minLength": 1},
}
TIMELINEJS3 = {
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date"],
                "additionalProperties": False,
                "properties": _SLIDE_PROPERTIES,
            },
        },
        "title": {"type": "object", "additionalProperties": False, "properties": _SLIDE_PROPERTIES},
        "eras": {"type": "array"},
        "scale": {"enum": ["human", "cosmological"]},
    },
}
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "boolean": bool,
}


def violations(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Where `value` breaks `schema` (the JSON Schema keywords TIMELINEJS3 uses)."""
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, _TYPES[kind]) or (kind == "integer" and isinstance(value, bool))
    ):
        return [f"{path}: not a{'n' if kind[0] in 'aeiou' else ''} {kind}"]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path}: below {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        found.append(f"{path}: above {schema['maximum']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        found.append(f"{path}: shorter than {schema['minLength']}")
    if isinstance(value, dict):
        found += [f"{path}: no {key}" for key in schema.get("required", ()) if key not in value]
        for key, needed in schema.get("dependentRequired", {}).items():
            if key in value:
                found += [f"{path}: {key} without {n}" for n in needed if n not in value]
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += violations(item, properties[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: unknown {key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += violations(item, schema["items"], f"{path}[{index}]")
    return found


def test_the_timelinejs_schema_check_refuses_what_timelinejs_would() -> None:
    good = {"events": [{"start_date": {"year": 2024, "month": 1}}]}
    assert violations(good, TIMELINEJS3) == []
    assert violations({"events": [{"text": {"headline": "x"}}]}, TIMELINEJS3) == [
        "$.events[0]: no start_date"
    ]
    assert violations({"events": [{"start_date": {"year": "2024", "day": 3}}]}, TIMELINEJS3) == [
        "$.events[0].start_date: day without month",
        "$.events[0].start_date.year: not an integer",
    ]
    assert violations({"events": [], "slides": []}, TIMELINEJS3) == ["$: unknown slides"]


async def test_timelinejs_validates_and_keeps_each_dates_precision(store: EventStore) -> None:
    await load(store)
    document = json.loads(await text(store, "timelinejs"))
    assert violations(document, TIMELINEJS3) == []
    slides = document["events"]
    # No slide for the actors' registrations: who takes part is no event.
    assert len(slides) == LISTED - BOOKKEEPING - 2
    assert len({s["unique_id"] for s in slides}) == len(slides)
    by_headline = {s["text"]["headline"]: s for s in slides}

    bangkok = by_headline["Sullivan-Wang talks in Bangkok"]
    assert bangkok["start_date"] == {"year": 2024, "month": 1, "day": 26}
    assert bangkok["end_date"] == {"year": 2024, "month": 1, "day": 27}
    assert bangkok["group"] == "Meetings"
    assert "display_date" not in bangkok  # a plain interval needs no words
    assert "Jake Sullivan, Wang Yi" in bangkok["text"]["text"]

    measure = by_headline["US export controls on advanced computing chips"]
    # An approximate month is drawn as the range it may lie in, and named in words (never
    # "1 October 2022").
    assert measure["start_date"] == {"year": 2022, "month": 10, "day": 1}
    assert measure["end_date"] == {"year": 2022, "month": 10, "day": 31}
    assert measure["display_date"] == "c. October 2022"
    assert measure["group"] == "Measures"

    dialogue = by_headline["Tsinghua CISS-Brookings dialogue on AI and national security"]
    assert dialogue["start_date"] == {"year": 2019, "month": 10, "day": 1}
    assert dialogue["end_date"] == {"year": 2019, "month": 10, "day": 31}
    assert dialogue["display_date"] == "c. October 2019"

    expert = by_headline["=1+1 is how an expert&#x27;s remark begins"]
    assert expert["start_date"] == {"year": 2024, "month": 2, "day": 20}
    assert expert["end_date"] == {"year": 2024, "month": 2, "day": 29}
    assert expert["display_date"] == "20 February 2024 to 29 February 2024"

    assert by_headline["Sullivan-Wang talks in Bangkok"]["group"] == "Meetings"
    # Plans sit at the date planned (as corrected), not the day they were announced.
    call = by_headline["Working-level call"]
    assert call["start_date"] == {"year": 2024, "month": 3, "day": 15}
    assert "planned for 2024-03-15" in call["text"]["text"]
    spring = next(s for s in slides if s["text"]["headline"] == "Spring talks on AI")
    assert spring["start_date"] == {"year": 2024, "month": 3}
    assert spring["display_date"] == "Spring 2024"
    assert {s["group"] for s in slides} == {
        "Meetings",
        "Measures",
        "Dialogues",
        "Instruments",
        "Statements",
    }


# --- ics ----------------------------------------------------------------------------------------


async def test_ics_has_one_all_day_vevent_per_meeting_with_its_status(store: EventStore) -> None:
    await load(store)
    body = await text(store, "ics")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    events = vevents(body)
    assert {uid: str(e["STATUS"]) for uid, e in events.items()} == MEETINGS

    bangkok = events["meeting/2024-01-bangkok"]
    assert bangkok.decoded("DTSTART") == datetime(2024, 1, 26).date()
    assert bangkok.decoded("DTEND") == datetime(2024, 1, 28).date()  # exclusive
    assert str(bangkok["SUMMARY"]) == "Sullivan-Wang talks in Bangkok"
    assert str(bangkok["LOCATION"]) == "Bangkok, Thailand"
    # The call's date as corrected; the spring talks at their new date; Geneva in May.
    call = events["meeting/2024-03-call"]
    assert call.decoded("DTSTART") == datetime(2024, 3, 15).date()
    # The correction of its date is a new version for a subscribed calendar.
    assert int(call["SEQUENCE"]) == 1
    corrected = (await store.read_stream("meeting/2024-03-call"))[-1]
    assert corrected.type == "EventCorrected"
    corrected_at = corrected.recorded_at.replace(microsecond=0)  # iCalendar has seconds
    assert call.decoded("LAST-MODIFIED") == corrected_at
    assert call.decoded("DTSTAMP") == corrected_at
    spring = events["meeting/2024-spring-talks"]
    assert spring.decoded("DTSTART") == datetime(2024, 6, 10).date()
    assert int(spring["SEQUENCE"]) == 1
    assert "Previously planned: 2024-21" in str(spring["DESCRIPTION"])
    geneva = events["meeting/2024-05-geneva"]
    assert (geneva.decoded("DTSTART"), geneva.decoded("DTEND")) == (
        datetime(2024, 5, 1).date(),
        datetime(2024, 6, 1).date(),
    )

    # The same log exports to the same calendar: stamps come from the log, not the clock.
    assert await text(store, "ics") == body


async def test_ics_as_of_a_day_shows_each_meetings_status_then(store: EventStore) -> None:
    await load(store)
    march = await text(store, "ics", query("ics", as_of=datetime(2024, 2, 25).date()))
    statuses = {uid: str(e["STATUS"]) for uid, e in vevents(march).items()}
    assert statuses == {
        **MEETINGS,
        "meeting/2024-05-geneva": "TENTATIVE",  # cancelled only in April
        "meeting/2024-spring-talks": "TENTATIVE",
        "meeting/2024-03-call": "TENTATIVE",
    }
    spring = vevents(march)["meeting/2024-spring-talks"]
    assert spring.decoded("DTSTART") == datetime(2024, 3, 1).date()  # spring: not yet moved
    before = await text(store, "ics", query("ics", as_of=datetime(2023, 12, 1).date()))
    assert set(vevents(before)) == {"meeting/2023-11-woodside-summit"}


# --- jsonld -------------------------------------------------------------------------------------


async def test_jsonld_items_are_schema_org_events(store: EventStore) -> None:
    await load(store)
    document = json.loads(await text(store, "jsonld"))
    # The context inside the document: nothing to fetch.
    assert document["@context"]["@vocab"] == "https://schema.org/"
    items = document["@graph"]
    assert len(items) == len(MEETINGS) + OTHER_HAPPENINGS - 2  # the actors are nodes, not Events
    for item in items:
        assert item["@type"] == "Event"
        assert item["@id"].startswith("http://127.0.0.1:8000/")
        assert item["startDate"]
    by_id = {item["identifier"]: item for item in items}
    statuses = {
        key: by_id[key]["eventStatus"].removeprefix("https://schema.org/") for key in MEETINGS
    }
    assert statuses == {
        "meeting/2023-11-woodside-summit": "EventScheduled",
        "meeting/2024-01-bangkok": "EventScheduled",
        "meeting/2024-05-geneva": "EventCancelled",
        "meeting/2024-spring-talks": "EventRescheduled",
        "meeting/2024-03-call": "EventScheduled",
    }
    bangkok = by_id["meeting/2024-01-bangkok"]
    assert (bangkok["startDate"], bangkok["endDate"]) == ("2024-01-26", "2024-01-27")
    assert bangkok["location"]["name"] == "Bangkok"
    assert [a["name"] for a in bangkok["attendee"]] == ["Jake Sullivan", "Wang Yi"]
    assert [a["@id"] for a in bangkok["attendee"]] == [
        "http://127.0.0.1:8000/actor/jake-sullivan",
        "http://127.0.0.1:8000/actor/wang-yi",
    ]
    assert bangkok["@id"] == "http://127.0.0.1:8000/meeting/2024-01-bangkok"
    assert bangkok["citation"][0]["publisher"]["name"] == "The Straits Times"
    spring = by_id["meeting/2024-spring-talks"]
    assert (spring["startDate"], spring["previousStartDate"]) == ("2024-06-10", "2024-03")
    assert by_id["meeting/2024-05-geneva"]["startDate"] == "2024-05"
    measure = next(i for i in items if i["name"].startswith("US export controls"))
    assert measure["startDate"] == "2022-10"
    assert "eventStatus" not in measure


# --- many pages -----------------------------------------------------------------------------


async def test_exports_run_across_pages_and_take_each_meeting_once(store: EventStore) -> None:
    # A meeting scheduled before more than a page of statements and held after them: its
    # events fall on different pages of the walk, and it must still come once.
    scheduled = plan(
        "long-planned", "2001-01-01", "Long planned", "2003", participants=["USA", "FRA"]
    )
    await store.append([scheduled], recorded_by="test")
    statements = [
        new(
            f"statement/s-{n}",
            "StatementIssued",
            f"2002-{1 + n % 12:02d}-01",
            issuer="FRA",
            summary=f"Statement {n}",
        )
        for n in range(MAX_PAGE + 50)
    ]
    await store.append(statements, recorded_by="test")
    held = new(
        "meeting/long-planned",
        "MeetingHeld",
        "2003-06-01",
        title="Long planned, held",
        participants=["USA", "FRA"],
    )
    await store.append([held], recorded_by="test")
    total = MAX_PAGE + 52

    assert len(csv_rows(await text(store, "csv"))) == total
    assert len(json.loads(await text(store, "timelinejs"))["events"]) == total
    assert len(json.loads(await text(store, "jsonld"))["@graph"]) == total - 1
    events = vevents(await text(store, "ics"))
    assert list(events) == ["meeting/long-planned"]
    assert str(events["meeting/long-planned"]["STATUS"]) == "CONFIRMED"
    assert len((await text(store, "jsonl")).splitlines()) == total
    by_france = await text(store, "jsonl", query("jsonl", actors=["FRA"], types=["MeetingHeld"]))
    assert [json.loads(line)["id"] for line in by_france.splitlines()] == [str(held.id)]


# --- parameters ---------------------------------------------------------------------------------


def test_bad_parameters_are_refused_with_their_names() -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("csv", {"actors": ["not an actor!"]}, "actors"),
        ("csv", {"types": ["MeetingHappened"]}, "types"),
        ("csv", {"start": datetime(2024, 3, 1).date(), "end": datetime(2024, 1, 1).date()}, "to"),
        ("csv", {"as_of": datetime(2024, 3, 1).date()}, "asOf"),
    ]
    for name, filters, parameter in cases:
        with pytest.raises(BadParameter) as caught:
            export_query(FORMATS[name], **filters)
        assert caught.value.name == parameter
    assert export_query(FORMATS["ics"], actors=["us"]).where.actors == ("USA",)


# --- the command line ---------------------------------------------------------------------------


async def test_timeline_export_writes_each_format_with_its_filters(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    await load(store)
    options = ["--format", "csv", "--actor", "wang-yi", "--type", "MeetingHeld", "-o", "out.csv"]
    result = await timeline("export", *options, url=database_url, cwd=tmp_path)
    assert result.code == 0, result
    rows = csv_rows((tmp_path / "out.csv").read_text(encoding="utf-8"))
    assert [row["stream"] for row in rows] == ["meeting/2024-01-bangkok"]

    calendar = await timeline(
        "export", "--format", "ics", "--as-of", "2024-02-25", url=database_url, cwd=tmp_path
    )
    assert calendar.code == 0, calendar
    assert str(vevents(calendar.stdout)["meeting/2024-05-geneva"]["STATUS"]) == "TENTATIVE"

    refused = await timeline(
        "export", "--format", "csv", "--as-of", "2024-02-25", url=database_url, cwd=tmp_path
    )
    assert refused.code == 2 and "--as-of" in refused.stderr, refused
    unknown = await timeline("export", "--format", "pdf", url=database_url, cwd=tmp_path)
    assert unknown.code == 2 and "--format" in unknown.stderr, unknown


# --- HTTP ---------------------------------------------------------------------------------------

CONTENT_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "timelinejs": "application/json",
    "ics": "text/calendar; charset=utf-8",
    "jsonld": "application/ld+json",
}


async def test_http_exports_each_format_streamed_with_its_type(
    store: EventStore, database_url: str
) -> None:
    await load(store)
    async with api_client(database_url) as http:
        for name, media in CONTENT_TYPES.items():
            response = await http.get(f"/export/{name}")
            assert response.status_code == 200, (name, response.text)
            assert response.headers["content-type"] == media
            disposition = response.headers["content-disposition"]
            assert disposition.startswith('attachment; filename="timeline.'), disposition
            body = response.content.decode("utf-8")
            assert body == await text(store, name)
            if name == "jsonl":
                assert len([json.loads(line) for line in body.splitlines()]) == ALL_EVENTS
            elif name == "csv":
                assert len(csv_rows(body)) == LISTED - BOOKKEEPING
            elif name == "ics":
                assert set(vevents(body)) == set(MEETINGS)
            else:
                json.loads(body)

        filtered = await http.get(
            "/export/csv",
            params=[("actors", "wang-yi"), ("types", "MeetingHeld,MeetingScheduled")],
        )
        assert filtered.status_code == 200
        assert sorted(row["type"] for row in csv_rows(filtered.text)) == [
            "MeetingHeld",
            "MeetingScheduled",
        ]
        # Dates select events: Geneva's cancellation in April brings the meeting.
        dated = await http.get("/export/jsonld", params={"from": "2024-04-01", "to": "2024-04-30"})
        graph = dated.json()["@graph"]
        assert [item["identifier"] for item in graph] == ["meeting/2024-05-geneva"]
        as_of = await http.get("/export/ics", params={"asOf": "2024-02-25"})
        assert str(vevents(as_of.text)["meeting/2024-05-geneva"]["STATUS"]) == "TENTATIVE"


async def test_http_refuses_bad_parameters_with_400_and_unknown_formats_with_404(
    client: httpx.AsyncClient,
) -> None:
    bad = {
        "from": {"from": "2024-13-01"},
        "to": {"from": "2024-03-01", "to": "2024-01-01"},
        "knownAt": {"knownAt": "yesterday"},
        "asOf": {"asOf": "2024-02-30"},
        "actors": {"actors": "Not An Actor"},
        "types": {"types": "MeetingHeld,Nope"},
        "actor": {"actor": "USA"},  # a typo of `actors` is not silently ignored
        "raw": {"raw": "maybe"},
    }
    for parameter, params in bad.items():
        response = await client.get("/export/csv", params=params)
        assert response.status_code == 400, (parameter, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": parameter}
        assert error["message"]
    not_here = await client.get("/export/csv", params={"asOf": "2024-01-01"})
    assert not_here.status_code == 400
    assert not_here.json()["errors"][0]["extensions"]["field"] == "asOf"
    raw_ld = await client.get("/export/jsonld", params={"raw": "true"})
    assert raw_ld.status_code == 400
    assert raw_ld.json()["errors"][0]["extensions"]["field"] == "raw"
    raw_csv = await client.get("/export/csv", params={"raw": "true"})
    assert raw_csv.status_code == 200, raw_csv.text

    unknown = await client.get("/export/pdf")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "format"}


async def test_http_export_needs_a_token_when_reading_does(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    async with api_client(database_url, TIMELINE_READ_REQUIRES_TOKEN="true") as http:
        refused = await http.get("/export/csv")
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert refused.headers["www-authenticate"] == "Bearer"
        wrong = await http.get("/export/csv", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        allowed = await http.get("/export/csv", headers={"Authorization": f"Bearer {EDITOR_TOKEN}"})
        assert allowed.status_code == 200
        assert len(csv_rows(allowed.text)) == SAMPLE_EVENTS
