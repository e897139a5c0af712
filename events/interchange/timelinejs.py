"""TimelineJS3 JSON (https://timeline.knightlab.com/docs/json-format.html): a title slide and
one slide per event the filter selects (corrections and retractions aside: their effect is in
the events they target).

Dates keep their precision: `2019` gives `{"year": 2019}`, `2024-01` a year and a month, an
interval or a season a start and an end. A date that says more than its span (uncertain,
approximate, a season, unspecified digits, an open end) carries `display_date` in words; when
such a date covers more than a day (`2022-10~`, `2024-01-2X`), its slide is a range from its
earliest to its latest day, so that the timeline draws how far the fact may lie, and the words
name it (`c. October 2022`, never `1 October 2022`). Slides
are grouped by the kind of their stream (Meetings, Measures, …); text is HTML, escaped.

Actors' own events (registration, renaming) are not slides: they are who takes part, not what
happened. A slide about an event without a title of its own (a party joining an instrument) is
headed by its type and its stream's title (`Party joined: The Bletchley Declaration`), not the
stream id. A plan (MeetingScheduled, or a postponement with a new date) sits at the date
planned, which its text says, not at the day it was announced.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from events import dates
from events.dates import Edtf
from events.interchange import spans
from events.interchange.describe import (
    BOOKKEEPING,
    first_url,
    has_headline,
    headline,
    type_words,
)
from events.interchange.selection import (
    ExportProgress,
    ExportQuery,
    actors_named,
    involving,
    selected,
    stream_titles,
)
from events.store import EventStore
from events.types import MeetingPostponed, MeetingScheduled
from events.views.objects import ActorView, EventView

# Streams whose events describe an actor, not something that happened.
_NOT_SLIDES = frozenset({"actor"})
# Events that announce a date to come: their slide sits at that date.
_PLANS = (MeetingScheduled, MeetingPostponed)

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
        views = [view for view in batch if _is_slide(view)]
        who = await involving(store.engine, views, query)
        names = await actors_named(store.engine, {a for w in who.values() for a in w}, query)
        untitled = {v.recorded.stream for v in views if not has_headline(v)}
        titles = await stream_titles(store.engine, untitled, query) if untitled else {}
        made = [
            s
            for s in (slide(view, who[view.recorded.position], names, titles) for view in views)
            if s is not None
        ]
        if made:
            yield separator + ",".join(json.dumps(s, ensure_ascii=False) for s in made)
            separator = ","
    yield "]}\n"


def _is_slide(view: EventView) -> bool:
    return (
        view.recorded.type not in BOOKKEEPING
        and view.recorded.stream.split("/", 1)[0] not in _NOT_SLIDES
    )


def slide(
    view: EventView,
    involves: Sequence[str],
    names: dict[str, ActorView],
    titles: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """The slide of one event, naming whom it `involves` (docs/format.md); None when its date
    has no known side (`../..`). `titles`: the titles of the streams of events without one of
    their own."""
    occurred = planned(view) or view.current.occurred
    found = spans.span(occurred)
    if found is None:
        return None
    title = headline(view)
    if not has_headline(view) and titles and view.recorded.stream in titles:
        title = f"{type_words(view.recorded.type)}: {titles[view.recorded.stream]}"
    start, end = found.start, found.end
    if not spans.plain(occurred) and end is None and occurred.earliest < occurred.latest:
        start, end = spans.Day.of(occurred.earliest), spans.Day.of(occurred.latest)
    item: dict[str, Any] = {
        "unique_id": str(view.recorded.id),
        "start_date": _date(start),
        "text": {"headline": html.escape(title), "text": _text(view, involves, names)},
        "group": view.recorded.stream.split("/", 1)[0].capitalize() + "s",
    }
    if end is not None:
        item["end_date"] = _date(end)
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


def planned(view: EventView) -> Edtf | None:
    """The date a plan (a meeting scheduled or postponed) names, if it names one."""
    data = view.current.data
    when = getattr(data, "planned", None) if isinstance(data, _PLANS) else None
    return dates.parse(when) if isinstance(when, str) else None


def _text(view: EventView, involves: Sequence[str], names: dict[str, ActorView]) -> str:
    said = f"{type_words(view.recorded.type)} ({view.current.occurred.edtf})"
    plan = planned(view)
    if plan is not None:
        said += f", planned for {plan.edtf}"
    parts = [f"<p>{html.escape(said)}"]
    named = [names[a].name if a in names else a for a in involves]
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
