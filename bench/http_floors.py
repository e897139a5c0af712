"""The floors of issue 24's HTTP latency ratios: plain Starlette routes, served beside the
application by bench.http's `app_factory`, each doing one part of what a GraphQL request does
and nothing else, so that wrk can time them on the same server, in the same run, as `/healthz`,
`{ logHead }` and the relation query (bench/README.md, "bench.http").

- `/floor/hop` (SQLite): one `SELECT 1` by aiosqlite alone, on a connection of its own kept
  open: one call to its thread, no SQLAlchemy, no pool.
- `/floor/select1`: one `SELECT 1` on a connection of the application's async engine (SQLAlchemy
  async on aiosqlite or asyncpg): the cost of reaching the database at all.
- `/floor/head`: the log head as `{ logHead { position } }` reads it (`EventStore.head()`),
  answered as that query's JSON, no GraphQL.
- `/floor/typename`: strawberry executing `{ __typename }` on the application's schema, with its
  extensions, no resolver and no I/O: what any GraphQL answer costs before it reads anything.
- `/floor/relation-answers`: graphql-core executing the relation query over its precomputed
  answer (the schema's SDL, built without resolvers, over the answer's dicts: every field a
  dict look-up, no strawberry, no I/O), serialised as the application serialises: the least
  any graphql-core server spends per field of this query.
- `/floor/relation-answers-one-read`: the same, plus the relation query's own statements
  (caught while the application answered it once) run in one read through the application's
  engine: one hop to aiosqlite's thread on SQLite, as few as a read can take through SQLAlchemy
  async.
- `/floor/relation-strawberry-from-memory` (SQLite): the application's schema executing the
  relation query, its resolvers and events/ views and SQLAlchemy all doing their work, but every
  statement answered from memory (a second engine whose cursors remember each statement's rows
  by its parameters, the instant known now left out: no hop, no SQLite): the Python of the
  whole stack for this query.
- `/floor/relation-answers-one-hop-bare` (SQLite): the same statements run by bare sqlite3 on
  aiosqlite's thread, in one hop: what the read costs without SQLAlchemy's Python per statement.

The answers and statements are those of the relation at a fixed date, caught at the first
request of a route (untimed: wrk's warm-up sends it).
"""

from __future__ import annotations

import asyncio
import collections
import json
import sqlite3
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

import aiosqlite
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    NameNode,
    SelectionSetNode,
    Visitor,
    build_schema,
    execute,
    parse,
    print_ast,
    visit,
)
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.app import TimelineGraphQL
from api.auth import ANONYMOUS
from api.graphql.context import Context
from api.graphql.schema import schema
from events.db import create_engine
from events.one_hop import Finished, OneHopConnection, OneHopCursor
from events.store import EventStore
from events.views.reader import read

SELECT_ONE = text("SELECT 1")
TYPENAME_QUERY = "{ __typename }"
JSON_MEDIA = "application/json"


@dataclass(frozen=True)
class Caught:
    """The relation query's answer (every object with its `__typename`) and the statements the
    application sent to answer it."""

    data: dict[str, Any]
    statements: list[tuple[str, Any]]


class _Typenames(Visitor):
    """Adds `__typename` to every selection set: graphql-core's default type resolver reads it
    from a dict to tell an interface's or union's type."""

    def leave_selection_set(self, node: SelectionSetNode, *_: Any) -> SelectionSetNode:
        typename = FieldNode(name=NameNode(value="__typename"), directives=(), arguments=())
        return SelectionSetNode(selections=(*node.selections, typename))


def with_typenames(document: DocumentNode) -> DocumentNode:
    """`document` with `__typename` asked for in every selection set."""
    found: DocumentNode = visit(document, _Typenames())
    return found


