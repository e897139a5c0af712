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
from dataclasses import dataclass, field
from enum import StrEnum

from events.errors import DuplicateId, InvalidEvents
from events.interchange.csv_layout import Column, Layout, layout, list_items, row_json, unescape
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

    def __str__(self) -> str:
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
    problems: list[RowProblem] = field(default_factory=list)


class CsvImportFailed(Exception):
    """A CSV import that appended nothing because of bad rows; the report lists them."""

    def __init__(self, report: CsvReport) -> None:
        self.report = report
        super().__init__("\n".join(str(p) for p in report.problems))


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
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    def problem(self, row: int, column: Column | None, message: str) -> None:
        """Note a problem of `row` in `column` (None: the row as a whole)."""
        if column is None:
            self.problems.append(RowProblem(row, "", "", message))
        else:
            letter = self.letters.get(column.name, "")
            self.problems.append(RowProblem(row, column.name, letter, message))


def read_sheet(type_name: str, text: str, delimiter: str | None = None) -> Sheet:
    """Read the CSV `text` of a sheet of `type_name` and check each row on its own (step 1).

    `delimiter` None: sniffed from the header row. A byte-order mark at the start is ignored.
    """
    sheet = Sheet(layout(type_name))
    text = text.removeprefix(BOM)
    if delimiter is None:
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 1
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            sheet.problem(1, None, "the header row is empty: the first row names the columns")
            return sheet
        columns, missing = _read_header(sheet, header)
        for row, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                sheet.rows += 1
                _read_row(sheet, row, columns, cells, missing)
    except csv.Error as error:
        sheet.problem(row + 1, None, f"not valid CSV: {error}")
    return sheet


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
                sheet.problems.append(RowProblem(1, name, letter, message))
            columns.append(name)
        elif column in seen:
            message = f"the column is also column {seen[column]}"
            sheet.problems.append(RowProblem(1, column.name, letter, message))
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
    obj, bad = row_json(sheet.layout.type_name, named)
    for column, reason in bad.items():
        sheet.problem(row, column, reason)
    try:
        event = event_from_json(obj, row)
    except InvalidEvents as error:
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
            sheet.problem(row, at, _reason(sheet, at, rest, message, named))
        return
    if not bad:
        sheet.events.append((row, event))
        sheet.cells[row] = named


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
) -> CsvReport:
    """Import the CSV `text` of a sheet of `type_name` in one transaction.

    Raises CsvImportFailed listing every problem found (see the module's docstring); nothing is
    appended then. Events whose `id` the log holds already with the same content are skipped.
    """
    sheet = read_sheet(type_name, text, delimiter)
    report = CsvReport(rows=sheet.rows, problems=list(sheet.problems))
    failed_before = bool(report.problems)
    async with store.transaction() as appender:
        await appender.defer_projections()
        for start in range(0, len(sheet.events), batch_size):
            batch = sheet.events[start : start + batch_size]
            before = appender.appended
            try:
                await appender.append([event for _, event in batch], recorded_by=recorded_by)
            except InvalidEvents as error:
                for problem in error.problems:
                    row = batch[problem.index][0]
                    column, rest = sheet.layout.locate(problem.field)
                    if failed_before and (column is None or column.refers != "actor"):
                        continue  # may come from a bad row: said once those are fixed
                    reason = _reason(sheet, column, rest, problem.message, sheet.cells[row])
                    sheet.problem(row, column, reason)
                    report.problems.append(sheet.problems[-1])
                break  # later batches may depend on this one
            except DuplicateId as error:
                row = next(n for n, event in batch if str(event.id) == error.event_id)
                sheet.problem(row, sheet.layout.column("id"), str(error))
                report.problems.append(sheet.problems[-1])
                break
            fresh = appender.appended - before
            report.appended += fresh
            report.unchanged += len(batch) - fresh
        if report.problems:
            raise CsvImportFailed(report)  # rolls the transaction back
        await appender.finish()
    return report
