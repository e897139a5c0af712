"""The usual ways a date is written that is not EDTF, recognised so that a message can say which
form was meant and how to write it: day-first (`16/03/2023`) and US (`03/16/2023`) dates, a
year-first date with slashes (`2023/03/16`), an Excel serial day number (`45001`: what a
spreadsheet stores for a date cell saved without its format) and two qualifiers where EDTF has
the combined one (`2019-07-04?~` for `2019-07-04%`).

`events/dates.py` asks `explain` before it reports a string it cannot parse; the EDTF parsing
itself stays with the `edtf` package there.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_NUMERIC = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[/.\-])(?P<b>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{2,4})"
)
_YEAR_FIRST = re.compile(
    r"(?P<year>[0-9]{4})(?P<sep>[/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})"
)
_SERIAL = re.compile(r"(?P<days>[0-9]{5})(?:\.[0-9]+)?")
_QUALIFIERS = re.compile(r"(?P<date>.*[0-9X])(?P<qualifiers>[?~%]{2,})")
# Excel's day 0 is 1899-12-30 (day 60 is its made-up 1900-02-29; serials of five digits,
# from 1927 on, are past it).
_EXCEL_EPOCH = date(1899, 12, 30)
_ISO_AND_EDTF = "as ISO 8601 and EDTF write it"


def explain(text: str) -> str | None:
    """Why `text` is not EDTF when it is one of the usual mistakes, with the form to write;
    None otherwise."""
    return _numeric(text) or _year_first(text) or _serial(text) or _qualifiers(text)


def _numeric(text: str) -> str | None:
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    a, b, year_text = int(match["a"]), int(match["b"]), match["year"]
    if len(year_text) != 4:
        return (
            f"{text!r} is not an EDTF date: it looks like a day-first or US date with a "
            f"two-digit year; write the year in full and first, {_ISO_AND_EDTF}: YYYY-MM-DD"
        )
    year = int(year_text)
    day_first = _day(year, b, a)
    us = _day(year, a, b)
    if day_first and us and day_first != us:
        return (
            f"{text!r} is not an EDTF date: it is a day-first or a US date; write it year "
            f"first, {_ISO_AND_EDTF}: {day_first} (day-first, DD{match['sep']}MM{match['sep']}"
            f"YYYY) or {us} (US, MM{match['sep']}DD{match['sep']}YYYY)"
        )
    if day_first:
        return (
            f"{text!r} is not an EDTF date: it looks like a day-first date "
            f"(DD{match['sep']}MM{match['sep']}YYYY); write it year first, {_ISO_AND_EDTF}: "
            f"{day_first}"
        )
    if us:
        return (
            f"{text!r} is not an EDTF date: it looks like a US date "
            f"(MM{match['sep']}DD{match['sep']}YYYY); write it year first, {_ISO_AND_EDTF}: {us}"
        )
    return (
        f"{text!r} is not an EDTF date: no calendar day reads it as day-first or US; write "
        f"dates year first, {_ISO_AND_EDTF}: YYYY-MM-DD"
    )


def _year_first(text: str) -> str | None:
    match = _YEAR_FIRST.fullmatch(text)
    if match is None:
        return None
    day = _day(int(match["year"]), int(match["month"]), int(match["day"]))
    if day is None:
        return None
    return f"{text!r} is not an EDTF date: write it with hyphens, {_ISO_AND_EDTF}: {day}"


def _serial(text: str) -> str | None:
    match = _SERIAL.fullmatch(text)
    if match is None:
        return None
    day = _EXCEL_EPOCH + timedelta(days=int(match["days"]))
    return (
        f"{text!r} is not an EDTF date: it looks like an Excel serial day number ({text} is "
        f"{day.isoformat()}); format the column as text, or write {day.isoformat()}"
    )


def _qualifiers(text: str) -> str | None:
    match = _QUALIFIERS.fullmatch(text)
    if match is None:
        return None
    qualifiers = set(match["qualifiers"])
    if qualifiers == {"?"} or qualifiers == {"~"}:
        single = match["qualifiers"][0]
        return f"{text!r} is not an EDTF date: write the qualifier once: {match['date']}{single}"
    return (
        f"{text!r} is not an EDTF date: a date both uncertain (?) and approximate (~) takes "
        f"the combined qualifier %: {match['date']}%"
    )


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
