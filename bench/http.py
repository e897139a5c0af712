"""HTTP throughput: the GraphQL API under uvicorn, loaded by wrk from a second process.

Run `python -m bench.http --help`. For each backend, a synthetic log (bench/synthetic.py) is
imported into a fresh migrated database; uvicorn then serves `app_factory` (the real application
plus two plain JSON routes for the relation) with one worker on a free port of 127.0.0.1, and
wrk measures requests/s and p50/p99 latency per case, the cases interleaved round by round.
See bench/README.md.

The plain routes: /plain/relation-page answers with the same information as RELATION_QUERY,
made by the same events/ functions the resolvers call (on one connection, as a query's
resolvers read), serialised with json: the ratio of the GraphQL relation to it is GraphQL's
own cost, the goal's. /plain/relation is relation() alone, as the runs before had it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import TimelineGraphQL, create_app
from api.graphql.paging import encode_cursor
from api.settings import Settings
from bench.append import (
    DEFAULT_POSTGRES_URL,
    POSTGRES_URL_ENV,
    RESULTS,
    Backend,
    Database,
    SQLiteBackend,
    cpu_model,
    record,
)
from bench.asof import (
    CACHE,
    analyze,
    available,
    git_commit,
    keep,
    load,
    restore,
    synthetic_file,
)
from bench.http_floors import floor_routes
from events.dates import Edtf
from events.db import create_engine
from events.demo import load_demo
from events.projections.rebuild import rebuild
from events.store import EventStore
from events.types import StatementIssued
from events.views.objects import actors_by_id, events_at, meetings_by_stream
from events.views.reader import SharedConnection
from events.views.relation import (
    contacts_page,
    instrument_standings,
    pair_sides,
    relation,
    statements_page,
)
from events.views.states import DateKey, InstrumentStanding, Membership, Relation

PLAIN_PATH = "/plain/relation"
PLAIN_PAGE_PATH = "/plain/relation-page"
PAGE = 10  # the page size of both connections of RELATION_QUERY
AS_OF = "2020-01-01"  # a fixed date with a long USA-CHN history behind it
WRK_INSTALL = "apt-get install -y wrk (Debian/Ubuntu), brew install wrk (macOS)"

# --- the queries ---------------------------------------------------------------------------------

HEAD_QUERY = "{ logHead { position } }"

# The parts of a relation both relation queries ask for, and the fragment they use.
INSTRUMENTS = """
    dialogues { dialogue { key } status since { edtf earliest latest } certain }
    sharedInstruments { instrument { key } a { ...Member } b { ...Member } }
    onlyA { instrument { key } a { ...Member } }
    onlyB { instrument { key } b { ...Member } }
"""
MEMBER = "fragment Member on Membership { action since { edtf } until { edtf } certain }\n"

# What a relation page of a client would ask for: every part of the view, with the actors,
# meetings and dates it names.
RELATION_QUERY = (
    """
query Relation($a: ID!, $b: ID!, $asOf: Date!) {
  relation(a: $a, b: $b, asOf: $asOf) {
    asOf
    knownAt
    a { id name }
    b { id name }
    lastContact { id title status held { edtf earliest latest } participants { id name } }
    contacts(first: 10) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title held { edtf earliest latest } participants { id } } }
    }
    measuresInForce {
      measure { key } kind since { edtf earliest latest } certain imposer { id } targets { id }
    }
    statements(first: 10) {
      totalCount
      edges { cursor node { stream { key } occurred { edtf earliest latest }
        ... on StatementIssued { stance summary issuer { id } about { id } } } }
    }"""
    + INSTRUMENTS
    + "  }\n}\n"
    + MEMBER
)

# The relation page with every reference expanded into the object it names (issue 19's graph):
# the dialogues, measures and instruments with their own fields, each statement's stream, the
# actors' countries, the meetings' locations.
RELATION_EXPANDED_QUERY = (
    """
query RelationExpanded($a: ID!, $b: ID!, $asOf: Date!) {
  relation(a: $a, b: $b, asOf: $asOf) {
    asOf
    knownAt
    a { id name country { id } }
    b { id name country { id } }
    lastContact { id title status held { edtf earliest latest } location { name country { id } }
      participants { id name country { id } } }
    contacts(first: 10) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title held { edtf earliest latest } participants { id } } }
    }
    measuresInForce {
      measure { id title kind effective { edtf } respondsTo { id } }
      kind since { edtf earliest latest } certain imposer { id } targets { id }
    }
    statements(first: 10) {
      totalCount
      edges { cursor node { id stream { id kind version } occurred { edtf earliest latest }
        ... on StatementIssued { stance summary issuer { id } about { id } concerns { id } } } }
    }
    dialogues { dialogue { id name track parties { id } convenors { id } }
      status since { edtf earliest latest } certain }
    sharedInstruments {
      instrument { id title kind adopted { edtf } } a { ...Member } b { ...Member }
    }
    onlyA { instrument { id title kind adopted { edtf } } a { ...Member } }
    onlyB { instrument { id title kind adopted { edtf } } b { ...Member } }
  }
}
"""
    + MEMBER
)

# Only what relation() itself returns (no contacts, no actor or meeting lookups): the GraphQL
# machinery around the same view, to tell its cost from that of the extra lookups above.
RELATION_VIEW_QUERY = (
    """
