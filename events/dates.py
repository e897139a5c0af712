"""EDTF dates (Library of Congress EDTF, levels 0 and 1) reduced to day bounds, and the as-of rule.

Every date in event data is an EDTF string. `parse` turns one into an `Edtf`: the original string
and the earliest and latest day it may denote. The `edtf` package does the parsing, wrapped here
because on its own it accepts impossible days (`2023-02-29`), crashes on some unspecified digits
(`2024-01-2X`), invents an end ten years on for an unknown end (`2024/`) and gives infinities for
open ends (`..`). What this module accepts:

- dates `2024-01-27`, `2024-01`, `2024`, and date-times `2024-01-27T10:00:00Z` (bounds: that day);
- seasons `2024-21` .. `2024-24` (spring, summer, autumn, winter);
- a trailing qualifier `?` (uncertain), `~` (approximate) or `%` (both), which does not widen;
- unspecified digits `X` anywhere in a date: `201X`, `2024-XX`, `2024-01-2X`;
- intervals `start/end`, where a side may be open (`..`) or unknown (empty).

Years must lie in 1..9999, the range of `datetime.date`; other EDTF level 2 features are refused.
"""

import calendar
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from edtf import Date, DateAndTime, Season, UncertainOrApproximate, parse_edtf

from events.date_mistakes import explain

__all__ = [
    "MONTH_NAMES",
    "Edtf",
    "InvalidDate",
    "certainly_in_effect",
    "is_valid",
    "overlaps",
    "parse",
    "possibly_in_effect",
    "sort_key",
]


class InvalidDate(ValueError):
    """Raised for a string that is not a supported EDTF date.

    str(e) names what is wrong, e.g.
    "'2023-02-29' is not a valid date: day 29 is out of range for February 2023".
    """


@dataclass(frozen=True, slots=True)
class Edtf:
    """An EDTF date with the first and last day it may denote.

    `earliest` is `date.min` when the start is open (`..`) or unknown (empty); `latest` is
    `date.max` when the end is open or unknown.
    """

    edtf: str
    earliest: date
    latest: date
    uncertain: bool
    approximate: bool

    @property
    def exact(self) -> bool:
        """True when the date is a single day, neither uncertain nor approximate."""
        return self.earliest == self.latest and not self.uncertain and not self.approximate


# Explicit [0-9] rather than \d, which also matches non-ASCII digits.
_DATE = re.compile(
    r"(?P<year>[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?(?P<qualifier>[?~%])?"
)
_PLAIN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}(?::[0-9]{2})?)?"
)
_OPEN = ".."
_UNKNOWN = ""
_SPRING, _WINTER = 21, 24
_LEVEL_2_SEASONS = range(25, 42)
_MIN_YEAR, _MAX_YEAR = date.min.year, date.max.year
# English month names; not calendar.month_name, which follows the process locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_UNSUPPORTED_YEARS = f"only years {_MIN_YEAR} to {_MAX_YEAR} are supported"


@dataclass(frozen=True, slots=True)
class _Bounds:
    earliest: date
    latest: date


def parse(text: str) -> Edtf:
    """Parse an EDTF string into its day bounds; raise InvalidDate if it is not supported.

    Results are cached, so parsing the same string twice gives the same object.
    """
    # Checked before the cache, which would fail on unhashable values with a TypeError.
    if not isinstance(text, str):
        raise InvalidDate(
            f"{text!r} is not an EDTF date: expected a string, got {type(text).__name__}"
        )
    return _parse_cached(text)


def is_valid(text: str) -> bool:
    """True when `parse` accepts the string."""
    try:
        parse(text)
    except InvalidDate:
        return False
    return True


def possibly_in_effect(start: Edtf, end: Edtf | None, day: date) -> bool:
    """True when a fact running from `start` to `end` (None: no end) may be in effect on `day`."""
    return start.earliest <= day and (end is None or end.latest > day)


def certainly_in_effect(start: Edtf, end: Edtf | None, day: date) -> bool:
    """True when a fact running from `start` to `end` (None: no end) is surely in effect on `day`.

    Unlike `possibly_in_effect`, it holds only if it holds for every day the dates may denote.
    """
    return start.latest <= day and (end is None or end.earliest > day)


def overlaps(value: Edtf, start: date | None, end: date | None) -> bool:
    """True when the bounds of `value` meet the inclusive range [start, end]; None is unbounded."""
    return (start is None or value.latest >= start) and (end is None or value.earliest <= end)


def sort_key(value: Edtf) -> tuple[date, date]:
    """Chronological sort key: (earliest, latest)."""
    return (value.earliest, value.latest)


