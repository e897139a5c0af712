"""CSV import: one sheet (CSV file) of one event type, all of it in one transaction.

Rows are checked in two steps, and every problem of both is reported with its row (as a
spreadsheet numbers it: the header is row 1), its column and the reason:
1. each row on its own: the header's columns, each cell's form, then the event's validation
   (`event_from_json`: required fields, EDTF dates, enum values, actor ids, the stream's kind);
2. the rows that passed, against the log (`Appender.append`: actors registered, streams exist,
   stream order). When step 1 found problems, step 2 reports only those that cannot be caused by
   a bad row (unknown actors, reused ids), and the rest once the rows are fixed.
Nothing is appended unless every row is valid. The column layout is in events/interchange/
csv_layout.py and docs/csv-import.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from events.errors import DuplicateId, InvalidEvents
from events.interchange.csv_layout import (
    Column,
    Layout,
    layout,
    list_items,
    row_json,
    unescape,
)
from events.interchange.problems import (
    Bounded,
    note_resolved,
    registered_slug,
    resolutions,
    reused,
    same_event,
    same_event_message,
    twins,
    unknown_actors,
)
from events.interchange.progress import EVERY, SILENT, ImportProgress
from events.store import EventStore
from events.types import NewEvent, event_from_json

BOM = "\ufeff"


class Delimiter(StrEnum):
    """The cell delimiters a sheet may use (spreadsheets set to a European locale write `;`)."""

    COMMA = ","
    SEMICOLON = ";"
    TAB = "tab"

    @property
    def char(self) -> str:
        """The delimiter character."""
        return "\t" if self is Delimiter.TAB else str(self.value)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a sheet whose header row is `first_line`: the one of `,`, `;` and tab
    it holds most often (column names hold none of them); `,` for a single column."""
    counts = {d.char: first_line.count(d.char) for d in Delimiter}
    best = max(counts, key=lambda char: counts[char])
    return best if counts[best] else ","


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one row (1: the header) of a sheet, in one column ("": the row)."""

    row: int
    column: str
    letter: str  # the spreadsheet's name of the column (`C`), "" when the sheet lacks it
    message: str
    field: str = ""  # the JSON path of the event's field (`data.participants[1]`), if one
    value: str | None = None  # the cell as written, when the problem is a cell's
    expected: str = ""  # what the column takes, when the cell's form is at fault

    def __str__(self) -> str:
        # The messages quote the value and say what is wrong with it; `expected` is for
        # readers of the structured form (JSON output).
        if not self.column:
            return f"row {self.row}: {self.message}"
        where = f" ({self.letter})" if self.letter else ""
        return f"row {self.row}, column {self.column}{where}: {self.message}"


@dataclass(slots=True)
class CsvReport:
    """What a CSV import did: data rows read, events appended, problems."""

    rows: int = 0  # rows holding an event (the header and blank rows not counted)
    appended: int = 0
    unchanged: int = 0  # events whose id was in the log already with the same content
    problems: Bounded[RowProblem] = field(default_factory=Bounded)
    # Actor ids written otherwise than stored (`SK`, `cn`) -> the state's id: the summary
    # shows them, since `SK` is Slovakia to ISO 3166 but South Korea to many writers.
    resolved: dict[str, str] = field(default_factory=dict)

    def resolutions(self) -> list[str]:
        """`SK -> Slovakia (SVK)` for each actor id written otherwise than stored."""
        return resolutions(self.resolved)


class CsvImportFailed(Exception):
    """A CSV import that appended nothing because of bad rows; the report lists them."""

    def __init__(self, report: CsvReport) -> None:
        self.report = report
        more = report.problems.more()
        lines = [str(p) for p in report.problems] + ([more] if more else [])
        super().__init__("\n".join(lines))


def column_letter(index: int) -> str:
    """The spreadsheet name of the column at 0-based `index`: A, …, Z, AA, AB, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(slots=True)
