"""The relation query of this checkout against the same benchmark on an earlier commit, requests
interleaved: is the graph's expanded relation query slower than the flat query was?

An issue may ask that a query be "no slower than today's": today's code is then an earlier commit.
Runs of bench.http taken one after the other differ by more than the gap in question on a shared
machine, so this benchmark serves both codes at once and alternates their requests:

1. `git worktree add --detach` a temporary checkout of `--base` (removed at the end);
2. in each checkout, its own `bench.http` and `bench.asof` (the APIs both have: `synthetic_file`,
   `load`, `SQLiteBackend`, `server`, `CACHE_OFF`, the `RELATION…` cases) generate the synthetic
   log of `--events`, import it into a fresh migrated SQLite database and serve it under uvicorn,
   answer cache off, one worker each;
3. one client sends, in a rotating order, each round's requests: the base's relation query and each
   of this checkout's (flat and every reference expanded), all with the same asOf, a new one each
   round (the log's span is walked a week at a time), known now;
4. p50, mean and p90 per query, and the p50 ratios to the base's flat query;
5. the floor graphql-core alone sets: for `--floor-samples` of those dates, each answer fetched
   again (with `__typename` on every selection) and executed by graphql-core over the checkout's
   committed SDL with its default resolvers reading the answer itself (no strawberry, no SQL, no
   HTTP), then encoded as JSON: what no resolver code can go below for an answer of that shape.

Every answer must be HTTP 200 without `errors`; the answers' sizes are reported, since each side
answers from its own version of the synthetic log.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
from graphql import DocumentNode, GraphQLSchema, build_schema, execute, parse, print_ast

from bench.http import AS_OF
from bench.http_floors import with_typenames
from bench.record import ROOT, header, publish

# Run by each checkout's own interpreter in its own directory: load (or copy the database it
# loaded before, kept per side in --cache: a 1M import takes over ten minutes), serve, print one
# JSON line (the base URL and the cases' queries), then serve until stdin closes. Only what both
# the base and this checkout define is used.
SERVE_SIDE = """
import asyncio, json, shutil, sys
from pathlib import Path
from bench import append, asof, http

async def main(events, seed, cache):
    backend = append.SQLiteBackend()
    await backend.start()
    try:
        async with backend.fresh(migrated=True) as database:
            kept = cache / f"loaded-{events}-seed{seed}.db"
            if kept.exists():
                for suffix in ("", "-wal"):
                    if Path(f"{kept}{suffix}").exists():
                        shutil.copy(f"{kept}{suffix}", f"{database.path}{suffix}")
                count = events
            else:
                engine = http.create_engine(database.url)
                try:
                    count = await asof.load(engine, asof.synthetic_file(events, seed, cache))
                finally:
                    await engine.dispose()
                for suffix in ("", "-wal"):
                    if Path(f"{database.path}{suffix}").exists():
                        shutil.copy(f"{database.path}{suffix}", f"{kept}{suffix}")
            cases = {}
            for name in ("RELATION", "RELATION_EXPANDED"):
                case = getattr(http, name, None)
                if case is not None:
                    cases[name] = {"query": case.query, "variables": case.variables}
            log = backend.directory / "uvicorn.log"
            with http.server(database.url, log, http.CACHE_OFF) as base:
                print(json.dumps({"base": base, "events": count, "cases": cases}), flush=True)
                await asyncio.to_thread(sys.stdin.read)
    finally:
        await backend.stop()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
"""

WEEK = timedelta(days=7)


@dataclass
class Side:
    """One checkout's server: where it answers, the queries it knows, and its SDL."""

    name: str
    checkout: Path
    base: str
    events: int
    cases: dict[str, dict[str, Any]]
    process: subprocess.Popen[str]


@dataclass
class Target:
    """One query of one side, and what each of its requests took (ms) and answered (bytes)."""

    side: Side
    case: str
    label: str
    took: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)  # graphql-core alone, ms (`graphql_floor`)


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A temporary detached checkout of `revision`, removed on exit."""
    directory = Path(tempfile.mkdtemp(prefix="bench_versus_")) / "base"
    git = ["git", "-C", str(ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(directory), revision], check=True)
    try:
        yield directory
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(directory)], check=False)


@contextmanager
def serve(name: str, checkout: Path, args: argparse.Namespace) -> Iterator[Side]:
    """Start SERVE_SIDE in `checkout` and wait for its line."""
    cache = args.cache / name
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", SERVE_SIDE, str(args.events), str(args.seed), str(cache)]
    process = subprocess.Popen(
        command, cwd=checkout, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"{name}: the server did not start (exit {process.wait()})")
        found = json.loads(line)
        print(f"{name}: {found['events']:,} events served at {found['base']}", file=sys.stderr)
        yield Side(name, checkout, found["base"], found["events"], found["cases"], process)
    finally:
        stdin: IO[str] | None = process.stdin
        if stdin is not None:
            stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def send(client: httpx.Client, target: Target, as_of: date) -> None:
    """One POST of `target`'s query at `as_of`; its time and size kept, its answer checked."""
    case = target.side.cases[target.case]
    payload = {
        "query": case["query"],
        "variables": {**case["variables"], "asOf": as_of.isoformat()},
    }
    started = time.perf_counter()
    response = client.post(f"{target.side.base}/graphql", json=payload)
    took = (time.perf_counter() - started) * 1000
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{target.label}: HTTP {response.status_code} {body.get('errors')}")
    target.took.append(took)
    target.sizes.append(len(response.content))


