"""The TimelineJS export (docs/exports.md, "timelinejs") opened in TimelineJS itself: the vendored
build (tests/timelinejs.py) in Debian's chromium, offline (every host but the test's own
unresolvable), on the demo data with a correction, on SQLite and PostgreSQL. What TimelineJS drew
is checked against the export: no error, a slide per event, the events' headlines, an uncertain
date drawn as a range, a corrected date as corrected.
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.web.vendor import manifest
from events.db import create_engine
from events.demo import demo_lines, load_demo
from events.interchange.formats import FORMATS
from events.interchange.selection import ExportQuery
from events.store import EventStore
from events.types import event_from_json
from tests.browser import browsing, driver, needs_chromium
from tests.factories import event_json
from tests.timelinejs import TIMELINEJS

PACKAGE = TIMELINEJS.packages[0]
# The demo's Bangkok talks, recorded on 2024-01-27 and corrected here to the two days they took.
BANGKOK_STREAM = "meeting/2024-01-27-sullivan-wang-bangkok"
CORRECTED = "2024-01-26/2024-01-27"
# The demo's export controls, `2022-10~`: about October 2022.
EXPORT_CONTROLS = "US restrictions on exports of computer chip technologies to China"


def demo_event_id(stream: str, type_name: str) -> str:
    """The fixed id of the demo's event of `type_name` on `stream`."""
    with demo_lines() as lines:
        for line in lines:
            envelope = json.loads(line)
            if envelope["stream"] == stream and envelope["type"] == type_name:
                return str(envelope["id"])
    raise LookupError(f"no {type_name} on {stream} in the demo")


async def demo_export(database_url: str) -> str:
    """The TimelineJS export of the demo, after correcting the Bangkok talks' date."""
    engine = create_engine(database_url)
    store = EventStore(engine)
    try:
        await load_demo(store)
        correction = event_json(
            BANGKOK_STREAM,
            "EventCorrected",
            "2024-02-20",
            target=demo_event_id(BANGKOK_STREAM, "MeetingHeld"),
            reason="the talks took two days",
        )
        # The new date is the correction's data's `occurred`, not the correction's own date.
        correction["data"]["occurred"] = CORRECTED
        await store.append([event_from_json(correction)], recorded_by="test")
        chunks = FORMATS["timelinejs"].chunks(store, ExportQuery(), None)
        return "".join([chunk async for chunk in chunks])
    finally:
        await store.close()
        await engine.dispose()


def page_html() -> str:
    """A page that opens timeline.json in the vendored TimelineJS, as its documentation embeds
    it, without the web font it would fetch from Google (`font: null`)."""
    files = vendored_files()
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="timelinejs/css/timeline.css" integrity="{files["css/timeline.css"]}">
<script src="timelinejs/js/timeline.js" integrity="{files["js/timeline.js"]}"></script>
</head><body>
<div id="timeline" style="width: 1200px; height: 700px"></div>
<script>
  const timeline = new TL.Timeline("timeline", "timeline.json", {{
    script_path: new URL("timelinejs/js/", location.href).href,
    font: null,
  }});
  timeline.on("ready", () => {{ document.body.dataset.state = "ready"; }});
  window.timeline = timeline;
</script>
</body></html>
"""


def vendored_files() -> dict[str, str]:
    """The vendored files and their SRI hashes, from the manifest."""
    files = manifest(TIMELINEJS)[PACKAGE.name]["files"]
    assert isinstance(files, dict)
    return {str(name): str(digest) for name, digest in files.items()}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: pytest would show them as the test's output."""


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A static server on 127.0.0.1: the page, the vendored TimelineJS, and the demo's export
    as timeline.json. Yields its base URL and the export."""
    exported = asyncio.run(demo_export(database_url))
    root = tmp_path / "site"
    shutil.copytree(TIMELINEJS.folder(PACKAGE), root / "timelinejs")
    (root / "timeline.json").write_text(exported, encoding="utf-8")
    (root / "index.html").write_text(page_html(), encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", json.loads(exported)
        finally:
            server.shutdown()
            thread.join()


# What TimelineJS made: its own check of the data, its slides and markers, in document order.
RENDERED = """() => {
  const config = window.timeline.config;
  const text = (root, selector) => root.querySelector(selector)?.innerText.trim() ?? null;
  return {
    errors: config.messages.errors.map(String),
    warnings: config.messages.warnings.map(String),
    // A message TimelineJS shows (loading, an error) is in the page until it is hidden.
    messages: [...document.querySelectorAll(".tl-message, .tl-message-full")]
      .filter((shown) => shown.checkVisibility())
      .map((shown) => shown.innerText.trim()),
    slides: [...document.querySelectorAll(".tl-storyslider .tl-slide")].map((slide) => ({
      id: slide.id,
      headline: text(slide, ".tl-headline"),
      date: text(slide, ".tl-headline-date"),
    })),
    markers: [...document.querySelectorAll(".tl-timemarker")].map((marker) => ({
      id: marker.id,
      withEnd: marker.classList.contains("tl-timemarker-with-end"),
      span: marker.querySelector(".tl-timemarker-timespan").getBoundingClientRect().width,
    })),
  };
}"""


@pytest.mark.browser
@needs_chromium
def test_timelinejs_opens_the_export_offline(site: tuple[str, dict[str, Any]]) -> None:
    base, exported = site
    events = exported["events"]
    by_id = {event["unique_id"]: event for event in events}
    with driver() as playwright, browsing(playwright, base) as browser:
        page = browser.context.new_page()  # type: ignore[attr-defined]
        missing: list[str] = []
        page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
        page.goto(f"{base}/index.html")
        page.wait_for_function(
            "document.body.dataset.state === 'ready'"
            " || (window.timeline && window.timeline.config"
            " && window.timeline.config.messages.errors.length > 0)",
            timeout=30_000,
        )
        rendered = page.evaluate(RENDERED)
        page.close()
        assert missing == []
        assert browser.blocked == []
        assert browser.console_errors == []

    assert rendered["errors"] == [] and rendered["warnings"] == []
    assert rendered["messages"] == []
    # The title slide, then one slide and one marker per event of the export.
    title, *slides = rendered["slides"]
    assert title["headline"] == html.unescape(exported["title"]["text"]["headline"])
    assert len(slides) == len(events) == len(rendered["markers"])
    assert {slide["id"] for slide in slides} == set(by_id)
    assert {marker["id"].removesuffix("-marker") for marker in rendered["markers"]} == set(by_id)
    headlines = {html.unescape(event["text"]["headline"]) for event in events}
    assert slides[0]["headline"] in headlines
    assert not slides[0]["headline"].startswith("Actor")
    assert all(slide["headline"] in headlines for slide in slides)

    shown = {slide["headline"]: slide for slide in slides}
    markers = {marker["id"].removesuffix("-marker"): marker for marker in rendered["markers"]}
    # About October 2022: drawn as a span on the time axis, captioned in words.
    controls = shown[EXPORT_CONTROLS]
    assert controls["date"] == "c. October 2022"
    assert markers[controls["id"]]["withEnd"] and markers[controls["id"]]["span"] > 0
    assert by_id[controls["id"]]["end_date"] == {"year": 2022, "month": 10, "day": 31}
    # The Bangkok talks as corrected: two days, not the 27th recorded first.
    bangkok = shown["Sullivan-Wang talks in Bangkok"]
    assert bangkok["date"] == "January 26, 2024 — January 27, 2024"
    assert markers[bangkok["id"]]["withEnd"]
