"""The graph clients walk: references are objects, same-named Event fields agree, and a Node's
`(__typename, id)` never stands for two contents (what a normalised client cache relies on):
`id` is the key when shown as known now, a versioned form otherwise, which `node(id)`
refetches exactly."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import get_named_type, parse, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graphql import paging
from api.graphql.paging import MAX_LIST
from api.graphql.schema import schema
from events.db import create_engine
from events.demo import load_demo
from events.store import EventStore
from tests import factories
from tests.api_client import EDITOR_TOKEN, api_client
from tests.test_api_statements import event_object_types

BANGKOK = "618f29e1-a099-5122-9106-e0ac820efccd"  # the demo's MeetingHeld in Bangkok
CORRECTED_TITLE = "Sullivan-Wang talks in Bangkok (corrected)"

CORRECT = f"""
mutation Correct($id: ID!) {{
  correctEvent(input: {{id: $id, reason: "title", data: {{title: "{CORRECTED_TITLE}"}}}}) {{
    event {{ recordedAt }} userErrors {{ message }}
  }}
}}"""


async def post(
    http: httpx.AsyncClient, text: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The data of a query that must answer without errors."""
    response = await http.post(
        "/graphql",
        json={"query": text, "variables": variables or {}},
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def demo_with_a_correction(http: httpx.AsyncClient, store: EventStore) -> datetime:
    """Load the demo, correct the Bangkok meeting's title; the correction's recordedAt."""
    await load_demo(store)
    data = await post(http, CORRECT, {"id": BANGKOK})
    assert data["correctEvent"]["userErrors"] == []
    return datetime.fromisoformat(data["correctEvent"]["event"]["recordedAt"])


async def test_an_id_names_one_version_and_node_refetches_it(
    store: EventStore, database_url: str
) -> None:
    async with api_client(database_url) as http:
        corrected_at = await demo_with_a_correction(http, store)
        before = (corrected_at - timedelta(seconds=1)).isoformat()
        event = f"""query E($k: DateTime) {{ event(id: "{BANGKOK}", knownAt: $k) {{
            __typename id key ... on MeetingHeld {{ title }}
            original {{ id key ... on MeetingHeld {{ title }} }} }} }}"""
        now = (await post(http, event))["event"]
        then = (await post(http, event, {"k": before}))["event"]
        assert now["id"] == now["key"] == BANGKOK and now["title"] == CORRECTED_TITLE
        assert then["key"] == BANGKOK and then["id"] != BANGKOK
        assert then["title"] == "Sullivan-Wang talks in Bangkok"
        assert now["original"]["id"] == then["original"]["id"] == f"{BANGKOK}@original"
        assert now["original"]["title"] == "Sullivan-Wang talks in Bangkok"
        refetch = (
            "query N($id: ID!) { node(id: $id) { __typename id key ... on MeetingHeld { title } } }"
        )
        for shown in (now, then, now["original"]):
            again = (await post(http, refetch, {"id": shown["id"]}))["node"]
            assert again == {
                "__typename": "MeetingHeld",
                **{k: shown[k] for k in again if k != "__typename"},
            }
        # a stream object as known earlier: its own versioned id, its content then
        meeting = """query M($k: DateTime) { relation(a: "USA", b: "CHN", asOf: "2024-02-19",
            knownAt: $k) { lastContact { id key title } } }"""
        then_meeting = (await post(http, meeting, {"k": before}))["relation"]["lastContact"]
        now_meeting = (await post(http, meeting))["relation"]["lastContact"]
        assert now_meeting["id"] == now_meeting["key"] != then_meeting["id"]
        assert (then_meeting["title"], now_meeting["title"]) == (
            "Sullivan-Wang talks in Bangkok",
            CORRECTED_TITLE,
        )
        again = await post(
            http, refetch.replace("MeetingHeld", "Meeting"), {"id": then_meeting["id"]}
        )
        assert again["node"] == {"__typename": "Meeting", **then_meeting}
        bad = await http.post("/graphql", json={"query": '{ node(id: "USA@yesterday") { id } }'})
        assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_one_query_selects_every_field_of_every_event_type_without_aliases() -> None:
    """What urql's first query did: every field of every Event type through the interface."""
    fragments = []
    for graphql_type in event_object_types():
        fields = []
        for name, field in graphql_type.fields.items():
            target = get_named_type(field.type)
            leaf = not hasattr(target, "fields") and not hasattr(target, "types")
            fields.append(name if leaf else f"{name} {{ __typename }}")
        fragments.append(f"... on {graphql_type.name} {{ {' '.join(fields)} }}")
    document = parse(f"{{ events(first: 10) {{ nodes {{ {' '.join(fragments)} }} }} }}")
    assert validate(schema._schema, document) == []


# Field names that hold a value of a closed set wherever they appear (`meetingKind`, `status`).
CLOSED_SET_NAMES = ("kind", "Kind", "level", "track", "status", "action", "forum", "stance", "type")


def test_every_closed_set_is_an_enum() -> None:
    """A field or argument named for a closed set (kind, level, track, status, ...) is an enum
    (or a list of one), on every type of the schema: never a String a client must guess."""
    strings = []
    for type_name, graphql_type in schema._schema.type_map.items():
        if type_name.startswith("__") or not hasattr(graphql_type, "fields"):
            continue
        for name, field in graphql_type.fields.items():
            if name.endswith(CLOSED_SET_NAMES) and get_named_type(field.type).name == "String":
                strings.append(f"{type_name}.{name}")
            for argument, arg in getattr(field, "args", {}).items():
                if argument.endswith(("kind", "types")) and get_named_type(arg.type).name in (
                    "String",
                    "ID",
                ):
                    strings.append(f"{type_name}.{name}({argument})")
    assert strings == []


# --- one (__typename, id), one content ------------------------------------------------------

NODE = "__typename id key"
WHO = f"{NODE} name kind country {{ {NODE} name }}"
MEETING = f"{NODE} title status kind level held {{ edtf }} participants {{ {WHO} }}"
EVENT = f"""{NODE} type version occurred {{ edtf }} retracted stream {{ {NODE} kind version }}
    correctedBy {{ {NODE} }}
    ... on MeetingHeld {{ title meetingKind participants {{ {WHO} }} }}
    ... on StatementIssued {{ summary stance issuer {{ {WHO} }} }}
    ... on InstrumentAdopted {{ title instrumentKind adoptedAt {{ {NODE} title }} }}
    ... on DialogueEstablished {{ name track agreedAt {{ {NODE} title }} }}
    ... on EventCorrected {{ target {{ {NODE} }} }}"""
QUERIES = {
    "relation": f"""query Q($k: DateTime, $asOf: Date) {{
      relation(a: "USA", b: "CHN", asOf: $asOf, knownAt: $k) {{
        a {{ {WHO} }} lastContact {{ {MEETING} }}
        contacts(first: 10) {{ nodes {{ {MEETING} }} }}
        dialogues {{ dialogue {{ {NODE} name track parties {{ {WHO} }} }} }}
        measuresInForce {{ measure {{ {NODE} title kind effective {{ edtf }} }} }}
        sharedInstruments {{ instrument {{ {NODE} title kind }} }}
        onlyA {{ instrument {{ {NODE} title kind }} }}
        statements(first: 10) {{ nodes {{ {EVENT} }} }}
      }} }}""",
    "events": f"""query Q($k: DateTime) {{
      events(first: 50, knownAt: $k, filter: {{includeRetracted: true}}) {{
        nodes {{ {EVENT} original {{ {EVENT} }} }} }} }}""",
    "event": f"""query Q($k: DateTime) {{
      event(id: "{BANGKOK}", knownAt: $k) {{ {EVENT} original {{ {EVENT} }} }} }}""",
}


def nodes_in(value: Any, found: list[dict[str, Any]]) -> None:
    """Every object with a __typename and an id in an answer."""
    if isinstance(value, list):
        for item in value:
            nodes_in(item, found)
    elif isinstance(value, dict):
        if "__typename" in value and "id" in value:
            found.append(value)
        for item in value.values():
            nodes_in(item, found)


def content(node: dict[str, Any]) -> dict[str, Any]:
    """What a normalised cache stores for a node: its fields, a nested node by reference."""

    def ref(value: Any) -> Any:
        if isinstance(value, list):
            return [ref(item) for item in value]
        if isinstance(value, dict) and "__typename" in value and "id" in value:
            return (value["__typename"], value["id"])
        return value

    return {key: ref(value) for key, value in node.items()}


def test_one_typename_and_id_never_carry_two_contents(database_url: str) -> None:
    """Over random queries at random knownAt (before the demo, inside it, between it and a
    correction, after the correction, now), no (__typename, id) ever shows two values of one
    field."""
    runner = asyncio.Runner()
    stack = AsyncExitStack()

    async def start() -> tuple[httpx.AsyncClient, datetime]:
        engine = create_engine(database_url)
        store = EventStore(engine)
        stack.push_async_callback(engine.dispose)
        stack.push_async_callback(store.close)
        http = await stack.enter_async_context(api_client(database_url))
        return http, await demo_with_a_correction(http, store)

    http, corrected_at = runner.run(start())
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    instants = st.one_of(
        st.none(),
        st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2024, 3, 1)).map(
            lambda moment: moment.replace(tzinfo=UTC)
        ),
        st.sampled_from(
            [
                corrected_at - timedelta(microseconds=1),
                corrected_at,
                corrected_at + timedelta(microseconds=1),
            ]
        ),
    )

    @settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        name=st.sampled_from(sorted(QUERIES)),
        known_at=instants,
        as_of=st.dates(
            min_value=datetime(2019, 1, 1).date(), max_value=datetime(2025, 1, 1).date()
        ),
    )
    def check(name: str, known_at: datetime | None, as_of: Any) -> None:
        variables: dict[str, Any] = {"k": None if known_at is None else known_at.isoformat()}
        if name == "relation":
            variables["asOf"] = as_of.isoformat()
        data = runner.run(post(http, QUERIES[name], variables))
        found: list[dict[str, Any]] = []
        nodes_in(data, found)
        for node in found:
            identity = (node["__typename"], node["id"])
            known = seen.setdefault(identity, {})
            for field, value in content(node).items():
                assert known.setdefault(field, value) == value, (identity, field, value, known)

    try:
        check()
    finally:
        runner.run(stack.aclose())
        runner.close()
    assert any("@" in node_id for _, node_id in seen)
    assert any("@" not in node_id for _, node_id in seen)


