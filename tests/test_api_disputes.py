"""The GraphQL side of notices, disputes, upcoming meetings and what happened in a window:
Membership.status/until, Relation.disputes and upcoming, the Dispute node, RelationChanges.events,
the series' openDisputes and the new event types in recordEvent's @oneOf data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from events.interchange.jsonl import import_jsonl
from events.store import EventStore
from tests import factories
from tests.api_client import api_client
from tests.test_api import query, record
from tests.test_japan_korea import LINES


@pytest.fixture
async def history(store: EventStore, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the API on the Japan and South Korea history of tests/test_japan_korea.py."""
    await import_jsonl(store, LINES, recorded_by="test")
    async with api_client(database_url) as http:
        yield http


RELATION = """{
  at(asOf: "2019-09-01") { ...View }
  later: relation(a: "JPN", b: "KOR", asOf: "2023-05-01") { ...View }
}
fragment View on Relation {
  sharedInstruments { instrument { key } a { status } b { status until { edtf } } }
  disputes { dispute { key } status since { edtf } certain }
  upcoming { key status planned { edtf } }
}"""


async def test_the_relation_shows_notices_disputes_and_upcoming_meetings(
    history: httpx.AsyncClient,
) -> None:
    client = history
    body = await query(client, RELATION.replace("at(asOf", 'at: relation(a: "JPN", b: "KOR", asOf'))
    assert "errors" not in body, body
    at, later = body["data"]["at"], body["data"]["later"]
    assert at["sharedInstruments"] == [
        {
            "instrument": {"key": "instrument/japan-korea-gsomia"},
            "a": {"status": "ACTIVE"},
            "b": {"status": "NOTICE_GIVEN", "until": {"edtf": "2019-11-23"}},
        }
    ]
    assert at["upcoming"] == [] and later["disputes"] == []
    assert later["upcoming"] == [
        {
            "key": "meeting/kishida-seoul-2023",
            "status": "HELD",
            "planned": {"edtf": "2023-05-07/2023-05-08"},
        }
    ]
    middle = await query(
        client,
        '{ relation(a: "KOR", b: "JPN", asOf: "2021-01-01") '
        "{ disputes { dispute { key forum } status since { edtf } certain } } "
        'dispute(id: "dispute/wto-ds590") { title forum caseNumber '
        "concerns { __typename key ... on Measure { title } } "
        "complainants { id } respondents { id } filed { edtf } "
        'status(asOf: "2023-06-01") { status since { edtf } } } '
        'node(id: "dispute/wto-ds590") { id ... on Dispute { caseNumber } } }',
    )
    assert "errors" not in middle, middle
    data = middle["data"]
    assert data["relation"]["disputes"] == [
        {
            "dispute": {"key": "dispute/wto-ds590", "forum": "WTO"},
            "status": "OPEN",
            "since": {"edtf": "2019-09-11"},
            "certain": True,
        }
    ]
    dispute = data["dispute"]
    assert (dispute["forum"], dispute["caseNumber"]) == ("WTO", "DS590")
    assert dispute["concerns"]["__typename"] == "Measure"
    assert dispute["concerns"]["key"] == "measure/japan-export-controls-2019"
    assert dispute["concerns"]["title"]
    assert dispute["complainants"] == [{"id": "KOR"}] and dispute["respondents"] == [{"id": "JPN"}]
    assert dispute["status"] == {"status": "CLOSED", "since": {"edtf": "2023-03"}}
    assert data["node"] == {"id": "dispute/wto-ds590", "caseNumber": "DS590"}


CHANGES = """query Page($after: String) {
  changes(a: "JPN", b: "KOR", from: "2019-06-01", to: "2023-12-31") {
    measuresImposed { measure { key } }
    measuresLifted { measure { key } }
    events(first: 4, after: $after) {
      edges { node { key type stream { key } } }
      nodes { key }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
}"""


async def test_changes_list_every_event_of_the_window_page_by_page(
    history: httpx.AsyncClient,
) -> None:
    client = history
    seen: list[tuple[str, str]] = []
    after: str | None = None
    while True:
        response = await client.post(
            "/graphql", json={"query": CHANGES, "variables": {"after": after}}
        )
        body = response.json()
        assert "errors" not in body, body
        found = body["data"]["changes"]
        events = found["events"]
        assert events["totalCount"] == 11
        seen += [(edge["node"]["stream"]["key"], edge["node"]["type"]) for edge in events["edges"]]
        assert [n["key"] for n in events["nodes"]] == [e["node"]["key"] for e in events["edges"]]
        if not events["pageInfo"]["hasNextPage"]:
            break
        after = events["pageInfo"]["endCursor"]
    assert len(seen) == 11 and len(set(seen)) == 11
    assert ("instrument/japan-korea-gsomia", "PartyNoticeSuspended") in seen
    measures = ["measure/japan-export-controls-2019", "measure/korea-white-list-2019"]
    assert [m["measure"]["key"] for m in found["measuresImposed"]] == measures
    assert [m["measure"]["key"] for m in found["measuresLifted"]] == measures
    series = await query(
        client,
        '{ relationSeries(a: "JPN", b: "KOR", from: "2019-01-01", to: "2023-12-31", '
        "interval: YEAR) { start openDisputes } }",
    )
    assert [point["openDisputes"] for point in series["data"]["relationSeries"]] == [1, 1, 1, 1, 0]


