"""Prometheus metrics (prometheus_client), served at /metrics.

Labels are bounded whatever clients send: HTTP requests by route template (not path), method
and status; GraphQL requests by operation name, where an unnamed operation is `(unnamed)`, a
request that ran no operation (refused before execution) `(none)`, and names past the first
MAX_OPERATIONS a process has seen, or longer than MAX_NAME characters, `(other)`.

One process (`timeline serve --workers 1`): each app has its own registry, with the process's
CPU and memory. Several workers: prometheus_client's multiprocess mode, where every worker
writes its values to files in PROMETHEUS_MULTIPROC_DIR and /metrics on any worker sums them
over all, so a scrape sees the whole server whichever worker answers. `timeline serve` makes
that directory when it is not given (and removes it when the workers are gone), and empties it
when it is (stale files of an earlier run would count again).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy.exc import DBAPIError
from starlette.requests import Request
from starlette.responses import Response

from events.store import EventStore

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 100
MAX_NAME = 64
UNNAMED = "(unnamed)"
NO_OPERATION = "(none)"
OTHER = "(other)"
# Seconds: from a cached health check to a relation over a long log.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "WEBSOCKET"})


class Metrics:
    """The metrics of one app."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.multiprocess = bool(os.environ.get(MULTIPROC_DIR))
        self.registry = CollectorRegistry()
        # In multiprocess mode values go to the files whatever the registry; /metrics reads
        # them back through a collector of its own.
        into = None if self.multiprocess else self.registry
        if not self.multiprocess:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
        self.http_requests = Counter(
            "timeline_http_requests",
            "HTTP requests and WebSocket connections answered, by route, method and status.",
            ["route", "method", "status"],
            registry=into,
        )
        self.http_seconds = Histogram(
            "timeline_http_request_duration_seconds",
            "Time to answer an HTTP request, by route (WebSocket connections left out).",
            ["route"],
            buckets=BUCKETS,
            registry=into,
        )
        self.graphql_seconds = Histogram(
            "timeline_graphql_request_duration_seconds",
            "GraphQL requests over HTTP and the time to answer them, by operation name.",
            ["operation"],
            buckets=BUCKETS,
            registry=into,
        )
        self.events_appended = Counter(
            "timeline_events_appended",
            "Events this server appended to the log.",
            registry=into,
        )
        self.log_head = Gauge(
            "timeline_log_head_position",
            "Position of the newest event in the log, as last read.",
            multiprocess_mode="mostrecent",
            registry=into,
        )
        self.database_up = Gauge(
            "timeline_database_up",
            "Whether the database answered the last scrape's read of the log head (1) or not.",
            multiprocess_mode="mostrecent",
            registry=into,
        )
        self.subscriptions = Gauge(
            "timeline_subscriptions",
            "GraphQL operations running over WebSocket connections: subscriptions, mostly.",
            multiprocess_mode="livesum",
            registry=into,
        )
        self._operations: set[str] = set()
        store.on_commit(self._committed)

    def _committed(self, head: int, appended: int) -> None:
        self.events_appended.inc(appended)
        self.log_head.set(head)

    def operation_label(self, name: str | None) -> str:
        """The label of GraphQL operation `name` (None: none ran; "": unnamed), bounded."""
        if name is None:
            return NO_OPERATION
        if not name:
            return UNNAMED
        if name in self._operations:
            return name
        if len(name) > MAX_NAME or len(self._operations) >= MAX_OPERATIONS:
            return OTHER
        self._operations.add(name)
        return name

    def observe(
        self,
        route: str,
        method: str,
        status: int,
        seconds: float,
        operation: str | None,
        graphql: bool,
    ) -> None:
        """Count one answered request; a WebSocket connection is counted, not timed."""
        method = method if method in _METHODS else "OTHER"
        self.http_requests.labels(route, method, str(status)).inc()
        if method == "WEBSOCKET":
            return
        self.http_seconds.labels(route).observe(seconds)
        if graphql:
            self.graphql_seconds.labels(self.operation_label(operation)).observe(seconds)

    async def endpoint(self, request: Request) -> Response:
        """GET /metrics: the text exposition format, the log head read anew."""
        try:
            head = await self.store.head()
        except (OSError, DBAPIError):
            self.database_up.set(0)
        else:
            self.database_up.set(1)
            self.log_head.set(head.position)
        registry = self.registry
        if self.multiprocess:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    def close(self) -> None:
        """This process is going: its live gauges (subscriptions) stop counting."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def prepare_multiprocess(workers: int) -> Path | None:
    """Before `workers` worker processes start: make the directory they share their metrics
    in (named in the environment they inherit) when there are several and none is given, or
    empty the one given of an earlier run's files. The directory made, for the caller to
    remove once the workers are gone, or None."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return None
    if workers == 1:
        return None
    made = Path(tempfile.mkdtemp(prefix="timeline-metrics-"))
    os.environ[MULTIPROC_DIR] = str(made)
    return made
