"""TimelineJS3 JSON (https://timeline.knightlab.com/docs/json-format.html): a title slide and
one slide per event the filter selects (corrections and retractions aside: their effect is in
the events they target).

Dates keep their precision: `2019` gives `{"year": 2019}`, `2022-10~` gives a year and a month,
an interval or a season a start and an end. A date that says more than its span (uncertain,
approximate, a season, unspecified digits, an open end) carries `display_date` in words. Slides
are grouped by the kind of their stream (Meetings, Measures, …); text is HTML, escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator
from typing import Any

from events.interchange import spans
from events.interchange.describe import BOOKKEEPING, actors, first_url, headline, type_words
from events.interchange.selection import ExportProgress, ExportQuery, actors_named, selected
from events.store import EventStore
from events.views.objects import ActorView, EventView

TITLE = {
    "text": {
        "headline": "Diplomatic timeline",
        "text": "Events from the diplomatic timeline's log, as recorded with their sources.",
    }
}


async def timelinejs_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The JSON text: the title, then the events a page at a time."""
    query = query.pinned()
    yield '{"title":' + json.dumps(TITLE, ensure_ascii=False) + ',"events":['
    separator = ""
    async for batch in selected(store.engine, query, progress):
        views = [view for view in batch if view.recorded.type not in BOOKKEEPING]
        names = await actors_named(store.engine, {a for v in views for a in actors(v)}, query)
        made = [s for s in (slide(view, names) for view in views) if s is not None]
        if made:
            yield separator + ",".join(json.dumps(s, ensure_ascii=False) for s in made)
            separator = ","
    yield "]}\n"


def slide(view: EventView, names: dict[str, ActorView]) -> dict[str, Any] | None:
    """The slide of one event; None when its date has no known side (`../..`)."""
    occurred = view.current.occurred
    found = spans.span(occurred)
    if found is None:
        return None
    item: dict[str, Any] = {
        "unique_id": str(view.recorded.id),
        "start_date": _date(found.start),
        "text": {"headline": html.escape(headline(view)), "text": _text(view, names)},
        "group": view.recorded.stream.split("/", 1)[0].capitalize() + "s",
    }
    if found.end is not None:
        item["end_date"] = _date(found.end)
    if not spans.plain(occurred):
        item["display_date"] = spans.words(occurred)
    return item


def _date(day: spans.Day) -> dict[str, int]:
    value = {"year": day.year}
    if day.month is not None:
        value["month"] = day.month
    if day.day is not None:
        value["day"] = day.day
    return value


def _text(view: EventView, names: dict[str, ActorView]) -> str:
    parts = [f"<p>{html.escape(type_words(view.recorded.type))} ({view.current.occurred.edtf})"]
    named = [names[a].name if a in names else a for a in actors(view)]
    if named:
        parts.append("<br>" + html.escape(", ".join(named)))
    parts.append("</p>")
    if view.current.note:
        parts.append(f"<p>{html.escape(view.current.note)}</p>")
    source = next(iter(view.recorded.sources), None)
    if source is not None:
        url = first_url([source])
        label = html.escape(str(source.get("title") or url))
        cited = f'<a href="{html.escape(url)}">{label}</a>' if url else label
        publisher = source.get("publisher")
        parts.append(f"<p>Source: {cited}" + (f", {html.escape(publisher)}" if publisher else ""))
        parts.append("</p>")
    return "".join(parts)
