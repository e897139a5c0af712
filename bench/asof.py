"""As-of queries on a large log: the rebuild rate and the latency of `relation()`.

Run `python -m bench.asof --help`. For each size and backend: a synthetic log (bench/synthetic.py,
cached in a temporary directory) is imported into a fresh migrated database with `import_jsonl`,
`rebuild(engine)` is timed, then `relation()` is timed for random pairs of actors and for the heavy
pair USA-CHN at random dates, each known now and at a random instant in the past. See
bench/README.md.
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
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import AsyncExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import make_url, text
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import synthetic
from bench.append import (
    DEFAULT_POSTGRES_URL,
    POSTGRES_URL_ENV,
    RESULTS,
    Backend,
    Database,
    PostgresBackend,
    SQLiteBackend,
    cpu_model,
    record,
    remove_sqlite_files,
)
from events import dates
from events.db import SQLITE_PRAGMAS, create_engine, upgrade
from events.interchange.jsonl import import_jsonl
from events.projections.bitemporal import REPLAY_READ
from events.projections.rebuild import rebuild
from events.projections.tables import ALL as PROJECTION_TABLES
from events.store import EventStore
from events.views.relation import relation
from events.views.states import Relation

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
HEAVY = ("USA", "CHN")
WARMUP = 10  # untimed calls per case before the timed ones
PROFILE_CALLS = 5  # heavy-pair calls profiled at the largest size
CACHE = Path(tempfile.gettempdir()) / "bench_asof_cache"


# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """Which pairs a case asks about, whether it asks as known now or in the past, and whether
    it asks for the instrument lists (whose length grows with the log)."""

    pairs: str  # "random pairs" or "USA-CHN"
    past: bool
    instruments: bool = True

    @property
    def name(self) -> str:
        """The case as the table shows it."""
        lists = "" if self.instruments else ", no instrument lists"
        return f"{self.pairs}, known {'in the past' if self.past else 'now'}{lists}"


CASES = tuple(
    Case(pairs, past, instruments)
    for instruments in (True, False)
    for pairs in ("random pairs", "USA-CHN")
    for past in (False, True)
)


@dataclass(frozen=True)
class Query:
    """The arguments of one relation() call."""

    a: str
    b: str
    as_of: date
    known_at: datetime | None


def queries(case: Case, actors: Sequence[str], count: int, seed: int, size: int) -> list[Query]:
    """`count` calls for `case` on the log of `size` events: the same pairs and the same
    fractions of the log's span for every size and backend with the same seed.

    Dates are drawn after the log's first LONGEST_LIFE, where what stands at a date is what it
    would be deep into any longer log; past instants anywhere in the recording."""
    # Seeded by pairs and knowledge only: a case asks the same with and without the lists.
    rng = Random(f"{seed}:{Case(case.pairs, case.past).name}")
    start, recording_start, recording_end = synthetic.span(size)
    first = start + synthetic.LONGEST_LIFE
    days = (synthetic.END - first).days
    recording = recording_end - recording_start
    made = []
    for _ in range(count):
        a, b = HEAVY if case.pairs == "USA-CHN" else rng.sample(list(actors), 2)
        as_of = first + timedelta(days=round(days * rng.random()))
        known_at = recording_start + recording * rng.random() if case.past else None
        made.append(Query(a, b, as_of, known_at))
    return made


def items(result: Relation) -> int:
    """How many things a relation lists: contacts, dialogues, measures, instruments (when
    asked for), statements, disputes and upcoming meetings."""
    parts: list[Sequence[object]] = [
        result.contacts,
        result.dialogues,
        result.measures_in_force,
        result.statements,
        result.disputes,
        result.upcoming,
    ]
    if result.instruments is not None:
        parts += [result.shared_instruments, result.only_a, result.only_b]
    return sum(len(part) for part in parts)


@dataclass
class Timing:
    """The latencies of one case at one size on one backend."""

    backend: str
    size: int
    case: Case
    seconds: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    # SQLite: bare sqlite3 running the statements of each of the same calls (`lookup_floor`).
    floor: list[float] = field(default_factory=list)

    def percentile(self, share: float) -> float:
        """The latency (ms) below which `share` of the calls fall."""
        ordered = sorted(self.seconds)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        """Median latency in ms."""
        return statistics.median(self.seconds) * 1000

    @property
    def floor_p50(self) -> float:
        """Median of the floor of the calls' lookups in ms (NaN if not measured)."""
        return statistics.median(self.floor) * 1000 if self.floor else float("nan")


