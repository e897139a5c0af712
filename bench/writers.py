"""Concurrent writers across processes: appends/s, latency, and nothing lost or misordered.

Two `timeline serve` replicas run on one fresh PostgreSQL database (the production layout);
client processes (`python -m bench.writers --child …`, each a process of its own) send
`recordEvent` mutations over HTTP, one after the other, each a StatementIssued on a stream of
its own, writer i to replica i mod 2. Two cases, in one run, on the same servers:

- one writer: 1 client process;
- N writers: `--writers` client processes (8) at once.

Every client starts at the same instant (once all have said they are ready) and reports the
latency of each append and the position the server answered. The case's appends/s is its
appends over the time from that instant to the last answer; p50/p99 are over all its appends.
After each case the log is read back and checked: every acknowledged event is in it exactly
once at the position it was acknowledged with (0 lost, 0 duplicated), positions run from 1
without gaps, and each writer's events are in the log in the order it sent them (0 out of
order). The goal (issue 24): N writers ÷ one writer, appends/s, at least 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from api.auth import digest_of
from bench.append import PostgresBackend, parse_common
from bench.record import header, publish
from events.db import create_engine, events_table
from events.store import EventStore
from events.types import event_from_json

TOKEN = "bench-writers-token-0123456789abcdef"
RECORD = """
mutation Record($input: RecordEventInput!) {
  recordEvent(input: $input) { event { id position } userErrors { field message } }
}"""
TIMELINE = Path(sys.executable).parent / "timeline"
STARTUP = 90.0  # seconds a replica may take to answer /readyz on a busy machine


# --- a client process --------------------------------------------------------------------------


def statement_input(writer: int, index: int) -> dict[str, Any]:
    """The `recordEvent` input of a writer's `index`-th append: a StatementIssued on a stream
    of its own."""
    return {
        "stream": f"statement/w{writer}-{index}-{uuid.uuid4().hex[:8]}",
        "occurred": "2024-02-20",
        "data": {
            "statementIssued": {
                "issuer": "CHN",
                "summary": f"Statement {index} of writer {writer}.",
                "about": ["USA"],
            }
        },
    }


def child_http(address: str, count: int, writer: int) -> list[Any]:
    """Send `count` appends to `address` one after the other, once told to start;
    [[latency s, event id, position], …]."""
    done: list[tuple[float, str, int]] = []
    with httpx.Client(
        base_url=f"http://{address}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    ) as http:
        http.get("/healthz")  # the connection, open before the clock starts
        inputs = [{"input": statement_input(writer, index)} for index in range(count)]
        ready()
        for variables in inputs:
            sent = time.perf_counter()
            response = http.post("/graphql", json={"query": RECORD, "variables": variables})
            latency = time.perf_counter() - sent
            payload = response.json()["data"]["recordEvent"]
            if payload["userErrors"]:
                raise SystemExit(f"writer {writer}: {payload['userErrors']}")
            done.append((latency, payload["event"]["id"], payload["event"]["position"]))
    return done


async def child_store(url: str, count: int, writer: int) -> list[Any]:
    """Append `count` events through an EventStore of this process on `url`, one after the
    other, once told to start; as `child_http`. The events are validated before the clock."""
    events = [
        event_from_json(
            {
                "id": str(uuid.uuid4()),
                "stream": item["stream"],
                "type": "StatementIssued",
                "occurred": item["occurred"],
                "data": {"issuer": "CHN", "summary": f"Statement {index}.", "about": ["USA"]},
            }
        )
        for index, item in enumerate(statement_input(writer, i) for i in range(count))
    ]
    engine = create_engine(url)
    store = EventStore(engine)
    done: list[tuple[float, str, int]] = []
    try:
        await store.head()  # the connection, open before the clock starts
        ready()
        for event in events:
            sent = time.perf_counter()
            [recorded] = await store.append([event], recorded_by="bench")
            done.append((time.perf_counter() - sent, str(recorded.id), recorded.position))
    finally:
        await store.close()
        await engine.dispose()
    return done


def ready() -> None:
    """Say on stdout that this writer is ready (imports done, connection open), then wait for
    the line on stdin that starts every writer at once."""
    print("ready", flush=True)
    sys.stdin.readline()


def child(via: str, target: str, count: int, writer: int) -> None:
    """One writer process: print one JSON line, its appends and the time of its last answer."""
    if via == "http":
        done = child_http(target, count, writer)
    else:
        done = asyncio.run(child_store(target, count, writer))
    print(json.dumps({"appends": done, "ended": time.time()}))


# --- the servers -------------------------------------------------------------------------------


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One `timeline serve` process."""

    address: str
    process: subprocess.Popen[bytes]


