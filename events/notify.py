"""Wake-ups for readers that tail the log: a hint that it may have grown, never its content.

A reader tailing the log always reads the log itself (`read_all(after_position=last)`) and uses
a wake-up only to know when to read again. So a wake-up lost, late or repeated may delay a reader
or cost it an empty read, but can never make it skip or repeat an event; and a reader re-reads
every `recheck` seconds whatever happens, in case a wake-up never comes.

Where wake-ups come from:

- an append by this process, at once (the store calls `wake` after its commit);
- on PostgreSQL, every append by any process: the append sends `NOTIFY timeline_events,
  '<new head position>'` in its transaction, delivered at commit; each process keeps ONE
  connection that LISTENs on the channel and wakes all its readers;
- on SQLite, which has no NOTIFY: one task per process polls the head every `poll_interval`
  seconds while any reader waits, and wakes them when it moves.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import asyncpg

if TYPE_CHECKING:
    from events.store import EventStore

logger = logging.getLogger("timeline.notify")

CHANNEL = "timeline_events"  # the NOTIFY channel of appends; its payload is the new head
POLL_INTERVAL = 0.1  # seconds between two reads of the head on SQLite
RECHECK = 5.0  # seconds a reader waits at most before reading the log again anyway
RECONNECT = 1.0  # seconds before the LISTEN connection is opened again after a failure


class LogListener:
    """One per process and database: wakes the readers waiting for the log to grow.

    A reader takes `generation` before it reads the log and, when the read found nothing,
    waits with `wait(generation)`: a wake-up that came in between makes it return at once, so
    none is missed between the read and the wait.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        poll_interval: float = POLL_INTERVAL,
        recheck: float = RECHECK,
    ) -> None:
        self.store = store
        self.poll_interval = poll_interval
        self.recheck = recheck
        self.is_postgres = store.engine.dialect.name == "postgresql"
        self.generation = 0
        self.closed = False
        self._changed = asyncio.Event()
        self._waiting = 0
        self._someone_waits = asyncio.Event()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        store.on_append(self.wake)

    def wake(self, head: int | None = None) -> None:
        """Tell every waiting reader that the log may have grown (to `head`, if known)."""
        self.generation += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def start(self) -> None:
        """Start listening (once per listener) and return when wake-ups flow: a reader that
        reads the log after this misses no append that commits after its read."""
        if self.closed:
            return
        if self._task is None:
            work = self._listen() if self.is_postgres else self._poll()
            self._task = asyncio.create_task(work, name="timeline-log-listener")
        await self._ready.wait()

    async def wait(self, seen: int) -> None:
        """Return once a wake-up came after `seen` (a `generation` taken before the reader's
        last read), or after `recheck` seconds, or when closed."""
        if self.closed or self.generation != seen:
            return
        changed = self._changed
        self._waiting += 1
        self._someone_waits.set()
        try:
            with suppress(TimeoutError):
                async with asyncio.timeout(self.recheck):
                    await changed.wait()
        finally:
            self._waiting -= 1
            if not self._waiting:
                self._someone_waits.clear()

    async def close(self) -> None:
        """Stop listening and release every waiting reader (they see `closed`)."""
        self.closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        self.wake()

    async def _poll(self) -> None:
        last: int | None = None
        self._ready.set()
        while True:
            if not self._waiting:
                # Idle: forget the head, so that the first poll after this wakes the readers
                # that came meanwhile; one may have missed an append between its read and its
                # wait, which no later change of the head would tell.
                last = None
                await self._someone_waits.wait()
            try:
                head = (await self.store.head()).position
            except Exception:  # the database may be gone a while; readers recheck anyway
                logger.warning("cannot read the log head", exc_info=True)
            else:
                if head != last:
                    self.wake(head)
                last = head
            await asyncio.sleep(self.poll_interval)

    async def _listen(self) -> None:
        dsn = self.store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        while True:
            try:
                await self._listen_once(dsn)
            except Exception:  # the server down or restarting: readers recheck meanwhile
                logger.warning("cannot LISTEN for appends; retrying", exc_info=True)
            self._ready.set()
            await asyncio.sleep(RECONNECT)

    async def _listen_once(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(functools.partial(_set, lost))
            await conn.add_listener(CHANNEL, self._notified)
            self._ready.set()
            # Appends that committed before LISTEN took effect sent no wake-up here.
            self.wake()
            await lost.wait()
            logger.warning("the LISTEN connection was lost; reconnecting")
        finally:
            with suppress(Exception):
                await asyncio.shield(conn.close(timeout=1))

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.wake(int(payload) if payload.isdigit() else None)


def _set(event: asyncio.Event, _conn: Any) -> None:
    event.set()