query RelationView($a: ID!, $b: ID!, $asOf: Date!) {
  relation(a: $a, b: $b, asOf: $asOf) {
    asOf
    knownAt
    measuresInForce { measure { key } kind since { edtf earliest latest } certain }
    statements(first: 10) {
      totalCount
      edges { cursor node { stream { key } occurred { edtf earliest latest }
        ... on StatementIssued { stance summary } } }
    }"""
    + INSTRUMENTS
    + "  }\n}\n"
    + MEMBER
)

EVENTS_QUERY = """
query Events {
  events(first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id stream { key } type position recordedAt retracted
        occurred { edtf earliest latest }
        sources { url title }
        ... on MeetingHeld { title participants { id name } }
        ... on StatementIssued { summary issuer { id } about { id } }
      }
    }
  }
}
"""

RELATION_VARIABLES = {"a": "USA", "b": "CHN", "asOf": AS_OF}

# The same relation as the log knew it at KNOWN_AT, long before the head's recordedAt (the
# synthetic log is recorded up to the end of 2024): an immutable answer (docs/caching.md),
# which GET answers with an ETag and the LRU keeps.
KNOWN_AT = "2020-06-01T00:00:00Z"
PINNED_QUERY = RELATION_QUERY.replace(
    "$asOf: Date!) {", "$asOf: Date!, $knownAt: DateTime!) {"
).replace("asOf: $asOf) {", "asOf: $asOf, knownAt: $knownAt) {")
PINNED_VARIABLES = {**RELATION_VARIABLES, "knownAt": KNOWN_AT}
# The servers a case can be sent to: the default settings, and the answer cache turned off.
CACHE_OFF = {"TIMELINE_ANSWER_CACHE_ENTRIES": "0"}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Case:
    """One request, sent over and over: a GraphQL POST, a GraphQL GET (`get`), or a GET of the
    plain route; to the server with the default settings, or with the answer cache off
    (`cache_off`); with the If-None-Match of the answer's ETag (`revalidate`), a 304."""

    name: str
    path: str
    query: str | None = None
    variables: dict[str, str] | None = None
    get: bool = False
    cache_off: bool = False
    revalidate: bool = False
    # A GraphQL POST whose asOf changes at every request (a day of the log's span).
    new_date: bool = False

    @property
    def url(self) -> str:
        """The path and query string of the request."""
        if not self.get or self.query is None:
            return self.path
        params = {"query": self.query, "variables": json.dumps(self.variables or {})}
        return f"{self.path}?{urlencode(params)}"

    @property
    def body(self) -> str | None:
        """The JSON body of a GraphQL POST case."""
        if self.query is None or self.get:
            return None
        payload: dict[str, Any] = {"query": self.query}
        if self.variables:
            payload["variables"] = self.variables
        return json.dumps(payload, separators=(",", ":"))


HEAD = Case("logHead", "/graphql", HEAD_QUERY)
RELATION = Case("relation, GraphQL", "/graphql", RELATION_QUERY, RELATION_VARIABLES)
RELATION_EXPANDED = Case(
    "relation, GraphQL, every reference expanded",
    "/graphql",
    RELATION_EXPANDED_QUERY,
    RELATION_VARIABLES,
)
RELATION_VIEW = Case(
    "relation, GraphQL, the view's fields only", "/graphql", RELATION_VIEW_QUERY, RELATION_VARIABLES
)
PLAIN_PAGE = Case(
    "relation, plain JSON route, the GraphQL query's information",
    f"{PLAIN_PAGE_PATH}?a=USA&b=CHN&asOf={AS_OF}",
)
PLAIN = Case(
    "relation, plain JSON route, relation() alone", f"{PLAIN_PATH}?a=USA&b=CHN&asOf={AS_OF}"
)
EVENTS = Case("events(first: 100)", "/graphql", EVENTS_QUERY)
PINNED_CACHED = Case(
    "relation, GET, knownAt in the past, answer cache on",
    "/graphql",
    PINNED_QUERY,
    PINNED_VARIABLES,
    get=True,
)
PINNED_UNCACHED = Case(
    "relation, GET, knownAt in the past, answer cache off",
    "/graphql",
    PINNED_QUERY,
    PINNED_VARIABLES,
    get=True,
    cache_off=True,
)
PINNED_304 = Case(
    "relation, GET, knownAt in the past, If-None-Match (304), answer cache off",
    "/graphql",
    PINNED_QUERY,
    PINNED_VARIABLES,
    get=True,
    cache_off=True,
    revalidate=True,
)
KNOWN_NOW_CACHED = Case(
    "relation, GET, known now, answer cache on",
    "/graphql",
    RELATION_QUERY,
    RELATION_VARIABLES,
    get=True,
)
# Issue 24's latency ratios: one connection, one request at a time, on the same server.
HEALTHZ = Case("/healthz", "/healthz")
RELATION_NEW_DATE = Case(
    "relation, GraphQL, a new asOf each request",
    "/graphql",
    RELATION_QUERY,
    RELATION_VARIABLES,
    new_date=True,
)
# The floors of those ratios (bench/http_floors.py): plain routes doing one part of a request.
FLOOR_HOP = Case("floor: one hop to aiosqlite's thread, SELECT 1, no SQLAlchemy", "/floor/hop")
FLOOR_SELECT1 = Case("floor: SELECT 1 through the async engine", "/floor/select1")
FLOOR_HEAD = Case("floor: the log head's read, no GraphQL", "/floor/head")
FLOOR_TYPENAME = Case("floor: strawberry executing { __typename }, no I/O", "/floor/typename")
FLOOR_ANSWERS = Case(
    "floor: graphql-core over the relation's precomputed answer, no I/O",
    "/floor/relation-answers",
)
FLOOR_ANSWERS_READ = Case(
    "floor: the same plus the relation's statements in one read",
    "/floor/relation-answers-one-read",
)
FLOOR_ANSWERS_BARE = Case(
    "floor: the same, the statements by bare sqlite3 in one hop",
    "/floor/relation-answers-one-hop-bare",
)
FLOOR_STRAWBERRY = Case(
    "floor: strawberry, the resolvers and SQLAlchemy over statements answered from memory",
    "/floor/relation-strawberry-from-memory",
)
FLOOR_CASES = (
    FLOOR_HOP,
    FLOOR_SELECT1,
    FLOOR_HEAD,
    FLOOR_TYPENAME,
    FLOOR_ANSWERS,
    FLOOR_ANSWERS_READ,
    FLOOR_ANSWERS_BARE,
    FLOOR_STRAWBERRY,
)
LATENCY_CASES = (HEALTHZ, HEAD, RELATION_NEW_DATE, *FLOOR_CASES)
# (case, over case, goal: the ratio of their p50s at most this)
LATENCY_RATIOS = ((RELATION_NEW_DATE, HEAD, 2.0), (HEAD, HEALTHZ, 1.5))
# (floor, over case, goal it bounds): a floor over the goal's own denominator above the goal
# says that no request doing that part through this stack meets it.
FLOOR_RATIOS = (
    (FLOOR_HOP, HEALTHZ, 1.5),
    (FLOOR_SELECT1, HEALTHZ, 1.5),
    (FLOOR_HEAD, HEALTHZ, 1.5),
    (FLOOR_TYPENAME, HEALTHZ, 1.5),
    (FLOOR_ANSWERS, HEAD, 2.0),
    (FLOOR_ANSWERS_READ, HEAD, 2.0),
    (FLOOR_ANSWERS_BARE, HEAD, 2.0),
    (FLOOR_STRAWBERRY, HEAD, 2.0),
)
CASES = (
    HEAD,
    RELATION,
    RELATION_EXPANDED,
    PLAIN_PAGE,
    RELATION_VIEW,
    PLAIN,
    EVENTS,
    PINNED_CACHED,
    PINNED_UNCACHED,
    PINNED_304,
    KNOWN_NOW_CACHED,
)
# What each GraphQL relation is compared with: the first pair is the goal's.
RATIOS = (
    (RELATION, PLAIN_PAGE),
    (RELATION, PLAIN),
    (RELATION_VIEW, PLAIN),
    (PINNED_CACHED, PINNED_UNCACHED),
    (PINNED_304, PINNED_UNCACHED),
    (KNOWN_NOW_CACHED, PINNED_UNCACHED),
)


