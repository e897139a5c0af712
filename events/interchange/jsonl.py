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
from events.interchange.csv_layout import layout
from events.interchange.problems import (
    Bounded,
    note_resolved,
    registered_slug,
    resolutions,
    reused,
    same_event,
    same_event_message,
    twin_message,
    unknown_actors,
    value_at,
)
from events.interchange.progress import EVERY, SILENT, ImportProgress
from events.interchange.selection import ExportProgress, ExportQuery, logged
from events.store import Appender, EventStore
from events.types import EVENT_TYPES, NewEvent, RecordedEvent, dumps, event_from_json


@dataclass(frozen=True, slots=True)
class LineProblem:
    """What is wrong with one line of an import file: the same parts as a sheet's RowProblem
    (events/interchange/csv_import.py), a line for a row and a character for a column."""

    line: int
    field: str  # the JSON path of the event's field (`data.participants[1]`), "": the line
    message: str
    value: str | None = None  # the field's value as written (JSON text unless a string)
    expected: str = ""  # what the field takes, when its value is at fault
    column: int | None = None  # where in the line JSON syntax fails (1: the first character)

    def __str__(self) -> str:
        # The message quotes the value and says what is wrong with it; `value` and
        # `expected` are for readers of the structured form.
        where = f" {self.field}:" if self.field else ""
        return f"line {self.line}:{where} {self.message}"


@dataclass(slots=True)
class ImportReport:
    """What an import did: lines read, events appended, lines that landed, problems."""

    lines: int = 0
    appended: int = 0
    unchanged: int = 0  # events whose id was in the log already with the same content
    landed_through: int = 0  # with `partial`: every line up to this one is in the log
    resolved: dict[str, str] = field(default_factory=dict)  # actor ids written otherwise

    def resolutions(self) -> list[str]:
        """`SK -> Slovakia (SVK)` for each actor id written otherwise than stored."""
        return resolutions(self.resolved)

    problems: Bounded[LineProblem] = field(default_factory=Bounded)

    @property
    def ok(self) -> bool:
        """True when every line imported."""
        return not self.problems


