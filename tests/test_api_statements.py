"""A page of 100 events with every actor they name and their sources costs a few SQL statements,
not one per event: references go through the request's loaders. A relation with its pages and
every actor and meeting they name costs a few too, on one connection, and counts a page only
when totalCount is asked for."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import httpx
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from api.graphql.schema import schema
from events.db import events_table
from events.store import EventStore
from events.sync_write import LentConnection
from events.types import NewEvent
from tests import factories
from tests.api_client import EDITOR_TOKEN, api_client, import_sample

MAX_STATEMENTS = 10
# Transaction control (SQLite's BEGIN per connection taken) is no query: not counted.
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def event_object_types() -> list[GraphQLObjectType]:
    """The object type of every event type (those implementing Event)."""
    return [
        graphql_type
        for graphql_type in schema._schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType)
        and "Event" in {interface.name for interface in graphql_type.interfaces}
    ]


def actor_selections() -> str:
    """For every event type, each field naming actors (directly or as founding parties)."""
    fragments = []
    for graphql_type in event_object_types():
        fields = []
        for name, field in graphql_type.fields.items():
            target = get_named_type(field.type).name
            if target == "Actor":
                fields.append(f"{name} {{ id name kind country {{ id name }} }}")
            elif target == "FoundingParty":
                fields.append(f"{name} {{ action actor {{ id name country {{ id }} }} }}")
        if fields:
            fragments.append(f"... on {graphql_type.name} {{ {' '.join(fields)} }}")
    return " ".join(fragments)


def many_events() -> list[NewEvent]:
    """About 150 events naming registered actors and states in every way an event can."""
    people = [factories.actor(f"envoy-{i}", kind="PERSON", country="USA") for i in range(20)]
    made = list(people)
    for i in range(30):
        made.append(factories.meeting(f"m-{i}", f"envoy-{i % 20}", "CHN", "wang-yi"))
        made.append(factories.statement(f"s-{i}", issuer=f"envoy-{(i + 1) % 20}"))
        made.append(
            factories.new(
                f"measure/m-{i}",
                "MeasureImposed",
                "2023-05-01",
                title=f"Measure {i}",
                kind="SANCTION",
                imposer="USA",
                targets=["CHN", f"envoy-{i % 20}"],
            )
        )
        made.append(
            factories.new(
                f"instrument/i-{i}",
                "InstrumentAdopted",
                "2023-06-01",
                title=f"Declaration {i}",
                kind="DECLARATION",
                parties=[{"actor": "GBR", "action": "SIGN"}, {"actor": "FRA", "action": "SIGN"}],
            )
        )
    return made


async def test_an_events_page_costs_a_few_statements(store: EventStore, database_url: str) -> None:
    await import_sample(store)
    made = many_events()
    await store.append(made, recorded_by="test")
    measures = [e.id for e in made if e.stream.startswith("measure/")]
    async with api_client(database_url) as http:
        # ten corrections, so that correctedBy has ten events to load
        for measure in measures[:10]:
            corrected = await http.post(
                "/graphql",
                json={
                    "query": 'mutation C($id: ID!) { correctEvent(input: {id: $id, reason: "r", '
                    'occurred: "2023-05-02"}) { userErrors { message } } }',
                    "variables": {"id": str(measure)},
                },
                headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
            )
            assert corrected.json()["data"]["correctEvent"]["userErrors"] == []
        text = (
            "{ events(first: 100) { totalCount edges { cursor node { id type "
            "sources { title url publisher published { edtf } } "
            "correctedBy { id type } original { id occurred { edtf } } "
            f"{actor_selections()} }} }} }} }}"
        )
        statements = await count_statements(http, text)
    body, count = statements
    assert "errors" not in body, body
    page = body["data"]["events"]
    assert len(page["edges"]) == 100
    nodes = [edge["node"] for edge in page["edges"]]
    assert any(node.get("participants") for node in nodes)
    assert any(node.get("issuer") for node in nodes)
    assert any(node.get("parties") for node in nodes)
    assert sum(1 for node in nodes if node["correctedBy"]) == 10
    assert count <= MAX_STATEMENTS, f"{count} SQL statements for one page of events"
    assert count > 0  # the listener sees the app's engine


async def count_statements(http: httpx.AsyncClient, text: str) -> tuple[dict[str, Any], int]:
    """The answer to `text` and how many SQL statements were run for it: counted on every
    engine (the async engines' sync_engine), since the app opens its own."""
    body, statements = await answer_and_statements(http, text)
    return body, len(statements)


async def answer_and_statements(
    http: httpx.AsyncClient, text: str
) -> tuple[dict[str, Any], list[str]]:
    """The answer to `text` and the SQL statements run for it (transaction control left out)."""
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statement: str = args[2]
        if not statement.lstrip().upper().startswith(CONTROL):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        response = await http.post("/graphql", json={"query": text})
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    body: dict[str, Any] = response.json()
    return body, statements


# What a client's relation page asks for (bench/http.py's RELATION_QUERY): every part of the
# view with the actors, meetings and dates it names, both connections with their counts.
RELATION_PAGE = """
{ relation(a: "USA", b: "CHN", asOf: "2024-12-31") {
    asOf knownAt a { id name } b { id name }
    lastContact { id title status held { edtf } participants { id name } }
    contacts(first: 10) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id title held { edtf } participants { id } } }
    }
    measuresInForce { measure { id } kind since { edtf } certain imposer { id } targets { id } }
    statements(first: 10) {
      totalCount
      edges { cursor node { id ... on StatementIssued { summary issuer { id } about { id } } } }
    }
    dialogues { dialogue { id } status }
    disputes { dispute { id } status }
    upcoming { id }
    sharedInstruments { instrument { id } a { ...Member } b { ...Member } }
    onlyA { instrument { id } a { ...Member } }
    onlyB { instrument { id } b { ...Member } }
} }
fragment Member on Membership { action since { edtf } }
"""

# The same page with every reference expanded into the object it names: each stream object,
# stream, actor and event once more, every one through its kind's loader.
EXPANDED_PAGE = """
{ relation(a: "USA", b: "CHN", asOf: "2024-12-31") {
    asOf knownAt a { ...Who } b { ...Who }
    lastContact { ...Met }
    contacts(first: 10) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { ...Met } }
    }
    measuresInForce {
      measure { id key title kind effective { edtf } respondsTo { id } imposer { ...Who }
                targets { ...Who } }
      kind since { edtf } certain imposer { ...Who } targets { ...Who }
    }
    statements(first: 10) {
      totalCount
      edges { cursor node { id type stream { id kind version }
        ... on StatementIssued { summary issuer { ...Who } about { ...Who } concerns { id } } } }
    }
    dialogues { dialogue { id name track parties { ...Who } convenors { ...Who } } status }
    disputes {
      dispute { id key title forum caseNumber complainants { ...Who } respondents { ...Who }
                concerns { id key ... on Measure { title } } }
      status since { edtf }
    }
    upcoming { ...Met }
    sharedInstruments { instrument { ...Held } a { ...Member } b { ...Member } }
    onlyA { instrument { ...Held } a { ...Member } }
    onlyB { instrument { ...Held } b { ...Member } }
} }
fragment Who on Actor { id key name kind country { id name } }
fragment Met on Meeting {
  id title status kind level held { edtf } location { name country { ...Who } }
  participants { ...Who }
}
fragment Held on Instrument { id title kind binding adopted { edtf } }
fragment Member on Membership { instrument { id title } actor { ...Who } action since { edtf } }
"""
# Expanding every reference costs a statement per kind of thing named (meetings are read
# already; instruments, measures, dialogues, streams), not one per item.
EXPANSION_STATEMENTS = 6
# Statements of the whole relation page: the sides (1), the view (6: last contact 2, dialogues
# 2, measures 2), each page (3 with its count), the statements' events (2), the instruments
# (1), the actors (1: a, b, the view's and both sides', the pages naming no one else here), the
# meetings (2: the last contact, then the page's), the log head for logPosition (1).
MAX_RELATION_STATEMENTS = 20


def relation_events(count: int, start: int = 0) -> list[NewEvent]:
    """`count` meetings, statements, measures, instruments and dialogues between USA and CHN,
    each naming a registered person of USA's side (registered with the first batch)."""
    made = []
    if start == 0:
        made += [factories.actor(f"envoy-{i}", kind="PERSON", country="USA") for i in range(10)]
    for i in range(start, start + count):
        day = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        envoy = f"envoy-{i % 10}"
        made.append(factories.meeting(f"r-{i}", envoy, "CHN", "wang-yi", occurred=day))
        made.append(
            factories.new(
                f"statement/r-{i}",
                "StatementIssued",
                day,
                issuer=envoy,
                summary=f"Statement {i}",
                about=["CHN", "wang-yi"],
            )
        )
        made.append(
            factories.new(
                f"measure/r-{i}",
                "MeasureImposed",
                day,
                title=f"Measure {i}",
                kind="SANCTION",
                imposer="USA",
                targets=["CHN", "wang-yi"],
            )
        )
        made.append(
            factories.new(
                f"instrument/r-{i}",
                "InstrumentAdopted",
                day,
                title=f"Declaration {i}",
                kind="DECLARATION",
                parties=[{"actor": "USA", "action": "SIGN"}, {"actor": "CHN", "action": "SIGN"}],
            )
        )
        made.append(
            factories.new(
                f"dialogue/r-{i}",
                "DialogueEstablished",
                day,
                name=f"Dialogue {i}",
                track="TRACK_II",
                parties=["USA", "CHN"],
                convenors=[envoy],
            )
        )
        made.append(
            factories.new(
                f"dispute/r-{i}",
                "DisputeFiled",
                day,
                title=f"Dispute {i}",
                forum="WTO",
                complainants=["CHN"],
                respondents=["USA"],
                concerns=f"measure/r-{i}",
            )
        )
        made.append(
            factories.new(
                f"meeting/planned-{i}",
                "MeetingScheduled",
                day,
                title=f"Planned {i}",
                participants=[envoy, "CHN"],
                planned="2025-06",
            )
        )
    return made


async def test_a_relation_page_costs_a_few_statements_and_one_connection(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    await store.append(relation_events(30), recorded_by="test")
    checkouts: list[object] = []

    def checked_out(*args: Any) -> None:
        # A LentConnection is the query's own connection, lent to a synchronous read on
        # SQLite (events/views/reader.py), not one more.
        if not isinstance(args[0], LentConnection):
            checkouts.append(args[0])

    async with api_client(database_url) as http:
        event.listen(Pool, "checkout", checked_out)
        try:
            body, count = await count_statements(http, RELATION_PAGE)
        finally:
            event.remove(Pool, "checkout", checked_out)
    assert "errors" not in body, body
    view = body["data"]["relation"]
    assert view["contacts"]["totalCount"] == 32  # and the sample's two
    assert len(view["contacts"]["edges"]) == 10
    assert view["statements"]["totalCount"] == 30
    assert {edge["node"]["issuer"]["id"] for edge in view["statements"]["edges"]} >= {"envoy-0"}
    assert len(view["measuresInForce"]) == 31
    assert {"id": "wang-yi", "name": "Wang Yi"} in view["lastContact"]["participants"]
    assert all(edge["node"]["participants"] for edge in view["contacts"]["edges"])
    assert view["sharedInstruments"]
    assert count <= MAX_RELATION_STATEMENTS, f"{count} SQL statements for one relation page"
    # the query's reads share one connection, the log head for logPosition included
    assert len(checkouts) == 1


async def test_a_relation_page_is_counted_only_when_asked(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    await store.append(relation_events(12), recorded_by="test")
    pages = (
        '{ relation(a: "USA", b: "CHN", asOf: "2024-12-31") { '
        "contacts(first: 2) { %s edges { cursor } } "
        "statements(first: 2) { %s edges { cursor } } } }"
    )
    async with api_client(database_url) as http:
        uncounted = await count_selects(http, pages % ("", ""))
        counted = await count_selects(http, pages % ("totalCount", "n: totalCount"))
        # through a fragment too
        fragment = pages % ("...Total", "... on EventConnection { totalCount }") + (
            " fragment Total on MeetingConnection { totalCount }"
        )
        through_fragments = await count_selects(http, fragment)
    body, counts = uncounted
    assert "errors" not in body, body
    assert len(body["data"]["relation"]["contacts"]["edges"]) == 2
    assert counts == 0
    body, counts = counted
    assert body["data"]["relation"]["contacts"]["totalCount"] == 14
    assert body["data"]["relation"]["statements"]["n"] == 12
    assert counts == 2
    body, counts = through_fragments
    assert body["data"]["relation"]["contacts"]["totalCount"] == 14
    assert body["data"]["relation"]["statements"]["totalCount"] == 12
    assert counts == 2


async def test_a_backward_page_costs_what_a_forward_page_costs(
    store: EventStore, database_url: str
) -> None:
    """`last` before a cursor walks the same index ranges as `first` after one, newest first:
    as many statements, whatever the page's size."""
    await import_sample(store)
    await store.append(relation_events(30), recorded_by="test")
    pages = (
        '{ relation(a: "USA", b: "CHN", asOf: "2024-12-31") { '
        "contacts(%s) { totalCount pageInfo { hasPreviousPage startCursor } "
        "edges { cursor node { id participants { id } } } } "
        "statements(%s) { totalCount pageInfo { hasPreviousPage startCursor } "
        "edges { cursor node { id ... on StatementIssued { issuer { id } about { id } } } } } } }"
    )
    async with api_client(database_url) as http:
        whole, _ = await count_statements(http, pages % ("first: 100", "first: 100"))
        contacts = [e["cursor"] for e in whole["data"]["relation"]["contacts"]["edges"]]
        said = [e["cursor"] for e in whole["data"]["relation"]["statements"]["edges"]]
        counts = {}
        for size in (2, 10):
            forward = f'first: {size}, after: "%s"'
            backward = f'last: {size}, before: "%s"'
            for name, shape, at in (("forward", forward, 5), ("backward", backward, 25)):
                text = pages % (shape % contacts[at], shape % said[at])
                body, counts[name, size] = await count_statements(http, text)
                assert "errors" not in body, body
                view = body["data"]["relation"]
                assert len(view["contacts"]["edges"]) == size
                assert len(view["statements"]["edges"]) == size
        assert [e["cursor"] for e in view["contacts"]["edges"]] == contacts[25 - size : 25]
        assert [e["cursor"] for e in view["statements"]["edges"]] == said[25 - size : 25]
        assert view["contacts"]["pageInfo"]["hasPreviousPage"]
    assert counts["backward", 2] == counts["backward", 10] == counts["forward", 10], counts


async def count_selects(http: httpx.AsyncClient, text: str) -> tuple[dict[str, Any], int]:
    """The answer to `text` and how many of its SQL statements count rows."""
    body, statements = await answer_and_statements(http, text)
    return body, sum(1 for statement in statements if "count(" in statement.lower())


async def test_expanding_every_reference_costs_statements_per_kind_not_per_item(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    await store.append(relation_events(3), recorded_by="test")
    async with api_client(database_url) as http:
        _, flat = await count_statements(http, RELATION_PAGE)
        few_body, few = await count_statements(http, EXPANDED_PAGE)
        await store.append(relation_events(27, start=3), recorded_by="test")
        body, many = await count_statements(http, EXPANDED_PAGE)
    assert "errors" not in few_body, few_body
    assert "errors" not in body, body
    view = body["data"]["relation"]
    assert len(view["measuresInForce"]) == 31
    assert len(view["dialogues"]) == 31  # and the sample's
    assert len(view["disputes"]) == 30 and len(view["upcoming"]) == 30
    assert all(
        d["dispute"]["concerns"]["title"] == d["dispute"]["title"].replace("Dispute", "Measure")
        for d in view["disputes"]
    )
    assert all(d["dispute"]["complainants"][0]["id"] == "CHN" for d in view["disputes"])
    assert all(m["participants"] for m in view["upcoming"])
    assert len(view["sharedInstruments"]) >= 30
    assert {m["measure"]["title"] for m in view["measuresInForce"]} >= {"Measure 29"}
    assert all(d["dialogue"]["convenors"] for d in view["dialogues"] if "r-" in d["dialogue"]["id"])
    assert {e["node"]["stream"]["kind"] for e in view["statements"]["edges"]} == {"STATEMENT"}
    assert all(i["instrument"]["title"] for i in view["sharedInstruments"])
    assert many == few, f"{few} statements for 3 items of each kind, {many} for 30"
    assert few <= flat + EXPANSION_STATEMENTS, f"{few} statements expanded, {flat} flat"


# What changed between two dates with every list, page and reference expanded: the changes'
# lists, the instruments' parties (a loader of rosters), the contacts and events pages and each
# event's stream with a page of its events.
EXPANDED_CHANGES = """
{ changes(a: "USA", b: "CHN", from: "2023-12-31", to: "2024-12-31") {
    measuresImposed { measure { id title kind respondsTo { id } } imposer { ...Who }
                      targets { ...Who } since { edtf } }
    measuresLifted { measure { id title } }
    dialogueChanges { dialogue { id name track parties { ...Who } convenors { ...Who } }
                      before after }
    instrumentsJoined { ...Member }
    instrumentsLeft { ...Member }
    contacts(first: 100) {
      totalCount
      nodes { id title held { edtf } location { name country { ...Who } } participants { ...Who } }
    }
    events(first: 50) {
      totalCount
      nodes { id type stream { id kind version events(first: 5) { totalCount nodes { id } } }
              ... on StatementIssued { issuer { ...Who } about { ...Who } } }
    }
} }
fragment Who on Actor { id key name kind country { id name } }
fragment Member on Membership {
  instrument { id title kind partyCount parties { actor { ...Who } action status } }
  actor { ...Who } action since { edtf }
}
"""


# The same lists with only the keys of what they name.
FLAT_CHANGES = """
{ changes(a: "USA", b: "CHN", from: "2023-12-31", to: "2024-12-31") {
    measuresImposed { measure { key } } measuresLifted { measure { key } }
    dialogueChanges { dialogue { key } before after }
    instrumentsJoined { instrument { key } actor { key } }
    instrumentsLeft { instrument { key } actor { key } }
    contacts(first: 100) { totalCount nodes { key } }
    events(first: 50) { totalCount nodes { key } }
} }
"""


# What the expansion adds: a statement per kind of thing named (actors, meetings, measures,
# dialogues, instruments, streams), and the parties' roster (memberships and their statuses).
CHANGES_EXPANSION_STATEMENTS = 8


async def test_expanded_changes_cost_statements_per_kind_not_per_item(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    await store.append(relation_events(3), recorded_by="test")
    async with api_client(database_url) as http:
        _, few_flat = await count_statements(http, FLAT_CHANGES)
        few_body, few = await count_statements(http, EXPANDED_CHANGES)
        await store.append(relation_events(27, start=3), recorded_by="test")
        _, many_flat = await count_statements(http, FLAT_CHANGES)
        body, many = await count_statements(http, EXPANDED_CHANGES)
    assert "errors" not in few_body, few_body
    assert "errors" not in body, body
    changes = body["data"]["changes"]
    assert len(changes["measuresImposed"]) == 30
    assert len(changes["dialogueChanges"]) == 30
    contacts = changes["contacts"]
    assert contacts["totalCount"] == len(contacts["nodes"])
    assert sum(1 for meeting in contacts["nodes"] if "/r-" in meeting["id"]) == 30
    joined = [m for m in changes["instrumentsJoined"] if "/r-" in m["instrument"]["id"]]
    assert len(joined) == 60  # USA and CHN sign each of the 30 declarations
    assert all(
        m["instrument"]["partyCount"] == len(m["instrument"]["parties"]) == 2 for m in joined
    )
    assert {p["actor"]["key"] for m in joined for p in m["instrument"]["parties"]} == {"USA", "CHN"}
    assert all(e["stream"]["events"]["totalCount"] >= 1 for e in changes["events"]["nodes"])
    # The view's own walks may take a statement more or less as the log grows (the flat query
    # too): what the expansion adds is what must not grow.
    assert many <= few, f"{few} statements for 3 items of each kind, {many} for 30"
    assert many - many_flat == few - few_flat <= CHANGES_EXPANSION_STATEMENTS, (
        f"expanded: {few} and {many}; flat: {few_flat} and {many_flat}"
    )


async def test_a_relations_dialogues_read_their_objects_only_when_more_is_selected(
    store: EventStore, database_url: str
) -> None:
    # Each dialogue is made with its item, from what the relation loaded in one batch: only
    # its identity when no more is selected (no stream object read), its parties and
    # convenors from the actors loaded; as known at the relation's knownAt (versioned ids).
    await import_sample(store)
    await store.append(relation_events(3), recorded_by="test")
    async with store.engine.connect() as conn:
        then = (await conn.execute(select(func.max(events_table.c.recorded_at)))).scalar_one()
    await store.append(relation_events(2, start=3), recorded_by="test")
    page = (
        '{ relation(a: "USA", b: "CHN", asOf: "2024-12-31"%s) { dialogues { dialogue { %s } } } }'
    )
    at = f', knownAt: "{then.isoformat()}"'
    full = "id key name parties { id } convenors { id name }"
    async with api_client(database_url) as http:
        keyed, keyed_reads = await answer_and_statements(http, page % ("", "id key"))
        shown, shown_reads = await answer_and_statements(http, page % ("", full))
        past, _ = await answer_and_statements(http, page % (at, full))
        # A dialogue's status as known at another instant shows the dialogue as known then.
        status = (
            '{ dialogue(id: "dialogue/r-1") { id status(asOf: "2024-12-31"%s) '
            "{ status dialogue { id %s } } } }"
        )
        then_status, _ = await answer_and_statements(http, status % (at, "name"))
        then_keyed, then_keyed_reads = await answer_and_statements(http, status % (at, "key"))
    for body in (keyed, shown, past, then_status, then_keyed):
        assert "errors" not in body, body
    assert not [s for s in keyed_reads if "stream_objects" in s]
    assert len([s for s in shown_reads if "stream_objects" in s]) == 1
    ids = {
        d["dialogue"]["key"]: d["dialogue"]["id"] for d in keyed["data"]["relation"]["dialogues"]
    }
    assert {f"dialogue/r-{i}" for i in range(5)} <= ids.keys()
    assert all(key == shown_id for key, shown_id in ids.items())
    made = {d["dialogue"]["key"]: d["dialogue"] for d in shown["data"]["relation"]["dialogues"]}
    assert made["dialogue/r-4"]["name"] == "Dialogue 4"
    assert made["dialogue/r-4"]["parties"] == [{"id": "USA"}, {"id": "CHN"}]
    assert made["dialogue/r-4"]["convenors"] == [{"id": "envoy-4", "name": "Envoy-4"}]
    known = {d["dialogue"]["key"]: d["dialogue"] for d in past["data"]["relation"]["dialogues"]}
    assert "dialogue/r-4" not in known
    suffix = "@" + then.astimezone(UTC).isoformat()
    assert known["dialogue/r-1"]["id"] == "dialogue/r-1" + suffix
    assert known["dialogue/r-1"]["parties"] == [{"id": "USA" + suffix}, {"id": "CHN" + suffix}]
    assert then_status["data"]["dialogue"]["id"] == "dialogue/r-1"
    assert then_status["data"]["dialogue"]["status"]["dialogue"] == {
        "id": "dialogue/r-1" + suffix,
        "name": "Dialogue 1",
    }
    assert then_keyed["data"]["dialogue"]["status"]["dialogue"]["id"] == "dialogue/r-1" + suffix
    assert len([s for s in then_keyed_reads if "stream_objects" in s]) == 1  # the dialogue's own