# --- the application under test ------------------------------------------------------------------


def _graphql_view(app: Starlette) -> TimelineGraphQL:
    """The GraphQL view the application serves at /graphql (it holds the store and engine)."""
    for route in app.routes:
        if isinstance(route, Route) and isinstance(route.endpoint, TimelineGraphQL):
            return route.endpoint
    raise LookupError("the application serves no TimelineGraphQL route")


def _json_default(value: object) -> str:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def relation_json(view: Relation) -> bytes:
    """A relation view (a tree of dataclasses) as JSON."""
    return json.dumps(asdict(view), default=_json_default, separators=(",", ":")).encode()


def _when(value: Edtf) -> dict[str, str]:
    return {
        "edtf": value.edtf,
        "earliest": value.earliest.isoformat(),
        "latest": value.latest.isoformat(),
    }


def _member(value: Membership | None) -> dict[str, Any] | None:
    if value is None:
        return None
    until = value.until
    return {
        "action": value.action,
        "since": {"edtf": value.since.edtf},
        "until": None if until is None else {"edtf": until.edtf},
        "certain": value.certain,
    }


def _standing(item: InstrumentStanding, *sides: str) -> dict[str, Any]:
    found: dict[str, Any] = {"instrument": {"key": item.instrument}}
    for side in sides:
        found[side] = _member(getattr(item, side))
    return found


def _key(key: DateKey) -> str:
    # The cursor the GraphQL connections give, so that the two answers can be compared.
    return encode_cursor(key, "relation")


async def relation_page(engine: Any, a: str, b: str, as_of: date) -> dict[str, Any]:
    """What RELATION_QUERY answers, field for field, from the functions its resolvers call:
    the sides read once, the view, both pages with their counts, the instruments, the
    statements' events, then every actor and meeting named in one batch each."""
    reader = SharedConnection(engine)
    try:
        known_at = datetime.now(UTC)
        sides = await pair_sides(reader, a, b, known_at)
        view = await relation(
            reader, a, b, as_of, known_at, instruments=False, recent=0, given=sides
        )
        contacts = await contacts_page(
            reader, a, b, first=PAGE, until=as_of, known_at=known_at, given=sides
        )
        said = await statements_page(
            reader, a, b, first=PAGE, until=as_of, known_at=known_at, given=sides
        )
        standings = await instrument_standings(reader, a, b, as_of, known_at, given=sides)
        events = await events_at(
            reader, positions=[item.position for _, item in said.items], known_at=known_at
        )
        last = view.last_contact
        streams = [contact.meeting for _, contact in contacts.items]
        meetings = await meetings_by_stream(
            reader, [*streams, *([last.meeting] if last else [])], known_at
        )
        named = {a, b}
        for meeting in meetings.values():
            named.update(meeting.participants)
        for measure in view.measures_in_force:
            named.update((measure.imposer, *measure.targets))
        for event in events:
            data = event.current.data
            assert isinstance(data, StatementIssued)
            named.update((data.issuer, *data.about))
        actors = await actors_by_id(reader, sorted(named), known_at)
    finally:
        await reader.close()

    def actor(actor_id: str, name: bool = False) -> dict[str, str] | None:
        found = actors.get(actor_id)
        if found is None:
            return None
        return {"id": found.id, "name": found.name} if name else {"id": found.id}

    def listed(ids: Sequence[str], name: bool = False) -> list[dict[str, str]]:
        # As the GraphQL lists of actors: an id no actor has is left out.
        return [found for actor_id in ids if (found := actor(actor_id, name)) is not None]

    last_meeting = meetings.get(last.meeting) if last else None
    by_position = {event.recorded.position: event for event in events}
    statements = []
    for key, item in said.items:
        event = by_position[item.position]
        data = event.current.data
        assert isinstance(data, StatementIssued)
        statements.append(
            {
                "cursor": _key(key),
                "node": {
                    "stream": {"key": event.recorded.stream},
                    "occurred": _when(event.current.occurred),
                    "stance": None if data.stance is None else data.stance.value,
                    "summary": data.summary,
                    "issuer": actor(data.issuer),
                    "about": listed(data.about),
                },
            }
        )
    return {
        "asOf": view.as_of.isoformat(),
        "knownAt": view.known_at.isoformat(),
        "a": actor(a, name=True),
        "b": actor(b, name=True),
        "lastContact": None
        if last_meeting is None
        else {
            "id": last_meeting.id,
            "title": last_meeting.title,
            "status": last_meeting.status,
            "held": None if last_meeting.held is None else _when(last_meeting.held),
            "participants": listed(last_meeting.participants, name=True),
        },
        "contacts": {
            "totalCount": contacts.total,
            "pageInfo": {
                "hasNextPage": contacts.has_next,
                "endCursor": _key(contacts.items[-1][0]) if contacts.items else None,
            },
            "edges": [
                {
                    "cursor": _key(key),
                    "node": {
                        "id": node.id,
                        "title": node.title,
                        "held": None if node.held is None else _when(node.held),
                        "participants": listed(node.participants),
                    },
                }
                for key, contact in contacts.items
                if (node := meetings.get(contact.meeting)) is not None
            ],
        },
        "measuresInForce": [
            {
                "measure": {"key": measure.measure},
                "kind": measure.kind,
                "since": _when(measure.since),
                "certain": measure.certain,
                "imposer": actor(measure.imposer),
                "targets": listed(measure.targets),
            }
            for measure in view.measures_in_force
        ],
        "statements": {
            "totalCount": said.total,
            "edges": statements,
        },
        "dialogues": [
            {
                "dialogue": {"key": dialogue.dialogue},
                "status": dialogue.status,
                "since": _when(dialogue.since),
                "certain": dialogue.certain,
            }
            for dialogue in view.dialogues
        ],
        "sharedInstruments": [_standing(item, "a", "b") for item in standings.shared],
        "onlyA": [_standing(item, "a") for item in standings.only_a],
        "onlyB": [_standing(item, "b") for item in standings.only_b],
    }


