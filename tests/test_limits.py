"""The query limits (docs/configuration.md, "Query limits"): over one, QUERY_TOO_COMPLEX and
nothing executed; the limit checks are cached with the validation of the query (strawberry
issue #4635)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import build_schema, get_introspection_query, parse

from api.graphql import introspection
from api.graphql.introspection import introspection_only
from api.graphql.limits import problems, rules_for
from api.graphql.schema import schema as api_schema
from api.settings import Limits
from events.store import EventStore
from tests.api_client import EDITOR_TOKEN, api_client, import_sample


async def post(http: httpx.AsyncClient, text: str, **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": text, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def nested(depth: int) -> str:
    """An actor query `depth` fields deep: actor, then country again and again, then id."""
    inner = "id"
    for _ in range(depth - 2):
        inner = f"country {{ {inner} }}"
    return f'{{ actor(id: "wang-yi") {{ {inner} }} }}'


def fragment_tree(levels: int) -> str:
    """Fragments each spreading the next twice: small text, 2**levels selections."""
    return (
        "query Q { ...F0 } "
        + " ".join(
            f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} a{i}: logHead {{ count }} }}"
            for i in range(levels)
        )
        + f" fragment F{levels} on Query {{ events(first: 100) {{ totalCount }} }}"
    )


def aliases(count: int, field: str = "logHead { position }") -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def refused(body: dict[str, Any], words: str) -> None:
    """Assert that `body` is a QUERY_TOO_COMPLEX refusal mentioning `words`, nothing run."""
    assert body.get("data") is None, body
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"QUERY_TOO_COMPLEX"}, body
    assert any(words in error["message"] for error in body["errors"]), body


async def test_a_normal_query_within_the_limits_passes(client: httpx.AsyncClient) -> None:
    body = await post(
        client,
        f"""{{
          deep: {nested(12)[1:-1]}
          {aliases(29)[1:-1]}
          events(first: 100) {{ totalCount edges {{ node {{ id ... on MeetingHeld
            {{ participants {{ id country {{ id }} }} }} }} }} }}
          relation(a: "USA", b: "CHN", asOf: "2024-02-19") {{
            contacts(first: 100) {{ totalCount }} statements {{ totalCount }} }}
          actors(first: 100) {{ edges {{ cursor }} }}
        }}""",
    )
    assert "errors" not in body, body
    assert body["data"]["events"]["totalCount"] == 7
    assert body["data"]["deep"]["country"] == {"country": None}  # CHN counts for no state


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (nested(13), "13 fields deep; at most 12"),
        (aliases(31), "31 aliases; at most 30"),
        (aliases(1000), "more than 2000 tokens"),  # the parser stops before any alias count
        ("{ logHead { " + "position " * 2500 + "} }", "more than 2000 tokens"),
        ("{ events(first: 10000) { totalCount } }", "at most 100 items, not 10000"),
        ("{ events(last: 101) { totalCount } }", "at most 100 items, not 101"),
        ("{ events { totalCount } }", "`events` needs `first` or `last`"),
        ("{ events(first: null) { totalCount } }", "`events` needs `first` or `last`"),
        (
            "query Q { ...F } fragment F on Query { events { totalCount } }",
            "`events` needs `first` or `last`",
        ),
        (fragment_tree(40), "the query uses 1099511627775 aliases"),
        (
            "{ __schema { types { fields { type { fields { name } } } } } }",
            "introspection may list",
        ),
    ],
)
async def test_a_query_over_a_limit_is_refused(
    client: httpx.AsyncClient, text: str, words: str
) -> None:
    refused(await post(client, text), words)


async def test_the_cost_budget_counts_connection_pages(
    store: EventStore, database_url: str
) -> None:
    await import_sample(store)
    async with api_client(database_url, TIMELINE_MAX_COST="150") as http:
        over = await post(
            http, "{ events(first: 100) { totalCount } actors(first: 60) { edges { cursor } } }"
        )
        refused(over, "may ask for 160 nodes")
        assert over["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": 150,
            "value": 160,
        }
        # A page size given as a variable counts as the largest page: the check runs before
        # variables are known, once per query text.
        variable = (
            "query Page($n: Int) { events(first: $n) { totalCount } "
            "actors(first: 60) { edges { cursor } } }"
        )
        refused(await post(http, variable, n=5), "may ask for 160 nodes")
        # the schema's default page of `actors` (20) counts when none is given
        defaulted = await post(
            http, "{ events(first: 100) { totalCount } actors { edges { cursor } } }"
        )
        assert "errors" not in defaulted, defaulted
        under = await post(
            http, "{ events(first: 100) { totalCount } actors(first: 50) { edges { cursor } } }"
        )
        assert "errors" not in under, under


def test_cost_multiplies_page_sizes_down_nested_connections() -> None:
    """GitHub's example: 50 repositories with 10 issues each ask for 50 + 50 * 10 nodes."""
    sdl = """
        type Query { viewer: User!  users(first: Int, last: Int): UserConnection! }
        type User { name: String!
                    repositories(first: Int, last: Int): RepositoryConnection! }
        type UserConnection { edges: [UserEdge!]! }
        type UserEdge { node: User! }
        type RepositoryConnection { edges: [RepositoryEdge!]! }
        type RepositoryEdge { node: Repository! }
        type Repository { name: String!  issues(first: Int = 30, last: Int): IssueConnection! }
        type IssueConnection { totalCount: Int! }
    """
    schema = build_schema(sdl)
    limits = Limits(max_cost=1)

    def cost(text: str) -> int:
        found = [e for e in problems(schema, parse(text), limits) if "nodes" in e.message]
        assert found, text
        value = (found[0].extensions or {})["value"]
        assert isinstance(value, int)
        return value

    assert (
        cost(
            "{ viewer { repositories(first: 50) { edges { node { issues(first: 10) "
            "{ totalCount } } } } } }"
        )
        == 50 + 50 * 10
    )
    # the schema's default page (issues: 30) counts when no size is given
    assert (
        cost("{ viewer { repositories(first: 50) { edges { node { issues { totalCount } } } } } }")
        == 50 + 50 * 30
    )
    # three levels, through a fragment spread twice under aliases
    assert cost(
        "{ users(first: 10) { edges { node { a: repositories(first: 5) { ...R } "
        "b: repositories(last: 2) { ...R } } } } } "
        "fragment R on RepositoryConnection { edges { node { issues(first: 4) { totalCount } } } }"
    ) == 10 + 10 * (5 + 5 * 4) + 10 * (2 + 2 * 4)


