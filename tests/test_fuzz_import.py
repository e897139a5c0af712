"""Fuzzing the inputs (docs/fuzzing.md): hypothesis-generated JSON Lines imports, broken demo
events and arbitrary text, into a log holding the demo data. Every file either imports, and its
events are then in the log, or fails with ImportFailed naming a line and a reason for each
problem, the log unchanged; nothing else is ever raised.

TIMELINE_FUZZ_IMPORT_EXAMPLES sets the number of files per backend (default 300 on SQLite, 100
on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.db import create_engine
from events.demo import load_demo
from events.interchange.jsonl import ImportFailed, import_jsonl
from events.projections.rebuild import verify
from events.store import EventStore
from tests import profiles
from tests.hostile_input import DEMO, import_lines


async def logged(store: EventStore) -> list[dict[str, Any]]:
    """The whole log, as JSON."""
    return [event.to_json() for event in await store.read_all(limit=1_000_000)]


def id_of(line: str) -> str | None:
    """The id a line gives its event, if any."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    value = obj.get("id") if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def test_an_import_either_lands_or_fails_naming_each_bad_line(database_url: str) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    examples = profiles.IMPORT_FUZZ.value(backend)
    outcomes: Counter[str] = Counter()

    async def load() -> None:
        engine = create_engine(database_url)
        try:
            await load_demo(EventStore(engine))
        finally:
            await engine.dispose()

    asyncio.run(load())

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(lines=st.lists(import_lines(), min_size=1, max_size=4))
    def check(lines: list[str]) -> None:
        # Read as the CLI reads a file: universal newlines, so a generated \r ends a line too.
        text = "\n".join(lines)
        read = list(io.StringIO(text, newline=None))

        async def run() -> None:
            engine = create_engine(database_url)
            try:
                store = EventStore(engine)
                before = await logged(store)
                try:
                    report = await import_jsonl(store, iter(read), recorded_by="fuzz")
                except ImportFailed as failed:
                    outcomes["failed"] += 1
                    assert failed.report.problems
                    for problem in failed.report.problems:
                        assert 1 <= problem.line <= len(read), problem
                        assert problem.message.strip(), problem
                    assert await logged(store) == before, "a failed import changed the log"
                    return
                outcomes["appended" if report.appended else "nothing new"] += 1
                after = await logged(store)
                assert report.appended + report.unchanged == sum(1 for x in read if x.strip())
                assert after[: len(before)] == before
                assert len(after) == len(before) + report.appended
                ids = {event["id"] for event in after}
                assert all(i in ids for i in map(id_of, read) if i is not None)
            finally:
                await engine.dispose()

        asyncio.run(run())

    check()
    # A generator is no good if every file fails, or none does.
    assert outcomes["failed"] and outcomes["appended"], outcomes

    async def verified() -> list[str]:
        engine = create_engine(database_url)
        try:
            return await verify(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(verified()) == [], "the projections differ from a rebuild of the log"


async def test_a_nul_character_is_refused_by_name_on_both_backends(store: EventStore) -> None:
    # Found by the fuzz above: PostgreSQL raised its driver's error for a NUL in event data,
    # which SQLite stored; now both refuse the line, naming the field.
    event = {**DEMO[0], "id": "8f7bd3b5-7a3c-4f5e-9a55-0f7f1b7a9a11", "note": "a\u0000b"}
    del event["recordedAt"]
    with pytest.raises(ImportFailed) as failed:
        await import_jsonl(store, [json.dumps(event)], recorded_by="fuzz")
    assert [str(p) for p in failed.value.report.problems] == [
        "line 1: note: contains the NUL character (U+0000), which the log cannot store"
    ]
    assert await logged(store) == []