def start_replica(url: str, log: Path) -> Replica:
    """`timeline serve` on `url` on a free port, ready (its /readyz answers 200)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    env["TIMELINE_DATABASE_URL"] = url
    env["TIMELINE_TOKENS"] = json.dumps(
        [{"principal": "bench", "role": "editor", "sha256": digest_of(TOKEN).hex()}]
    )
    env["TIMELINE_LOG_LEVEL"] = "warning"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(TIMELINE), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    replica = Replica(f"127.0.0.1:{port}", process)
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"timeline serve exited: {log.read_text(encoding='utf-8')}")
        try:
            if httpx.get(f"http://{replica.address}/readyz").status_code == 200:
                return replica
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"timeline serve did not get ready in {STARTUP:.0f} s")


# --- one case ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One case's run."""

    via: str  # "http" or "store"
    writers: int
    appends: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    gaps: int = 0

    @property
    def rate(self) -> float:
        """Appends per second."""
        return self.appends / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the appends fall, in ms."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def run_case(targets: Sequence[str], via: str, writers: int, count: int) -> list[dict[str, Any]]:
    """Start `writers` client processes together, writer i on `targets[i mod len]`; their
    reports, in writer order."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.writers",
                "--child",
                via,
                targets[number % len(targets)],
                str(count),
                str(number),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for number in range(writers)
    ]
    for process in children:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"a writer failed to start (exit {process.wait()})")
    start_at = time.time()
    for process in children:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = []
    for process in children:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a writer failed (exit {process.returncode})")
        report = json.loads(out)
        report["start_at"] = start_at
        reports.append(report)
    return reports


async def check(url: str, reports: Sequence[dict[str, Any]], before: int, outcome: Outcome) -> None:
    """Count what the log lost, duplicated or put out of order of what the writers were told."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(events_table.c.position, events_table.c.id)
                    .where(events_table.c.position > before)
                    .order_by(events_table.c.position)
                )
            ).all()
    finally:
        await engine.dispose()
    logged: dict[str, list[int]] = {}
    for position, event_id in rows:
        logged.setdefault(str(event_id), []).append(position)
    expected = before + 1
    for position, _ in rows:
        outcome.gaps += position != expected
        expected = position + 1
    for report in reports:
        last = 0
        for _, event_id, position in report["appends"]:
            found = logged.get(event_id, [])
            outcome.lost += not found
            outcome.duplicated += max(0, len(found) - 1)
            outcome.out_of_order += bool(found) and (found[0] != position or found[0] < last)
            last = found[0] if found else last
    outcome.duplicated += len(rows) - len(logged)


async def measure(
    url: str, targets: Sequence[str], via: str, writers: int, count: int, before: int
) -> Outcome:
    """One run of the case with `writers` processes of `count` appends each."""
    reports = await asyncio.to_thread(run_case, targets, via, writers, count)
    outcome = Outcome(via, writers)
    for report in reports:
        outcome.appends += len(report["appends"])
        outcome.latencies.extend(latency for latency, _, _ in report["appends"])
    outcome.seconds = max(report["ended"] for report in reports) - reports[0]["start_at"]
    await check(url, reports, before, outcome)
    return outcome


# --- the report --------------------------------------------------------------------------------


