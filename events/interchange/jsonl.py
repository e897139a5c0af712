"""JSON Lines interchange (docs/format.md, "JSON Lines files"): export the log, import it back.

Export writes one envelope per line in position order, read in one transaction (a consistent
snapshot while appends go on); a filtered export writes the events the filter selects, as
recorded, in position order (events/interchange/selection.py). Import streams the file in
batches: by default all of it in one transaction, so a bad line anywhere appends nothing; with
`partial`, each batch commits on its own and the report says which lines landed.

Into an empty log the projections wait for the end and are rebuilt at once, in the same
transaction (a kill leaves the log empty). Otherwise each batch replays the streams it touches
(Appender.replay_projections): a batch committed with `partial` carries its projections, so a
kill between batches leaves whole batches, projections included, and running the same import
again appends only what is missing (the ids already in the log are dropped).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field

from events.errors import DuplicateId, InvalidEvents, Problem
from events.interchange.selection import ExportProgress, ExportQuery, logged
from events.store import Appender, EventStore
from events.types import NewEvent, RecordedEvent, dumps, event_from_json

# How many problems an import reports before it stops looking for more.
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class LineProblem:
    """What is wrong with one line of an import file."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"line {self.line}:{where} {self.message}"


@dataclass(slots=True)
class ImportReport:
    """What an import did: lines read, events appended, lines that landed, problems."""

    lines: int = 0
    appended: int = 0
    unchanged: int = 0  # events whose id was in the log already with the same content
    landed_through: int = 0  # with `partial`: every line up to this one is in the log
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every line imported."""
        return not self.problems


class ImportFailed(Exception):
    """An import that appended nothing (or, with `partial`, stopped) because of bad lines."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__("\n".join(str(p) for p in report.problems))


Progress = Callable[[int, int], None]  # (lines read, bytes read)


async def export_jsonl(store: EventStore, write: Callable[[str], object]) -> int:
    """Write the whole log as JSON Lines through `write`; return the number of events."""
    count = 0
    async for batch in logged(store, ExportQuery()):
        write(_lines(batch))
        count += len(batch)
    return count


async def jsonl_chunks(
    store: EventStore, query: ExportQuery, progress: ExportProgress | None = None
) -> AsyncIterator[str]:
    """The events `query` selects as JSON Lines, in position order, as recorded. Without a
    filter this is the log up to `knownAt`, which imports back into an empty database."""
    async for batch in logged(store, query, progress):
        yield _lines(batch)


def _lines(batch: list[RecordedEvent]) -> str:
    return "".join(dumps(event.to_json()) + "\n" for event in batch)


async def import_jsonl(
    store: EventStore,
    lines: Iterable[str],
    *,
    recorded_by: str,
    batch_size: int = 1000,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import JSON Lines `lines` into the log; ids, `recordedAt` and `recordedBy` are kept.

    Raises ImportFailed with every problem found (up to MAX_PROBLEMS), each naming its line.
    Without `partial` nothing is appended then; with it, the batches before the bad one stay.
    """
    report = ImportReport()
    batches = _batches(lines, batch_size, report, progress)
    if partial:
        for batch in batches:
            if report.problems:
                break
            async with store.transaction() as appender:
                appender.replay_projections()
                await _append(appender, batch, recorded_by, report)
            if not report.problems:
                report.landed_through = batch[-1][0]
        _drain(batches)
    else:
        async with store.transaction() as appender:
            if not await appender.defer_projections():
                appender.replay_projections()
            for batch in batches:
                if not report.problems:
                    await _append(appender, batch, recorded_by, report)
            if report.problems:
                raise ImportFailed(report)  # rolls the transaction back
            await appender.finish()
        report.landed_through = report.lines
    if report.problems:
        raise ImportFailed(report)
    return report


def _batches(
    lines: Iterable[str], size: int, report: ImportReport, progress: Progress | None
) -> Iterator[list[tuple[int, NewEvent]]]:
    """Parsed events in batches of (line number, event); bad lines go to the report."""
    batch: list[tuple[int, NewEvent]] = []
    read = 0
    for number, line in enumerate(lines, start=1):
        report.lines = number
        read += len(line.encode())
        if progress is not None and number % 1000 == 0:
            progress(number, read)
        if not line.strip():
            continue
        event = _parse(number, line, report)
        if event is not None:
            batch.append((number, event))
        if len(batch) >= size:
            yield batch
            batch = []
        if len(report.problems) >= MAX_PROBLEMS:
            break
    if progress is not None:
        progress(report.lines, read)
    if batch:
        yield batch


def _parse(number: int, line: str, report: ImportReport) -> NewEvent | None:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as error:
        report.problems.append(LineProblem(number, "", f"not valid JSON: {error.msg}"))
        return None
    try:
        return event_from_json(obj, restoring=True)
    except InvalidEvents as error:
        report.problems.extend(_on_line(number, p) for p in error.problems)
        return None


async def _append(
    appender: Appender,
    batch: list[tuple[int, NewEvent]],
    recorded_by: str,
    report: ImportReport,
) -> None:
    events = [event for _, event in batch]
    before = appender.appended
    try:
        await appender.append(events, recorded_by=recorded_by)
    except InvalidEvents as error:
        report.problems.extend(_on_line(batch[p.index][0], p) for p in error.problems)
        return
    except DuplicateId as error:
        line = next(n for n, event in batch if str(event.id) == error.event_id)
        report.problems.append(LineProblem(line, "id", str(error)))
        return
    fresh = appender.appended - before
    report.appended += fresh
    report.unchanged += len(events) - fresh


def _drain(batches: Iterator[list[tuple[int, NewEvent]]]) -> None:
    for _ in batches:
        pass


def _on_line(line: int, problem: Problem) -> LineProblem:
    return LineProblem(line, problem.field, problem.message)
