"""Import throughput and peak memory: `timeline import`, the `eventsourcing` library, the floor.

Run `python -m bench.imports --help`. One synthetic JSON Lines log (bench/synthetic.py) goes
into a fresh database per case, on each backend, each case in a process of its own, so that its
peak resident memory (`ru_maxrss` from `wait4`, which counts C allocations too, unlike
tracemalloc) is its own. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy.engine import make_url

from bench.append import (
    COLUMNS,
    ES,
    FLOOR,
    SQLITE_INSERT,
    SQLITE_PRAGMAS,
    STORE,
    Backend,
    available_backends,
    eventsourcing_postgres_recorder,
    parse_common,
)
from bench.asof import CACHE, synthetic_file
from bench.record import header, publish
from events.types import EVENT_TYPES, dumps

RECORDED_BY = "bench"
SYSTEMS = (STORE, ES, FLOOR)


# --- the children: each imports the file once and prints {"seconds": …, "events": …} ----------


def store_child(url: str, path: Path, batch: int) -> tuple[float, int]:
    """`timeline import FILE --batch-size B` on the database at `url`, the CLI run in this
    process (its own progress output goes to stderr): the project's import, whole."""
    from api.cli import app

    os.environ["TIMELINE_DATABASE_URL"] = url
    started = time.perf_counter()
    try:
        app(
            ["import", str(path), "--batch-size", str(batch), "--recorded-by", RECORDED_BY],
            standalone_mode=False,
        )
    except SystemExit as exit:
        if exit.code not in (0, None):
            raise
    elapsed = time.perf_counter() - started
    return elapsed, count_events(url, "events")


def envelopes(path: Path) -> Iterator[tuple[bytes, dict[str, Any]]]:
    """Each line of the file (its bytes, as the payload) with its parsed JSON."""
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield line.rstrip(b"\n"), json.loads(line)