def app_factory() -> Starlette:
    """The real application (configured from the environment, as `timeline serve` makes it),
    plus two plain routes, no GraphQL, on the application's own engine: GET
    /plain/relation-page?a=&b=&asOf= (`relation_page`) and GET /plain/relation?a=&b=&asOf=
    (relation() serialised with json)."""
    app = create_app(Settings.from_env())
    engine = _graphql_view(app).store.engine

    async def plain_relation(request: Request) -> Response:
        params = request.query_params
        view = await relation(engine, params["a"], params["b"], date.fromisoformat(params["asOf"]))
        return Response(relation_json(view), media_type="application/json")

    async def plain_relation_page(request: Request) -> Response:
        params = request.query_params
        found = await relation_page(
            engine, params["a"], params["b"], date.fromisoformat(params["asOf"])
        )
        body = json.dumps({"relation": found}, separators=(",", ":")).encode()
        return Response(body, media_type="application/json")

    app.router.routes.append(Route(PLAIN_PATH, plain_relation))
    app.router.routes.append(Route(PLAIN_PAGE_PATH, plain_relation_page))
    floors, close_floors = floor_routes(_graphql_view(app), RELATION_QUERY, RELATION_VARIABLES)
    app.router.routes.extend(floors)
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with serve(app):
            try:
                yield
            finally:
                await close_floors()

    app.router.lifespan_context = lifespan
    return app


# --- the server and the load ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(database_url: str, log: Path, settings: dict[str, str] | None = None) -> Iterator[str]:
    """uvicorn serving `app_factory` on `database_url`, one worker, `settings` added to its
    environment; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        *("-m", "uvicorn", "bench.http:app_factory", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--log-level", "warning", "--no-access-log"),
    ]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, **(settings or {}), "TIMELINE_DATABASE_URL": database_url}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited ({process.returncode}):\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn not ready after 60 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk_path() -> str:
    """The wrk executable, or exit with how to install it."""
    found = shutil.which("wrk")
    if found is None:
        sys.exit(f"bench.http needs wrk (the HTTP load generator) on PATH: {WRK_INSTALL}")
    return found


# wrk's `done` hook prints the run's totals and latency percentiles (µs) as one JSON line.
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %d, "micros": %d, "p50": %d, "p99": %d, "errors": %d, '
      .. '"status_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


# A request per call with the next day of the synthetic log's span (2015-2024 at 10k events)
# as its asOf: the body's JSON is cut around the date.
NEW_DATE = """
local day = 0
request = function()
  day = (day + 1) % 3650
  local when = os.date("!%Y-%m-%d", os.time{year=2015, month=1, day=1, hour=12} + day * 86400)
  return wrk.format(nil, nil, nil, before_date .. when .. after_date)
end
"""


def wrk_script(case: Case, directory: Path, etag: str | None = None) -> Path:
    """The Lua script wrk runs for `case`: the request (with If-None-Match: `etag` if given,
    a new asOf each time if `case.new_date`), and the `done` hook."""
    lines = []
    if etag is not None:
        lines.append(f'wrk.headers["If-None-Match"] = [==[{etag}]==]')
    if case.body is not None:
        lines += [
            'wrk.method = "POST"',
            f"wrk.body = [==[{case.body}]==]",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    if case.new_date and case.body is not None:
        before, after = case.body.split(AS_OF)
        lines += [f"before_date = [==[{before}]==]", f"after_date = [==[{after}]==]", NEW_DATE]
    path = directory / f"case-{(*CASES, *LATENCY_CASES).index(case)}.lua"
    path.write_text("\n".join(lines) + WRK_DONE, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Run:
    """One wrk run of one case."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors and timeouts
    status_errors: int  # responses other than 2xx/3xx

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds


