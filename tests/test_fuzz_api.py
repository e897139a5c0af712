"""Fuzzing the GraphQL API (docs/fuzzing.md): schemathesis generates queries and mutations from
the schema the server publishes, valid ones and invalid ones, and sends them to a live
`timeline serve` holding the demo data, with an editor's token so that mutations run.

Every answer must be a GraphQL answer a client can act on: never an HTTP 500, never an error
without a code or with the masked INTERNAL_SERVER_ERROR (a masked error is still a bug), and never
a null where the schema promises a value (schemathesis's response_schema_conformance).

TIMELINE_FUZZ_EXAMPLES sets how many operations are generated per backend (default 5,000 on
SQLite and 2,500 on PostgreSQL: 7,500 in a run of the suite on both, about six minutes on a
2-core machine), TIMELINE_FUZZ_SEED (default 0) the seed; docs/fuzzing.md gives the long run.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import requests
import schemathesis
from graphql import build_schema
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import response_schema_conformance
from schemathesis.graphql import nodes

from api.graphql.errors import INTERNAL
from events.db import create_engine
from events.demo import load_demo
from events.store import EventStore
from tests import profiles
from tests.hostile_input import demo_events, edtf_strings
from tests.servers import AUTH, timeline_process
from tests.strategies import edtf_dates

ROOT = Path(__file__).parents[1]
SEED = int(os.environ.get("TIMELINE_FUZZ_SEED", "0"))
# docs/graphql.md, "Errors": every error carries one of these; INTERNAL_SERVER_ERROR, the masked
# unexpected error, is left out on purpose.
CODES = {
    "BAD_USER_INPUT",
    "CONFLICT",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "QUERY_TOO_COMPLEX",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
}
# What an internal error let through unmasked would show: a traceback, the database driver.
LEAKS = ("Traceback", 'File "', "sqlalchemy", "sqlite3", "asyncpg", "psycopg")


def demo_ids() -> list[str]:
    """The ids the demo data uses (events, streams, actors), so that generated arguments name
    things that exist as well as things that do not."""
    ids: set[str] = set()
    for event in demo_events():
        ids.update((event["id"], event["stream"]))
        ids.update(_actor_like(event["data"]))
    return sorted(ids)


def _actor_like(value: Any) -> set[str]:
    """Short strings in the data that may be actor ids (USA, eu, ...)."""
    if isinstance(value, str):
        return {value} if 2 <= len(value) <= 24 and " " not in value else set()
    if isinstance(value, dict):
        return set().union(*map(_actor_like, value.values()))
    if isinstance(value, list):
        return set().union(*map(_actor_like, value))
    return set()


def register_scalars() -> None:
    """Strategies for the schema's own scalars: values of the right shape, with junk mixed in."""
    junk = st.text(max_size=30)
    schemathesis.graphql.scalar("EDTF", st.one_of(edtf_dates(), edtf_strings()).map(nodes.String))
    schemathesis.graphql.scalar(
        "ID", st.one_of(st.sampled_from(demo_ids()), junk).map(nodes.String)
    )
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
        max_leaves=8,
    )
    schemathesis.graphql.scalar("JSON", json_values.map(json.dumps).map(nodes.String))


def problems(response: requests.Response) -> list[str]:
    """What is wrong with one answer, beyond the schema check of schemathesis."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {response.text[:500]}"]
    try:
        body = response.json()
    except ValueError:
        return [f"HTTP {response.status_code}, not JSON: {response.text[:500]}"]
    found = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        message = str(error.get("message"))
        if code not in CODES or message == INTERNAL or any(leak in message for leak in LEAKS):
            found.append(f"error with code {code!r}: {error}")
    return found


def outcome(response: requests.Response) -> str:
    """ "data" for an answer without errors, else the code of its first error."""
    errors = response.json().get("errors")
    return str(errors[0]["extensions"]["code"]) if errors else "data"


def share_per_field(examples: int, fields: int) -> int:
    """How many operations each root field gets: an equal share of `examples`, at least two."""
    return max(2, -(-examples // fields))


def fuzz(address: str, examples: int) -> tuple[Counter[str], Counter[str]]:
    """Send `examples` generated operations to the server at `address`; how many of each root
    field were sent, and how many answers had data or each error code."""
    register_scalars()
    url = f"http://{address}/graphql"
    # schemathesis adds its own headers to the mapping it is given (user-agent, connection:
    # keep-alive, ...): each call gets a copy, or the shared AUTH would carry them into other
    # tests (a WebSocket handshake with `connection: keep-alive` is no upgrade).
    schema = schemathesis.graphql.from_url(url, headers=dict(AUTH))
    sent: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    session = requests.Session()

    def run(cases: st.SearchStrategy[schemathesis.Case], count: int) -> None:
        @seed(SEED)
        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def check(case: schemathesis.Case) -> None:
            response = case.call(session=session, headers=dict(AUTH))
            sent[case.operation.label] += 1
            assert not problems(response), (
                case.as_curl_command(headers=dict(AUTH)),
                problems(response),
            )
            case.validate_response(
                response, checks=[response_schema_conformance], headers=dict(AUTH)
            )
            answers[outcome(response)] += 1

        check()

    # An equal share of the operations for each root field, valid and invalid ones mixed, so
    # that every root field is exercised at any size (one draw over the whole schema left
    # some out at the quick profile's size).
    operations = [result.ok() for result in schema.get_all_operations()]
    share = share_per_field(examples, len(operations))
    for operation in operations:
        run(
            st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            ),
            share,
        )
    return sent, answers


async def test_generated_operations_get_coded_answers_that_keep_to_the_schema(
    database_url: str,
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    examples = profiles.API_FUZZ.value(backend)
    # The demo loaded here rather than by `timeline serve --demo`, which would spend the
    # server's start-up wait on it.
    engine = create_engine(database_url)
    try:
        await load_demo(EventStore(engine))
    finally:
        await engine.dispose()
    async with timeline_process(database_url) as served:
        try:
            # schemathesis calls the server synchronously (requests): off the loop, in a thread.
            sent, answers = await asyncio.to_thread(fuzz, served.address, examples)
        finally:
            logged = served.log_lines()
            print("\n".join(logged[-40:]))  # the server's last words, shown if the test fails
    assert not [
        line for line in logged if "unexpected error" in line or "Exception in ASGI" in line
    ], "\n".join(logged)
    print(f"{sum(sent.values())} operations {dict(sent)}, answers {dict(answers)}")
    assert answers["data"], "no operation got past validation to the resolvers"
    published = build_schema((ROOT / "api" / "schema.graphql").read_text(encoding="utf-8"))
    assert published.query_type and published.mutation_type
    fields = {f"Query.{name}": field for name, field in published.query_type.fields.items()} | {
        f"Mutation.{name}": field for name, field in published.mutation_type.fields.items()
    }
    assert set(sent) == set(fields), "some root fields were never called"
    # Every root field gets its share, except one without arguments: hypothesis stops once it
    # has drawn each of its few distinct operations (logHead has a few dozen selections).
    share = share_per_field(examples, len(fields))
    short = {label for label, count in sent.items() if count < share}
    assert not {label for label in short if fields[label].args}, (share, dict(sent))