class Sheet:
    """A sheet read and checked row by row (step 1): the valid events with their row numbers and
    cells, and the problems."""

    layout: Layout
    letters: dict[str, str] = field(default_factory=dict)  # column name -> letter
    events: list[tuple[int, NewEvent]] = field(default_factory=list)
    cells: dict[int, dict[Column, str]] = field(default_factory=dict)  # row -> its cells
    problems: Bounded[RowProblem] = field(default_factory=Bounded)
    rows: int = 0
    last_row: int = 1  # the last row read (a CSV error is in the one after it)
    failed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # rows' JSON forms
    ids: list[tuple[int, UUID]] = field(default_factory=list)  # the ids the rows give
    registering: set[str] = field(default_factory=set)  # slugs the sheet's rows register
    bad_rows: set[int] = field(default_factory=set)  # rows with a problem, kept or counted
    resolved: dict[str, str] = field(default_factory=dict)  # see CsvReport.resolved

    def problem(
        self,
        row: int,
        column: Column | None,
        message: str,
        *,
        field: str = "",
        cells: Mapping[Column, str] | None = None,
        form: bool = False,
    ) -> None:
        """Note a problem of `row` in `column` (None: the row as a whole); `cells`: the row's
        cells, to quote the value; `form`: the cell's form is at fault (say what it takes)."""
        self.bad_rows.add(row)
        if column is None:
            self.problems.add(RowProblem(row, "", "", message, field))
            return
        letter = self.letters.get(column.name, "")
        value = None if cells is None else cells.get(column)
        expected = column.what if form and value and value.strip() else ""
        self.problems.add(
            RowProblem(row, column.name, letter, message, field or column.path, value, expected)
        )