@dataclass
class Load:
    """How long a size took to load and rebuild on a backend."""

    backend: str
    size: int
    events: int
    load_seconds: float | None  # import_jsonl, date-string cache empty; None: an earlier load
    warm_seconds: float  # rebuild() after the import: every date string parsed already
    cold_seconds: float | None  # rebuild() with the date-string cache emptied (--cold-rebuild)
    dates_parsed: int  # distinct EDTF strings the import parsed
    floor: Floor | None = None  # SQLite only

    def rate(self, seconds: float) -> float:
        """Events replayed per second by a rebuild that took `seconds`."""
        return self.events / seconds


# --- the data ------------------------------------------------------------------------------------


def synthetic_file(size: int, seed: int, cache: Path) -> Path:
    """The synthetic log of `size` events for `seed`, generated once and cached."""
    path = cache / f"synthetic-{size}-seed{seed}-v{synthetic.VERSION}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        synthetic.write(path, size, seed)
        took = time.perf_counter() - started
        print(f"generated {path} in {took:.1f} s", file=sys.stderr)
    return path


def loaded_name(size: int, seed: int) -> str:
    """What a loaded database of this log is kept as (file stem, database name)."""
    return f"bench_asof_{size}_s{seed}_v{synthetic.VERSION}"


async def restore(
    backend: Backend, database: Database, size: int, args: argparse.Namespace
) -> bool:
    """Make `database` a copy of the database loaded earlier with this log, if one was kept
    (--reuse-loads), migrated to the schema as it is now; True when it did."""
    if not await _copy_kept(backend, database, size, args):
        return False
    await asyncio.to_thread(upgrade, database.url)
    return True


async def _copy_kept(
    backend: Backend, database: Database, size: int, args: argparse.Namespace
) -> bool:
    name = loaded_name(size, args.seed)
    if isinstance(backend, SQLiteBackend):
        kept = args.cache / f"{name}.db"
        if not kept.exists():
            return False
        remove_sqlite_files(database.sqlite_path)
        shutil.copy(kept, database.sqlite_path)
        return True
    assert isinstance(backend, PostgresBackend)
    if not await backend.admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        return False
    target = make_url(database.url).database
    await backend.admin(f'DROP DATABASE "{target}" WITH (FORCE)')
    await backend.admin(f'CREATE DATABASE "{target}" TEMPLATE "{name}"')
    return True


async def keep(backend: Backend, database: Database, size: int, args: argparse.Namespace) -> None:
    """Keep a copy of the loaded `database` for later runs (no engine may be open on it)."""
    name = loaded_name(size, args.seed)
    if isinstance(backend, SQLiteBackend):
        with sqlite3.connect(database.sqlite_path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy(database.sqlite_path, args.cache / f"{name}.db")
        return
    assert isinstance(backend, PostgresBackend)
    source = make_url(database.url).database
    await backend.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await backend.admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


@dataclass(frozen=True)
class Floor:
    """What a rebuild on SQLite cannot go below, however little Python it runs: bare sqlite3
    reading the log and writing every projection row, with no folding in between."""

    read_seconds: float  # the log's rows fetched as a rebuild reads them, their JSON parsed
    write_seconds: float  # the rows and indexes written as the rebuild writes them

    @property
    def seconds(self) -> float:
        """Both together."""
        return self.read_seconds + self.write_seconds


def rebuild_floor(path: Path) -> Floor:
    """Time bare sqlite3 doing the database's part of a rebuild of the database at `path`.

    Read its log with the rebuild's own statement (`REPLAY_READ`), each event's JSON parsed
    and nothing more done with it. Then, in a copy of the
    database with the store's pragmas, write its projection rows again in one transaction the
    way `rebuild()` does on SQLite: every projection row deleted, the projection indexes
    dropped, the rows inserted, the indexes made again, commit."""
    tables = [table.name for table in PROJECTION_TABLES]
    log = str(REPLAY_READ.compile(dialect=sqlite_dialect()))
    target = path.with_name(f"{path.stem}-floor.db")
    try:
        with closing(sqlite3.connect(path)) as source:
            rows = {name: source.execute(f'SELECT * FROM "{name}"').fetchall() for name in tables}
            started = time.perf_counter()
            for row in source.execute(log):
                json.loads(row[-1])
            read = time.perf_counter() - started
            with closing(sqlite3.connect(target)) as copy:
                source.backup(copy)  # consistent, the WAL's pages included
        with closing(sqlite3.connect(target, isolation_level=None)) as conn:
            for pragma in SQLITE_PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            indexes = [index.name for table in PROJECTION_TABLES for index in table.indexes]
            made = [
                sql
                for (sql,) in conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN "
                    f"({', '.join('?' * len(indexes))})",
                    indexes,
                )
            ]
            started = time.perf_counter()
            conn.execute("BEGIN")
            for name in tables:
                conn.execute(f'DELETE FROM "{name}"')
            for index in indexes:
                conn.execute(f'DROP INDEX "{index}"')
            for name, table_rows in rows.items():
                if table_rows:
                    marks = ", ".join("?" * len(table_rows[0]))
                    conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', table_rows)
            for sql in made:
                conn.execute(sql)
            conn.execute("COMMIT")
            write = time.perf_counter() - started
    finally:
        remove_sqlite_files(target)
    return Floor(read, write)


