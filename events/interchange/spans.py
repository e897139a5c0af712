"""An EDTF date as the tools outside see dates: a start and an end at the precision the date was
given in (year, month or day), never a made-up day (`2019-10` stays October 2019), and words
for people when the date is uncertain, approximate or a season."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from events import dates
from events.dates import MONTH_NAMES, Edtf

_SEASON = re.compile(r"\A([0-9]{4})-(2[1-4])[?~%]?\Z")
_SEASON_NAMES = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}


@dataclass(frozen=True, slots=True)
class Day:
    """A year, a month of a year, or a day: a date at its precision."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def of(cls, day: date) -> Day:
        """The day `day`, at the precision of a day."""
        return cls(day.year, day.month, day.day)

    def iso(self) -> str:
        """ISO 8601 at the precision: `2024`, `2024-01`, `2024-01-27`."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def words(self) -> str:
        """In English: `2024`, `January 2024`, `27 January 2024`."""
        if self.month is None:
            return str(self.year)
        month = f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return month if self.day is None else f"{self.day} {month}"

    def first(self) -> date:
        """The first day it covers."""
        return date(self.year, self.month or 1, self.day or 1)

    def last(self) -> date:
        """The last day it covers."""
        if self.month is None:
            return date(self.year, 12, 31)
        if self.day is None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class Span:
    """Where a date starts and, when it covers more than one unit, where it ends."""

    start: Day
    end: Day | None


def span(value: Edtf) -> Span | None:
    """The span of `value`; None when neither side is known (`../..`)."""
    text = value.edtf
    if "/" not in text:
        return _unit(value.earliest, value.latest)
    left, right = (_side(part) for part in text.split("/", 1))
    if left is None:
        return right  # `../2024-01`: only the end is known, shown as the date it is
    if right is None:
        return Span(left.start, None)  # `2024-01/..`: from then on
    end = right.end or right.start
    return Span(left.start, None if end == left.start else end)


def words(value: Edtf) -> str:
    """The date in English for a caption: `c. October 2022`, `May 2024?`, `Spring 2024`,
    `26 January 2024 to 27 January 2024`, `from 2024`."""
    season = _SEASON.match(value.edtf)
    found = span(value)
    if season is not None:
        text = f"{_SEASON_NAMES[int(season.group(2))]} {season.group(1)}"
    elif found is None:
        text = "date unknown"
    elif "/" in value.edtf and value.edtf.endswith(("/..", "/")):
        text = f"from {found.start.words()}"
    elif "/" in value.edtf and value.edtf.startswith(("../", "/")):
        text = f"by {found.start.words()}"
    else:
        text = found.start.words() + (f" to {found.end.words()}" if found.end else "")
    if value.approximate:
        text = f"c. {text}"
    if value.uncertain:
        text = f"{text}?"
    return text


def plain(value: Edtf) -> bool:
    """Whether `value` says no more than its span does: no qualifier, season, unspecified digit
    or open end, so that a tool's own rendering of the span is faithful."""
    return (
        not value.uncertain
        and not value.approximate
        and "X" not in value.edtf
        and _SEASON.match(value.edtf) is None
        and ".." not in value.edtf
        and not value.edtf.startswith("/")
        and not value.edtf.endswith("/")
    )


def _side(text: str) -> Span | None:
    if text in ("", ".."):
        return None
    bounds = dates.parse(text)
    return _unit(bounds.earliest, bounds.latest)


def _unit(earliest: date, latest: date) -> Span:
    """The coarsest precision at which [earliest, latest] is whole units."""
    if (earliest.month, earliest.day) == (1, 1) and (latest.month, latest.day) == (12, 31):
        start, end = Day(earliest.year), Day(latest.year)
    elif earliest.day == 1 and latest.day == calendar.monthrange(latest.year, latest.month)[1]:
        start, end = Day(earliest.year, earliest.month), Day(latest.year, latest.month)
    else:
        start = Day(earliest.year, earliest.month, earliest.day)
        end = Day(latest.year, latest.month, latest.day)
    return Span(start, None if end == start else end)
