"""Debian's chromium, driven headless by Playwright, for the browser tests (tests/test_web.py)
and the explorer's bench (bench/explore.py); and the demo served to it.

Playwright's own browser download does not work here, nor is it needed: the browser is the
`chromium` found on PATH (`apt-get install -y chromium`), started with a fresh user-data
directory. Every host but the server under test is unresolvable, and any request to one is
aborted and recorded (`Browsing.blocked`), so that a page that needs the network fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.servers import NO_RECHECK, STARTUP, TIMELINE, free_port

CHROMIUM = shutil.which("chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # No name resolves but the loopback address the server listens on.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no `chromium` on PATH: apt-get install -y chromium"
)


@contextmanager
def demo_server(**env: str) -> Iterator[str]:
    """`timeline serve --demo` on a fresh SQLite file and a free port; its base URL, once ready."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="timeline-web-") as directory:
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")},
            "TIMELINE_DATABASE_URL": f"sqlite+aiosqlite:///{directory}/demo.db",
            **NO_RECHECK,
            **env,
        }
        log = Path(directory) / "stderr.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [str(TIMELINE), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
                env=full_env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP
            while True:
                if process.poll() is not None:
                    pytest.fail(f"timeline serve exited: {log.read_text(encoding='utf-8')}")
                with suppress(httpx.TransportError):
                    if httpx.get(f"{base}/readyz").status_code == 200:
                        break
                if time.monotonic() > deadline:
                    pytest.fail("timeline serve --demo did not get ready")
                time.sleep(0.05)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Browsing:
    """A browser context on one server: its pages, and the requests to other hosts it stopped
    and the console errors its pages logged."""

    context: object
    base: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@contextmanager
def driver() -> Iterator[Any]:
    """Playwright's driver (one per thread: its sync API runs a loop of its own)."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.skip("no `chromium` on PATH: apt-get install -y chromium")
    with sync_playwright() as started:
        yield started


@contextmanager
def browsing(playwright: Any, base: str) -> Iterator[Browsing]:
    """Chromium (headless, fresh profile) whose pages reach `base` only."""
    from playwright.sync_api import Route

    allowed = urlsplit(base).netloc
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS
        )
        browsing = Browsing(context, base)

        def only_the_server(route: Route) -> None:
            if urlsplit(route.request.url).netloc == allowed:
                route.continue_()
            else:
                browsing.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_the_server)
        context.on(
            "console",
            lambda message: (
                browsing.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        context.on("weberror", lambda error: browsing.console_errors.append(str(error.error)))
        try:
            yield browsing
        finally:
            context.close()