def notice(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "stream": "instrument/2016-11-bletchley-like",
        "occurred": "2024-03-01",
        "data": {kind: {"actor": "GBR", **fields}},
        "sources": [{"title": "A notice"}],
    }


async def test_an_editor_records_a_notice_and_a_head_of_government_visit(
    client: httpx.AsyncClient,
) -> None:
    adopted = {
        "stream": "instrument/2016-11-bletchley-like",
        "occurred": "2016-11-23",
        "data": {
            "instrumentAdopted": {
                "title": "An agreement",
                "instrumentKind": "AGREEMENT",
                "foundingParties": [
                    {"actor": "GBR", "action": "SIGN"},
                    {"actor": "FRA", "action": "SIGN"},
                ],
            }
        },
        "sources": [{"title": "A treaty series"}],
    }
    for variables in (adopted, notice("partyNoticeGiven", effective="2024-09-01")):
        body = await record(client, {"input": variables})
        assert "errors" not in body and body["data"]["recordEvent"]["userErrors"] == [], body
    missing = await record(client, {"input": notice("partyNoticeGiven")})
    assert "errors" in missing or missing["data"]["recordEvent"]["userErrors"], missing
    visit = {
        "stream": "meeting/2024-03-visit",
        "occurred": "2024-03-02",
        "data": {
            "meetingHeld": {
                "title": "Prime minister's visit",
                "participants": ["GBR", "FRA"],
                "level": "HEAD_OF_GOVERNMENT",
            }
        },
        "sources": [{"title": "A readout"}],
    }
    body = await record(client, {"input": visit})
    assert "errors" not in body and body["data"]["recordEvent"]["userErrors"] == [], body
    view = await query(
        client,
        '{ relation(a: "GBR", b: "FRA", asOf: "2024-06-01") '
        "{ sharedInstruments { a { status until { edtf } } } lastContact { level } } }",
    )
    relation = view["data"]["relation"]
    assert relation["sharedInstruments"] == [
        {"a": {"status": "NOTICE_GIVEN", "until": {"edtf": "2024-09-01"}}}
    ]
    assert relation["lastContact"] == {"level": "HEAD_OF_GOVERNMENT"}


async def test_references_to_an_event_or_a_stream_are_objects(
    store: EventStore, database_url: str
) -> None:
    visit = factories.meeting("visit", "USA", "TWN")
    sanctions = factories.new(
        "measure/sanctions",
        "MeasureImposed",
        title="Sanctions",
        kind="SANCTION",
        imposer="CHN",
        targets=["USA"],
        respondsTo=str(visit.id),
    )
    case = factories.new(
        "dispute/case",
        "DisputeFiled",
        title="A case",
        forum="WTO",
        complainants=["USA"],
        respondents=["CHN"],
        concerns="measure/sanctions",
    )
    await store.append([visit, sanctions, case], recorded_by="test")
    later = factories.new(
        "statement/later",
        "StatementIssued",
        "2024-02-01",
        issuer="USA",
        summary="Later",
        concerns=str(visit.id),
    )
    [recorded] = await store.append([later], recorded_by="test")
    before = recorded.recorded_at - timedelta(microseconds=1)
    text = """query($at: DateTime, $later: ID!) {
      measure(id: "measure/sanctions") {
        respondsTo { __typename key ... on MeetingHeld { title stream { key } } }
      }
      dispute(id: "dispute/case", knownAt: $at) {
        id key forum concerns { __typename ... on Measure { key imposer { key } } }
      }
      event(id: $later) { ... on StatementIssued { concerns { __typename key } } }
    }"""
    variables = {"at": before.isoformat(), "later": str(recorded.id)}
    async with api_client(database_url) as http:
        response = await http.post("/graphql", json={"query": text, "variables": variables})
        body = response.json()
        assert "errors" not in body, body
        data = body["data"]
        assert data["measure"]["respondsTo"] == {
            "__typename": "MeetingHeld",
            "key": str(visit.id),
            "title": "Meeting visit",
            "stream": {"key": "meeting/visit"},
        }
        assert data["event"]["concerns"] == {"__typename": "MeetingHeld", "key": str(visit.id)}
        dispute = data["dispute"]
        assert dispute["key"] == "dispute/case" and dispute["id"].startswith("dispute/case@")
        assert dispute["forum"] == "WTO"
        assert dispute["concerns"] == {
            "__typename": "Measure",
            "key": "measure/sanctions",
            "imposer": {"key": "CHN"},
        }
        refetch = "query($id: ID!) { node(id: $id) { id ... on Dispute { title } } }"
        response = await http.post(
            "/graphql", json={"query": refetch, "variables": {"id": dispute["id"]}}
        )
        again = response.json()
        assert again["data"]["node"] == {"id": dispute["id"], "title": "A case"}