async def load(engine: AsyncEngine, path: Path) -> int:
    """Import the file into the (empty) database; return the number of events appended."""
    with path.open(encoding="utf-8") as lines:
        report = await import_jsonl(EventStore(engine), lines, recorded_by="bench")
    return report.appended


async def analyze(engine: AsyncEngine) -> None:
    """On PostgreSQL, VACUUM ANALYZE: what autovacuum soon does after a bulk load (it vacuums
    tables after inserts too), and what lets index-only scans skip the table for rows the
    visibility map marks all-visible. SQLite is left as the project leaves it (no ANALYZE)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))


# --- timing --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Loaded:
    """A loaded and rebuilt log, open for queries."""

    backend: str
    size: int
    engine: AsyncEngine
    actors: Sequence[str]


async def time_queries(logs: Sequence[Loaded], count: int, seed: int) -> list[Timing]:
    """Warm up, then time `count` relation() calls per case on every log, interleaved call by
    call across cases, sizes and backends, so that the machine's noise and drift fall on all
    of them alike and the ratios between sizes are measured in one run."""
    plans = {
        (log, case): queries(case, log.actors, count + WARMUP, seed, log.size)
        for log in logs
        for case in CASES
    }
    for log in logs:
        for case in CASES:
            for query in plans[log, case][:WARMUP]:
                await _ask(log.engine, query, case)
    timings = {(log, case): Timing(log.backend, log.size, case) for log in logs for case in CASES}
    for index in range(WARMUP, WARMUP + count):
        for case in CASES:
            for log in logs:
                query = plans[log, case][index]
                started = time.perf_counter()
                result = await _ask(log.engine, query, case)
                timings[log, case].seconds.append(time.perf_counter() - started)
                timings[log, case].items.append(items(result))
    return list(timings.values())


async def lookup_floors(logs: Sequence[Loaded], timings: Sequence[Timing], seed: int) -> None:
    """On SQLite, the floor of each timed call's own lookups: the statements it ran, with its
    parameters (caught by a listener on every engine, in a second, untimed run of the same
    call), run by bare sqlite3 on a connection of its own in one read transaction, every row
    fetched, each call's statements once untimed first (prepared and cached by sqlite3, as
    SQLAlchemy's compiled cache holds them). What relation() cannot go below however little
    Python and however few thread hops it makes."""
    by_key = {(t.backend, t.size, t.case): t for t in timings}
    for log in logs:
        if log.backend != "sqlite":
            continue
        path = log.engine.url.database
        assert path is not None
        for case in CASES:
            timing = by_key[log.backend, log.size, case]
            count = len(timing.seconds)
            calls = []
            for query in queries(case, log.actors, count + WARMUP, seed, log.size)[WARMUP:]:
                caught: list[tuple[str, Any]] = []

                def catch(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
                    if not statement.startswith("BEGIN"):
                        caught.append((statement, parameters))  # noqa: B023 (run at once)

                sa_event.listen(Engine, "before_cursor_execute", catch)
                try:
                    await _ask(log.engine, query, case)
                finally:
                    sa_event.remove(Engine, "before_cursor_execute", catch)
                calls.append(caught)
            with closing(sqlite3.connect(path, isolation_level=None)) as bare:
                for statements in calls:
                    bare.execute("BEGIN")
                    for statement, parameters in statements:
                        bare.execute(statement, parameters).fetchall()
                    bare.execute("ROLLBACK")
                    started = time.perf_counter()
                    bare.execute("BEGIN")
                    for statement, parameters in statements:
                        bare.execute(statement, parameters).fetchall()
                    bare.execute("ROLLBACK")
                    timing.floor.append(time.perf_counter() - started)


def floor_ratios(timings: Sequence[Timing]) -> list[str]:
    """relation()'s p50 over the p50 of the floor of its own lookups, per size and case,
    against issue 24's goal (<= 5) for the calls that list the instruments."""
    measured = [t for t in timings if t.floor]
    if not measured:
        return []
    lines = [
        "| backend | events | case | relation() p50 ms | floor of its lookups p50 ms | ratio "
        "| goal |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for t in measured:
        ratio = t.p50 / t.floor_p50
        goal = f"<= 5: {'met' if ratio <= 5 else 'missed'}" if t.case.instruments else "none"
        lines.append(
            f"| {t.backend} | {t.size:,} | {t.case.name} | {t.p50:.2f} | {t.floor_p50:.3f} | "
            f"{ratio:.1f} | {goal} |"
        )
    return [*lines, ""]


async def _ask(engine: AsyncEngine, query: Query, case: Case) -> Relation:
    return await relation(
        engine, query.a, query.b, query.as_of, query.known_at, instruments=case.instruments
    )


async def timed(work: Awaitable[object]) -> float:
    """Seconds `work` takes."""
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


# --- the profile ---------------------------------------------------------------------------------


@dataclass
class StatementStats:
    """What one kind of statement (by the table it reads) cost over the profiled calls."""

    calls: int = 0
    rows: int = 0
    seconds: float = 0.0


@contextmanager
def statement_stats(engine: AsyncEngine) -> Iterator[dict[str, StatementStats]]:
    """Time each statement from execute to its rows fetched by the driver, and count its rows,
    grouped by the first table it reads."""
    stats: dict[str, StatementStats] = defaultdict(StatementStats)
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        match = re.search(r"\bFROM\s+(\w+)", statement)
        entry = stats[match.group(1) if match else statement.split()[0]]
        entry.calls += 1
        entry.rows += len(getattr(cursor, "_rows", ()))  # the async adapters buffer all rows
        entry.seconds += time.perf_counter() - started.pop()

    # Every engine: on SQLite the views' statements run on a synchronous twin of `engine`
    # (events/views/reader.py), which listeners on `engine` do not see.
    sa_event.listen(Engine, "before_cursor_execute", before)
    sa_event.listen(Engine, "after_cursor_execute", after)
    try:
        yield stats
    finally:
        sa_event.remove(Engine, "before_cursor_execute", before)
        sa_event.remove(Engine, "after_cursor_execute", after)


def _top_functions(session: Any, count: int = 5) -> list[tuple[str, float]]:
    """The functions with the most own time in a pyinstrument session, awaiting excluded."""
    own: dict[str, float] = defaultdict(float)

    def walk(frame: Any) -> None:
        name, path = frame.function or "?", frame.file_path or ""
        if not name.startswith("[") and "asyncio/" not in path and "selectors" not in path:
            parts = Path(path).parts
            where = "/".join(parts[-2:]) if parts else "?"
            own[f"{name} ({where}:{frame.line_no})"] += frame.total_self_time
        for child in frame.children:
            walk(child)

    root = session.root_frame()
    if root is not None:
        walk(root)
    return sorted(own.items(), key=lambda item: -item[1])[:count]


async def profile_heavy(engine: AsyncEngine, backend: str, size: int, seed: int) -> list[str]:
    """Profile a few heavy-pair relation() calls (known now): first their statements (timed
    from execute until the driver holds every row), then, in a second pass, the Python side
    under pyinstrument when it is installed. Return summary lines."""
    plans = queries(Case("USA-CHN", past=False), (), PROFILE_CALLS, seed + 1, size)
    per_call = 1000 / len(plans)
    listed = 0
    with statement_stats(engine) as stats:
        started = time.perf_counter()
        for query in plans:
            listed += items(await relation(engine, query.a, query.b, query.as_of, query.known_at))
        wall = time.perf_counter() - started
    sql = sum(entry.seconds for entry in stats.values())
    lines = [
        f"{backend}, {size:,} events, {len(plans)} heavy-pair calls known now: "
        f"{wall * per_call:.0f} ms per call, {listed / len(plans):,.0f} items listed; "
        f"statements (execute + driver fetch) {sql * per_call:.0f} ms, the rest (SQLAlchemy "
        f"rows, view code) {(wall - sql) * per_call:.0f} ms",
        "statements per call, by table, most time first: "
        + "; ".join(
            f"`{table}` {entry.calls / len(plans):.0f}x, {entry.rows / len(plans):,.0f} rows, "
            f"{entry.seconds * per_call:.1f} ms"
            for table, entry in sorted(stats.items(), key=lambda item: -item[1].seconds)
        ),
    ]
    try:
        from pyinstrument import Profiler
    except ImportError:  # not a project dependency
        return lines
    profiler = Profiler(async_mode="enabled")
    profiler.start()
    for query in plans:
        await relation(engine, query.a, query.b, query.as_of, query.known_at)
    profiler.stop()
    top = _top_functions(profiler.last_session)
    lines.append(
        "pyinstrument, second pass, most own time per call (inflated by the profiler): "
        + "; ".join(f"`{name}` {seconds * per_call:.1f} ms" for name, seconds in top)
    )
    print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
    return lines


# --- the run -------------------------------------------------------------------------------------


async def available(args: argparse.Namespace, notes: list[str]) -> list[Backend]:
    """The backends asked for that can be reached (the others go to `notes`)."""
    backends: list[Backend] = []
    for name in args.backends:
        if name == "sqlite":
            backends.append(SQLiteBackend())
            continue
        backend = PostgresBackend(args.postgres_url)
        try:
            await backend.version()
        except OSError as error:
            notes.append(f"postgresql skipped: cannot connect ({error})")
            print(notes[-1], file=sys.stderr)
            continue
        backends.append(backend)
    return backends


async def prepare_one(
    backend: Backend, size: int, args: argparse.Namespace, stack: AsyncExitStack
) -> tuple[Load, Loaded]:
    """Load and rebuild one size on one backend; the database and its engine stay open (until
    `stack` closes) for the queries, which then run on every log at once."""
    path = synthetic_file(size, args.seed, args.cache)
    actors = synthetic.Generator(size, args.seed).actors
    database = await stack.enter_async_context(backend.fresh(migrated=True))
    reused = args.reuse_loads and await restore(backend, database, size, args)
    loaded: float | None = None
    dates_parsed = 0
    if not reused:
        engine = create_engine(database.url)
        try:
            # The date-string cache starts empty, as in a fresh `timeline import` process.
            dates._parse_cached.cache_clear()
            started = time.perf_counter()
            await load(engine, path)
            loaded = time.perf_counter() - started
            dates_parsed = dates._parse_cached.cache_info().misses
        finally:
            await engine.dispose()
        if args.reuse_loads:
            await keep(backend, database, size, args)
    engine = create_engine(database.url)
    stack.push_async_callback(engine.dispose)
    count = (await EventStore(engine).head()).count
    await analyze(engine)
    how = "reused an earlier load" if loaded is None else f"loaded in {loaded:.1f} s"
    print(f"{backend.name} {size:,}: {how}", file=sys.stderr)
    cold = None
    if args.cold_rebuild or loaded is None:
        # After a reused load nothing is parsed yet: that rebuild is a cold one.
        dates._parse_cached.cache_clear()  # as `timeline projections rebuild` starts
        cold = await timed(rebuild(engine))
    warm = await timed(rebuild(engine))
    await analyze(engine)
    floor = None
    if isinstance(backend, SQLiteBackend):
        floor = await asyncio.to_thread(rebuild_floor, database.sqlite_path)
    result = Load(backend.name, size, count, loaded, warm, cold, dates_parsed, floor)
    print(
        f"{backend.name} {size:,}: rebuilt in {warm:.1f} s "
        f"({result.rate(warm):,.0f} events/s)"
        + (f", cold {cold:.1f} s" if cold is not None else ""),
        file=sys.stderr,
    )
    return result, Loaded(backend.name, size, engine, actors)


def ratios(timings: Sequence[Timing]) -> list[str]:
    """p50 at the largest size over p50 at the smallest, per backend and case, against the
    goals (random pairs <= 1.5, USA-CHN <= 2) for the calls that list the instruments."""
    lines = []
    by_key = {(t.backend, t.size, t.case): t for t in timings}
    for backend in dict.fromkeys(t.backend for t in timings):
        sizes = sorted({t.size for t in timings if t.backend == backend})
        if len(sizes) < 2:
            continue
        small, large = sizes[0], sizes[-1]
        lines.append(
            f"| backend | case | p50({large:,}) / p50({small:,}) | goal | items listed, "
            "ratio | p50 per item listed, ratio |"
        )
        lines.append("|---|---|---:|---|---:|---:|")
        for case in CASES:
            big, little = by_key[backend, large, case], by_key[backend, small, case]
            ratio = big.p50 / little.p50
            # The answers grow with the log (more dialogues, instruments, upcoming meetings):
            # the growth of the answer beside that of its cost, and the cost per item listed.
            grown = statistics.fmean(big.items) / max(statistics.fmean(little.items), 1e-9)
            extra = f"{grown:.2f} | {ratio / grown:.2f}"
            if not case.instruments:
                # relation() as docs/projections.md defines it lists the instruments: the goals are
                # for those calls; the others show what the rest of a call costs.
                lines.append(
                    f"| {backend} | {case.name} | {ratio:.2f} | none (diagnostic) | {extra} |"
                )
                continue
            goal = 2.0 if case.pairs == "USA-CHN" else 1.5
            verdict = "met" if ratio <= goal else "missed"
            lines.append(
                f"| {backend} | {case.name} | {ratio:.2f} | <= {goal:g}: {verdict} | {extra} |"
            )
        lines.append("")
    return lines


def report(
    args: argparse.Namespace,
    started: datetime,
    took: float,
    versions: Sequence[str],
    notes: Sequence[str],
    loads: Sequence[Load],
    timings: Sequence[Timing],
    profile: Sequence[str],
) -> str:
    """The Markdown section: context, rebuild rates, latencies, ratios, profile."""
    command = shlex.join(["python", "-m", "bench.asof", *args.argv])
    lines = [
        f"## bench.asof, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: nproc {len(os.sched_getaffinity(0))} ({os.cpu_count()} CPUs), "
        f"{cpu_model()}; Python {platform.python_version()}; {'; '.join(versions)} "
        f"(sqlite3 module {sqlite3.sqlite_version})",
        f"- code: {git_commit()}",
        f"- command: `{command}` ({took / 60:.0f} min)",
        f"- data: `bench/synthetic.py --seed {args.seed}`, loaded with `import_jsonl` into a "
        "fresh migrated database; PostgreSQL is VACUUM ANALYZEd after the load and the rebuild",
        f"- latencies: {args.queries} timed relation() calls per case after {WARMUP} untimed, "
        "the cases, sizes and backends interleaved call by call (the ratios between sizes are "
        "measured in one run); the same pairs, and dates at the same fractions of each log's "
        "span after its first 8 years, at every size",
        *(f"- {note}" for note in notes),
        "",
        "| backend | events | load: import_jsonl (s) | distinct dates parsed | rebuild (s) "
        "| rebuild events/s | rebuild, cold date cache (s) | floor: read the log (s) "
        "| floor: write rows, make indexes (s) | floor events/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {x.backend} | {x.events:,} | "
            f"{'earlier run' if x.load_seconds is None else f'{x.load_seconds:.1f}'} | "
            f"{f'{x.dates_parsed:,}' if x.dates_parsed else ''} | "
            f"{x.warm_seconds:.1f} | {x.rate(x.warm_seconds):,.0f} | "
            f"{'' if x.cold_seconds is None else f'{x.cold_seconds:.1f}'} | "
            f"{'' if x.floor is None else f'{x.floor.read_seconds:.1f}'} | "
            f"{'' if x.floor is None else f'{x.floor.write_seconds:.1f}'} | "
            f"{'' if x.floor is None else f'{x.rate(x.floor.seconds):,.0f}'} |"
            for x in loads
        ),
        "",
        "| backend | events | case | p50 ms | p95 ms | items listed (mean) |",
        "|---|---:|---|---:|---:|---:|",
        *(
            f"| {t.backend} | {t.size:,} | {t.case.name} | {t.p50:.1f} | "
            f"{t.percentile(0.95):.1f} | {statistics.mean(t.items):,.0f} |"
            for t in timings
        ),
        "",
        *ratios(timings),
        *floor_ratios(timings),
    ]
    if profile:
        lines.extend(["### Profile", "", *(f"- {line}" for line in profile), ""])
    return "\n".join(lines) + "\n"


