"""The text of an import file: UTF-8 (a byte-order mark ignored), or a message that names what
the bytes look like instead and where the first byte that is not UTF-8 is.

Spreadsheets save "CSV" in the local code page unless told "CSV UTF-8": on Windows that is
Windows-1252 (cp1252) for most of Western Europe and the Americas. The import reads any encoding
Python knows when it is given one (`--encoding cp1252`); without one, a file that is not UTF-8 is
refused with the row (or line) of its first such byte, how that byte reads in the likely
encoding, and what to do.
"""

from __future__ import annotations

import codecs

# A zip archive: what an Excel workbook (.xlsx) is.
ZIP_MAGIC = b"PK\x03\x04"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LIKELY = ("cp1252",)  # tried in order: the first that decodes the whole file is named


class NotText(ValueError):
    """Bytes that are not text in the expected encoding; the message says what they look like,
    where, and what to do."""


def decode(data: bytes, *, unit: str, encoding: str | None = None) -> str:
    """The text of `data`: UTF-8 with or without a byte-order mark, or `encoding` when given.

    `unit` is what the file's parts are called in messages (`row`, `line`). Raises NotText;
    LookupError for an `encoding` Python does not know.
    """
    if encoding is not None and codecs.lookup(encoding).name != "utf-8":
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            where = _where(data, error.start, unit)
            raise NotText(f"the file is not {encoding} text either: {where}") from None
    if data.startswith(ZIP_MAGIC):
        if unit == "line":  # `timeline import` reads JSON Lines only
            raise NotText(
                "the file is a zip archive, not JSON Lines: an Excel workbook (.xlsx)? "
                "`timeline csv import TYPE FILE.xlsx` imports a workbook's rows"
            )
        raise NotText(
            "the file is a zip archive, not text: an Excel workbook (.xlsx)? "
            "Name it .xlsx to import it as a workbook, or save it as CSV UTF-8"
        )
    if data.startswith(_UTF16_BOMS):
        raise NotText(
            'the file is UTF-16 text (Excel\'s "Unicode Text"): save it as CSV UTF-8, '
            "or give --encoding utf-16"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotText(_not_utf8(data, error, unit)) from None


def _not_utf8(data: bytes, error: UnicodeDecodeError, unit: str) -> str:
    where = _where(data, error.start, unit)
    for name in _LIKELY:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        start = data.rfind(b"\n", 0, error.start) + 1
        end = data.find(b"\n", error.start)
        shown = data[start : len(data) if end < 0 else end].decode(name).strip()
        return (
            f"the file is not UTF-8: {where}; it reads as {_NAMES.get(name, name)}: "
            f"{shown!r}. {_fix(unit, name)}"
        )
    return f"the file is not UTF-8: {where}. {_fix(unit, None)}"


def _fix(unit: str, encoding: str | None) -> str:
    """What to do with a file that is not UTF-8: a sheet may say its encoding; JSON Lines are
    UTF-8 by definition (`timeline import` has no --encoding)."""
    if unit == "line":
        source = encoding or "ITS-ENCODING"
        return f"JSON Lines are UTF-8: convert it first (iconv -f {source} -t UTF-8)"
    if encoding is None:
        return "Save it as UTF-8, or give its --encoding"
    return f"Save it as CSV UTF-8, or give --encoding {encoding}"


_NAMES = {"cp1252": "Windows-1252 (cp1252, what Excel saves as plain CSV)"}


def _where(data: bytes, offset: int, unit: str) -> str:
    """`row 3, column 14, byte 0xF4`: where the byte at `offset` is (columns in characters as far
    as they can be read; rows counted by line breaks)."""
    number = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return f"{unit} {number}, character {column} is byte 0x{data[offset]:02X}"
