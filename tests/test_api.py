"""The HTTP and GraphQL edge, exercised over HTTP with httpx on the ASGI app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from api.graphql.schema import schema
from events.store import EventStore
from tests.api_client import EDITOR_TOKEN
from tests.factories import new


async def query(http: httpx.AsyncClient, text: str, **headers: str) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": text}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_committed_schema_matches_the_code(client: httpx.AsyncClient) -> None:
    committed = (Path(__file__).parent.parent / "api" / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", "regenerate api/schema.graphql"
    served = await client.get("/schema.graphql")
    assert served.text == committed


async def test_relation_at_the_articles_date(client: httpx.AsyncClient) -> None:
    body = await query(
        client,
        """{ relation(a: "US", b: "cn", asOf: "2024-02-19") {
            a { id name } b { id }
            lastContact { id title held { edtf earliest latest }
                          participants { id country { id } } }
            dialogues { dialogue { id name track } status certain }
            measuresInForce { measure { id kind } imposer { id } targets { id }
                              since { edtf } certain }
            sharedInstruments { instrument { id kind } a { action } b { actor { id } } }
            onlyA { instrument { id } } onlyB { instrument { id } }
        } }""",
    )
    assert "errors" not in body, body
    view = body["data"]["relation"]
    assert view["a"] == {"id": "USA", "name": "United States"}
    assert view["lastContact"]["id"] == "meeting/2024-01-bangkok"
    assert view["lastContact"]["held"] == {
        "edtf": "2024-01-26/2024-01-27",
        "earliest": "2024-01-26",
        "latest": "2024-01-27",
    }
    assert {p["id"]: p["country"]["id"] for p in view["lastContact"]["participants"]} == {
        "jake-sullivan": "USA",
        "wang-yi": "CHN",
    }
    assert view["dialogues"] == [
        {
            "dialogue": {
                "id": "dialogue/us-china-ai",
                "name": "US-China intergovernmental dialogue on AI",
                "track": "TRACK_I",
            },
            "status": "ESTABLISHED",
            "certain": True,
        }
    ]
    assert view["measuresInForce"][0]["since"] == {"edtf": "2022-10~"}
    assert view["sharedInstruments"][0]["instrument"] == {
        "id": "instrument/bletchley-declaration",
        "kind": "DECLARATION",
    }
    assert body["extensions"]["logPosition"] == 7


async def test_knowledge_time_before_anything_was_recorded(client: httpx.AsyncClient) -> None:
    body = await query(
        client,
        '{ relation(a: "USA", b: "CHN", knownAt: "2000-01-01T00:00:00Z") '
        "{ lastContact { id } dialogues { status } } }",
    )
    assert body["data"]["relation"] == {"lastContact": None, "dialogues": []}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{ relation(a: "XX", b: "CHN") { asOf } }', "BAD_USER_INPUT"),
        ('{ relation(a: "USA", b: "US") { asOf } }', "BAD_USER_INPUT"),
        (
            '{ relation(a: "USA", b: "CHN", asOf: "2024-13-01") { asOf } }',
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ relation(a: ", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_bad_input_gets_a_code(client: httpx.AsyncClient, text: str, code: str) -> None:
    response = await client.post("/graphql", json={"query": text})
    assert response.status_code < 500
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == code, errors


async def test_a_wrong_token_is_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ logHead { position } }"},
        headers={"Authorization": "Bearer not-a-known-token"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "not-a-known-token" not in response.text
    ok = await query(client, "{ logHead { position } }", Authorization=f"Bearer {EDITOR_TOKEN}")
    assert ok["data"]["logHead"]["position"] == 7


EVENT_FIELDS = """
    id stream { id kind } version position type occurred { edtf earliest latest }
    recordedBy retracted
    sources { title publisher published { edtf } quote }
    ... on MeetingHeld { title participants { id } meetingKind level
                         location { name country { id name } } }
    ... on InstrumentAdopted { title instrumentKind binding
                               foundingParties { actor { id } action } }
    ... on MeasureImposed { title measureKind imposer { id } targets { id } items }
    ... on ActorRegistered { name actorKind country { id } aliases }