@lru_cache(maxsize=65536)
def _parse_cached(text: str) -> Edtf:
    # A plain day, most dates of a log, without the regular expressions: a long log has more
    # distinct dates than the cache holds, and a view over it parses the dates of what it
    # lists (a relation's at 1M events missed the cache for most of its items).
    if _PLAIN_DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass  # out of range: the checks below say how
        else:
            return Edtf(edtf=text, earliest=day, latest=day, uncertain=False, approximate=False)
    if not text.strip():
        raise InvalidDate(f"{text!r} is not an EDTF date: it is empty")
    # The library strips whitespace; we want the stored string to be exactly the date.
    if any(character.isspace() for character in text):
        raise InvalidDate(f"{text!r} is not an EDTF date: it contains whitespace")
    try:
        bounds = (
            _interval_bounds(text) if "/" in text else _date_bounds(text, text, allow_time=True)
        )
    except InvalidDate:
        # A day-first date, an Excel serial number, …: say which form was meant.
        mistake = explain(text)
        if mistake is None:
            raise
        raise InvalidDate(mistake) from None
    return Edtf(
        edtf=text,
        earliest=bounds.earliest,
        latest=bounds.latest,
        uncertain="?" in text or "%" in text,
        approximate="~" in text or "%" in text,
    )


def _interval_bounds(text: str) -> _Bounds:
    start_text, _, end_text = text.partition("/")
    if "/" in end_text:
        raise InvalidDate(f"{text!r} is not an EDTF date: an interval has exactly one '/'")
    start = _side_bounds(text, start_text)
    end = _side_bounds(text, end_text)
    if start is None and end is None:
        raise InvalidDate(f"{text!r} is not an EDTF date: an interval needs at least one date")
    if start is not None and end is not None and end.latest < start.earliest:
        raise InvalidDate(f"{text!r} is not a valid interval: its end is before its start")
    return _Bounds(
        earliest=date.min if start is None else start.earliest,
        latest=date.max if end is None else end.latest,
    )


def _side_bounds(text: str, side: str) -> _Bounds | None:
    """Bounds of one side of an interval, None when that side is open or unknown."""
    if side in (_OPEN, _UNKNOWN):
        return None
    # EDTF level 0 and 1 intervals are of dates only, without times of day.
    return _date_bounds(text, side, allow_time=False)


def _date_bounds(text: str, part: str, *, allow_time: bool) -> _Bounds:
    """Bounds of `part`: the whole of `text`, or one side of it when `text` is an interval."""
    if allow_time and (match := _DATE_TIME.fullmatch(part)):
        # The day as written, in the date-time's own offset: times are not converted to UTC.
        that_day = _checked_day(text, match["year"], match["month"], match["day"])
        _library_bounds(text, part)  # the library checks the time of day
        return _Bounds(that_day, that_day)
    match = _DATE.fullmatch(part)
    if match is None:
        raise InvalidDate(_unrecognised(text, part, allow_time=allow_time))
    year, month, day = match["year"], match["month"], match["day"]
    if "X" in part:
        return _unspecified_bounds(text, year, month, day)
    if day is None and month is not None and int(month) >= _SPRING:
        return _season_bounds(text, part, int(year), int(month))
    first = _checked_day(text, year, month or "01", day or "01")
    # A plain year, month or day: its bounds follow from the digits; the library takes
    # milliseconds per distinct string, which a rebuild of a large log would feel.
    if day is not None:
        return _Bounds(first, first)
    if month is not None:
        return _Bounds(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))
    return _Bounds(first, first.replace(month=12, day=31))


def _checked_day(text: str, year: str, month: str, day: str) -> date:
    """The day named by fully specified digits, or InvalidDate saying what is out of range."""
    year_number, month_number, day_number = int(year), int(month), int(day)
    _check_year(text, year_number)
    if not 1 <= month_number <= 12:
        raise InvalidDate(f"{text!r} is not a valid date: month {month} is out of range")
    try:
        return date(year_number, month_number, day_number)
    except ValueError:
        month_name = MONTH_NAMES[month_number - 1]
        raise InvalidDate(
            f"{text!r} is not a valid date: "
            f"day {day_number} is out of range for {month_name} {year_number}"
        ) from None


def _check_year(text: str, year: int) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InvalidDate(
            f"{text!r} is not supported: year {year} is out of range, {_UNSUPPORTED_YEARS}"
        )


