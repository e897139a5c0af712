"""CSV for spreadsheets: one row per event the filter selects, in date order, with a header.

By default the events as known: corrections applied (a corrected date is the row's date),
retracted events left out, and the corrections and retractions themselves not rows, so that a
pandas user counts each event once. With `raw`, the log's rows: every event as recorded, the
corrections, the retractions and the retracted events included.

UTF-8 with a byte-order mark (without one, Excel reads UTF-8 as the local code page and mangles
every accented name), rows ended by CRLF as RFC 4180 has them. A title starting with `=`, `+`,
`-` or `@` (or a source so written) gets a leading `'`, so that a spreadsheet shows it rather than
evaluates it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import date

from events import dates
from events.interchange.describe import BOOKKEEPING, first_url, headline
from events.interchange.selection import ExportProgress, ExportQuery, involving, selected
from events.store import EventStore
from events.types import format_timestamp
from events.views.objects import EventView

COLUMNS = (
    "id",
    "stream",
    "type",
    "occurred",
    "earliest",
    "latest",
    "actors",
    "title",
    "source",
    "recordedAt",
)
BYTE_ORDER_MARK = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def csv_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The CSV text: the header, then a chunk of rows per page of events."""
    yield BYTE_ORDER_MARK + _rows([COLUMNS])
    query = query.pinned()
    if query.raw:
        query = replace(query, where=replace(query.where, include_retracted=True))
    assert query.known_at is not None
    async for batch in selected(store.engine, query, progress):
        if not query.raw:
            batch = [view for view in batch if view.recorded.type not in BOOKKEEPING]
        if not batch:
            continue
        who = await involving(store.engine, batch, query)
        yield _rows([row(view, who[view.recorded.position], raw=query.raw) for view in batch])


def row(view: EventView, actors: Sequence[str], *, raw: bool = False) -> tuple[str, ...]:
    """The cells of one event, in the order of COLUMNS: as known, or with `raw` as recorded;
    `actors`: who it involves."""
    occurred = dates.parse(view.recorded.occurred) if raw else view.current.occurred
    return (
        str(view.recorded.id),
        view.recorded.stream,
        view.recorded.type,
        occurred.edtf,
        _day(occurred.earliest),
        _day(occurred.latest),
        ";".join(actors),
        _text(headline(view)),
        _text(first_url(view.recorded.sources) or ""),
        format_timestamp(view.recorded.recorded_at),
    )


def _rows(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _day(value: date) -> str:
    """The day in ISO form; empty for an open or unknown side."""
    return "" if value in (date.min, date.max) else value.isoformat()


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