class ImportFailed(Exception):
    """An import that appended nothing (or, with `partial`, stopped) because of bad lines."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        more = report.problems.more()
        super().__init__("\n".join([str(p) for p in report.problems] + ([more] if more else [])))


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
    allow_duplicates: bool = False,
    progress: ImportProgress = SILENT,
) -> ImportReport:
    """Import JSON Lines `lines` into the log; ids, `recordedAt` and `recordedBy` are kept.

    Raises ImportFailed with every problem found (the first MAX_PROBLEMS of events/interchange/
    problems.py, and how many more), each naming its line; an id given on two lines is
    reported on both. Two lines without ids that describe the same event are a problem (a line
    copied twice) unless `allow_duplicates`, which imports both, as a sheet's rows are. Without
    `partial` nothing is appended then, and the lines after the first
    problem are still read and their actors and ids looked up in the log; with `partial`, the
    batches before the bad one stay. `progress` is told the bytes (UTF-8) and lines read, then
    the commit (events/interchange/progress.py).
    """
    report = ImportReport()
    reading = _Reading(report, allow_duplicates=allow_duplicates)
    batches = _batches(lines, batch_size, reading, progress)
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
            empty = await appender.defer_projections()
            if not empty:
                appender.replay_projections()
            for batch in batches:
                if not empty:
                    batch = await _not_reused(appender, batch, report)
                if report.problems:
                    # Appending more could only report what the bad lines cause: look up
                    # what no bad line can cause (actors) once the file is read.
                    reading.unchecked.extend(
                        (number, {**event.to_json(), "type": event.type}) for number, event in batch
                    )
                else:
                    await _append(appender, batch, recorded_by, report)
            for number, path, actor, message in await unknown_actors(
                appender, reading.failed + reading.unchecked, reading.registering
            ):
                report.problems.add(LineProblem(number, path, message, actor))
            if report.problems:
                report.problems.sort(key=lambda problem: problem.line)
                raise ImportFailed(report)  # rolls the transaction back
            progress.committing()
            await appender.finish()
        report.landed_through = report.lines
    if report.problems:
        raise ImportFailed(report)
    return report


@dataclass(slots=True)
class _Reading:
    """What reading a file keeps besides its events: the lines' ids (for twins), the events of
    the lines without ids (for duplicates), the JSON of the lines that failed validation and of
    those left unchecked after a problem (for their actors), and the actors the file
    registers."""

    report: ImportReport
    allow_duplicates: bool = False
    ids: dict[object, int] = field(default_factory=dict)  # id -> the first line giving it
    # `same_event` of a line without an id -> the first line without an id with that event
    without_id: dict[bytes, int] = field(default_factory=dict)
    failed: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    unchecked: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    registering: set[str] = field(default_factory=set)

    def twin(self, number: int, event_id: object) -> bool:
        """Note the id of line `number`; report it on both lines when another gave it."""
        first = self.ids.setdefault(event_id, number)
        if first == number:
            return False
        for here, other in ((first, number), (number, first)):
            message = twin_message(str(event_id), f"line {other}")
            self.report.problems.add(LineProblem(here, "id", message, str(event_id)))
        return True

    def duplicate(self, number: int, event: NewEvent) -> bool:
        """Note the event of line `number`, which has no id; report it when an earlier line
        without an id has the same event (a line copied twice) and duplicates are not allowed."""
        if self.allow_duplicates:
            return False
        first = self.without_id.setdefault(same_event(event), number)
        if first == number:
            return False
        self.report.problems.add(LineProblem(number, "", same_event_message(f"line {first}")))
        return True


def _batches(
    lines: Iterable[str], size: int, reading: _Reading, progress: ImportProgress
) -> Iterator[list[tuple[int, NewEvent]]]:
    """Parsed events in batches of (line number, event); bad lines go to the report."""
    report = reading.report
    batch: list[tuple[int, NewEvent]] = []
    read = 0
    for number, line in enumerate(lines, start=1):
        report.lines = number
        read += len(line.encode())
        if number % EVERY == 0:
            progress.read(read, number)
        if not line.strip():
            continue
        event = _parse(number, line, reading)
        if event is not None and not reading.twin(number, event.id):
            batch.append((number, event))
        if len(batch) >= size:
            yield batch
            batch = []
    progress.read(read, report.lines)
    if batch:
        yield batch


def _parse(number: int, line: str, reading: _Reading) -> NewEvent | None:
    report = reading.report
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as error:
        report.problems.add(LineProblem(number, "", _not_json(line, error), column=error.colno))
        return None
    if isinstance(obj, dict):
        slug = registered_slug(obj)
        if slug is not None:
            reading.registering.add(slug)
        note_resolved(obj, report.resolved)
    try:
        event = event_from_json(obj, restoring=True)
    except InvalidEvents as error:
        for problem in error.problems:
            report.problems.add(_on_line(number, problem, obj, checked=True))
        if isinstance(obj, dict):
            reading.failed.append((number, obj))
        return None
    # An id made up for the line is no id: two such lines may be one event copied twice.
    if obj.get("id") is None and reading.duplicate(number, event):
        return None
    return event


def _not_json(line: str, error: json.JSONDecodeError) -> str:
    """Why `line` is not JSON, with the column; a last line cut short says so."""
    where = (
        f"{error.msg} column {error.colno}"
        if error.msg.endswith(" at")
        else (f"{error.msg} at column {error.colno}")
    )
    if not line.endswith("\n"):
        end = len(line.rstrip("\r"))
        return (
            f"not valid JSON: {where}; the line stops after column {end}, without a newline: "
            "the file looks cut short (copied or downloaded in part?)"
        )
    return f"not valid JSON: {where}"


async def _not_reused(
    appender: Appender, batch: list[tuple[int, NewEvent]], report: ImportReport
) -> list[tuple[int, NewEvent]]:
    """`batch` without the events whose ids the log holds for other content, each reported."""
    found = await reused(appender, batch)
    ids = dict(batch)
    for number, message in found:
        report.problems.add(LineProblem(number, "id", message, str(ids[number].id)))
    bad = {number for number, _ in found}
    return [(number, event) for number, event in batch if number not in bad]


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
        for problem in error.problems:
            number, event = batch[problem.index]
            report.problems.add(_on_line(number, problem, event.to_json(), checked=False))
        return
    except DuplicateId as error:
        line = next(n for n, event in batch if str(event.id) == error.event_id)
        report.problems.add(LineProblem(line, "id", str(error), error.event_id))
        return
    fresh = appender.appended - before
    report.appended += fresh
    report.unchanged += len(events) - fresh


def _drain(batches: Iterator[list[tuple[int, NewEvent]]]) -> None:
    for _ in batches:
        pass


def _on_line(line: int, problem: Problem, obj: object, *, checked: bool) -> LineProblem:
    """`problem` of the event `obj` on `line`, with the value at its field and, when the
    value's form is at fault (`checked`: found by validation, not against the log), what the
    field takes."""
    value = value_at(obj, problem.field)
    expected = ""
    type_name = obj.get("type") if isinstance(obj, dict) else None
    if checked and value is not None and isinstance(type_name, str) and type_name in EVENT_TYPES:
        expected = layout(type_name).expected(problem.field)
    return LineProblem(line, problem.field, problem.message, value, expected)