"""


async def test_events_page_by_page(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        arguments = 'first: 3, filter: {actors: ["USA", "CHN"]}' + (
            f', after: "{after}"' if after else ""
        )
        body = await query(
            client,
            f"{{ events({arguments}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
            f"edges {{ cursor node {{ {EVENT_FIELDS} }} }} }} }}",
        )
        assert "errors" not in body, body
        page = body["data"]["events"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["stream"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [
        "measure/us-chip-export-controls",
        "instrument/bletchley-declaration",
        "meeting/2023-11-woodside-summit",
        "dialogue/us-china-ai",
        "meeting/2024-01-bangkok",
    ]


async def test_an_event_with_its_typed_data(client: httpx.AsyncClient) -> None:
    body = await query(
        client,
        f'{{ event(id: "00000000-0000-4000-8000-000000000005") {{ {EVENT_FIELDS} }} }}',
    )
    event = body["data"]["event"]
    assert event["type"] == "MeetingHeld"
    assert event["participants"] == [{"id": "jake-sullivan"}, {"id": "wang-yi"}]
    assert event["location"] == {"name": "Bangkok", "country": {"id": "THA", "name": "Thailand"}}
    assert event["meetingKind"] == "BILATERAL"
    assert event["occurred"]["edtf"] == "2024-01-26/2024-01-27"
    assert event["sources"][0]["publisher"] == "The Straits Times"
    unknown = await query(client, '{ event(id: "00000000-0000-4000-8000-00000000ffff") { id } }')
    assert unknown["data"]["event"] is None


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("first: 10000", "QUERY_TOO_COMPLEX"),
        ("", "QUERY_TOO_COMPLEX"),  # a connection must say how many items it wants
        ("first: 2, last: 2", "BAD_USER_INPUT"),
        ('first: 2, after: "not-a-cursor"', "BAD_USER_INPUT"),
        ('first: 2, filter: {actors: ["Not An Actor"]}', "BAD_USER_INPUT"),
    ],
)
async def test_bad_paging_gets_a_code(client: httpx.AsyncClient, arguments: str, code: str) -> None:
    text = "{ events" + (f"({arguments})" if arguments else "") + " { totalCount } }"
    response = await client.post("/graphql", json={"query": text})
    assert response.status_code < 500
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_a_bad_event_id(client: httpx.AsyncClient) -> None:
    body = await query(client, '{ event(id: "nope") { id } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_stream_objects_changes_and_series(client: httpx.AsyncClient) -> None:
    body = await query(
        client,
        """{
          instrument(id: "instrument/bletchley-declaration") {
            id title kind binding adopted { edtf }
            parties(asOf: "2023-11-02") { actor { id } action certain }
            partyCount(asOf: "2023-10-31")
          }
          measure(id: "measure/us-chip-export-controls") {
            title kind imposer { id } targets { id }
            effective { edtf earliest latest } lifted { edtf }
          }
          dialogue(id: "dialogue/us-china-ai") {
            name track parties { id } status(asOf: "2024-02-19") { status since { edtf } certain }
          }
          changes(a: "USA", b: "CHN", from: "2022-09-01", to: "2024-02-19") {
            measuresImposed { measure { id } } dialogueChanges { dialogue { id } before after }
            instrumentsJoined { instrument { id } actor { id } }
            contacts(first: 10) { nodes { id } }
          }
          relationSeries(a: "USA", b: "CHN", from: "2023-10-01", to: "2024-03-31",
                         interval: QUARTER) {
            start end contacts measuresInForce
          }
        }""",
    )
    assert "errors" not in body, body
    data = body["data"]
    assert data["instrument"]["parties"] == [
        {"actor": {"id": "CHN"}, "action": "SIGN", "certain": True},
        {"actor": {"id": "GBR"}, "action": "SIGN", "certain": True},
        {"actor": {"id": "USA"}, "action": "SIGN", "certain": True},
    ]
    assert data["instrument"]["partyCount"] == 0
    assert data["measure"]["effective"] == {
        "edtf": "2022-10~",
        "earliest": "2022-10-01",
        "latest": "2022-10-31",
    }
    assert data["measure"]["lifted"] is None
    assert data["dialogue"]["status"] == {
        "status": "ESTABLISHED",
        "since": {"edtf": "2023-11-15"},
        "certain": True,
    }
    changes = data["changes"]
    assert changes["measuresImposed"] == [{"measure": {"id": "measure/us-chip-export-controls"}}]
    assert changes["dialogueChanges"] == [
        {"dialogue": {"id": "dialogue/us-china-ai"}, "before": None, "after": "ESTABLISHED"}
    ]
    assert [c["id"] for c in changes["contacts"]["nodes"]] == [
        "meeting/2023-11-woodside-summit",
        "meeting/2024-01-bangkok",
    ]
    assert data["relationSeries"] == [
        {"start": "2023-10-01", "end": "2023-12-31", "contacts": 1, "measuresInForce": 1},
        {"start": "2024-01-01", "end": "2024-03-31", "contacts": 1, "measuresInForce": 1},
    ]
    missing = await query(client, '{ measure(id: "measure/nothing") { id } }')
    assert missing["data"]["measure"] is None


async def test_actors_and_nodes(client: httpx.AsyncClient) -> None:
    body = await query(
        client,
        """{
          actors(first: 1, filter: {kind: PERSON}) {
            edges { cursor node { id name country { id name } } }
            pageInfo { hasNextPage endCursor }
          }
          back: actors(last: 1, before: "wang-yi", filter: {kind: PERSON}) {
            totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor }
          }
          usa: node(id: "us") { id ... on Actor { name kind } }
          meeting: node(id: "meeting/2024-01-bangkok") { id ... on Meeting { status title } }
          event: node(id: "00000000-0000-4000-8000-000000000001") { id ... on Event { type } }
          nothing: node(id: "dialogue/none") { id }
        }""",
    )
    assert "errors" not in body, body
    data = body["data"]
    assert data["actors"]["edges"] == [
        {
            "cursor": "jake-sullivan",
            "node": {
                "id": "jake-sullivan",
                "name": "Jake Sullivan",
                "country": {"id": "USA", "name": "United States"},
            },
        }
    ]
    assert data["actors"]["pageInfo"] == {"hasNextPage": True, "endCursor": "jake-sullivan"}
    assert data["back"] == {
        "totalCount": 2,
        "nodes": [{"id": "jake-sullivan"}],
        "pageInfo": {"hasNextPage": True, "hasPreviousPage": False, "startCursor": "jake-sullivan"},
    }
    assert data["usa"] == {"id": "USA", "name": "United States", "kind": "STATE"}
    assert data["meeting"] == {
        "id": "meeting/2024-01-bangkok",
        "status": "HELD",
        "title": "Sullivan-Wang talks in Bangkok",
    }
    assert data["event"] == {
        "id": "00000000-0000-4000-8000-000000000001",
        "type": "ActorRegistered",
    }
    assert data["nothing"] is None


RECORD = """
mutation Record($input: RecordEventInput!) {
  recordEvent(input: $input) {
    event { id stream { id } version type recordedBy occurred { edtf }
            ... on StatementIssued { summary issuer { id } about { id } stance } }
    userErrors { field message code }
  }
}"""

STATEMENT = {
    "stream": "statement/2024-02-mfa",
    "occurred": "2024-02-20",
    "data": {
        "statementIssued": {
            "issuer": "CN",
            "summary": "China welcomes talks on AI",
            "about": ["US"],
            "stance": "COOPERATIVE",
        }
    },
    "sources": [{"title": "MFA briefing"}],
}


async def record(
    http: httpx.AsyncClient, variables: dict[str, Any], token: str | None = EDITOR_TOKEN
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": RECORD, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_editor_records_an_event(client: httpx.AsyncClient) -> None:
    body = await record(client, {"input": STATEMENT})
    assert "errors" not in body, body
    payload = body["data"]["recordEvent"]
    assert payload["userErrors"] == []
    event = payload["event"]
    assert event["recordedBy"] == "ed" and event["version"] == 1
    assert event["issuer"] == {"id": "CHN"} and event["about"] == [{"id": "USA"}]
    assert body["extensions"]["logPosition"] == 8
    # the relation view sees it at once
    view = await query(
        client,
        '{ relation(a: "USA", b: "CHN", asOf: "2024-03-01") '
        "{ statements(first: 5) { totalCount edges { node { stream { id } position type } } } } }",
    )
    statements = view["data"]["relation"]["statements"]
    assert statements["totalCount"] == 1
    assert statements["edges"] == [
        {
            "node": {
                "stream": {"id": "statement/2024-02-mfa"},
                "position": 8,
                "type": "StatementIssued",
            }
        }
    ]


async def test_log_head_is_read_once_for_its_field_and_log_position(
    client: httpx.AsyncClient,
) -> None:
    # logPosition reuses the head the logHead field read: one head query, not two.
    heads: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM events ORDER BY events.position DESC" in " ".join(statement.split()):
            heads.append(statement)

    sa_event.listen(Engine, "before_cursor_execute", note)
    try:
        body = await query(client, "{ logHead { position } }")
        assert body["data"]["logHead"]["position"] == 7
        assert body["extensions"]["logPosition"] == 7
        assert len(heads) == 1, heads
        heads.clear()
        other = await query(client, '{ actor(id: "USA") { id } }')
        assert other["extensions"]["logPosition"] == 7
        assert len(heads) == 1, heads  # read for logPosition alone
    finally:
        sa_event.remove(Engine, "before_cursor_execute", note)


async def test_recording_needs_an_editor(client: httpx.AsyncClient) -> None:
    anonymous = await record(client, {"input": STATEMENT}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    head = await query(client, "{ logHead { position } }")
    assert head["data"]["logHead"]["position"] == 7


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stream": "measure/x"}, "stream"),
        ({"occurred": "2023-02-29"}, None),
        ({"data": {"statementIssued": {"issuer": "nobody", "summary": "x"}}}, "data.issuer"),
        ({"expectedVersion": 3}, "expectedVersion"),
    ],
)
async def test_refused_input_is_a_user_error(
    client: httpx.AsyncClient, change: dict[str, Any], field: str | None
) -> None:
    body = await record(client, {"input": {**STATEMENT, **change}})
    if field is None:  # the EDTF scalar refuses the variable before any resolver runs
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "day 29 is out of range for February 2023" in body["errors"][0]["message"]
    else:
        errors = body["data"]["recordEvent"]["userErrors"]
        assert errors and errors[0]["field"] == field, errors
    head = await query(client, "{ logHead { position } }")
    assert head["data"]["logHead"]["position"] == 7


async def test_correct_and_retract(client: httpx.AsyncClient) -> None:
    recorded = await record(client, {"input": STATEMENT})
    event_id = recorded["data"]["recordEvent"]["event"]["id"]
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    correct = (
        "mutation Correct($id: ID!) { correctEvent(input: "
        '{id: $id, reason: "date", occurred: "2024-02-21"}) '
        "{ event { type } userErrors { message } } }"
    )
    corrected = await client.post(
        "/graphql", json={"query": correct, "variables": {"id": event_id}}, headers=headers
    )
    assert corrected.json()["data"]["correctEvent"]["event"]["type"] == "EventCorrected"
    show = "query Show($id: ID!) { event(id: $id) { occurred { edtf } retracted } }"
    shown = await client.post("/graphql", json={"query": show, "variables": {"id": event_id}})
    assert shown.json()["data"]["event"] == {"occurred": {"edtf": "2024-02-21"}, "retracted": False}
    retract = (
        'mutation Retract($id: ID!) { retractEvent(input: {id: $id, reason: "wrong"}) '
        "{ event { type } } }"
    )
    retracted = await client.post(
        "/graphql", json={"query": retract, "variables": {"id": event_id}}, headers=headers
    )
    assert retracted.json()["data"]["retractEvent"]["event"]["type"] == "EventRetracted"
    shown = await client.post("/graphql", json={"query": show, "variables": {"id": event_id}})
    assert shown.json()["data"]["event"]["retracted"] is True


async def test_a_stream_and_an_events_history(client: httpx.AsyncClient) -> None:
    recorded = await record(client, {"input": STATEMENT})
    event_id = recorded["data"]["recordEvent"]["event"]["id"]
    correct = (
        "mutation Correct($id: ID!) { correctEvent(input: "
        '{id: $id, reason: "date", occurred: "2024-02-22"}) { event { id } } }'
    )
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    await client.post(
        "/graphql", json={"query": correct, "variables": {"id": event_id}}, headers=headers
    )
    body = await query(
        client,
        """{ stream(id: "statement/2024-02-mfa") {
              id kind version
              events(first: 10) { totalCount nodes { type occurred { edtf }
                       correctedBy { type } original { occurred { edtf } } } }
           } }""",
    )
    stream = body["data"]["stream"]
    assert (stream["id"], stream["kind"], stream["version"]) == (
        "statement/2024-02-mfa",
        "STATEMENT",
        2,
    )
    assert stream["events"]["totalCount"] == 2
    first = stream["events"]["nodes"][0]
    assert first["occurred"] == {"edtf": "2024-02-22"}
    assert first["correctedBy"] == {"type": "EventCorrected"}
    assert first["original"] == {"occurred": {"edtf": "2024-02-20"}}
    none = await query(client, '{ stream(id: "statement/none") { id } }')
    assert none["data"]["stream"] is None


async def relation_pages(
    client: httpx.AsyncClient, page_query: str, field: str
) -> list[dict[str, Any]]:
    """Every page of a connection of the relation, following endCursor; each page's
    hasPreviousPage is checked on the way."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        response = await client.post(
            "/graphql", json={"query": page_query, "variables": {"after": after}}
        )
        page = response.json()["data"]["relation"][field]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_relation_contacts_page_by_page(client: httpx.AsyncClient) -> None:
    page_query = (
        'query Page($after: String) { relation(a: "USA", b: "CHN", asOf: "2024-02-19") '
        "{ contacts(first: 1, after: $after) { totalCount "
        "pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } } } } }"
    )
    pages = await relation_pages(client, page_query, "contacts")
    assert {page["totalCount"] for page in pages} == {2}
    seen = [edge["node"]["id"] for page in pages for edge in page["edges"]]
    assert seen == ["meeting/2023-11-woodside-summit", "meeting/2024-01-bangkok"]
    window = await query(
        client,
        '{ relation(a: "USA", b: "CHN", asOf: "2024-02-19") '
        '{ contacts(from: "2024-01-01") { totalCount edges { node { id } } } } }',
    )
    assert window["data"]["relation"]["contacts"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": "meeting/2024-01-bangkok"}}],
    }
    bad = await client.post(
        "/graphql",
        json={"query": page_query, "variables": {"after": "bm90LWEtbWVldGluZw=="}},
    )
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_relation_statements_page_by_page(
    client: httpx.AsyncClient, store: EventStore
) -> None:
    await store.append(
        [
            new(
                f"statement/2024-0{month}-s",
                "StatementIssued",
                f"2024-0{month}-10",
                issuer=issuer,
                summary=f"Statement {month}",
                about=[about],
            )
            for month, issuer, about in [(3, "USA", "CHN"), (4, "CHN", "USA"), (5, "USA", "CHN")]
        ],
        recorded_by="test",
    )
    page_query = (
        'query Page($after: String) { relation(a: "USA", b: "CHN", asOf: "2024-04-30") '
        "{ statements(first: 1, after: $after) { totalCount "
        "pageInfo { hasNextPage hasPreviousPage endCursor } "
        "edges { node { stream { id } ... on StatementIssued { issuer { id } } } } } } }"
    )
    pages = await relation_pages(client, page_query, "statements")
    assert {page["totalCount"] for page in pages} == {2}  # the May statement is after asOf
    seen = [
        (edge["node"]["stream"]["id"], edge["node"]["issuer"]["id"])
        for page in pages
        for edge in page["edges"]
    ]
    assert seen == [("statement/2024-03-s", "USA"), ("statement/2024-04-s", "CHN")]
    bad = await client.post(
        "/graphql",
        json={"query": page_query, "variables": {"after": "bm90LWEtc3RhdGVtZW50"}},
    )
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_relation_reads_instruments_only_when_asked(client: httpx.AsyncClient) -> None:
    tables_read: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        tables_read.extend(word for word in ("memberships",) if word in statement)

    # The app's engine is its own: listen on every engine.
    engine = Engine
    sa_event.listen(engine, "before_cursor_execute", before)
    try:
        view = await query(
            client, '{ relation(a: "USA", b: "CHN", asOf: "2024-02-19") { lastContact { id } } }'
        )
        assert view["data"]["relation"]["lastContact"] == {"id": "meeting/2024-01-bangkok"}
        assert tables_read == []
        view = await query(
            client,
            '{ relation(a: "USA", b: "CHN", asOf: "2024-02-19") '
            "{ sharedInstruments { instrument { id } } onlyA { instrument { id } } "
            "onlyB { instrument { id } } } }",
        )
        assert view["data"]["relation"] == {
            "sharedInstruments": [{"instrument": {"id": "instrument/bletchley-declaration"}}],
            "onlyA": [],
            "onlyB": [],
        }
        assert tables_read == ["memberships"]  # one read for the three lists
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)


