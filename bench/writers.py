"""Concurrent writers across processes: appends/s, latency, and nothing lost or misordered.

Two `timeline serve` replicas run on one fresh PostgreSQL database (the production layout);
client processes (`python -m bench.writers --child …`, each a process of its own) send
`recordEvent` mutations over HTTP, one after the other, each a StatementIssued on a stream of
its own, writer i to replica i mod 2. Two cases, in one run, on the same servers:

- one writer: 1 client process;
- N writers: `--writers` client processes (8) at once.

Every client starts at the same instant (a time given on its command line) and reports the
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

TOKEN = "bench-writers-token-0123456789abcdef"
RECORD = """
mutation Record($input: RecordEventInput!) {
  recordEvent(input: $input) { event { id position } userErrors { field message } }
}"""
TIMELINE = Path(sys.executable).parent / "timeline"
STARTUP = 90.0  # seconds a replica may take to answer /readyz on a busy machine


# --- a client process --------------------------------------------------------------------------


def child(address: str, count: int, writer: int, start_at: float) -> None:
    """Send `count` appends to `address` one after the other, from `start_at` (epoch seconds);
    print one JSON line: [[latency s, event id, position], …] and the time of the last answer."""
    done: list[tuple[float, str, int]] = []
    with httpx.Client(
        base_url=f"http://{address}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    ) as http:
        http.get("/healthz")  # the connection, open before the clock starts
        time.sleep(max(0.0, start_at - time.time()))
        for index in range(count):
            stream = f"statement/w{writer}-{index}-{uuid.uuid4().hex[:8]}"
            variables = {
                "input": {
                    "stream": stream,
                    "occurred": "2024-02-20",
                    "data": {
                        "statementIssued": {
                            "issuer": "CHN",
                            "summary": f"Statement {index} of writer {writer}.",
                            "about": ["USA"],
                        }
                    },
                }
            }
            sent = time.perf_counter()
            response = http.post("/graphql", json={"query": RECORD, "variables": variables})
            latency = time.perf_counter() - sent
            payload = response.json()["data"]["recordEvent"]
            if payload["userErrors"]:
                raise SystemExit(f"writer {writer}: {payload['userErrors']}")
            done.append((latency, payload["event"]["id"], payload["event"]["position"]))
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


def run_case(replicas: Sequence[Replica], writers: int, count: int) -> list[dict[str, Any]]:
    """Start `writers` client processes together; their reports, in writer order."""
    start_at = time.time() + 2.0 + 0.25 * writers  # every child up and connected by then
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.writers",
                "--child",
                replicas[number % len(replicas)].address,
                str(count),
                str(number),
                repr(start_at),
            ],
            stdout=subprocess.PIPE,
        )
        for number in range(writers)
    ]
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
    url: str, replicas: Sequence[Replica], writers: int, count: int, before: int
) -> Outcome:
    """One run of the case with `writers` processes of `count` appends each."""
    reports = await asyncio.to_thread(run_case, replicas, writers, count)
    outcome = Outcome(writers)
    for report in reports:
        outcome.appends += len(report["appends"])
        outcome.latencies.extend(latency for latency, _, _ in report["appends"])
    outcome.seconds = max(report["ended"] for report in reports) - reports[0]["start_at"]
    await check(url, reports, before, outcome)
    return outcome


# --- the report --------------------------------------------------------------------------------


def table(outcomes: Sequence[Outcome]) -> str:
    """The Markdown table of the runs, the one-writer case first."""
    single = statistics.median(o.rate for o in outcomes if o.writers == 1)
    lines = [
        "| writers | run | appends | seconds | appends/s | p50 ms | p99 ms | ÷ one writer "
        "| lost | duplicated | out of order | gaps |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs: dict[int, int] = {}
    for o in sorted(outcomes, key=lambda o: o.writers):
        runs[o.writers] = runs.get(o.writers, 0) + 1
        lines.append(
            f"| {o.writers} | {runs[o.writers]} | {o.appends:,} | {o.seconds:.1f} | "
            f"{o.rate:,.0f} | {o.percentile(0.5):.1f} | {o.percentile(0.99):.1f} | "
            f"{o.rate / single:.2f} | {o.lost} | {o.duplicated} | {o.out_of_order} | {o.gaps} |"
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
                for run_index in range(args.runs):
                    order = [1, args.writers] if run_index % 2 == 0 else [args.writers, 1]
                    for writers in order:
                        outcome = await measure(url, replicas, writers, args.appends, before)
                        before += outcome.appends
                        outcomes.append(outcome)
                        print(
                            f"{writers} writer(s): {outcome.rate:,.0f} appends/s", file=sys.stderr
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
        f"- {args.replicas} `timeline serve` replicas on one fresh PostgreSQL database; each "
        f"writer a process of its own sending {args.appends} `recordEvent` mutations over "
        "HTTP one after the other (a StatementIssued on a stream of its own), writer i to "
        f"replica i mod {args.replicas}; {args.runs} run(s) of each case, alternating",
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
    args = parse_common(parser, argv)
    if args.backends != ["sqlite", "postgresql"] and args.backends != ["postgresql"]:
        parser.error("bench.writers runs on PostgreSQL only")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (or, with --child, one writer) and print the result."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        address, count, writer, start_at = argv[1:5]
        child(address, int(count), int(writer), float(start_at))
        return
    args = parse_args(argv)
    publish(asyncio.run(run(args)), args.record)


if __name__ == "__main__":
    main()