def git_commit() -> str:
    """`git rev-parse --short HEAD`, plus "dirty" when `git status --porcelain` lists anything."""
    root = Path(__file__).resolve().parent.parent
    git = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"git {head}{' dirty' if status.strip() else ''}"


async def run(args: argparse.Namespace) -> str:
    """Every backend and size asked for; return the Markdown report."""
    started = datetime.now(UTC)
    clock = time.perf_counter()
    notes: list[str] = []
    backends = await available(args, notes)
    versions = [await backend.version() for backend in backends]
    loads: list[Load] = []
    timings: list[Timing] = []
    profile: list[str] = []
    sizes = {
        backend.name: args.postgres_sizes if backend.name == "postgresql" else args.sizes
        for backend in backends
    }
    # Smallest first, backends alternating: the largest (slowest to load) runs last.
    jobs = sorted(
        (
            (size, index, backend)
            for index, backend in enumerate(backends)
            for size in sizes[backend.name]
        ),
        key=lambda job: job[:2],
    )
    if "postgresql" in sizes and sizes["postgresql"] != args.sizes:
        notes.append(
            f"PostgreSQL ran {', '.join(f'{n:,}' for n in sizes['postgresql'])} events only "
            "(--postgres-sizes): the import of 1,000,000 takes ~15 minutes there"
        )
    for backend in backends:
        await backend.start()
    try:
        async with AsyncExitStack() as stack:
            logs: list[Loaded] = []
            for size, _, backend in jobs:
                one, log = await prepare_one(backend, size, args, stack)
                loads.append(one)
                logs.append(log)
            timings = await time_queries(logs, args.queries, args.seed)
            print("queries done", file=sys.stderr)
            await lookup_floors(logs, timings, args.seed)
            if args.profile:
                for backend in backends:
                    largest = max(sizes[backend.name])
                    log = next(x for x in logs if (x.backend, x.size) == (backend.name, largest))
                    profile.extend(
                        await profile_heavy(log.engine, backend.name, largest, args.seed)
                    )
    finally:
        for backend in backends:
            await backend.stop()
    return report(
        args,
        started,
        time.perf_counter() - clock,
        versions,
        notes,
        loads,
        timings,
        profile,
    )