RECORD_MANY = """
mutation RecordMany($input: RecordEventsInput!) {
  recordEvents(input: $input) {
    events { stream { id } version position recordedBy }
    userErrors { field message code }
  }
}"""


async def test_record_events_is_all_or_nothing(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    second = {**STATEMENT, "stream": "statement/2024-02-mfa-2", "occurred": "2024-02-21"}

    async def record_many(events: list[dict[str, Any]]) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": RECORD_MANY, "variables": {"input": {"events": events}}},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()["data"]["recordEvents"]
        return payload

    # One bad event (an unknown actor) in the batch: nothing is appended.
    unknown = {"statementIssued": {"issuer": "nobody", "summary": "x", "about": ["US"]}}
    refused = await record_many([STATEMENT, {**second, "data": unknown}])
    assert refused["events"] == []
    assert refused["userErrors"][0]["field"] == "events[1].data.issuer", refused
    # A stale expectedVersion: CONFLICT, nothing appended.
    stale = await record_many([STATEMENT, {**second, "expectedVersion": 4}])
    assert stale["events"] == [] and stale["userErrors"][0]["code"] == "CONFLICT", stale
    head = await query(client, "{ logHead { position } }")
    assert head["data"]["logHead"]["position"] == 7
    # No event at all: a user error naming the list (it once failed as an internal error).
    empty = await record_many([])
    assert empty == {
        "events": [],
        "userErrors": [
            {"field": "events", "message": "no event to record", "code": "BAD_USER_INPUT"}
        ],
    }
    # Both valid: appended together, in order, by the editor.
    recorded = await record_many([STATEMENT, {**second, "expectedVersion": 0}])
    assert recorded["userErrors"] == []
    assert recorded["events"] == [
        {
            "stream": {"id": "statement/2024-02-mfa"},
            "version": 1,
            "position": 8,
            "recordedBy": "ed",
        },
        {
            "stream": {"id": "statement/2024-02-mfa-2"},
            "version": 1,
            "position": 9,
            "recordedBy": "ed",
        },
    ]


async def test_a_nul_character_in_a_request_is_bad_user_input(client: httpx.AsyncClient) -> None:
    # Found by tests/test_fuzz_api.py: on PostgreSQL, a NUL in an id (or in a recorded text)
    # reached the driver and came back as INTERNAL_SERVER_ERROR.
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    # as an escape of either form, or as the character itself (which JSON carries escaped)
    for text in ("a\\u0000b", "a\\u{0}b", "a\0b"):
        literal = await query(client, f'{{ stream(id: "{text}") {{ version }} }}')
        assert literal["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}, literal
    summary = {"statementIssued": {**STATEMENT["data"]["statementIssued"], "summary": "a\0b"}}
    response = await client.post(
        "/graphql",
        json={
            "query": RECORD_MANY,
            "variables": {"input": {"events": [{**STATEMENT, "data": summary}]}},
        },
        headers=headers,
    )
    error = response.json()["errors"][0]
    assert error["message"] == "a string contains the NUL character (U+0000)", error
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "input.events[0].data.statementIssued.summary",
    }
    head = await query(client, "{ logHead { position } }")
    assert head["data"]["logHead"]["position"] == 7