async def test_graphiqls_introspection_query_passes(client: httpx.AsyncClient) -> None:
    text = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    body = await post(client, text)
    assert "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_each_walk_of_the_schema_counts() -> None:
    """__schema and __type each walk the schema: 30 of them under aliases were 2.27 MB and
    up to 2.2 s of CPU for one request; each spread of a fragment holding one counts."""
    schema = api_schema._schema
    limits = Limits(max_introspection=2)

    def walks(text: str) -> int | None:
        found = [e for e in problems(schema, parse(text), limits) if "walks" in e.message]
        return None if not found else (found[0].extensions or {})["value"]

    assert walks(get_introspection_query()) is None
    assert walks('{ a: __type(name: "Query") { name } b: __schema { types { name } } }') is None
    assert walks(aliases(30, "__schema { types { name fields { name } } }")) == 30
    assert (
        walks(
            '{ ...F a: event(id: "x") { id } } fragment F on Query { __schema { '
            'queryType { name } } x: __schema { queryType { name } } y: __type(name: "Event") '
            "{ name } }"
        )
        == 3
    )
    assert walks("{ a: logHead { position } ...F ...F } fragment F on Query { __typename }") is None


async def test_a_mutation_over_a_limit_appends_nothing(client: httpx.AsyncClient) -> None:
    statement = {
        "stream": "statement/2024-02-mfa",
        "occurred": "2024-02-20",
        "data": {"statementIssued": {"issuer": "CN", "summary": "Talks on AI", "about": ["US"]}},
    }
    record = "recordEvent(input: $input) { event { id } }"
    countries = "id"
    for _ in range(9):  # recordEvent, event, issuer, 9 country, id: 13 fields deep
        countries = f"country {{ {countries} }}"
    for text, words in [
        ("mutation M($input: RecordEventInput!) " + aliases(31, record), "31 aliases"),
        (
            "mutation M($input: RecordEventInput!) { recordEvent(input: $input) { event { "
            f"... on StatementIssued {{ issuer {{ {countries} }} }} }} }} }}",
            "13 fields deep",
        ),
    ]:
        response = await client.post(
            "/graphql",
            json={"query": text, "variables": {"input": statement}},
            headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
        )
        refused(response.json(), words)
    head = await post(client, "{ logHead { position count } }")
    assert head["data"]["logHead"] == {"position": 7, "count": 7}


def counting_validate(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count graphql-core's validate behind strawberry's ValidationCache, by operation."""
    calls: list[str] = []
    validate: Callable[..., Any] = strawberry_schema.validate

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        calls.append(document.definitions[0].name.value if document.definitions[0].name else "")
        return validate(schema, document, rules)

    monkeypatch.setattr(strawberry_schema, "validate", counted)
    return calls


async def test_a_repeated_query_is_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_validate(monkeypatch)
    name = f"Head_{uuid.uuid4().hex}"  # a text no other test has had validated
    for _ in range(3):
        body = await post(client, f"query {name} {{ logHead {{ position }} }}")
        assert body["data"]["logHead"]["position"] == 7
    assert calls.count(name) == 1


async def test_limits_still_apply_to_a_cached_verdict(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_validate(monkeypatch)
    name = f"Deep_{uuid.uuid4().hex}"
    text = f"query {name} " + nested(13)
    for _ in range(2):
        refused(await post(client, text), "13 fields deep")
    assert calls.count(name) == 1


async def test_limits_are_those_of_the_apps_settings(
    client: httpx.AsyncClient, store: EventStore, database_url: str
) -> None:
    text = f"query Depth_{uuid.uuid4().hex} " + nested(4)
    allowed = await post(client, text)
    assert allowed["data"]["actor"] == {"country": {"country": None}}
    async with api_client(database_url, TIMELINE_MAX_DEPTH="3") as strict:
        refused(await post(strict, text), "4 fields deep; at most 3")
    assert rules_for(Limits()) is rules_for(Limits()), "one rule class per limits, made once"
    assert rules_for(Limits(max_depth=3)) != rules_for(Limits())


@pytest.mark.parametrize(
    ("text", "cached"),
    [
        ("{ __schema { queryType { name } } }", True),
        (
            'query Q { __typename ...F } fragment F on Query { __type(name: "Event") { name } }',
            True,
        ),
        ("{ __typename logHead { position } }", False),
        ("{ ...F } fragment F on Query { logHead { position } }", False),
        ("mutation { __typename }", False),
    ],
)
async def test_introspection_only_answers_are_kept(text: str, cached: bool) -> None:
    introspection._answers.clear()
    first = await api_schema.execute(text)
    assert introspection_only(parse(text), None) is cached
    assert (len(introspection._answers) == 1) is (cached and not first.errors)
    again = await api_schema.execute(text)
    assert (again.data, again.errors) == (first.data, first.errors)
