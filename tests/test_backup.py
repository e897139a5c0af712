"""Backup and restore (docs/deploy.md): `timeline export` while writes go on is a consistent
prefix of the log, read in one transaction, and `timeline import` of it into an empty database
restores that prefix, with projections equal to a rebuild (`timeline projections verify`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from events.store import EventStore
from events.types import dumps
from tests import factories
from tests.conftest import BACKENDS, FreshEngine

TIMELINE = Path(sys.executable).parent / "timeline"


async def timeline(url: str, *args: str) -> tuple[int, str]:
    """Run `timeline args` on the database at `url`; its exit code and standard error."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    process = await asyncio.create_subprocess_exec(
        str(TIMELINE),
        *args,
        env={**env, "TIMELINE_DATABASE_URL": url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_an_export_under_concurrent_writes_restores_a_consistent_prefix(
    backend: str, fresh_engine: FreshEngine, tmp_path: Path
) -> None:
    async with fresh_engine() as source_engine, fresh_engine() as target_engine:
        source = EventStore(source_engine)
        for batch in range(4):
            await source.append(
                [factories.meeting(f"m{batch}-{n}", "USA", "CHN") for n in range(250)],
                recorded_by="test",
            )
        stop = asyncio.Event()

        async def write() -> int:
            """Append one event after another until told to stop; how many."""
            n = 0
            while not stop.is_set():
                await source.append([factories.statement(f"during-{n}")], recorded_by="test")
                n += 1
                await asyncio.sleep(0.005)
            return n

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.05)  # writing already
        before = (await source.head()).position
        dump = tmp_path / "backup.jsonl"
        url = source_engine.url.render_as_string(hide_password=False)
        code, stderr = await timeline(url, "export", "-o", str(dump))
        after = (await source.head()).position
        stop.set()
        assert await writer > 0
        assert code == 0, stderr
        assert after > before  # the writes went on while the export ran

        exported = dump.read_text(encoding="utf-8").splitlines()
        # A prefix of the log at one instant in between: positions 1..k, as recorded.
        assert before <= len(exported) <= after
        prefix = await source.read_all(limit=len(exported))
        assert exported == [dumps(event.to_json()) for event in prefix]

        target = target_engine.url.render_as_string(hide_password=False)
        code, stderr = await timeline(target, "import", str(dump))
        assert code == 0, stderr
        code, stderr = await timeline(target, "projections", "verify")
        assert code == 0, stderr
        restored = await EventStore(target_engine).read_all(limit=len(exported) + 1)
        assert [dumps(event.to_json()) for event in restored] == exported