def table(outcomes: Sequence[Outcome]) -> str:
    """The Markdown table of the runs, by way in, the one-writer case first."""
    single = {
        via: statistics.median(o.rate for o in outcomes if o.writers == 1 and o.via == via)
        for via in {o.via for o in outcomes}
    }
    lines = [
        "| via | writers | run | appends | seconds | appends/s | p50 ms | p99 ms | ÷ one writer "
        "| lost | duplicated | out of order | gaps |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs: dict[tuple[str, int], int] = {}
    for o in sorted(outcomes, key=lambda o: (o.via, o.writers)):
        runs[o.via, o.writers] = runs.get((o.via, o.writers), 0) + 1
        lines.append(
            f"| {o.via} | {o.writers} | {runs[o.via, o.writers]} | {o.appends:,} | "
            f"{o.seconds:.1f} | {o.rate:,.0f} | {o.percentile(0.5):.1f} | "
            f"{o.percentile(0.99):.1f} | {o.rate / single[o.via]:.2f} | {o.lost} | "
            f"{o.duplicated} | {o.out_of_order} | {o.gaps} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    """Both cases, `--runs` times each, alternating, on one database and two replicas."""
    started = datetime.now(UTC)
    backend = PostgresBackend(args.postgres_url)
    version = await backend.version()
    await backend.start()
    outcomes: list[Outcome] = []
    logs = Path(tempfile.mkdtemp(prefix="bench-writers-"))
    try:
        async with backend.fresh(migrated=True) as database:
            url = database.url
            replicas = [
                await asyncio.to_thread(start_replica, url, logs / f"replica{n}.log")
                for n in range(args.replicas)
            ]
            try:
                before = 0
                addresses = [replica.address for replica in replicas]
                for run_index in range(args.runs):
                    order = [1, args.writers] if run_index % 2 == 0 else [args.writers, 1]
                    for via in args.via:
                        targets = addresses if via == "http" else [url]
                        for writers in order:
                            outcome = await measure(
                                url, targets, via, writers, args.appends, before
                            )
                            before += outcome.appends
                            outcomes.append(outcome)
                            print(
                                f"{via}, {writers} writer(s): {outcome.rate:,.0f} appends/s",
                                file=sys.stderr,
                            )
            finally:
                for replica in replicas:
                    replica.process.terminate()
                    replica.process.wait(10)
    finally:
        await backend.stop()
        shutil.rmtree(logs, ignore_errors=True)
    took = (datetime.now(UTC) - started).total_seconds()
    lines = [
        *header("bench.writers", started, "bench.writers", args.argv, took, [version]),
        f"- one fresh PostgreSQL database; each writer a process of its own making "
        f"{args.appends} appends one after the other (a StatementIssued on a stream of its "
        "own): via store, `EventStore.append` in the process; via http, `recordEvent` "
        f"mutations to {args.replicas} `timeline serve` replicas (writer i to replica i mod "
        f"{args.replicas}); {args.runs} run(s) of each case, alternating",
        "",
        table(outcomes),
        "",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.writers", description=__doc__)
    parser.add_argument("--writers", type=int, default=8, help="client processes (8)")
    parser.add_argument("--replicas", type=int, default=2, help="timeline serve processes (2)")
    parser.add_argument("--appends", type=int, default=300, help="appends per writer (300)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each case (2)")
    parser.add_argument(
        "--via",
        type=lambda text: [way.strip() for way in text.split(",") if way.strip()],
        default=["store", "http"],
        help="comma-separated ways in: store (an EventStore per process), http (recordEvent "
        "through the replicas); both",
    )
    args = parse_common(parser, argv)
    if args.backends != ["sqlite", "postgresql"] and args.backends != ["postgresql"]:
        parser.error("bench.writers runs on PostgreSQL only")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (or, with --child, one writer) and print the result."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        via, target, count, writer = argv[1:5]
        child(via, target, int(count), int(writer))
        return
    args = parse_args(argv)
    publish(asyncio.run(run(args)), args.record)


if __name__ == "__main__":
    main()
