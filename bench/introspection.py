"""Introspection under load: 4 clients hammering introspection, /healthz's latency meanwhile.

Run `python -m bench.introspection --help`. A `timeline serve` process (one worker, the demo
data on a fresh SQLite file, every limit at its default) answers on a free port of 127.0.0.1.
For each case, 4 client processes send the case's query back to back, each on its own
keep-alive connection, while the bench's own process asks GET /healthz every 50 ms on a new
connection; the section reports the introspection requests answered per second, how they were
answered, and /healthz's p50 and p99. The first case is /healthz with no load (the floor).

The cases: GraphiQL's introspection query (allowed, one walk of the schema, answered from the
process's introspection cache after the first: api/graphql/introspection.py); the same with a
comment making every request's text new, so that each one walks the schema (in the process's
one introspection thread, the event loop free meanwhile); a schema walk 30 times under
aliases (the amplification of issue 22: 2.27 MB and 1.4-2.2 s of CPU a request before
`TIMELINE_MAX_INTROSPECTION`, now refused by the limit check).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from multiprocessing import Process, Queue
from pathlib import Path

import httpx
from graphql import get_introspection_query

from bench.http import free_port
from bench.record import header, publish

TIMELINE = Path(sys.executable).parent / "timeline"
HEALTH_EVERY = 0.05  # seconds between two health checks
WALK = "__schema { types { name kind fields { name type { name kind } } } }"
CASES = {
    "no load": None,
    "GraphiQL's introspection query": get_introspection_query(descriptions=True),
    "GraphiQL's introspection query, a new text each time": get_introspection_query(
        descriptions=True
    )
    + "\n# request {n}",
    "30 schema walks under aliases": "{ " + " ".join(f"a{i}: {WALK}" for i in range(30)) + " }",
}


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def hammer(address: str, query: str, seconds: float, answers: Queue[Counter[str]]) -> None:
    """Send `query` back to back for `seconds` on one keep-alive connection (in a process of
    its own, so that decoding the answers takes nothing from the health checks); put how the
    requests were answered on `answers`."""
    counted: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=f"http://{address}", timeout=60) as http:
        while time.monotonic() < deadline:
            text = query.replace("{n}", f"{os.getpid()}-{sum(counted.values())}")
            response = http.post("/graphql", json={"query": text})
            body = response.json()
            code = body["errors"][0]["extensions"]["code"] if "errors" in body else "ok"
            counted[f"{response.status_code} {code}"] += 1
    answers.put(counted)


def run_case(address: str, query: str | None, clients: int, seconds: float) -> dict[str, object]:
    """Hammer `address` with `query` from `clients` processes for `seconds`; /healthz
    meanwhile, from this one."""
    answers: Queue[Counter[str]] = Queue()
    processes = [
        Process(target=hammer, args=(address, query, seconds, answers))
        for _ in range(clients if query is not None else 0)
    ]
    for process in processes:
        process.start()
    health: list[float] = []
    deadline = time.monotonic() + seconds
    # One client made once (making one costs more than a health check on a busy machine);
    # each check on a new connection, as a load balancer's probe opens one.
    with httpx.Client(base_url=f"http://{address}", timeout=60) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = http.get("/healthz", headers={"Connection": "close"})
            health.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            time.sleep(HEALTH_EVERY)
    total: Counter[str] = Counter()
    for _ in processes:
        total.update(answers.get(timeout=120))
    for process in processes:
        process.join()
    return {
        "requests/s": sum(total.values()) / seconds,
        "answers": ", ".join(f"{key}: {count}" for key, count in sorted(total.items())),
        "p50": percentile(health, 0.5) * 1000,
        "p99": percentile(health, 0.99) * 1000,
        "checks": len(health),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Run every case against a fresh `timeline serve`, print the section (and record it)."""
    parser = argparse.ArgumentParser(prog="python -m bench.introspection", description=__doc__)
    parser.add_argument("--clients", type=int, default=4, help="hammering clients (4)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per case (20)")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-introspection-") as directory:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")},
            "TIMELINE_DATABASE_URL": f"sqlite:///{directory}/timeline.db",
            "TIMELINE_LOG_LEVEL": "warning",
        }
        command = [str(TIMELINE), "serve", "--demo", "--port", str(port)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        address = f"127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"http://{address}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("timeline serve did not start")
                time.sleep(0.1)
            for name, query in CASES.items():
                result = run_case(address, query, args.clients, args.duration)
                rows.append((name, result))
                print(name, result, file=sys.stderr, flush=True)
        finally:
            server.terminate()
            server.wait(30)
    took = time.perf_counter() - started
    lines = header(
        "bench.introspection",
        started_at,
        "bench.introspection",
        list(argv if argv is not None else sys.argv[1:]),
        took,
        [f"SQLite {sqlite3.sqlite_version}"],
    )
    lines += [
        f"- server: `timeline serve --demo`, 1 worker, SQLite, every limit at its default; "
        f"uvicorn {package_version('uvicorn')}, strawberry-graphql "
        f"{package_version('strawberry-graphql')}",
        f"- load: {args.clients} client processes each sending the case's query back to back "
        f"on a keep-alive connection, {args.duration:g} s per case; /healthz every "
        f"{HEALTH_EVERY * 1000:g} ms on a new connection from the bench's process, all on the "
        "same machine as the server",
        "",
        "| case | introspection req/s | answers (status code) | /healthz p50 ms | p99 ms "
        "| checks |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for name, result in rows:
        lines.append(
            f"| {name} | {result['requests/s']:.1f} | {result['answers'] or '-'} | "
            f"{result['p50']:.1f} | {result['p99']:.1f} | {result['checks']} |"
        )
    publish("\n".join(lines) + "\n\n", args.record)


if __name__ == "__main__":
    main()
