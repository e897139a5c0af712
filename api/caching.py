"""Answers that never change, served once: ETags, 304s, Cache-Control and an in-process LRU
for GraphQL queries over GET (docs/caching.md).

The rules:

- Only a GET of a query is cached (POST, mutations, subscriptions never are), and only a
  success: a 200 whose result has no error at all. An error gets `Cache-Control: no-store`.
- A query is *pinned* at K when every field of it reads the log at an explicit instant: each
  field of `Query` it selects is one of `relation`, `relationSeries`, `changes`, `events`,
  `event`, `stream` with its `knownAt` given, and every field anywhere with an `asOf` has it
  given (the default is today). Nested fields read at their parent's knownAt unless given
  their own; K is the latest knownAt given.
- A pinned query is *immutable* once K is strictly before the log head's `recordedAt`: the
  store gives every new event a `recordedAt` no earlier than the head's (events/store.py,
  imports included), and equal to it when the clock has not moved or an import says so, so an
  event appended later can never be known at K, nor close a row at K. Equality is not enough.
  Once immutable, a query stays immutable: the head's `recordedAt` only grows.
- Any other query is *known now*: its answer is that of the head position P and, since an asOf
  left out means today, of today's date (UTC).
- The key of an answer, the same on every replica (nothing from process state): the query text,
  the operation name, the variables (canonical JSON), the role of the caller, the media type
  answered with, and for a known-now query P and today; a digest of the schema and the limits
  stands for the code. Its SHA-256 is the (weak) ETag: weak, because
  `extensions.logPosition`, and the knownAt a known-now relation echoes, may differ between
  two executions of the same answer.
- `If-None-Match` naming the ETag gets a 304 without a body and without executing;
  any other gets the answer. A known-now ETag changes with every append, whether or not the
  answer does: revalidating costs one read of the head, never an execution.
- Cache-Control: an immutable answer `public, max-age=31536000, immutable`; a known-now one
  `public, no-cache` (store, but revalidate). `private` in place of `public` when reading
  requires a token. Always `Vary: Accept, Authorization`.
- The LRU (bounded by TIMELINE_ANSWER_CACHE_ENTRIES and TIMELINE_ANSWER_CACHE_BYTES) holds
  successful answers by key: a repeat is served without executing. A known-now entry stops
  matching when the head moves, so nothing cached is served after an event that could change
  it. The position in the key is read before executing, so an answer stored under P was
  computed at P or later.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    parse,
    visit,
)
from starlette.requests import Request
from starlette.responses import Response

from api.auth import Principal
from api.graphql.schema import schema
from api.request_id import current
from api.settings import Settings
from api.transport import media_type
from events.store import EventStore
from events.views.axes import today

# The root fields that take a knownAt and read nothing else at "now".
PINNABLE_ROOTS = frozenset({"relation", "relationSeries", "changes", "events", "event", "stream"})
YEAR_SECONDS = 31_536_000
VARY = "Accept, Authorization"
# Query texts and variables already classified (pinned or not), so that a repeat is not parsed.
CLASSIFIED = 1024


@dataclass(slots=True)
class Plan:
    """What a query's text and variables say about its answer: the operation that runs ("" for
    an unnamed one), the instant it is pinned at (None: it reads now), and whether that instant
    was found before the head's recordedAt."""

    operation: str
    pinned_at: datetime | None
    immutable: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful answer as sent: the body and its media type."""

    body: bytes
    media_type: str


class AnswerCache:
    """Least recently used answers, at most `entries` of them and `max_bytes` of bodies."""

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: str) -> Answer | None:
        """The answer stored under `key`, now the most recently used; None if none is."""
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, key: str, answer: Answer) -> None:
        """Keep `answer` under `key`, dropping the least recently used past the bounds; an
        answer larger than the byte bound is not kept."""
        if self.entries == 0 or len(answer.body) > self.max_bytes:
            return
        previous = self._answers.pop(key, None)
        if previous is not None:
            self.bytes -= len(previous.body)
        self._answers[key] = answer
        self.bytes += len(answer.body)
        while len(self._answers) > self.entries or self.bytes > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self.bytes -= len(dropped.body)


def pinned_at(document: DocumentNode, variables: dict[str, Any]) -> datetime | None:
    """The latest knownAt every field of `document` reads the log at, when all do at one given
    explicitly (see the module's docstring); None when some field reads now or today, or the
    document is not a query this schema knows."""
    type_info = TypeInfo(schema._schema)
    pins = _Pins(type_info, variables)
    visit(document, TypeInfoVisitor(type_info, pins))
    return pins.latest if pins.pinned else None


class _Pins(Visitor):
    """Walks a document with its types and finds the knownAt its fields read at."""

    def __init__(self, type_info: TypeInfo, variables: dict[str, Any]) -> None:
        super().__init__()
        self.type_info = type_info
        self.variables = variables
        self.query_type = schema._schema.query_type
        self.pinned = True
        self.latest: datetime | None = None

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> object:
        if node.operation is not OperationType.QUERY:
            return self._not_pinned()
        return None

    def enter_field(self, node: FieldNode, *_: object) -> object:
        name = node.name.value
        if name == "__typename":
            return None
        definition = self.type_info.get_field_def()
        at_root = self.type_info.get_parent_type() is self.query_type
        if definition is None or (at_root and name not in PINNABLE_ROOTS):
            return self._not_pinned()
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for axis in ("asOf", "knownAt"):
            argument = definition.args.get(axis)
            if argument is None:
                continue
            value = self._value(given.get(axis), argument.type)
            if value is None:
                if axis == "asOf" or at_root:
                    return self._not_pinned()  # today, or now
                continue  # a nested knownAt left out: the parent's
            if axis == "knownAt":
                if not isinstance(value, datetime):
                    return self._not_pinned()
                at = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
                self.latest = at if self.latest is None else max(self.latest, at)
        return None

    def _value(self, node: ValueNode | None, type_: Any) -> object:
        """The argument's value, parsed by its scalar; None when left out, null or bad (a bad
        value fails the query anyway, and an error is never cached)."""
        scalar = get_named_type(type_)
        if node is None or not isinstance(scalar, GraphQLScalarType):
            return None
        try:
            if isinstance(node, VariableNode):
                raw = self.variables.get(node.name.value)
                return None if raw is None else scalar.parse_value(raw)
            return scalar.parse_literal(node)
        except (GraphQLError, TypeError, ValueError):
            return None

    def _not_pinned(self) -> object:
        self.pinned = False
        return BREAK


class AnswerCaching:
    """The caching of GET queries at the HTTP edge, one per process (see the module's
    docstring)."""

    def __init__(self, settings: Settings, store: EventStore) -> None:
        self.store = store
        self.answers = AnswerCache(settings.answer_cache_entries, settings.answer_cache_bytes)
        self.scope = "private" if settings.read_requires_token else "public"
        # The code's part of every key: another schema or other limits may answer otherwise.
        self.code = hashlib.sha256((schema.as_str() + repr(settings.limits)).encode()).hexdigest()
        self._plans: OrderedDict[tuple[str, str, str], Plan | None] = OrderedDict()

    async def answer(
        self,
        request: Request,
        principal: Principal,
        execute: Callable[[], Awaitable[Response]],
        cacheable: Callable[[], bool],
    ) -> Response:
        """The answer to the GET `request`: a 304, a stored answer, or `execute()`'s (stored
        when `cacheable()` says its result had no error)."""
        params = request.query_params
        query = params.get("query")
        try:
            variables = json.loads(params.get("variables") or "{}")
        except ValueError:
            variables = None
        if query is None:
            return await execute()  # GraphiQL, or strawberry's error for a GET without a query
        if not isinstance(variables, dict) or "extensions" in params:
            return _uncached(await execute())
        operation = params.get("operationName") or ""
        canonical = json.dumps(variables, sort_keys=True, separators=(",", ":"))
        plan = self._plan(query, operation, canonical, variables)
        if plan is None:
            return _uncached(await execute())
        parts = [self.code, query, operation, canonical, principal.role.name]
        parts.append(media_type(request.headers))
        if not plan.immutable:
            head = await self.store.head()
            recorded = head.recorded_at
            if plan.pinned_at is not None and recorded is not None and plan.pinned_at < recorded:
                plan.immutable = True
            else:
                parts += [str(head.position), today().isoformat()]
        key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        headers = {
            "ETag": f'W/"{key[:40]}"',
            "Cache-Control": (
                f"{self.scope}, max-age={YEAR_SECONDS}, immutable"
                if plan.immutable
                else f"{self.scope}, no-cache"
            ),
            "Vary": VARY,
        }
        if _matches(request.headers.get("if-none-match"), headers["ETag"]):
            _answered(plan)
            return Response(status_code=304, headers=headers)
        stored = self.answers.get(key)
        if stored is not None:
            _answered(plan)
            return Response(stored.body, media_type=stored.media_type, headers=headers)
        response = await execute()
        if response.status_code != 200 or not cacheable():
            return _uncached(response)
        body = bytes(response.body)
        self.answers.put(key, Answer(body, response.headers["content-type"]))
        response.headers.update(headers)
        return response

    def _plan(
        self, query: str, operation: str, canonical: str, variables: dict[str, Any]
    ) -> Plan | None:
        """The plan of a query text with these variables (None: not a query to cache),
        remembered for the last CLASSIFIED ones."""
        key = (query, operation, canonical)
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        try:
            document = parse(query)
        except GraphQLError:
            plan = None
        else:
            chosen = get_operation_ast(document, operation or None)
            if chosen is None or chosen.operation is not OperationType.QUERY:
                plan = None
            else:
                name = chosen.name.value if chosen.name else ""
                plan = Plan(name, pinned_at(document, variables))
        self._plans[key] = plan
        if len(self._plans) > CLASSIFIED:
            self._plans.popitem(last=False)
        return plan


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for it). `*` is
    not honoured: it would 304 a query that fails, which has no representation to keep."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def _answered(plan: Plan) -> None:
    """Tell the logs and metrics which operation a request answered without executing is."""
    info = current.get()
    if info is not None:
        info.operation = plan.operation


def _uncached(response: Response) -> Response:
    """`response`, marked so that no cache keeps it."""
    response.headers["Cache-Control"] = "no-store"
    return response
