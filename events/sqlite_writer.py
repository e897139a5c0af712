"""The appends of one process to a SQLite file, made by one thread on one connection.

Through SQLAlchemy's async layer every statement, BEGIN and COMMIT is a hand-off to aiosqlite's
worker thread and back (about 100 µs each on this project's machines), and a single-event append
made six of them (bench/RESULTS.md). Here the whole transaction (BEGIN IMMEDIATE, the append's
synchronous Core code, COMMIT) is ONE call to a thread of our own: one hand-off per append.

SQLite allows one writer per file anyway, so one thread costs no concurrency: appends queue in
its executor in the order they were made. Readers keep using the async engine; they see an
append once it has committed (WAL), which is before its caller hears of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.engine import URL

from events.db import sqlite_writer_engine

T = TypeVar("T")


class SQLiteWriter:
    """A thread and its connection to the SQLite file at `url`, running write transactions."""

    def __init__(self, url: URL) -> None:
        self._engine = sqlite_writer_engine(url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(
        self, function: Callable[[Connection], T], *, committed: Callable[[], None] | None = None
    ) -> T:
        """`function(connection)` in a transaction of its own on the writer thread: committed
        when it returns, rolled back when it raises. `committed` is then called on the event
        loop, before the caller resumes.

        Cancelling the caller does not stop a transaction under way (a thread cannot be
        interrupted): it still commits or rolls back as a whole, and `committed` is still
        called when it commits, so that readers tailing the log hear of it."""

        def transaction() -> T:
            with self._engine.begin() as connection:
                return function(connection)

        future = asyncio.get_running_loop().run_in_executor(self._thread, transaction)
        if committed is not None:
            future.add_done_callback(
                lambda done: (
                    committed() if not done.cancelled() and done.exception() is None else None
                )
            )
        # Shielded, so that cancelling the caller leaves the future (and its callback) alone.
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Wait for the transactions under way, then close the connection and the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=False)