def run_wrk(
    wrk: str,
    base: str,
    case: Case,
    script: Path,
    args: argparse.Namespace,
    seconds: int,
    connections: int | None = None,
) -> Run:
    """Load `case` for `seconds` with wrk (its own process): `connections` (default
    `args.connections`) keep-alive connections on `args.threads` threads."""
    connections = args.connections if connections is None else connections
    command = [
        wrk,
        *("-t", str(args.threads), "-c", str(connections), "-d", f"{seconds}s"),
        *("--timeout", "30s", "-s", str(script), base + case.url),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no RESULT line in wrk's output:\n{output}")
    found = json.loads(match.group(1))
    return Run(
        requests=found["requests"],
        seconds=found["micros"] / 1e6,
        p50_ms=found["p50"] / 1000,
        p99_ms=found["p99"] / 1000,
        errors=found["errors"],
        status_errors=found["status_errors"],
    )


def check(
    base: str, case: Case, etag: str | None = None, contacts: bool = True
) -> tuple[int, Any, str | None]:
    """Send `case` once (with If-None-Match: `etag` if given, which must be a 304) and check
    the answer is a success with data, not an error (and, with `contacts`, that a relation
    lists some); return the size of the response body in bytes, the body and the ETag."""
    if case.body is None:
        headers = {} if etag is None else {"If-None-Match": etag}
        response = httpx.get(base + case.url, headers=headers, timeout=60)
    else:
        response = httpx.post(
            base + case.path,
            content=case.body,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
    if etag is not None:
        if response.status_code != 304 or response.content:
            raise RuntimeError(f"{case.name}: {response.status_code}, not a 304 without a body")
        return 0, None, etag
    response.raise_for_status()
    body = response.json()
    if case.query is not None:
        if body.get("errors") or not body.get("data"):
            raise RuntimeError(f"{case.name}: {json.dumps(body)[:2000]}")
        data = body["data"]
        if case is EVENTS and len(data["events"]["edges"]) != 100:
            raise RuntimeError(f"{case.name}: {len(data['events']['edges'])} edges, not 100")
        if (
            contacts
            and case.query in (RELATION_QUERY, PINNED_QUERY)
            and not data["relation"]["contacts"]["edges"]
        ):
            raise RuntimeError(f"{case.name}: no contacts: the log is too small")
        if case.get and "etag" not in response.headers:
            raise RuntimeError(f"{case.name}: no ETag")
    elif (case is PLAIN_PAGE and not body["relation"]["contacts"]["edges"]) or (
        case is PLAIN and not body["contacts"]
    ):
        raise RuntimeError(f"{case.name}: no contacts: the log is too small")
    return len(response.content), body, response.headers.get("etag")


def same_information(graphql: Any, plain: Any) -> None:
    """Check that the plain page route answers what the GraphQL relation query does (but for
    knownAt, the instant of each request)."""
    answers = [dict(graphql["data"]["relation"]), dict(plain["relation"])]
    for answer in answers:
        answer.pop("knownAt")
    if answers[0] != answers[1]:
        differ = sorted(
            k
            for k in answers[0].keys() | answers[1].keys()
            if answers[0].get(k) != answers[1].get(k)
        )
        raise RuntimeError(f"the plain page route and the GraphQL query differ in {differ}")


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Result:
    """Every round of one case on one backend."""

    backend: str
    case: Case
    runs: list[Run] = field(default_factory=list)
    response_bytes: int = 0
    sequential: bool = False  # run on one connection (LATENCY_CASES)

    @property
    def rate(self) -> float:
        """Median requests/s of the rounds."""
        return statistics.median(run.rate for run in self.runs)

    @property
    def p50(self) -> float:
        """Median over the rounds of each round's p50 latency (ms)."""
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p99(self) -> float:
        """Median over the rounds of each round's p99 latency (ms)."""
        return statistics.median(run.p99_ms for run in self.runs)


async def prepare(backend: Backend, database: Database, args: argparse.Namespace) -> int:
    """Fill the fresh `database` with the synthetic log (with --demo, the demo data); return
    the events it holds.

    With --reuse-loads, start from the copy bench.asof keeps of an earlier import of the same
    log (importing 1M events into SQLite takes over ten minutes), its projections rebuilt by the
    code as it is; else import it, and keep a copy when --reuse-loads asks for one."""
    started = time.perf_counter()
    if args.demo:
        engine = create_engine(database.url)
        try:
            count = (await load_demo(EventStore(engine))).appended
        finally:
            await engine.dispose()
        print(f"{backend.name}: the demo's {count} events imported", file=sys.stderr)
        return count
    path = synthetic_file(args.events, args.seed, args.cache)
    reused = args.reuse_loads and await restore(backend, database, args.events, args)
    engine = create_engine(database.url)
    try:
        if reused:
            await rebuild(engine)
            count = (await EventStore(engine).head()).count
        else:
            count = await load(engine, path)
    finally:
        await engine.dispose()
    if args.reuse_loads and not reused:
        await keep(backend, database, args.events, args)
    engine = create_engine(database.url)
    try:
        await analyze(engine)
    finally:
        await engine.dispose()
    took = time.perf_counter() - started
    how = "reused an earlier load, projections rebuilt" if reused else "imported"
    print(f"{backend.name}: {count:,} events {how} in {took:.1f} s", file=sys.stderr)
    return count


def measure(
    backend: str, bases: dict[bool, str], args: argparse.Namespace, scripts: Path
) -> list[Result]:
    """Check every case once, warm each up, then run the rounds, the case order rotating
    every round so that noise on a shared machine falls on every case alike. `bases`: the
    server of each case by its `cache_off`."""
    wrk = wrk_path()
    if args.latency_only:
        return latencies(backend, bases[False], args, scripts)
    results = [Result(backend, case) for case in CASES]
    bodies = {}
    etags: dict[str, str | None] = {}
    paths = {}
    for result in results:
        case = result.case
        base = bases[case.cache_off]
        etag = etags.get(case.url) if case.revalidate else None
        if case.revalidate and etag is None:
            raise RuntimeError(f"{case.name}: no ETag yet: list its 200 case before it")
        result.response_bytes, bodies[case], found = check(base, case, etag)
        etags.setdefault(case.url, found)
        paths[case] = wrk_script(case, scripts, etag)
        run_wrk(wrk, base, case, paths[case], args, args.warmup)
    same_information(bodies[RELATION], bodies[PLAIN_PAGE])
    for index in range(args.rounds):
        shift = index % len(results)
        for result in results[shift:] + results[:shift]:
            case = result.case
            result.runs.append(
                run_wrk(wrk, bases[case.cache_off], case, paths[case], args, args.duration)
            )
        print(f"{backend}: round {index + 1}/{args.rounds} done", file=sys.stderr)
    return results + latencies(backend, bases[False], args, scripts)


def latencies(backend: str, base: str, args: argparse.Namespace, scripts: Path) -> list[Result]:
    """Issue 24's ratios: LATENCY_CASES on one connection, one request at a time (so p50 is a
    request's own time, not a queue's), `args.rounds` rounds of `args.duration` s each, the
    order rotating."""
    wrk = wrk_path()
    results = [Result(backend, case, sequential=True) for case in LATENCY_CASES]
    paths = {}
    for result in results:
        # The demo's contacts begin after AS_OF: the walk of dates meets them.
        result.response_bytes, _, _ = check(base, result.case, contacts=not args.demo)
        paths[result.case] = wrk_script(result.case, scripts)
        run_wrk(wrk, base, result.case, paths[result.case], args, args.warmup, connections=1)
    for index in range(args.rounds):
        shift = index % len(results)
        for result in results[shift:] + results[:shift]:
            case = result.case
            result.runs.append(run_wrk(wrk, base, case, paths[case], args, args.duration, 1))
        print(f"{backend}: one-connection round {index + 1}/{args.rounds} done", file=sys.stderr)
    return results


FLOOR_CALLS = 100  # dates of the relation query whose statements are replayed


async def relation_statement_floor(database_url: str, calls: int = FLOOR_CALLS) -> float:
    """The p50 (ms) of the floor of RELATION_NEW_DATE's own SQL on SQLite: the statements the
    README's relation query sends for `calls` of the dates wrk's script walks (caught by a
    listener while the real application answers them in process, untimed), each call's run
    by bare sqlite3 in one read transaction, every row fetched, once untimed first (prepared,
    as SQLAlchemy's compiled cache holds them). No implementation that reads these rows can
    answer the relation faster over HTTP than this plus `/healthz`."""
    os.environ["TIMELINE_DATABASE_URL"] = database_url
    app = create_app(Settings.from_env())
    engine = _graphql_view(app).store.engine
    path = engine.url.database
    assert path is not None
    days = [date(2015, 1, 1).toordinal() + 1 + index * (3650 // calls) for index in range(calls)]
    caught_calls: list[list[tuple[str, Any]]] = []
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for day in days:
                caught: list[tuple[str, Any]] = []

                def catch(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
                    if not statement.startswith(("BEGIN", "ROLLBACK", "COMMIT")):
                        caught.append((statement, parameters))  # noqa: B023 (run at once)

                variables = {**RELATION_VARIABLES, "asOf": date.fromordinal(day).isoformat()}
                sa_event.listen(Engine, "before_cursor_execute", catch)
                try:
                    response = await http.post(
                        "/graphql", json={"query": RELATION_QUERY, "variables": variables}
                    )
                finally:
                    sa_event.remove(Engine, "before_cursor_execute", catch)
                response.raise_for_status()
                caught_calls.append(caught)
    finally:
        await engine.dispose()
    seconds = []
    with closing(sqlite3.connect(path, isolation_level=None)) as bare:
        for statements in caught_calls:
            for timed in (False, True):
                started = time.perf_counter()
                bare.execute("BEGIN")
                for statement, parameters in statements:
                    bare.execute(statement, parameters).fetchall()
                bare.execute("ROLLBACK")
                if timed:
                    seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


async def measure_backend(
    backend: Backend, args: argparse.Namespace, workdir: Path
) -> tuple[int, list[Result], float | None]:
    """Load a fresh database of `backend`, serve it, and measure every case; on SQLite also
    the floor of the relation query's own SQL (`relation_statement_floor`, ms)."""
    await backend.start()
    try:
        async with backend.fresh(migrated=True) as database:
            count = await prepare(backend, database, args)
            log = workdir / f"uvicorn-{backend.name}.log"
            off_log = workdir / f"uvicorn-{backend.name}-cache-off.log"
            with server(database.url, log) as base, server(database.url, off_log, CACHE_OFF) as off:
                bases = {False: base, True: off}
                results = await asyncio.to_thread(measure, backend.name, bases, args, workdir)
            floor = None
            if backend.name == "sqlite":
                floor = await relation_statement_floor(database.url)
    finally:
        await backend.stop()
    return count, results, floor


# --- the profile ---------------------------------------------------------------------------------


async def profile(args: argparse.Namespace) -> list[str]:
    """In process (no uvicorn, no wrk): on a fresh SQLite database, the statements each case
    sends, its mean latency through the ASGI app, and a pyinstrument profile of the GraphQL
    relation (if installed; the full tree goes to stderr). Return summary lines."""
    backend = SQLiteBackend()
    await backend.start()
    try:
        async with backend.fresh(migrated=True) as database:
            await prepare(backend, database, args)
            os.environ["TIMELINE_DATABASE_URL"] = database.url
            app = app_factory()
            engine = _graphql_view(app).store.engine
            try:
                return await _profile_app(app, engine, args.profile_requests)
            finally:
                await engine.dispose()
    finally:
        await backend.stop()


async def _send(http: httpx.AsyncClient, case: Case) -> None:
    if case.body is None:
        response = await http.get(case.url)
    else:
        response = await http.post(
            case.path, content=case.body, headers={"Content-Type": "application/json"}
        )
    response.raise_for_status()


async def _profile_app(app: Starlette, engine: Any, requests: int) -> list[str]:
    statements: Counter[str] = Counter()

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        match = re.search(r"\bFROM\s+(\w+)", statement)
        statements[match.group(1) if match else statement.split()[0].upper()] += 1

    lines = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        # One app, with the default settings: the cases of the second server are left out.
        for case in (case for case in CASES if not case.cache_off):
            for _ in range(5):
                await _send(http, case)
            statements.clear()
            sa_event.listen(Engine, "before_cursor_execute", note)  # the SQLite twin too
            took_each = []
            for _ in range(requests):
                started = time.perf_counter()
                await _send(http, case)
                took_each.append(time.perf_counter() - started)
            took = statistics.fmean(took_each)
            sa_event.remove(Engine, "before_cursor_execute", note)
            per = ", ".join(
                f"{table} {count / requests:g}" for table, count in statements.most_common()
            )
            lines.append(
                f"{case.name}: {took * 1000:.1f} ms per request in process (ASGI, sequential; "
                f"p50 {statistics.median(took_each) * 1000:.1f} ms); "
                f"{sum(statements.values()) / requests:g} statements per request ({per})"
            )
        try:
            from pyinstrument import Profiler
        except ImportError:  # not a project dependency
            lines.append("pyinstrument is not installed: no profile (pip install pyinstrument)")
            return lines
        for case in (HEAD, RELATION, RELATION_EXPANDED, PLAIN_PAGE, RELATION_VIEW, PLAIN):
            profiler = Profiler(interval=0.0005, async_mode="enabled")
            profiler.start()
            for _ in range(requests):
                await _send(http, case)
            profiler.stop()
            print(f"\n## {case.name}\n", file=sys.stderr)
            print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
            own = own_time_by_package(profiler.last_session)
            lines.append(
                f"{case.name}, pyinstrument, own time per request by package (inflated by the "
                "profiler): "
                + ", ".join(f"{name} {seconds / requests * 1000:.1f} ms" for name, seconds in own)
            )
    return lines


# Where a frame's own time is counted, by its file: the first pattern found in the path wins
# (the project's own api/ and events/ first: api/graphql/ would otherwise look like graphql-core).
PACKAGES = (
    ("/bench/", "bench (plain route)"),
    ("/api/", "api/"),
    ("/events/", "events/"),
    ("/strawberry/", "strawberry"),
    ("/graphql/", "graphql-core"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("/aiosqlite/", "aiosqlite"),
    ("/asyncpg/", "asyncpg"),
    ("/starlette/", "starlette"),
    ("/httpx/", "httpx (client)"),
    ("/json/", "json"),
    ("/dataclasses.py", "dataclasses"),
    ("/copy.py", "dataclasses"),
    ("/asyncio/", "asyncio"),
)


def own_time_by_package(session: Any) -> list[tuple[str, float]]:
    """Seconds of own time of a pyinstrument session per package, most first. Built-ins and
    pyinstrument's `[self]` frames count for the package that called them; `[await]` frames
    (waiting, mostly on the database thread or socket) are counted apart."""
    root = str(Path(__file__).resolve().parent.parent)
    totals: Counter[str] = Counter()

    def walk(frame: Any, parent: str) -> None:
        path = frame.file_path or ""
        if frame.function == "[await]":
            label = "waiting ([await])"
        elif frame.function.startswith("[") or not path or path.startswith("<"):
            label = parent
        else:
            path = path.removeprefix(root)
            label = next((name for pattern, name in PACKAGES if pattern in path), "other")
        totals[label] += frame.total_self_time
        for child in frame.children:
            walk(child, label)

    frame = session.root_frame()
    if frame is not None:
        walk(frame, "other")
    return [(name, seconds) for name, seconds in totals.most_common() if seconds > 0]


# --- the report ----------------------------------------------------------------------------------


def table(results: Sequence[Result], floors: dict[str, float]) -> str:
    """The results as a Markdown table, and the ratio of the GraphQL relation to the plain
    route per backend; then the one-connection latencies with `floors` (ms, by backend)."""
    sequential = [result for result in results if result.sequential]
    results = [result for result in results if not result.sequential]
    lines = [
        "| backend | case | req/s (median) | rounds min to max | p50 ms | p99 ms "
        "| response bytes | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        rates = [run.rate for run in result.runs]
        errors = sum(run.errors + run.status_errors for run in result.runs)
        lines.append(
            f"| {result.backend} | {result.case.name} | {result.rate:,.0f} | "
            f"{min(rates):,.0f} to {max(rates):,.0f} | {result.p50:.1f} | {result.p99:.1f} | "
            f"{result.response_bytes:,} | {errors} |"
        )
    lines += [
        "",
        "| backend | GraphQL case | over the req/s of | ratio | goal |",
        "|---|---|---|---:|---|",
    ]
    by_key = {(r.backend, r.case): r for r in results}
    for backend in dict.fromkeys(r.backend for r in results):
        for graphql, plain in RATIOS:
            below = by_key[backend, plain].rate
            ratio = by_key[backend, graphql].rate / below if below else float("nan")
            goal = ""
            if (graphql, plain) == RATIOS[0]:
                goal = f">= 0.5: {'met' if ratio >= 0.5 else 'missed'}"
            lines.append(f"| {backend} | {graphql.name} | {plain.name} | {ratio:.2f} | {goal} |")
    if sequential:
        lines += ["", latency_table(sequential, floors)]
    return "\n".join(lines)


def latency_table(results: Sequence[Result], floors: dict[str, float]) -> str:
    """Issue 24's latency ratios: the p50s of LATENCY_CASES on one connection, and their
    ratios against their goals; then, where measured, the floor of the relation's ratio: the
    relation query's own SQL on bare sqlite3 plus `/healthz`, over logHead."""
    lines = [
        "One connection, one request at a time, same server (issue 24's ratios):",
        "",
        "| backend | case | req/s (median) | p50 ms | p99 ms | response bytes | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        errors = sum(run.errors + run.status_errors for run in result.runs)
        lines.append(
            f"| {result.backend} | {result.case.name} | {result.rate:,.0f} | {result.p50:.2f} | "
            f"{result.p99:.2f} | {result.response_bytes:,} | {errors} |"
        )
    lines += ["", "| backend | p50 of | over the p50 of | ratio | goal |", "|---|---|---|---:|---|"]
    by_key = {(r.backend, r.case): r for r in results}
    for backend in dict.fromkeys(r.backend for r in results):
        for case, below, goal in LATENCY_RATIOS:
            ratio = by_key[backend, case].p50 / by_key[backend, below].p50
            verdict = "met" if ratio <= goal else "missed"
            lines.append(
                f"| {backend} | {case.name} | {below.name} | {ratio:.2f} | <= {goal}: {verdict} |"
            )
    lines += floor_table(results)
    if floors:
        lines += [
            "",
            f"The floor of the relation's ratio (`relation_statement_floor`: the relation query's "
            f"own SQL for {FLOOR_CALLS} of its dates, replayed on bare sqlite3, plus `/healthz`):",
            "",
            "| backend | SQL floor p50 ms | + /healthz p50 ms | over logHead p50 ms | ratio | "
            "goal |",
            "|---|---:|---:|---:|---:|---|",
        ]
    for backend, floor in floors.items():
        healthz, head = by_key[backend, HEALTHZ].p50, by_key[backend, HEAD].p50
        ratio = (floor + healthz) / head
        verdict = "within reach" if ratio <= 2.0 else "out of reach as measured"
        lines.append(
            f"| {backend} | {floor:.2f} | {healthz:.2f} | {head:.2f} | {ratio:.2f} | "
            f"<= 2.0: {verdict} |"
        )
    return "\n".join(lines)


def floor_table(results: Sequence[Result]) -> list[str]:
    """The floors of the ratios (FLOOR_RATIOS), where measured: each floor's p50 over the
    goal's denominator, with whether the goal stays within reach of that part alone."""
    by_key = {(r.backend, r.case): r for r in results}
    rows = []
    for backend in dict.fromkeys(r.backend for r in results):
        for floor, below, goal in FLOOR_RATIOS:
            if (backend, floor) not in by_key:
                continue
            ratio = by_key[backend, floor].p50 / by_key[backend, below].p50
            verdict = "within reach" if ratio <= goal else "out of reach as measured"
            rows.append(
                f"| {backend} | {floor.name} | {by_key[backend, floor].p50:.2f} | {below.name} | "
                f"{ratio:.2f} | <= {goal}: {verdict} |"
            )
    if not rows:
        return []
    return [
        "",
        "The floors of the ratios (bench/http_floors.py: plain routes doing one part of a "
        "request, same server, one connection):",
        "",
        "| backend | floor | p50 ms | over the p50 of | ratio | goal |",
        "|---|---|---:|---|---:|---|",
        *rows,
    ]


def wrk_version() -> str:
    """wrk's version line."""
    found = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True)
    first = (found.stdout or found.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def report(
    args: argparse.Namespace,
    started: datetime,
    took: float,
    load_average: tuple[float, float, float],
    versions: Sequence[str],
    notes: Sequence[str],
    counts: dict[str, int],
    results: Sequence[Result],
    floors: dict[str, float],
    profile_lines: Sequence[str],
) -> str:
    """The Markdown section: the context, then the table and the ratios (or the profile)."""
    command = shlex.join(["python", "-m", "bench.http", *args.argv])
    title = "bench.http --profile" if args.profile else "bench.http"
    lines = [
        f"## {title}, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: nproc {len(os.sched_getaffinity(0))} ({os.cpu_count()} CPUs), "
        f"{cpu_model()}; Python {platform.python_version()}; {'; '.join(versions)} "
        f"(sqlite3 module {sqlite3.sqlite_version}); load average at start "
        f"{' '.join(f'{x:.2f}' for x in load_average)}",
        f"- code: {git_commit()}",
        f"- command: `{command}` ({took / 60:.0f} min)",
        (
            "- data: the demo data (`timeline demo load`)"
            if args.demo
            else f"- data: `bench/synthetic.py --events {args.events} --seed {args.seed}` loaded "
            "with `import_jsonl` into a fresh migrated database"
        )
        + "".join(f"; {name} {count:,} events" for name, count in counts.items())
        + f"; relation: USA-CHN asOf {AS_OF}, known now (the GET cases marked so: known at "
        f"{KNOWN_AT})",
    ]
    if args.profile:
        lines += [
            f"- {args.profile_requests} sequential requests per case through the ASGI app "
            "(httpx.ASGITransport, no uvicorn, no wrk) after 5 untimed",
            "",
            *(f"- {line}" for line in profile_lines),
            "",
        ]
        return "\n".join(lines) + "\n"
    lines += [
        f"- server: uvicorn {package_version('uvicorn')}, 1 worker, 127.0.0.1; strawberry-graphql "
        f"{package_version('strawberry-graphql')}, starlette {package_version('starlette')}",
        f"- load: {wrk_version()}, {args.threads} thread(s), {args.connections} keep-alive "
        f"connections, a separate process on the same machine; {args.warmup} s warm-up per "
        f"case, then {args.rounds} rounds of {args.duration} s per case, the case order "
        "rotating each round; req/s, p50 and p99 are the medians over the rounds",
        *(f"- {note}" for note in notes),
        "",
        table(results, floors),
        "",
    ]
    return "\n".join(lines) + "\n"


# --- running -------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> str:
    """Every backend asked for (or, with --profile, the profile); return the Markdown report."""
    if not args.profile:
        wrk_path()
    started = datetime.now(UTC)
    load_average = os.getloadavg()
    clock = time.perf_counter()
    notes: list[str] = []
    counts: dict[str, int] = {}
    results: list[Result] = []
    floors: dict[str, float] = {}
    profile_lines: list[str] = []
    if args.profile:
        versions = [f"SQLite {sqlite3.sqlite_version}"]
        profile_lines = await profile(args)
    else:
        backends = await available(args, notes)
        versions = [await backend.version() for backend in backends]
        workdir = Path(tempfile.mkdtemp(prefix="bench_http_"))
        try:
            for backend in backends:
                count, found, floor = await measure_backend(backend, args, workdir)
                counts[backend.name] = count
                results.extend(found)
                if floor is not None:
                    floors[backend.name] = floor
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    took = time.perf_counter() - clock
    return report(
        args, started, took, load_average, versions, notes, counts, results, floors, profile_lines
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--events", type=int, default=10_000, help="size of the log (10000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic log (1)")
    parser.add_argument(
        "--backends",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=["sqlite", "postgresql"],
        help="comma-separated: sqlite, postgresql (both)",
    )
    parser.add_argument(
        "--connections", type=int, default=8, help="wrk's keep-alive connections (8)"
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="only issue 24's one-connection latency cases (/healthz, logHead, the relation "
        "with a new asOf each request) and their ratios",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the demo data (the README's, 55 events) instead of the synthetic log, as "
        "issue 24 first measured its latency ratios; with --latency-only",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads (1)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed seconds per case (2)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per case (3)")
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help=f"where generated logs are kept ({CACHE})"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL),
        help=f"admin connection used to CREATE DATABASE bench_… (${POSTGRES_URL_ENV}, "
        f"else {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of the load runs: profile the cases in process on SQLite (statements per "
        "request, latency, pyinstrument trees to stderr)",
    )
    parser.add_argument(
        "--profile-requests", type=int, default=100, help="requests per profiled case (100)"
    )
    parser.add_argument(
        "--reuse-loads",
        action="store_true",
        help="keep the imported database (as bench.asof --reuse-loads does, in --cache) and "
        "start later runs from a copy of it, projections rebuilt, instead of importing again",
    )
    parser.add_argument("--record", action="store_true", help=f"append the report to {RESULTS}")
    args = parser.parse_args(argv)
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if args.demo and not args.latency_only:
        parser.error("--demo measures the latency cases only: add --latency-only")
    args.argv = list(argv)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the report (and record it with --record)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    text_report = asyncio.run(run(args))
    print(text_report)
    if args.record:
        record(text_report)
        print(f"recorded in {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
