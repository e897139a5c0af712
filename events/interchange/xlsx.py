"""An Excel workbook (.xlsx) read as a sheet of the CSV import: the same layout, row for row.

The first worksheet is read through openpyxl (the values Excel saved, not formulas). Cells become
the text a CSV cell would hold: text as it is, whole numbers without `.0`, booleans `true` /
`false`, and dates as EDTF at the precision their number format shows, since Excel turns what is
typed as `2023-11` into a date cell showing the month: a format with days gives `2023-11-15`, one
with months only `2023-11`, one with the year only `2023`. A time of day other than midnight is
kept (`2023-11-15T10:30:00`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

# Letters of a number format that stand for days, months (`m` also stands for minutes, after an
# hour) and years; text in quotes or brackets is not format.
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class NotAWorkbook(ValueError):
    """Bytes that openpyxl cannot read as an .xlsx workbook; the message says so."""


def workbook_rows(data: bytes) -> tuple[int | None, Iterator[list[str]]]:
    """The number of rows the first worksheet of the .xlsx `data` says it has (None when it
    does not say), and its rows, each as the cells' text; row 1 first, blank rows included (so
    that row numbers are the spreadsheet's). Raises NotAWorkbook."""
    # Imported here, not at the top: openpyxl takes most of a second to import, and every
    # `timeline` command would pay it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        total = sheet.max_row
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise NotAWorkbook(f"not an Excel workbook (.xlsx) that can be read: {error}") from None

    def rows() -> Iterator[list[str]]:
        try:
            for row in sheet.iter_rows():
                yield [_text(getattr(cell, "value", None), _format(cell)) for cell in row]
        finally:
            book.close()

    return total, rows()


def _format(cell: Any) -> str:
    return str(getattr(cell, "number_format", "") or "")


def _text(value: object, number_format: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            return value.isoformat()
        return _day(value.date(), number_format)
    if isinstance(value, date):
        return _day(value, number_format)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _day(value: date, number_format: str) -> str:
    """The date at the precision its cell's format shows."""
    shown = _LITERALS.sub("", number_format).casefold()
    if "d" in shown or not shown or shown == "general":
        return value.isoformat()
    if "m" in shown:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"