async def catch(view: TimelineGraphQL, query: str, variables: dict[str, Any]) -> Caught:
    """Execute `query` (with `__typename` everywhere) as the application would for an anonymous
    HTTP request, catching the statements it sends."""
    statements: list[tuple[str, Any]] = []

    def note(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not statement.startswith(("BEGIN", "ROLLBACK", "COMMIT")):
            statements.append((statement, parameters))

    context = Context(
        store=view.store,
        settings=view.settings,
        principal=ANONYMOUS,
        listener=view.listener,
        shares_reads=True,
    )
    typed = with_typenames(parse(query))
    sa_event.listen(Engine, "before_cursor_execute", note)  # the SQLite twin engine too
    try:
        result = await schema.execute(
            print_ast(typed), variable_values=variables, context_value=context
        )
    finally:
        sa_event.remove(Engine, "before_cursor_execute", note)
    if result.errors or result.data is None:
        raise RuntimeError(f"the relation query failed: {result.errors}")
    return Caught(data=result.data, statements=statements)


def _masked(parameters: Any) -> Any:
    """A statement's parameters as a key, `known_at` left out: a query known now reads at a new
    instant each time, its answer the same while the log does not change (the only instant
    among the relation query's parameters). Cheap: tuples and hashes in C, no repr."""
    if isinstance(parameters, dict):
        rest = dict(parameters)
        rest.pop("known_at", None)
        key: Any = tuple(rest.items())
        try:
            hash(key)
        except TypeError:  # a list among the values
            return repr(key)
        return key
    return repr(parameters)


class MemoryCursor(OneHopCursor):
    """A cursor answering a statement it has seen, with the same parameters, from memory: no
    hop, no SQLite; SQLAlchemy's own work per statement (parameters, result rows) is still done.
    A statement not seen yet runs, and is remembered."""

    __slots__ = ()
    answers: ClassVar[dict[Any, tuple[Finished, list[Any]]]] = {}
    misses: ClassVar[int] = 0  # statements run for real (each new one once)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        key = (operation, _masked(parameters), many)
        found = self.answers.get(key)
        if found is None:
            MemoryCursor.misses += 1
            await super()._run(operation, parameters, many=many)
            found = self.answers[key] = (self._cursor, list(self._rows))  # type: ignore[assignment]
        self._cursor = found[0]  # type: ignore[assignment]
        self._rows = collections.deque(found[1])


class MemoryConnection(OneHopConnection):
    """A connection whose cursors are `MemoryCursor`s, and whose rollback makes no hop when
    sqlite3 has no transaction open (the BEGIN was answered from memory)."""

    __slots__ = ()
    _cursor_cls = MemoryCursor

    def rollback(self) -> None:
        """Roll back on the worker thread only if a transaction is open there."""
        if self._connection._conn.in_transaction:
            super().rollback()


def memory_engine(url: str) -> AsyncEngine:
    """An engine of the application's kind on `url` whose connections answer from memory."""
    engine = create_engine(url)

    @sa_event.listens_for(engine.sync_engine, "connect")
    def remember(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.__class__ = MemoryConnection  # after events/db.py's own set-up

    return engine


def _once(
    make: Callable[[], Coroutine[Any, Any, Caught]],
) -> Callable[[], Coroutine[Any, Any, Caught]]:
    """`make`'s answer, made at the first call and kept."""
    kept: list[Caught] = []
    lock = asyncio.Lock()

    async def get() -> Caught:
        async with lock:
            if not kept:
                kept.append(await make())
        return kept[0]

    return get


def _replay(connection: sqlite3.Connection, statements: list[tuple[str, Any]]) -> None:
    """On aiosqlite's thread: the statements by bare sqlite3, in one read transaction."""
    connection.execute("BEGIN")
    try:
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
    finally:
        connection.execute("ROLLBACK")


def floor_routes(
    view: TimelineGraphQL, query: str, variables: dict[str, Any]
) -> tuple[list[Route], Callable[[], Coroutine[Any, Any, None]]]:
    """The floor routes of the module's docstring, on `view`'s store and engine (`query` and
    `variables` are the relation query the last four answer), and what closes the connections
    the floors opened, to await as the application stops."""
    engine = view.store.engine
    bare: GraphQLSchema = build_schema(schema.as_str())
    document = parse(query)
    caught = _once(lambda: catch(view, query, variables))
    lock = asyncio.Lock()
    sqlite = engine.dialect.name == "sqlite"

    memory = memory_engine(engine.url.render_as_string(False)) if sqlite else None

    async def strawberry_from_memory(request: Request) -> Response:
        if memory is None:
            return JSONResponse({"data": None})  # SQLite only
        context = Context(
            store=EventStore(memory),
            settings=view.settings,
            principal=ANONYMOUS,
            listener=view.listener,
            shares_reads=True,
        )
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            raise RuntimeError(f"the floor's execution failed: {result.errors}")
        return Response(json.dumps({"data": result.data}), media_type=JSON_MEDIA)

    async def select1(request: Request) -> Response:
        async with engine.connect() as conn:
            value = (await conn.execute(SELECT_ONE)).scalar_one()
        return JSONResponse({"value": value})

    hop: list[aiosqlite.Connection] = []

    async def one_hop(request: Request) -> Response:
        if engine.dialect.name != "sqlite" or engine.url.database is None:
            return JSONResponse({"value": None})  # no thread to hop to
        async with lock:
            if not hop:
                hop.append(await aiosqlite.connect(engine.url.database))
        rows = await hop[0].execute_fetchall("SELECT 1")  # one call to its thread
        return JSONResponse({"value": next(iter(rows))[0]})

    async def head(request: Request) -> Response:
        found = await view.store.head()
        return JSONResponse({"data": {"logHead": {"position": found.position}}})

    async def typename(request: Request) -> Response:
        result = await schema.execute(TYPENAME_QUERY)
        return JSONResponse({"data": result.data})

    def answer(data: dict[str, Any]) -> Response:
        result = execute(bare, document, root_value=data, variable_values=variables)
        if result.errors:  # type: ignore[union-attr]
            raise RuntimeError(f"the floor's execution failed: {result.errors}")  # type: ignore[union-attr]
        body = json.dumps({"data": result.data})  # type: ignore[union-attr]
        return Response(body, media_type=JSON_MEDIA)

    async def relation_answers(request: Request) -> Response:
        return answer((await caught()).data)

    async def relation_answers_one_read(request: Request) -> Response:
        found = await caught()

        def run(conn: Connection) -> None:
            for statement, parameters in found.statements:
                conn.exec_driver_sql(statement, parameters).all()

        await read(engine, run)
        return answer(found.data)

    async def relation_answers_bare(request: Request) -> Response:
        found = await caught()
        if engine.dialect.name != "sqlite":
            return answer(found.data)  # no thread to hop to: the row above has the statements
        async with engine.connect() as conn:
            worker = (await conn.get_raw_connection()).driver_connection
            await worker._execute(_replay, worker._conn, found.statements)
        return answer(found.data)

    async def close() -> None:
        async with lock:
            while hop:
                await hop.pop().close()
        if memory is not None:
            await memory.dispose()

    routes = [
        Route("/floor/hop", one_hop),
        Route("/floor/select1", select1),
        Route("/floor/head", head),
        Route("/floor/typename", typename),
        Route("/floor/relation-answers", relation_answers),
        Route("/floor/relation-answers-one-read", relation_answers_one_read),
        Route("/floor/relation-answers-one-hop-bare", relation_answers_bare),
        Route("/floor/relation-strawberry-from-memory", strawberry_from_memory),
    ]
    return routes, close