def _season_bounds(text: str, part: str, year: int, season: int) -> _Bounds:
    _check_year(text, year)
    if season in _LEVEL_2_SEASONS:
        raise InvalidDate(
            f"{text!r} is not supported: season {season} is EDTF level 2, only 21 to 24 are"
        )
    if season > _WINTER:
        raise InvalidDate(f"{text!r} is not a valid date: month {season} is out of range")
    bounds = _library_bounds(text, part)
    if season != _WINTER:
        return bounds
    # The library puts winter in December alone; northern winter runs on to the end of February
    # of the next year, the same meteorological seasons as its spring (March to May).
    if year == _MAX_YEAR:
        raise InvalidDate(
            f"{text!r} is not supported: winter {year} ends in {year + 1}, {_UNSUPPORTED_YEARS}"
        )
    return _Bounds(bounds.earliest, date(year + 1, 3, 1) - timedelta(days=1))


def _library_bounds(text: str, part: str) -> _Bounds:
    """Bounds the edtf package gives for `part`, a single level 0 or 1 date without `X`."""
    try:
        parsed = parse_edtf(part)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except Exception as error:  # besides its parse exception it can raise anything on bad input
        raise InvalidDate(f"{text!r} is not an EDTF date: {part!r} cannot be parsed") from error
    # Level 2 classes subclass these, so compare exact types.
    if type(parsed) not in (Date, DateAndTime, Season, UncertainOrApproximate):
        raise InvalidDate(f"{text!r} is not supported: {part!r} is not an EDTF level 0 or 1 date")
    return _Bounds(_to_date(text, lower), _to_date(text, upper))


def _to_date(text: str, value: object) -> date:
    if not isinstance(value, time.struct_time):
        raise InvalidDate(f"{text!r} is not an EDTF date: it has no day bounds")
    _check_year(text, value.tm_year)
    try:
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    except ValueError:
        raise InvalidDate(f"{text!r} is not a valid date: it names no calendar day") from None


def _unspecified_bounds(text: str, year: str, month: str | None, day: str | None) -> _Bounds:
    """Bounds of a date with unspecified digits: the first and last real day that it matches."""
    if month is not None and "X" not in month and not 1 <= int(month) <= 12:
        if day is None and int(month) >= _SPRING:
            raise InvalidDate(f"{text!r} is not supported: a season with unspecified digits")
        raise InvalidDate(f"{text!r} is not a valid date: month {month} is out of range")
    if "X" not in year:
        _check_year(text, int(year))
    years = _matching(year, range(_MIN_YEAR, _MAX_YEAR + 1))
    months = _matching(month, range(1, 13))
    earliest = _first_day(years, months, day)
    if earliest is None:
        raise InvalidDate(f"{text!r} is not a valid date: no calendar day matches it")
    latest = _first_day(years[::-1], months[::-1], day, last=True)
    assert latest is not None  # a day matched going forward, so one matches going backward
    return _Bounds(earliest, latest)


def _matching(pattern: str | None, candidates: range) -> list[int]:
    """The candidates whose zero-padded digits match `pattern` (X: any digit; None: all)."""
    if pattern is None:
        return list(candidates)
    return [
        number
        for number in candidates
        if all(p in ("X", d) for p, d in zip(pattern, f"{number:0{len(pattern)}d}", strict=True))
    ]


def _first_day(
    years: list[int], months: list[int], day: str | None, *, last: bool = False
) -> date | None:
    """The first real day, in the order of `years` and `months`, whose day matches `day`.

    With `last`, days within a month are taken from the end, for a search backward in time.
    """
    # Matched once per month length, so a pattern matching no day (`XXXX-02-3X`) stays cheap.
    days_by_length = {length: _matching(day, range(1, length + 1)) for length in (28, 29, 30, 31)}
    for year in years:
        for month in months:
            days = days_by_length[calendar.monthrange(year, month)[1]]
            if days:
                return date(year, month, days[-1] if last else days[0])
    return None


def _unrecognised(text: str, part: str, *, allow_time: bool) -> str:
    """The message for a string our grammar does not match, naming the reason when it can."""
    if part.startswith("Y"):
        return f"{text!r} is not supported: years with a 'Y' prefix, {_UNSUPPORTED_YEARS}"
    if re.match(r"[0-9]{5}", part):
        return f"{text!r} is not supported: years of five digits or more, {_UNSUPPORTED_YEARS}"
    if re.match(r"-[0-9X]{4}", part):
        return f"{text!r} is not supported: negative years, {_UNSUPPORTED_YEARS}"
    if part[:1] in ("[", "{"):
        return f"{text!r} is not supported: sets of dates are EDTF level 2"
    if any(q in part[:-1] for q in "?~%"):
        return f"{text!r} is not supported: a qualifier other than at the end is EDTF level 2"
    if "T" in part and not allow_time:
        return f"{text!r} is not supported: an interval side cannot have a time of day"
    return (
        f"{text!r} is not an EDTF date: expected YYYY, YYYY-MM or YYYY-MM-DD "
        "(optionally with a time, a qualifier ?, ~ or %, X digits), or an interval start/end"
    )
