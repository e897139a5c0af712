"""The caching of GET answers (api/caching.py, docs/caching.md): ETags and 304s, Cache-Control,
and the in-process LRU, which serves a repeat without executing and never an answer a new
event could have changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families

from api.caching import Answer, AnswerCache, pinned_at
from api.graphql.schema import schema
from events.store import EventStore
from events.types import NewEvent, format_timestamp
from tests.api_client import EDITOR_TOKEN, api_client, import_sample
from tests.factories import actor, meeting

IMMUTABLE = "public, max-age=31536000, immutable"
RELATION = """query R($k: DateTime) {
  relation(a: "USA", b: "CHN", asOf: "2025-01-01", knownAt: $k) {
    lastContact { id key }
    contacts(first: 5) { totalCount }
  }
}"""
EVENTS = "query E($k: DateTime) { events(first: 20, knownAt: $k) { totalCount } }"


@dataclass
class Log:
    """The sample imported at `first` (one transaction), then a meeting of USA and CHN
    recorded at `second`; `executions` counts the queries the schema executed."""

    store: EventStore
    http: httpx.AsyncClient
    first: datetime
    second: datetime
    executions: list[str]


def at(when: datetime) -> str:
    return format_timestamp(when)


async def get(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    params = {"query": query}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return await http.get("/graphql", params=params, headers=headers)


async def append_at(store: EventStore, event: NewEvent, when: datetime | None = None) -> None:
    """Append `event`, recorded at `when` as an import would carry it (else at the store's now)."""
    if when is not None:
        event = event.model_copy(update={"recorded_at": when})
    await store.append([event], recorded_by="test")


def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The queries the schema executes from now on, by text."""
    executions: list[str] = []
    original: Callable[..., Awaitable[Any]] = schema.execute

    async def execute(query: str | None, *args: Any, **kwargs: Any) -> Any:
        executions.append(query or "")
        return await original(query, *args, **kwargs)

    monkeypatch.setattr(schema, "execute", execute)
    return executions


@pytest.fixture
async def log(
    store: EventStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Log]:
    await import_sample(store)
    first = (await store.head()).recorded_at
    assert first is not None
    await append_at(store, meeting("2024-06-usa-chn", "USA", "CHN", occurred="2024-06-01"))
    second = (await store.head()).recorded_at
    assert second is not None and second > first
    async with api_client(database_url) as http:
        yield Log(store, http, first, second, counted(monkeypatch))


async def test_immutable_answer_gets_etag_and_304(log: Log) -> None:
    """knownAt before the head's recordedAt: the immutable Cache-Control and an ETag; the same
    ETag in If-None-Match is a 304 without a body, another one the answer."""
    ok = await get(log.http, RELATION, {"k": at(log.first)})
    assert ok.status_code == 200, ok.text
    assert ok.headers["cache-control"] == IMMUTABLE
    # CORS adds Origin; what matters here is that the answer varies by these two.
    assert {"Accept", "Authorization"} <= set(ok.headers["vary"].split(", "))
    etag = ok.headers["etag"]
    assert etag.startswith('W/"')
    # The relation as the sample left it: the meeting recorded a second later is not in it.
    assert ok.json()["data"]["relation"]["lastContact"]["key"] != "meeting/2024-06-usa-chn"
    same = await get(log.http, RELATION, {"k": at(log.first)}, {"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    listed = await get(
        log.http, RELATION, {"k": at(log.first)}, {"If-None-Match": f'"other", {etag}'}
    )
    assert listed.status_code == 304
    star = await get(log.http, RELATION, {"k": at(log.first)}, {"If-None-Match": "*"})
    assert star.status_code == 200
    other = await get(log.http, RELATION, {"k": at(log.first)}, {"If-None-Match": 'W/"other"'})
    assert other.status_code == 200
    assert other.json()["data"] == ok.json()["data"]
    assert other.headers["etag"] == etag
    assert log.executions == [RELATION]  # the 304s and the repeats executed nothing
    # Answered without executing, each is still counted under its operation.
    metrics = (await log.http.get("/metrics")).text
    counts = {
        sample.labels["operation"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "timeline_graphql_request_duration_seconds_count"
    }
    assert counts == {"R": 5}


async def test_immutable_answer_outlives_new_events(log: Log) -> None:
    """An immutable answer, served from the cache after new events, is still the answer an
    execution gives; another knownAt is another answer with another ETag."""
    first = await get(log.http, RELATION, {"k": at(log.first)})
    await append_at(log.store, meeting("2024-07-usa-chn", "USA", "CHN", occurred="2024-07-01"))
    again = await get(log.http, RELATION, {"k": at(log.first)})
    assert again.headers["etag"] == first.headers["etag"]
    assert again.json() == first.json()
    assert len(log.executions) == 1
    executed = await log.http.post(
        "/graphql", json={"query": RELATION, "variables": {"k": at(log.first)}}
    )
    assert executed.json()["data"] == first.json()["data"]
    assert "etag" not in executed.headers  # POST: never cached
    before = await get(log.http, RELATION, {"k": at(log.first - timedelta(days=1))})
    assert before.json()["data"]["relation"]["contacts"]["totalCount"] == 0
    assert before.headers["cache-control"] == IMMUTABLE
    assert before.headers["etag"] != first.headers["etag"]
    assert len(log.executions) == 3


async def test_known_now_is_revalidated(log: Log) -> None:
    """Without knownAt: no-cache and an ETag of the head position. A repeat is served from the
    cache and a revalidation is a 304 while nothing is appended; after an event that changes
    the answer, the new answer under a new ETag; after one that does not, a new ETag too (the
    ETag follows the log position, so that revalidating never executes) with the same data."""
    first = await get(log.http, RELATION)
    assert first.headers["cache-control"] == "public, no-cache"
    etag = first.headers["etag"]
    assert first.json()["data"]["relation"]["lastContact"]["key"] == "meeting/2024-06-usa-chn"
    repeat = await get(log.http, RELATION)
    assert repeat.json() == first.json()
    assert (await get(log.http, RELATION, headers={"If-None-Match": etag})).status_code == 304
    assert len(log.executions) == 1

    await append_at(log.store, meeting("2024-09-usa-chn", "USA", "CHN", occurred="2024-09-01"))
    changed = await get(log.http, RELATION, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["data"]["relation"]["lastContact"]["key"] == "meeting/2024-09-usa-chn"
    assert changed.json()["data"]["relation"]["contacts"]["totalCount"] == (
        first.json()["data"]["relation"]["contacts"]["totalCount"] + 1
    )
    assert len(log.executions) == 2

    await append_at(log.store, actor("unrelated-ngo"))
    unrelated = await get(log.http, RELATION, headers={"If-None-Match": changed.headers["etag"]})
    assert unrelated.status_code == 200
    assert unrelated.headers["etag"] not in (etag, changed.headers["etag"])
    assert unrelated.json()["data"] == changed.json()["data"]
    assert len(log.executions) == 3


async def test_known_at_the_head_is_not_immutable(log: Log) -> None:
    """knownAt equal to the head's recordedAt is not immutable: an event may still be recorded
    at that very instant (an import carrying it, or a clock that has not moved), and then the
    answer known at it changes, and so does the ETag."""
    variables = {"k": at(log.second)}
    first = await get(log.http, RELATION, variables)
    assert first.headers["cache-control"] == "public, no-cache"
    assert first.json()["data"]["relation"]["lastContact"]["key"] == "meeting/2024-06-usa-chn"
    await append_at(
        log.store, meeting("2024-10-usa-chn", "USA", "CHN", occurred="2024-10-01"), log.second
    )
    later = await get(log.http, RELATION, variables, {"If-None-Match": first.headers["etag"]})
    assert later.status_code == 200
    assert later.headers["etag"] != first.headers["etag"]
    assert later.json()["data"]["relation"]["lastContact"]["key"] == "meeting/2024-10-usa-chn"


async def test_entries_are_never_shared(log: Log, database_url: str) -> None:
    """Two queries, two sets of variables, two roles, two media types: five entries, five
    ETags, each answer executed once."""
    pinned = {"k": at(log.first)}
    answers = [
        await get(log.http, RELATION, pinned),
        await get(log.http, EVENTS, pinned),
        await get(log.http, EVENTS, {"k": at(log.second)}),
        await get(log.http, EVENTS, pinned, {"Authorization": f"Bearer {EDITOR_TOKEN}"}),
        await get(log.http, EVENTS, pinned, {"Accept": "application/graphql-response+json"}),
    ]
    assert len({answer.headers["etag"] for answer in answers}) == 5
    assert [a.json()["data"]["events"]["totalCount"] for a in answers[1:3]] == [7, 8]
    assert len(log.executions) == 5
    # Known at the head's recordedAt, the third is not immutable.
    immutable = [answer.headers["cache-control"] == IMMUTABLE for answer in answers]
    assert immutable == [True, True, False, True, True]
    again = await get(log.http, EVENTS, pinned, {"Authorization": f"Bearer {EDITOR_TOKEN}"})
    assert again.headers["etag"] == answers[3].headers["etag"]
    assert len(log.executions) == 5


async def test_errors_mutations_and_posts_are_not_cached(log: Log) -> None:
    """A field error, a document that does not parse and a mutation over GET get no ETag and
    `no-store`, and are executed every time; so is every POST."""
    bad = """{ relation(a: "XX", b: "CHN", asOf: "2025-01-01",
      knownAt: "2020-01-01T00:00:00Z") { asOf } }"""
    for _ in range(2):
        failed = await get(log.http, bad)
        assert failed.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert failed.headers["cache-control"] == "no-store"
        assert "etag" not in failed.headers
    assert log.executions == [bad, bad]
    unparsed = await get(log.http, "{ relation(")
    assert unparsed.headers["cache-control"] == "no-store"
    target = "00000000-0000-4000-8000-000000000001"
    mutation = f"""mutation {{
      retractEvent(input: {{id: "{target}", reason: "x"}}) {{ event {{ id }} }}
    }}"""
    refused = await get(log.http, mutation, headers={"Authorization": f"Bearer {EDITOR_TOKEN}"})
    assert refused.status_code == 400  # strawberry: no mutation over GET
    assert "etag" not in refused.headers
    assert (await log.store.head()).count == 8  # nothing appended
    for _ in range(2):
        posted = await log.http.post(
            "/graphql", json={"query": EVENTS, "variables": {"k": at(log.first)}}
        )
        assert "etag" not in posted.headers
    # Every request went to the schema (which refuses the mutation over GET itself).
    assert log.executions == [bad, bad, "{ relation(", mutation, EVENTS, EVENTS]


async def test_cache_off_and_private(
    store: EventStore, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TIMELINE_ANSWER_CACHE_ENTRIES=0: every GET executes, ETags and 304s stay; with reading
    behind a token the answers are `private`."""
    await import_sample(store)
    first = (await store.head()).recorded_at
    assert first is not None
    await append_at(store, actor("later-ngo"))
    executions = counted(monkeypatch)
    settings = {"TIMELINE_ANSWER_CACHE_ENTRIES": "0", "TIMELINE_READ_REQUIRES_TOKEN": "true"}
    auth = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    async with api_client(database_url, **settings) as http:
        ok = await get(http, EVENTS, {"k": at(first)}, auth)
        assert ok.headers["cache-control"] == "private, max-age=31536000, immutable"
        again = await get(http, EVENTS, {"k": at(first)}, auth)
        assert again.headers["etag"] == ok.headers["etag"]
        assert len(executions) == 2
        tag = {"If-None-Match": ok.headers["etag"], **auth}
        assert (await get(http, EVENTS, {"k": at(first)}, tag)).status_code == 304
        assert (await get(http, EVENTS, {"k": at(first)})).status_code == 401
        assert len(executions) == 2


def test_lru_bounds() -> None:
    """At most `entries` answers and `max_bytes` of bodies, the least recently used dropped
    first; an answer over the byte bound is not kept."""
    cache = AnswerCache(entries=2, max_bytes=10)
    cache.put("a", Answer(b"aaaa", "application/json"))
    cache.put("b", Answer(b"bbbb", "application/json"))
    assert cache.get("a") is not None  # now b is the least recently used
    cache.put("c", Answer(b"cc", "application/json"))  # three entries: b goes
    assert cache.get("b") is None
    assert len(cache) == 2 and cache.bytes == 6
    cache.put("d", Answer(b"dddddd", "application/json"))  # three entries: a goes
    assert cache.get("a") is None
    assert len(cache) == 2 and cache.bytes == 8
    cache.put("f", Answer(b"fffff", "application/json"))  # c goes (entries), then d (bytes)
    assert cache.get("c") is None and cache.get("d") is None
    assert len(cache) == 1 and cache.bytes == 5
    cache.put("e", Answer(b"e" * 11, "application/json"))
    assert cache.get("e") is None
    off = AnswerCache(entries=0, max_bytes=10)
    off.put("a", Answer(b"a", "application/json"))
    assert len(off) == 0


K = "2024-03-01T12:00:00Z"
LATER = "2024-04-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ('{ relation(a: "USA", b: "CHN", asOf: "2024-01-01", knownAt: "@K") { asOf } }', {}, K),
        (RELATION, {"k": K}, K),
        (EVENTS.replace("{ events", "{ __typename events"), {"k": K}, K),
        (
            '{ event(id: "x", knownAt: "@K") { id } stream(id: "s", knownAt: "@L") { id } }',
            {},
            LATER,  # the latest of the instants given
        ),
        # An asOf left out is today; a knownAt left out, or null, is now.
        ('{ relation(a: "USA", b: "CHN", knownAt: "@K") { asOf } }', {}, None),
        ('{ relation(a: "USA", b: "CHN", asOf: "2024-01-01") { asOf } }', {}, None),
        (RELATION, {}, None),
        (RELATION, {"k": None}, None),
        # Root fields that read now, next to a pinned one.
        ('{ events(first: 1, knownAt: "@K") { totalCount } logHead { position } }', {}, None),
        ('{ actor(id: "USA") { name } }', {}, None),
        ('{ dialogue(id: "dialogue/x") { status(asOf: "2024-01-01") { status } } }', {}, None),
        ("{ __schema { queryType { name } } }", {}, None),
        # Not a query, or a knownAt that is not one (the query fails anyway).
        ('mutation { retractEvent(input: {id: "x", reason: "y"}) { event { id } } }', {}, None),
        ('{ events(first: 1, knownAt: "yesterday") { totalCount } }', {}, None),
    ],
)
def test_pinned_at_rules(query: str, variables: dict[str, Any], expected: str | None) -> None:
    """A query is pinned at the latest knownAt given only when every field reads at a given
    instant (docs/caching.md, "Which answers never change"); @K and @L stand for K and LATER."""
    text = query.replace("@K", K).replace("@L", LATER)
    found = pinned_at(parse(text), variables)
    assert found == (None if expected is None else datetime.fromisoformat(expected))