def _sizes(text: str) -> list[int]:
    return sorted(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.asof", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated log sizes (10000,100000,1000000)",
    )
    parser.add_argument(
        "--postgres-sizes",
        type=_sizes,
        default=[10_000, 100_000],
        help="sizes for PostgreSQL (10000,100000: loading 1M takes ~15 minutes there)",
    )
    parser.add_argument(
        "--backends",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=["sqlite", "postgresql"],
        help="comma-separated: sqlite, postgresql (both)",
    )
    parser.add_argument("--queries", type=int, default=200, help="timed calls per case (200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic log (1)")
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
        "--no-profile",
        dest="profile",
        action="store_false",
        help="skip the profile of heavy-pair calls at the largest size",
    )
    parser.add_argument(
        "--cold-rebuild",
        action="store_true",
        help="also time a rebuild with the date-string cache emptied, as a fresh process runs it",
    )
    parser.add_argument(
        "--reuse-loads",
        action="store_true",
        help="keep each loaded database (SQLite: a file in --cache; PostgreSQL: a database "
        "bench_asof_…) and start from it in later runs instead of importing again; the rebuild "
        "that is timed still makes every projection with the code as it is",
    )
    parser.add_argument("--record", action="store_true", help=f"append the report to {RESULTS}")
    args = parser.parse_args(argv)
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
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
