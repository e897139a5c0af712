"""What the thread hop costs `relation()` on SQLite: its reads as served (the view's synchronous
SQLAlchemy code run in one call on aiosqlite's thread, `events.views.reader.run_sync`) against the
same code on a synchronous pysqlite connection of the calling thread, interleaved call by call.

A diagnostic for issue 24's decision on SQLite reads (a hop to aiosqlite's thread per read, or
reads on the event loop's own thread): the second way is not how the server reads, so this swaps
`events.views.relation.read` for the length of the run. The logs are bench.asof's kept loads
(`python -m bench.asof --reuse-loads` makes them), the calls bench.asof's own (`queries`): the
same pairs and dates, known now, every list.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Connection

import events.views.relation as relation_module
from bench import synthetic
from bench.asof import CACHE, Case, loaded_name, queries
from bench.record import header, publish
from events.db import SQLITE_PARAMSTYLE, create_engine

WARMUP = 10
WAYS = ("aiosqlite's thread, one hop per call (as served)", "pysqlite on the calling thread")


async def measure(path: Path, size: int, case: Case, calls: int) -> dict[str, list[float]]:
    """p50 inputs: the ms of each of `calls` relation() calls per way, after WARMUP untimed."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    local = create_sync_engine(f"sqlite:///{path}", paramstyle=SQLITE_PARAMSTYLE)
    served = relation_module.read

    async def on_this_thread(_reader: Any, work: Callable[[Connection], Any]) -> Any:
        with local.connect() as conn:
            return work(conn)

    took: dict[str, list[float]] = {way: [] for way in WAYS}
    plans = queries(case, synthetic.Generator(size, 1).actors, calls + WARMUP, 1, size)
    try:
        for number, query in enumerate(plans):
            for way, read in zip(WAYS, (served, on_this_thread), strict=True):
                relation_module.read = read
                started = time.perf_counter()
                await relation_module.relation(engine, query.a, query.b, query.as_of)
                if number >= WARMUP:
                    took[way].append((time.perf_counter() - started) * 1000)
    finally:
        relation_module.read = served
        await engine.dispose()
        local.dispose()
    return took


def main(argv: Sequence[str] | None = None) -> None:
    """Time both ways on every kept log asked for; print (and with --record keep) the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.hop", description=__doc__)
    parser.add_argument("--sizes", default="10000,1000000", help="kept logs (10000,1000000)")
    parser.add_argument("--calls", type=int, default=80, help="timed calls per case and way (80)")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"bench.asof's cache ({CACHE})")
    parser.add_argument("--record", action="store_true", help="append the report to RESULTS.md")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    started, clock = datetime.now(UTC), time.perf_counter()
    rows = []
    for size in sizes:
        path = args.cache / f"{loaded_name(size, 1)}.db"
        if not path.exists():
            parser.error(f"no kept load of {size} events at {path}: run bench.asof --reuse-loads")
        for pairs in ("random pairs", "USA-CHN"):
            took = asyncio.run(measure(path, size, Case(pairs, past=False), args.calls))
            p50 = [statistics.median(took[way]) for way in WAYS]
            rows.append(
                f"| {size:,} | {pairs} | {p50[0]:.2f} | {p50[1]:.2f} | {p50[0] / p50[1]:.2f} |"
            )
    argv_used = list(sys.argv[1:] if argv is None else argv)
    lines = [
        *header("bench.hop", started, "bench.hop", argv_used, time.perf_counter() - clock, []),
        f"- calls: bench.asof's `queries` (seed 1), known now, every list; {args.calls} timed "
        f"after {WARMUP} untimed per case, the two ways alternating call by call; the kept "
        "loads of bench.asof (`--reuse-loads`), read as they are",
        "",
        f"| events | case | {WAYS[0]}, p50 ms | {WAYS[1]}, p50 ms | ratio |",
        "|---:|---|---:|---:|---:|",
        *rows,
        "",
    ]
    publish("\n".join(lines) + "\n", args.record)


if __name__ == "__main__":
    main()