def chunked(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of `size` items."""
    part: list[Any] = []
    for item in items:
        part.append(item)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def eventsourcing_child(url: str, path: Path, batch: int) -> tuple[float, int]:
    """The `eventsourcing` recorder storing each line of the file as the state of a
    StoredEvent (originator: the stream, version: its version in the stream), `batch` per
    `insert_events` call (one transaction each), on an empty database; SQLite with
    synchronous=NORMAL like the store."""
    from eventsourcing.persistence import StoredEvent

    versions: dict[str, int] = {}

    def stored() -> Iterator[StoredEvent]:
        for line, obj in envelopes(path):
            version = versions[obj["stream"]] = versions.get(obj["stream"], 0) + 1
            yield StoredEvent(obj["stream"], version, obj["type"], line)

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

        datastore: Any = SQLiteDatastore(str(parsed.database), pool_size=1, max_overflow=0)
        recorder: Any = SQLiteApplicationRecorder(datastore)
        recorder.create_table()
        with datastore.get_connection(commit=True) as conn:
            conn.cursor().execute("PRAGMA synchronous=NORMAL")
    else:
        datastore, recorder = eventsourcing_postgres_recorder(url)
    try:
        started = time.perf_counter()
        for part in chunked(stored(), batch):
            recorder.insert_events(part)
        elapsed = time.perf_counter() - started
        return elapsed, int(recorder.max_notification_id() or 0)
    finally:
        datastore.close()


def floor_rows(path: Path, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """The rows the store writes for the file's events, made with no validation: parsed JSON,
    the stream versions counted, `data` and `sources` serialised as the store serialises them."""
    versions: dict[str, int] = {}
    for position, (_, obj) in enumerate(envelopes(path), start=1):
        stream = obj["stream"]
        version = versions[stream] = versions.get(stream, 0) + 1
        recorded_at = datetime.fromisoformat(obj["recordedAt"]).astimezone(UTC)
        event_id = UUID(obj["id"])
        yield (
            position,
            event_id.hex if sqlite else event_id,
            stream,
            version,
            obj["type"],
            obj.get("schemaVersion") or EVENT_TYPES[obj["type"]].schema_version,
            obj["occurred"],
            recorded_at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else recorded_at,
            obj.get("recordedBy") or RECORDED_BY,
            dumps(obj["data"]),
            dumps(obj.get("sources") or []),
            obj.get("note"),
        )


def floor_child(url: str, path: Path, batch: int) -> tuple[float, int]:
    """The raw driver writing those rows into the migrated `events` table in one transaction,
    `batch` at a time, as the import does (no checks, no projections): sqlite3 `executemany`
    with the store's pragmas; asyncpg `copy_records_to_table`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database), isolation_level=None)
        try:
            for pragma in SQLITE_PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            for part in chunked(floor_rows(path, sqlite=True), batch):
                conn.executemany(SQLITE_INSERT, part)
            conn.execute("COMMIT")
            elapsed = time.perf_counter() - started
        finally:
            conn.close()
        return elapsed, count_events(url, "events")

    async def copy() -> float:
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            async with conn.transaction():
                for part in chunked(floor_rows(path, sqlite=False), batch):
                    await conn.copy_records_to_table("events", records=part, columns=COLUMNS)
            return time.perf_counter() - started
        finally:
            await conn.close()

    return asyncio.run(copy()), count_events(url, "events")


def count_events(url: str, table: str) -> int:
    """Rows in `table` of the database at `url` (the check that everything landed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database))
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            conn.close()

    async def count() -> int:
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await conn.close()

    return asyncio.run(count())


CHILDREN = {STORE: store_child, ES: eventsourcing_child, FLOOR: floor_child}


def run_child(system: str, url: str, path: Path, batch: int) -> tuple[float, int, float]:
    """Run one case in a process of its own: (seconds, events it holds after, peak RSS MiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        command = [sys.executable, "-m", "bench.imports", "--child", system, "--url", url]
        command += ["--file", str(path), "--batch", str(batch)]
        process = subprocess.Popen(command, stdout=out, stderr=err)
        # wait4, not Popen.wait: it also returns the child's own resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{system} import failed:\n{err.read().decode()[-3000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    # ru_maxrss is in KiB on Linux.
    return result["seconds"], result["events"], usage.ru_maxrss / 1024


# --- the parent ----------------------------------------------------------------------------------


@dataclass
class Result:
    """The runs of one system on one backend."""

    backend: str
    system: str
    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    def rate(self, events: int) -> float:
        """Events/s of the median run."""
        return events / sorted(self.seconds)[len(self.seconds) // 2]


async def measure(
    backend: Backend, system: str, path: Path, batch: int
) -> tuple[float, float, int]:
    """Import the file with `system` into a fresh database of `backend`: (seconds, peak MiB,
    events it then holds)."""
    async with backend.fresh(migrated=system != ES) as database:
        seconds, count, peak = await asyncio.to_thread(run_child, system, database.url, path, batch)
    return seconds, peak, count


def table(results: Sequence[Result], events: int) -> str:
    """The Markdown table: events/s, seconds, peak RSS, and the store's ratios."""
    rates = {(r.backend, r.system): r.rate(events) for r in results}
    lines = [
        "| backend | case | events/s | seconds (runs) | peak RSS MiB | store/eventsourcing "
        "| store/floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ratios = ["", ""]
        if result.system == STORE:
            for index, other in enumerate((ES, FLOOR)):
                if (result.backend, other) in rates:
                    ratio = rates[result.backend, STORE] / rates[result.backend, other]
                    ratios[index] = f"{ratio:.2f}"
        seconds = ", ".join(f"{s:.1f}" for s in result.seconds)
        lines.append(
            f"| {result.backend} | {result.system} | {result.rate(events):,.0f} | {seconds} | "
            f"{max(result.peak_mib):,.0f} | {ratios[0]} | {ratios[1]} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    """Every case on every backend asked for; the Markdown section."""
    started = datetime.now(UTC)
    path = await asyncio.to_thread(synthetic_file, args.events, args.seed, args.cache)
    notes: list[str] = []
    backends = await available_backends(args, notes)
    versions = [await backend.version() for backend in backends]
    results: list[Result] = []
    for backend in backends:
        await backend.start()
        try:
            mine = [Result(backend.name, system) for system in SYSTEMS]
            for run_index in range(args.runs):
                shift = run_index % len(mine)
                for result in mine[shift:] + mine[:shift]:
                    seconds, peak, count = await measure(backend, result.system, path, args.batch)
                    if count != args.events:
                        raise RuntimeError(f"{result.system}: {count} events, not {args.events}")
                    result.seconds.append(seconds)
                    result.peak_mib.append(peak)
                    print(
                        f"{backend.name} {result.system}: {seconds:.1f} s, {peak:.0f} MiB",
                        file=sys.stderr,
                    )
            results.extend(mine)
        finally:
            await backend.stop()
    took = (datetime.now(UTC) - started).total_seconds()
    lines = [
        *header("bench.imports", started, "bench.imports", args.argv, took, versions),
        f"- data: `bench/synthetic.py --events {args.events} --seed {args.seed}` "
        f"({path.stat().st_size / 2**20:,.0f} MiB of JSON Lines), {args.batch} events per batch; "
        f"each case in a process of its own, a fresh database each, {args.runs} run(s)",
        "- store: `timeline import FILE --batch-size B` (one transaction; the projections "
        "rebuilt once at the end) into a migrated database; eventsourcing: `insert_events` of "
        "each line as a StoredEvent, one transaction per batch, its own table; floor: the "
        "store's rows (no validation) into the migrated `events` table by sqlite3 "
        "`executemany` / asyncpg `copy_records_to_table`, one transaction, no projections",
        "- seconds: from the first line read to the last commit (process start and imports "
        "excluded); peak RSS: `ru_maxrss` of the process",
        *(f"- {note}" for note in notes),
        "",
        table(results, args.events),
        "",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events (1000000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per batch (1000)")
    parser.add_argument("--runs", type=int, default=1, help="runs per case (1)")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed (1)")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"generated logs ({CACHE})")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    return parse_common(parser, argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (or, with --child, one case of it) and print the result."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        seconds, count = CHILDREN[args.child](args.url, args.file, args.batch)
        print(json.dumps({"seconds": seconds, "events": count}))
        return
    publish(asyncio.run(run(args)), args.record)


if __name__ == "__main__":
    main()