def measure(targets: Sequence[Target], rounds: int, warmup: int) -> None:
    """`warmup` untimed rounds, then `rounds` rounds of one request per target, the order
    rotating each round; the same asOf for every target of a round."""
    with httpx.Client(timeout=120) as client:
        start = date.fromisoformat(AS_OF)
        for number in range(warmup + rounds):
            as_of = start - WEEK * (number % 520)
            shift = number % len(targets)
            for target in [*targets[shift:], *targets[:shift]]:
                send(client, target, as_of)
                if number < warmup:
                    target.took.pop()
                    target.sizes.pop()


def graphql_floor(
    client: httpx.Client, target: Target, schema: GraphQLSchema, as_of: date, repeat: int = 3
) -> float:
    """The best of `repeat` times (ms) graphql-core takes to execute `target`'s query over its
    own answer at `as_of` (fetched once, with `__typename` everywhere so that abstract types
    resolve), default resolvers reading the answer's dicts, and to encode the result as JSON."""
    case = target.side.cases[target.case]
    variables = {**case["variables"], "asOf": as_of.isoformat()}
    document: DocumentNode = parse(case["query"])
    marked = print_ast(with_typenames(document))
    response = client.post(
        f"{target.side.base}/graphql", json={"query": marked, "variables": variables}
    )
    answer = response.json()["data"]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = execute(schema, document, root_value=answer, variable_values=variables)
        json.dumps({"data": result.data}, separators=(",", ":"))
        best = min(best, (time.perf_counter() - started) * 1000)
        if result.errors:
            raise RuntimeError(f"{target.label}: graphql-core floor: {result.errors[:3]}")
    return best


def floors(targets: Sequence[Target], samples: int) -> None:
    """`graphql_floor` of every target at `samples` of the dates the rounds walked."""
    schemas = {
        id(target.side): build_schema(
            (target.side.checkout / "api" / "schema.graphql").read_text(encoding="utf-8")
        )
        for target in targets
    }
    start = date.fromisoformat(AS_OF)
    with httpx.Client(timeout=120) as client:
        for number in range(samples):
            as_of = start - WEEK * (number * 520 // max(samples, 1))
            for target in targets:
                target.floor.append(graphql_floor(client, target, schemas[id(target.side)], as_of))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(
    targets: Sequence[Target], args: argparse.Namespace, started: datetime, took: float
) -> str:
    """The Markdown section."""
    reference = statistics.median(targets[0].took)
    lines = [
        *header("bench.versus", started, "bench.versus", args.argv, took, ["SQLite"]),
        f"- base: {args.base} (`git rev-parse`: {args.base_commit}); each side imports "
        f"`bench/synthetic.py --events {args.events} --seed {args.seed}` as its own code "
        "generates it, and serves it under uvicorn (1 worker, answer cache off)",
        f"- {args.rounds} rounds after {args.warmup} untimed; in each, one request per query in a "
        f"rotating order, all at the same asOf (from {AS_OF} back a week per round), known now; "
        "USA-CHN",
        f"- graphql-core alone: at {args.floor_samples} of those dates, the best of 3 runs of "
        "graphql-core executing the query over its own answer (the checkout's "
        "api/schema.graphql, default resolvers, no strawberry, SQL or HTTP) and encoding it as "
        "JSON; p50 over the dates",
        "",
        "| query | p50 ms | mean ms | p90 ms | answer bytes (median) | p50 ÷ base flat | "
        "graphql-core alone, p50 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for target in targets:
        p50 = statistics.median(target.took)
        alone = f"{statistics.median(target.floor):.2f}" if target.floor else ""
        lines.append(
            f"| {target.label} | {p50:.2f} | {statistics.fmean(target.took):.2f} | "
            f"{percentile(target.took, 0.9):.2f} | {statistics.median(target.sizes):,.0f} | "
            f"{p50 / reference:.2f} | {alone} |"
        )
    return "\n".join([*lines, ""]) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.versus", description=__doc__)
    parser.add_argument("--base", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--events", type=int, default=10_000, help="size of the log (10000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic log (1)")
    parser.add_argument("--rounds", type=int, default=300, help="timed rounds (300)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds first (10)")
    parser.add_argument(
        "--floor-samples",
        type=int,
        default=20,
        help="dates at which graphql-core's own floor is measured (20; 0: none)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench_versus_cache",
        help="where each side's generated log and loaded database are kept, per side",
    )
    parser.add_argument("--record", action="store_true", help="append the report to RESULTS.md")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.events < 1 or args.warmup < 0 or args.floor_samples < 0:
        parser.error(
            "--rounds and --events must be positive, --warmup and --floor-samples not negative"
        )
    args.argv = list(argv)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Serve both checkouts, interleave their requests, print (and with --record keep) the
    report."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started, clock = datetime.now(UTC), time.perf_counter()
    args.base_commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with ExitStack() as stack:
        checkout = stack.enter_context(worktree(args.base))
        base = stack.enter_context(serve("base", checkout, args))
        head = stack.enter_context(serve("this checkout", ROOT, args))
        targets = [Target(base, "RELATION", f"base {args.base_commit}: relation, flat")]
        targets.append(Target(head, "RELATION", "this checkout: relation, flat"))
        if "RELATION_EXPANDED" in head.cases:
            label = "this checkout: relation, every reference expanded"
            targets.append(Target(head, "RELATION_EXPANDED", label))
        measure(targets, args.rounds, args.warmup)
        floors(targets, args.floor_samples)
    publish(report(targets, args, started, time.perf_counter() - clock), args.record)


if __name__ == "__main__":
    main()