def read_sheet(
    type_name: str,
    text: str,
    delimiter: str | None = None,
    progress: ImportProgress = SILENT,
) -> Sheet:
    """Read the CSV `text` of a sheet of `type_name` and check each row on its own (step 1).

    `delimiter` None: sniffed from the header row. A byte-order mark at the start is ignored.
    `progress` is told the characters of `text` read and the rows.
    """
    read = len(BOM) if text.startswith(BOM) else 0
    text = text.removeprefix(BOM)
    if delimiter is None:
        delimiter = sniff_delimiter(text.split("\n", 1)[0])

    def lines() -> Iterator[str]:
        nonlocal read
        for line in io.StringIO(text, newline=""):
            read += len(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    sheet = Sheet(layout(type_name))
    try:
        _read(sheet, reader, lambda: read, progress)
    except csv.Error as error:
        sheet.problem(sheet.last_row + 1, None, f"not valid CSV: {error}")
    progress.read(read, sheet.rows)
    return sheet


def read_rows(
    type_name: str, rows: Iterable[list[str]], progress: ImportProgress = SILENT
) -> Sheet:
    """Check each row of a sheet of `type_name` given as its cells' text, the header first
    (a workbook's rows: events/interchange/xlsx.py), as `read_sheet` does a CSV text's;
    `progress` is told the rows read."""
    sheet = Sheet(layout(type_name))
    _read(sheet, iter(rows), lambda: sheet.last_row, progress)
    progress.read(sheet.last_row, sheet.rows)
    return sheet


def _read(
    sheet: Sheet,
    rows: Iterator[list[str]],
    done: Callable[[], int],
    progress: ImportProgress,
) -> None:
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        sheet.problem(1, None, "the header row is empty: the first row names the columns")
        return
    columns, missing = _read_header(sheet, header)
    for row, cells in enumerate(rows, start=2):
        sheet.last_row = row
        if any(cell.strip() for cell in cells):
            sheet.rows += 1
            _read_row(sheet, row, columns, cells, missing)
        if row % EVERY == 0:
            progress.read(done(), sheet.rows)


def _read_header(sheet: Sheet, header: list[str]) -> tuple[list[Column | str], set[Column]]:
    """The column of each header cell (its name when it is unknown or repeated, "" when empty),
    and the required columns the header lacks; problems of the header go to row 1."""
    columns: list[Column | str] = []
    seen: dict[Column, str] = {}
    for index, cell in enumerate(header):
        name = cell.strip()
        letter = column_letter(index)
        column = sheet.layout.column(name) if name else None
        if column is None:
            if name:
                known = ", ".join(sheet.layout.header)
                message = f"unknown column; a {sheet.layout.type_name} sheet has {known}"
                sheet.problems.add(RowProblem(1, name, letter, message))
            columns.append(name)
        elif column in seen:
            message = f"the column is also column {seen[column]}"
            sheet.problems.add(RowProblem(1, column.name, letter, message))
            columns.append(name)
        else:
            seen[column] = letter
            sheet.letters[column.name] = letter
            columns.append(column)
    missing = {c for c in sheet.layout.columns if c.required and c not in seen}
    for column in sheet.layout.columns:
        if column in missing:
            sheet.problem(1, column, "required column is missing")
    return columns, missing


def _read_row(
    sheet: Sheet,
    row: int,
    columns: list[Column | str],
    cells: list[str],
    missing: set[Column],
) -> None:
    named: dict[Column, str] = {}
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else ""
        if isinstance(column, Column):
            named[column] = cell
        elif not column and cell.strip():
            # A value under no header would be lost without a word (one under an unknown
            # header is: the header's problem says so).
            message = f"a value in column {column_letter(index)}, which has no header"
            sheet.problem(row, None, message)
    sheet.cells[row] = named
    obj, bad = row_json(sheet.layout.type_name, named)
    _note_identity(sheet, row, obj)
    for column, reason in bad.items():
        sheet.problem(row, column, reason, cells=named, form=True)
    try:
        event = event_from_json(obj, row)
    except InvalidEvents as error:
        sheet.failed.append((row, obj))
        # A rule across the data's fields may fail only because a cell could not be read.
        said = [p for p in error.problems if not (bad and p.field == "data")]
        located = [(*sheet.layout.locate(p.field), p.message) for p in said]
        # A list with a bad item is also too short when the item was all it had: say the first.
        with_items = {at for at, rest, _ in located if rest.startswith("[")}
        for at, rest, message in located:
            if at in bad or at in missing:
                continue  # said already: the cell could not be read, or the column is missing
            if at in with_items and not rest:
                continue
            reason = _reason(sheet, at, rest, message, named)
            sheet.problem(row, at, reason, cells=named, form=not reason.startswith("required"))
        return
    if bad:
        sheet.failed.append((row, obj))
    else:
        sheet.events.append((row, event))


def _note_identity(sheet: Sheet, row: int, obj: dict[str, Any]) -> None:
    """Note the id a row gives and the actor it registers, whether or not the row is valid:
    twins are named whichever of them is bad, and a registration that failed does not make
    its actor unknown on the rows that name it."""
    given = obj.get("id")
    if isinstance(given, str):
        with suppress(ValueError):
            sheet.ids.append((row, UUID(given)))
    slug = registered_slug(obj)
    if slug is not None:
        sheet.registering.add(slug)
    note_resolved(obj, sheet.resolved)


def _same_rows(sheet: Sheet, id_column: Column) -> None:
    """Report each row without an id that describes the same event as an earlier one: most
    often a row pasted twice, which would become two events."""
    first: dict[bytes, int] = {}
    for row, event in sheet.events:
        if sheet.cells[row].get(id_column, "").strip():
            continue  # the same id twice is a twin; another id is another event
        earlier = first.setdefault(same_event(event), row)
        if earlier != row:
            sheet.problem(row, None, same_event_message(f"row {earlier}"))


def _reason(
    sheet: Sheet, column: Column | None, rest: str, message: str, cells: dict[Column, str]
) -> str:
    """A validation problem's message in the sheet's terms."""
    if column is None:
        return f"{rest}: {message}" if rest else message
    if message == "required field is missing" and not rest:
        if column.name not in sheet.letters:
            return f"required: the sheet has no column {column.name}"
        if not column.required:  # a field of a nested object that the row gives
            return f"required when a `{column.name.rsplit('.', 1)[0]}.*` cell is filled"
        return "required: the cell is empty"
    if rest.startswith("["):
        # An item of a list cell: `[1]` or `[1].actor`.
        number, _, below = rest[1:].partition("]")
        if number.isdigit():
            index = int(number)
            items = [unescape(item) for item in list_items(cells.get(column, "").strip())]
            raw = f" {items[index]!r}" if index < len(items) else ""
            below = below.removeprefix(".")
            return f"item {index + 1}{raw}: " + (f"{below}: {message}" if below else message)
    return f"{rest}: {message}" if rest else message


async def import_csv(
    store: EventStore,
    type_name: str,
    text: str,
    *,
    recorded_by: str,
    delimiter: str | None = None,
    batch_size: int = 1000,
    allow_duplicates: bool = False,
    progress: ImportProgress = SILENT,
) -> CsvReport:
    """Import the CSV `text` of a sheet of `type_name` in one transaction.

    Raises CsvImportFailed listing every problem found (see the module's docstring); nothing is
    appended then. Events whose `id` the log holds already with the same content are skipped.
    Two rows without ids that describe the same event are a problem (a row copied twice)
    unless `allow_duplicates`, which imports both. `progress` is told the characters read,
    the rows appended and the commit (events/interchange/progress.py).
    """
    sheet = read_sheet(type_name, text, delimiter, progress)
    return await import_sheet(
        store,
        sheet,
        recorded_by=recorded_by,
        batch_size=batch_size,
        allow_duplicates=allow_duplicates,
        progress=progress,
    )


async def import_sheet(
    store: EventStore,
    sheet: Sheet,
    *,
    recorded_by: str,
    batch_size: int = 1000,
    allow_duplicates: bool = False,
    progress: ImportProgress = SILENT,
) -> CsvReport:
    """Import a sheet read by `read_sheet` or `read_rows` (step 1 done) in one transaction;
    see `import_csv` (`progress` is told the rows appended and the commit)."""
    for row, message in twins(sheet.ids, lambda other: f"row {other}"):
        sheet.problem(row, sheet.layout.column("id"), message, cells=sheet.cells.get(row))
    id_column = next(column for column in sheet.layout.columns if column.name == "id")
    if not allow_duplicates:
        _same_rows(sheet, id_column)
    report = CsvReport(rows=sheet.rows, problems=sheet.problems, resolved=sheet.resolved)
    async with store.transaction() as appender:
        await appender.defer_projections()
        given = [(row, event) for row, event in sheet.events if sheet.cells[row].get(id_column)]
        for row, message in await reused(appender, given):
            sheet.problem(row, id_column, message, cells=sheet.cells[row])
        failed_before = bool(report.problems)
        events = [(row, event) for row, event in sheet.events if row not in sheet.bad_rows]
        for start in range(0, len(events), batch_size):
            batch = events[start : start + batch_size]
            before = appender.appended
            try:
                await appender.append([event for _, event in batch], recorded_by=recorded_by)
            except InvalidEvents as error:
                for problem in error.problems:
                    row = batch[problem.index][0]
                    column, rest = sheet.layout.locate(problem.field)
                    if failed_before and (column is None or column.refers != "actor"):
                        continue  # may come from a bad row: said once those are fixed
                    cells = sheet.cells[row]
                    reason = _reason(sheet, column, rest, problem.message, cells)
                    sheet.problem(row, column, reason, field=problem.field, cells=cells)
                break  # later batches may depend on this one
            except DuplicateId as error:  # reused ids are found above: only a race gets here
                row = next(n for n, event in batch if str(event.id) == error.event_id)
                sheet.problem(row, id_column, str(error))
                break
            fresh = appender.appended - before
            report.appended += fresh
            report.unchanged += len(batch) - fresh
            progress.appending(start + len(batch), len(events))
        for row, path, _, message in await unknown_actors(
            appender, sheet.failed, sheet.registering
        ):
            column, rest = sheet.layout.locate(path)
            reason = _reason(sheet, column, rest, message, sheet.cells[row])
            sheet.problem(row, column, reason, field=path, cells=sheet.cells[row])
        if report.problems:
            report.problems.sort(key=lambda problem: problem.row)
            raise CsvImportFailed(report)  # rolls the transaction back
        progress.committing()
        await appender.finish()
    return report
