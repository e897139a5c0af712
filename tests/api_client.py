"""An httpx client on the ASGI app, for the API tests: the sample data imported, an editor token
configured, and any other setting given as an environment variable."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from api.app import create_app
from api.auth import digest_of
from api.settings import Settings
from events.interchange.jsonl import import_jsonl
from events.store import EventStore

SAMPLE = Path(__file__).parent.parent / "examples" / "sample.jsonl"
EDITOR_TOKEN = "editor-token-0123456789"


async def import_sample(store: EventStore) -> None:
    """Append examples/sample.jsonl (7 events) to `store`."""
    with SAMPLE.open(encoding="utf-8") as lines:
        await import_jsonl(store, lines, recorded_by="test")


@asynccontextmanager
async def api_client(database_url: str, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on `database_url`, configured by `env` on top of the defaults."""
    settings = Settings.from_env(
        {
            "TIMELINE_DATABASE_URL": database_url,
            "TIMELINE_TOKENS": json.dumps(
                [{"principal": "ed", "role": "editor", "sha256": digest_of(EDITOR_TOKEN).hex()}]
            ),
            **env,
        }
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    # httpx runs no lifespan: run it here, so that the app's engine is disposed after the test.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http
