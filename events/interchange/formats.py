"""The export formats by name (docs/exports.md): what each writes, its media type, the file
extension it is saved under, and whether `asOf` means anything to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from events.interchange.csv import csv_chunks
from events.interchange.ics import ics_chunks
from events.interchange.jsonl import jsonl_chunks
from events.interchange.jsonld import jsonld_chunks
from events.interchange.selection import ExportProgress, ExportQuery
from events.interchange.timelinejs import timelinejs_chunks
from events.store import EventStore

Writer = Callable[[EventStore, ExportQuery, ExportProgress | None], AsyncIterator[str]]


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: `chunks` gives its text piece by piece, in constant memory."""

    name: str
    media_type: str
    extension: str
    chunks: Writer
    as_of: bool  # whether it shows a meeting's status, which `asOf` evaluates at a day
    description: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "jsonl",
            "application/x-ndjson",
            "jsonl",
            jsonl_chunks,
            False,
            "the interchange format: one event envelope per line, as recorded",
        ),
        Format(
            "csv",
            "text/csv; charset=utf-8",
            "csv",
            csv_chunks,
            False,
            "one row per event, for spreadsheets",
        ),
        Format(
            "timelinejs",
            "application/json",
            "json",
            timelinejs_chunks,
            False,
            "TimelineJS3 JSON: one slide per event",
        ),
        Format(
            "ics",
            "text/calendar; charset=utf-8",
            "ics",
            ics_chunks,
            True,
            "iCalendar: one all-day VEVENT per meeting",
        ),
        Format(
            "jsonld",
            "application/ld+json",
            "jsonld",
            jsonld_chunks,
            True,
            "schema.org Event objects in JSON-LD",
        ),
    )
}