# --- long lists: paged, or bounded with a stated limit --------------------------------------------

STREAM_PAGE = """query S($first: Int, $after: String, $last: Int, $before: String) {
  stream(id: "instrument/many") {
    version
    events(first: $first, after: $after, last: $last, before: $before) {
      totalCount nodes { key version }
      edges { cursor }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"""


async def answer(http: httpx.AsyncClient, text: str, **variables: Any) -> dict[str, Any]:
    """The whole answer (data and errors) to a query."""
    response = await http.post("/graphql", json={"query": text, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_streams_events_are_a_connection_paged_both_ways(
    store: EventStore, database_url: str
) -> None:
    await store.append(
        [
            factories.new(
                "instrument/many", "InstrumentAdopted", "2020", title="Many", kind="DECLARATION"
            ),
            *(
                factories.new(
                    "instrument/many",
                    "PartyJoined",
                    f"2021-01-{day:02d}",
                    actor=state,
                    action="SIGN",
                )
                for day, state in enumerate(("USA", "CHN", "GBR", "FRA", "JPN", "KOR", "IND"), 1)
            ),
        ],
        recorded_by="test",
    )
    async with api_client(database_url) as http:
        whole = (await post(http, STREAM_PAGE, {"first": 100}))["stream"]
        assert whole["version"] == whole["events"]["totalCount"] == 8
        versions = [node["version"] for node in whole["events"]["nodes"]]
        assert versions == list(range(1, 9))
        forward: list[int] = []
        after = None
        while True:
            page = (await post(http, STREAM_PAGE, {"first": 3, "after": after}))["stream"]
            forward += [node["version"] for node in page["events"]["nodes"]]
            info = page["events"]["pageInfo"]
            assert info["hasPreviousPage"] is (after is not None)
            if not info["hasNextPage"]:
                break
            after = info["endCursor"]
        assert forward == versions
        backward: list[int] = []
        before = None
        while True:
            page = (await post(http, STREAM_PAGE, {"last": 3, "before": before}))["stream"]
            backward = [node["version"] for node in page["events"]["nodes"]] + backward
            info = page["events"]["pageInfo"]
            if not info["hasPreviousPage"]:
                break
            before = info["startCursor"]
        assert backward == versions
        unpaged = await answer(http, '{ stream(id: "instrument/many") { events { totalCount } } }')
        assert unpaged["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        events_cursor = (await post(http, "{ events(first: 1) { pageInfo { endCursor } } }"))[
            "events"
        ]["pageInfo"]["endCursor"]
        foreign = await answer(http, STREAM_PAGE, first=2, after=events_cursor)
        assert foreign["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


PARTIES = """query P($first: Int, $after: ID) {
  instrument(id: "instrument/bletchley-declaration") {
    partyCount(asOf: "2023-11-02")
    parties(asOf: "2023-11-02", first: $first, after: $after) { actor { key } action }
  }
}"""


async def test_an_instruments_parties_walk_by_actor_within_the_stated_bound(
    store: EventStore, database_url: str
) -> None:
    await load_demo(store)
    async with api_client(database_url) as http:
        whole = (await post(http, PARTIES))["instrument"]
        keys = [party["actor"]["key"] for party in whole["parties"]]
        assert len(keys) == whole["partyCount"] == 29 and keys == sorted(keys)
        walked: list[str] = []
        after = None
        while page := (await post(http, PARTIES, {"first": 10, "after": after}))["instrument"][
            "parties"
        ]:
            walked += [party["actor"]["key"] for party in page]
            after = walked[-1]
        assert walked == keys
        for first in (MAX_LIST + 1, -1, None):
            refused = await answer(http, PARTIES, first=first)
            assert refused["errors"][0]["extensions"] == {
                "code": "BAD_USER_INPUT",
                "field": "first",
            }, first
            assert f"0 to {MAX_LIST:,}" in refused["errors"][0]["message"]


CHANGES = """query C($first: Int, $after: String) {
  changes(a: "USA", b: "CHN", from: "2022-10-01", to: "2024-02-19") {
    dialogueChanges { dialogue { key } after }
    contacts(first: $first, after: $after) {
      totalCount nodes { key title } edges { cursor }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}"""


async def test_changes_page_their_contacts_and_refuse_a_list_over_the_bound(
    store: EventStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_demo(store)
    async with api_client(database_url) as http:
        whole = (await post(http, CHANGES, {"first": 10}))["changes"]["contacts"]
        titles = [node["title"] for node in whole["nodes"]]
        assert whole["totalCount"] == 3 and titles[-1] == "Sullivan-Wang talks in Bangkok"
        first = (await post(http, CHANGES, {"first": 2}))["changes"]["contacts"]
        assert first["pageInfo"] == {
            "hasNextPage": True,
            "hasPreviousPage": False,
            "endCursor": first["edges"][-1]["cursor"],
        }
        rest = await post(http, CHANGES, {"first": 2, "after": first["pageInfo"]["endCursor"]})
        second = rest["changes"]["contacts"]
        assert [n["title"] for n in first["nodes"] + second["nodes"]] == titles
        assert second["pageInfo"]["hasNextPage"] is False
        # The stated bound, lowered so that the demo's one dialogue change goes over it.
        monkeypatch.setattr(paging, "MAX_LIST", 0)
        refused = await answer(http, CHANGES, first=10)
    assert refused["data"] is None
    error = refused["errors"][0]
    assert error["path"] == ["changes", "dialogueChanges"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "from"}
    assert "1 dialogue changes between `from` and `to`: a list holds at most 0" in error["message"]


OBJECT_EVENTS = """{
  instrument(id: "instrument/bletchley-declaration") { events { key type } }
  stream(id: "instrument/bletchley-declaration") { events(first: 100) { nodes { key type } } }
  relation(a: "USA", b: "CHN", asOf: "2024-02-19") {
    lastContact { key events { key type stream { key } } }
    dialogues { dialogue { key events { type } } }
    measuresInForce { measure { key events { type } } }
    disputes { dispute { key events { type } } }
  }
}"""


async def test_stream_objects_list_their_events_within_the_stated_bound(
    store: EventStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_demo(store)
    async with api_client(database_url) as http:
        data = await post(http, OBJECT_EVENTS)
        monkeypatch.setattr(paging, "MAX_LIST", 1)
        refused = await answer(http, OBJECT_EVENTS)
    assert data["instrument"]["events"] == data["stream"]["events"]["nodes"]
    assert data["instrument"]["events"][0]["type"] == "InstrumentAdopted"
    relation = data["relation"]
    assert {e["stream"]["key"] for e in relation["lastContact"]["events"]} == {
        relation["lastContact"]["key"]
    }
    firsts = [d["dialogue"]["events"][0]["type"] for d in relation["dialogues"]]
    assert set(firsts) == {"DialogueEstablished"}
    firsts = [m["measure"]["events"][0]["type"] for m in relation["measuresInForce"]]
    assert set(firsts) == {"MeasureImposed"}
    # The Track II dialogue's stream holds two events (established, a round): over the lowered
    # bound; the other streams hold one.
    [error] = refused["errors"]
    assert error["path"] == ["relation", "dialogues", 0, "dialogue", "events"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "events"}
    assert (
        "2 events in dialogue/tsinghua-ciss-brookings-ai: a list holds at most 1"
        in (error["message"])
    )


WINDOW_EVENTS = """query W($first: Int, $after: String, $last: Int, $before: String) {
  changes(a: "USA", b: "CHN", from: "2022-10-01", to: "2024-02-19") {
    events(first: $first, after: $after, last: $last, before: $before) {
      totalCount nodes { key } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"""


async def test_the_events_of_a_window_page_both_ways(store: EventStore, database_url: str) -> None:
    await load_demo(store)
    async with api_client(database_url) as http:
        whole = (await post(http, WINDOW_EVENTS, {"first": 100}))["changes"]["events"]
        keys = [node["key"] for node in whole["nodes"]]
        assert len(keys) == whole["totalCount"] > 3
        backward: list[str] = []
        before = None
        while True:
            page = (await post(http, WINDOW_EVENTS, {"last": 2, "before": before}))["changes"]
            backward = [node["key"] for node in page["events"]["nodes"]] + backward
            if not page["events"]["pageInfo"]["hasPreviousPage"]:
                break
            before = page["events"]["pageInfo"]["startCursor"]
        assert backward == keys
        neither = await answer(http, WINDOW_EVENTS)  # variables: checked when they are known
        both = await answer(http, WINDOW_EVENTS, first=2, last=2)
    for refused in (neither, both):
        assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
