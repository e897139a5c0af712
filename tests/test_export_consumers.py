"""The exports as their consumers read them (docs/exports.md): pandas reads the CSV as the events
as known, two iCalendar parsers (icalendar, vobject) see a corrected date as a new version of the
meeting, and pyld (with every remote document refused) and rdflib read the JSON-LD offline, with
the same actor linked across events and to Wikidata; a calendar subscribed to /export/ics gets a
corrected date. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import httpx
import pandas
import pytest
import vobject
from icalendar import Calendar
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from api.settings import Settings
from events.errors import ConfigurationError
from events.interchange.formats import FORMATS
from events.interchange.selection import ExportQuery
from events.store import EventStore
from events.types import NewEvent
from tests.api_client import EDITOR_TOKEN
from tests.factories import actor, new

SCHEMA = "https://schema.org/"
BASE = "https://timeline.example.org/"


async def text(store: EventStore, name: str, query: ExportQuery | None = None) -> str:
    chunks = FORMATS[name].chunks(store, query or ExportQuery(base_url=BASE), None)
    return "".join([chunk async for chunk in chunks])


async def fill(store: EventStore) -> NewEvent:
    """A person with a Wikidata id at two meetings, a plan whose date is then corrected, a
    statement then retracted; returns the plan."""
    plan = new(
        "meeting/call",
        "MeetingScheduled",
        "2024-02-01",
        title="Working-level call",
        participants=["USA", "CHN"],
        planned="2024-03-14",
    )
    said = new("statement/oops", "StatementIssued", "2024-02-10", issuer="USA", summary="Oops")
    await store.append(
        [
            actor("jake-sullivan", "PERSON", country="USA", wikidata="Q6122069"),
            new(
                "meeting/bangkok",
                "MeetingHeld",
                "2024-01-26/2024-01-27",
                title="Talks in Bangkok",
                participants=["jake-sullivan", "CHN"],
            ),
            new(
                "meeting/vienna",
                "MeetingHeld",
                "2024-05-10",
                title="Talks in Vienna",
                participants=["jake-sullivan", "CHN"],
            ),
            plan,
            said,
        ],
        recorded_by="test",
    )
    await store.append(
        [
            new(
                "meeting/call",
                "EventCorrected",
                "2024-02-02",
                target=str(plan.id),
                reason="off by one",
                data={"planned": "2024-03-15"},
            ),
            new(
                "statement/oops",
                "EventRetracted",
                "2024-02-11",
                target=str(said.id),
                reason="never said",
            ),
        ],
        recorded_by="test",
    )
    return plan


async def test_pandas_counts_each_event_once_as_known(store: EventStore) -> None:
    await fill(store)

    frame = pandas.read_csv(io.BytesIO((await text(store, "csv")).encode()), encoding="utf-8-sig")

    assert len(frame) == 4  # the actor, two meetings, the plan: no correction, no retraction
    assert set(frame["type"]) == {"ActorRegistered", "MeetingHeld", "MeetingScheduled"}
    assert frame["title"].tolist().count("Oops") == 0
    raw = pandas.read_csv(
        io.BytesIO((await text(store, "csv", ExportQuery(raw=True))).encode()),
        encoding="utf-8-sig",
    )
    assert len(raw) == 7
    assert set(raw["type"]) >= {"EventCorrected", "EventRetracted", "StatementIssued"}


async def test_two_calendar_parsers_see_a_corrected_date_as_a_new_version(
    store: EventStore,
) -> None:
    await fill(store)
    before = await text(store, "ics", ExportQuery(known_at=await _first_recorded(store)))
    after = await text(store, "ics")

    for body, day, sequence in ((before, date(2024, 3, 14), 0), (after, date(2024, 3, 15), 1)):
        [event] = [
            e for e in Calendar.from_ical(body).walk("VEVENT") if "meeting/call" in str(e["UID"])
        ]
        assert event.decoded("DTSTART") == day
        assert int(event["SEQUENCE"]) == sequence
        parsed = vobject.readOne(body)
        [second] = [v for v in parsed.vevent_list if v.uid.value.startswith("meeting/call")]
        assert second.dtstart.value == day
        assert int(second.sequence.value) == sequence
    stamps = [vobject.readOne(body).vevent_list[0].last_modified.value for body in (before, after)]
    assert stamps[0] <= stamps[1]


async def _first_recorded(store: EventStore) -> Any:
    return (await store.read_all(limit=1))[0].recorded_at


def refuse(url: str, options: dict[str, Any] | None = None) -> Any:
    raise AssertionError(f"pyld tried to load {url}: the export must stand offline")


async def test_pyld_reads_the_jsonld_offline_with_linked_ids(store: EventStore) -> None:
    await fill(store)
    document = json.loads(await text(store, "jsonld"))

    expanded = jsonld.expand(document, {"documentLoader": refuse})
    quads = jsonld.to_rdf(document, {"documentLoader": refuse, "format": "application/n-quads"})

    person = BASE + "actor/jake-sullivan"
    attending = [
        node["@id"]
        for node in expanded
        if any(a["@id"] == person for a in node.get(SCHEMA + "attendee", []))
    ]
    assert attending == [BASE + "meeting/bangkok", BASE + "meeting/vienna"]
    assert f"<{person}> <{SCHEMA}sameAs> <http://www.wikidata.org/entity/Q6122069>" in quads
    assert f"<{person}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SCHEMA}Person>" in quads
    assert (
        f"<{BASE}actor/CHN> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SCHEMA}Country>"
        in quads
    )
    # The actor's registration is the actor node, not an Event.
    events = [n for n in expanded if SCHEMA + "Event" in n.get("@type", [])]
    assert len(events) == 3
    assert {n["@id"] for n in events} == {
        BASE + f"meeting/{m}" for m in ("bangkok", "vienna", "call")
    }


async def test_rdflib_reads_the_jsonld_as_a_graph(store: EventStore) -> None:
    await fill(store)

    graph = Graph().parse(data=await text(store, "jsonld"), format="json-ld")

    schema = lambda term: URIRef(SCHEMA + term)  # noqa: E731
    person = URIRef(BASE + "actor/jake-sullivan")
    events = set(graph.subjects(schema("attendee"), person))
    assert events == {URIRef(BASE + "meeting/bangkok"), URIRef(BASE + "meeting/vienna")}
    assert (person, RDF.type, schema("Person")) in graph
    assert (person, schema("sameAs"), URIRef("http://www.wikidata.org/entity/Q6122069")) in graph
    assert (person, schema("name"), Literal("Jake-Sullivan")) in graph
    call = URIRef(BASE + "meeting/call")
    assert (call, schema("startDate"), None) in graph
    assert set(graph.subjects(RDF.type, schema("Event"))) == {
        URIRef(BASE + "meeting/bangkok"),
        URIRef(BASE + "meeting/vienna"),
        call,
    }


def test_the_public_url_is_a_checked_setting() -> None:
    assert Settings.from_env({}).public_url == "http://127.0.0.1:8000/"
    configured = Settings.from_env({"TIMELINE_PUBLIC_URL": "https://timeline.example.org"})
    assert configured.public_url == "https://timeline.example.org/"
    with pytest.raises(ConfigurationError, match="TIMELINE_PUBLIC_URL: 'ftp://x' is not an http"):
        Settings.from_env({"TIMELINE_PUBLIC_URL": "ftp://x"})


async def test_timelinejs_heads_a_party_joining_with_the_instruments_title(
    store: EventStore,
) -> None:
    await store.append(
        [
            new(
                "instrument/bletchley",
                "InstrumentAdopted",
                "2023-11-01",
                title="The Bletchley Declaration",
                kind="DECLARATION",
            ),
            new("instrument/bletchley", "PartyJoined", "2023-11-02", actor="KOR", action="SIGN"),
        ],
        recorded_by="test",
    )

    slides = json.loads(await text(store, "timelinejs"))["events"]

    assert [s["text"]["headline"] for s in slides] == [
        "The Bletchley Declaration",
        "Party joined: The Bletchley Declaration",
    ]
    assert "instrument/" not in json.dumps(slides)


async def test_a_calendar_subscribed_over_http_follows_a_corrected_date(
    client: httpx.AsyncClient,
) -> None:
    # What a calendar subscribed to /export/ics does: fetch it again (naming the version it has)
    # and update each VEVENT whose SEQUENCE grew.
    uid = "meeting/2023-11-woodside-summit@diplomatic-timeline"

    def summit(body: str) -> Any:
        [event] = [e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]) == uid]
        return event

    first = await client.get("/export/ics")
    corrected = await client.post(
        "/graphql",
        json={
            "query": "mutation Correct($id: ID!) { correctEvent(input: "
            '{id: $id, reason: "the summit was on the 16th", occurred: "2023-11-16"}) '
            "{ event { type } userErrors { message } } }",
            "variables": {"id": "00000000-0000-4000-8000-000000000003"},
        },
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
    )
    etag = first.headers.get("etag")
    again = await client.get("/export/ics", headers={"If-None-Match": etag} if etag else {})

    assert corrected.json()["data"]["correctEvent"]["userErrors"] == []
    assert first.status_code == again.status_code == 200
    before, after = summit(first.text), summit(again.text)
    assert before.decoded("DTSTART") == date(2023, 11, 15)
    assert after.decoded("DTSTART") == date(2023, 11, 16)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")
    [second] = [v for v in vobject.readOne(again.text).vevent_list if v.uid.value == uid]
    assert second.dtstart.value == date(2023, 11, 16)
