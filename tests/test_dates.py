"""Tests of events.dates: EDTF parsing to day bounds, and the as-of rule."""

import calendar
import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.dates import (
    Edtf,
    InvalidDate,
    certainly_in_effect,
    is_valid,
    overlaps,
    parse,
    possibly_in_effect,
    sort_key,
)
from tests import profiles
from tests.hostile_input import edtf_strings

MIN = date.min
MAX = date.max


def d(text: str) -> date:
    return date.fromisoformat(text)


# Every level 0 and level 1 example of the EDTF specification (Library of Congress, 2019) that
# this module supports, with its earliest and latest day.
SPEC_EXAMPLES = [
    # Level 0: dates
    ("1985-04-12", "1985-04-12", "1985-04-12"),
    ("1985-04", "1985-04-01", "1985-04-30"),
    ("1985", "1985-01-01", "1985-12-31"),
    # Level 0: date and time, bounded by the day as written
    ("1985-04-12T23:20:30", "1985-04-12", "1985-04-12"),
    ("1985-04-12T23:20:30Z", "1985-04-12", "1985-04-12"),
    ("1985-04-12T23:20:30-04:00", "1985-04-12", "1985-04-12"),
    ("1985-04-12T23:20:30+04:00", "1985-04-12", "1985-04-12"),
    # Level 0: intervals
    ("1964/2008", "1964-01-01", "2008-12-31"),
    ("2004-06/2006-08", "2004-06-01", "2006-08-31"),
    ("2004-02-01/2005-02-08", "2004-02-01", "2005-02-08"),
    ("2004-02-01/2005-02", "2004-02-01", "2005-02-28"),
    ("2004-02-01/2005", "2004-02-01", "2005-12-31"),
    ("2005/2006-02", "2005-01-01", "2006-02-28"),
    # Level 1: seasons; winter runs from December to the end of February of the next year
    ("2001-21", "2001-03-01", "2001-05-31"),
    ("2001-22", "2001-06-01", "2001-08-31"),
    ("2001-23", "2001-09-01", "2001-11-30"),
    ("2001-24", "2001-12-01", "2002-02-28"),
    # Level 1: qualification
    ("1984?", "1984-01-01", "1984-12-31"),
    ("2004-06~", "2004-06-01", "2004-06-30"),
    ("2004-06-11%", "2004-06-11", "2004-06-11"),
    # Level 1: unspecified digits
    ("201X", "2010-01-01", "2019-12-31"),
    ("20XX", "2000-01-01", "2099-12-31"),
    ("2004-XX", "2004-01-01", "2004-12-31"),
    ("1985-04-XX", "1985-04-01", "1985-04-30"),
    ("1985-XX-XX", "1985-01-01", "1985-12-31"),
    # Level 1: extended intervals, open (..) and unknown (empty) ends
    ("1985-04-12/..", "1985-04-12", "9999-12-31"),
    ("1985-04/..", "1985-04-01", "9999-12-31"),
    ("1985/..", "1985-01-01", "9999-12-31"),
    ("../1985-04-12", "0001-01-01", "1985-04-12"),
    ("../1985-04", "0001-01-01", "1985-04-30"),
    ("../1985", "0001-01-01", "1985-12-31"),
    ("1985-04-12/", "1985-04-12", "9999-12-31"),
    ("1985-04/", "1985-04-01", "9999-12-31"),
    ("1985/", "1985-01-01", "9999-12-31"),
    ("/1985-04-12", "0001-01-01", "1985-04-12"),
    ("/1985-04", "0001-01-01", "1985-04-30"),
    ("/1985", "0001-01-01", "1985-12-31"),
    # Level 1: qualified intervals
    ("1984~/2004-06", "1984-01-01", "2004-06-30"),
    ("1984/2004-06~", "1984-01-01", "2004-06-30"),
    ("1984?/2004%", "1984-01-01", "2004-12-31"),
    ("2004-06~/2004-08?", "2004-06-01", "2004-08-31"),
]


@pytest.mark.parametrize(("text", "earliest", "latest"), SPEC_EXAMPLES)
def test_spec_example_bounds(text: str, earliest: str, latest: str) -> None:
    value = parse(text)
    assert value.edtf == text
    assert value.earliest == d(earliest)
    assert value.latest == d(latest)


@pytest.mark.parametrize(
    ("text", "uncertain", "approximate"),
    [
        ("1985-04-12", False, False),
        ("1984?", True, False),
        ("2004-06~", False, True),
        ("2004-06-11%", True, True),
        ("1984~/2004-06", False, True),
        ("1984/2004-06~", False, True),
        ("1984?/2004%", True, True),
        ("2004-06~/2004-08?", True, True),
        ("201X?", True, False),
    ],
)
def test_qualification_flags(text: str, uncertain: bool, approximate: bool) -> None:
    value = parse(text)
    assert value.uncertain is uncertain
    assert value.approximate is approximate


@pytest.mark.parametrize("text", ["Y170000002", "Y-170000002", "-1985", "0000", "Y17E7"])
def test_years_outside_1_to_9999_are_not_supported(text: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse(text)
    message = str(raised.value)
    assert repr(text) in message
    assert "not supported" in message
    assert "only years 1 to 9999 are supported" in message


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2003-24", "2003-12-01", "2004-02-29"),  # winter into a leap February
        ("1899-24", "1899-12-01", "1900-02-28"),  # 1900 is not a leap year
        ("2024-21", "2024-03-01", "2024-05-31"),
        ("0001-21", "0001-03-01", "0001-05-31"),
        ("2001-21/2002-24", "2001-03-01", "2003-02-28"),
    ],
)
def test_season_bounds(text: str, earliest: str, latest: str) -> None:
    value = parse(text)
    assert (value.earliest, value.latest) == (d(earliest), d(latest))


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        # Sides that overlap are accepted: the end may still fall on or after the start.
        ("2024/2024-01-15", "2024-01-01", "2024-01-15"),
        ("2024-01-15/2024-01", "2024-01-15", "2024-01-31"),
        ("2024-01-15/2024-01-15", "2024-01-15", "2024-01-15"),
        ("2024-01-2X/2024-01-20", "2024-01-20", "2024-01-20"),
    ],
)
def test_interval_whose_end_may_follow_its_start(text: str, earliest: str, latest: str) -> None:
    value = parse(text)
    assert (value.earliest, value.latest) == (d(earliest), d(latest))


def test_winter_of_9999_is_not_supported() -> None:
    with pytest.raises(InvalidDate, match=r"'9999-24' is not supported: winter 9999 ends in 10000"):
        parse("9999-24")


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2024-01-2X", "2024-01-20", "2024-01-29"),
        ("2023-02-2X", "2023-02-20", "2023-02-28"),
        ("2024-02-2X", "2024-02-20", "2024-02-29"),
        ("2024-04-3X", "2024-04-30", "2024-04-30"),
        ("2024-1X", "2024-10-01", "2024-12-31"),
        ("2024-0X", "2024-01-01", "2024-09-30"),
        ("2024-XX-XX", "2024-01-01", "2024-12-31"),
        ("2024-XX-31", "2024-01-31", "2024-12-31"),
        ("156X-12-25", "1560-12-25", "1569-12-25"),
        ("15XX-12-XX", "1500-12-01", "1599-12-31"),
        ("XXXX", "0001-01-01", "9999-12-31"),
        ("XXXX-XX-XX", "0001-01-01", "9999-12-31"),
        ("000X", "0001-01-01", "0009-12-31"),
        ("XXXX-02-29", "0004-02-29", "9996-02-29"),
        ("1XXX-XX", "1000-01-01", "1999-12-31"),
        ("201X/2020", "2010-01-01", "2020-12-31"),
        ("2024-01-2X/..", "2024-01-20", "9999-12-31"),
        ("2024-01-2X~", "2024-01-20", "2024-01-29"),
    ],
)
def test_unspecified_digits(text: str, earliest: str, latest: str) -> None:
    value = parse(text)
    assert (value.earliest, value.latest) == (d(earliest), d(latest))


@pytest.mark.parametrize(
    "text", ["2024-02-3X", "2023-02-29/2024-02-3X", "XXXX-02-3X", "2024-2X", "2024-13-XX"]
)
def test_unspecified_digits_matching_no_day_are_rejected(text: str) -> None:
    with pytest.raises(InvalidDate, match=rf"^{text!r} is not a valid date: "):
        parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", "day 29 is out of range for February 2023"),
        ("2021-04-31", "day 31 is out of range for April 2021"),
        ("2024-13", "month 13 is out of range"),
        ("2024-00", "month 00 is out of range"),
        ("2024-01-32", "day 32 is out of range for January 2024"),
        ("2024-02-30", "day 30 is out of range for February 2024"),
        ("1900-02-29", "day 29 is out of range for February 1900"),
        ("2024-00-10", "month 00 is out of range"),
        ("2024-01-00", "day 0 is out of range for January 2024"),
        ("2023-02-29T10:00:00Z", "day 29 is out of range for February 2023"),
        ("2023-02-29/2024", "day 29 is out of range for February 2023"),
        ("2020/2023-02-29~", "day 29 is out of range for February 2023"),
    ],
)
def test_invalid_calendar_dates_are_rejected(text: str, message: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse(text)
    assert str(raised.value) == f"{text!r} is not a valid date: {message}"


def test_invalid_date_message_matches_the_contract_example() -> None:
    with pytest.raises(InvalidDate) as raised:
        parse("2023-02-29")
    assert str(raised.value) == (
        "'2023-02-29' is not a valid date: day 29 is out of range for February 2023"
    )


@pytest.mark.parametrize("text", ["2024-02-29", "2000-02-29", "2024-02-29T00:00:00Z"])
def test_leap_days_are_accepted(text: str) -> None:
    value = parse(text)
    assert value.earliest == value.latest == date(int(text[:4]), 2, 29)


@pytest.mark.parametrize("base", ["2024", "2024-05", "2024-05-17", "201X", "2024-01-2X"])
@pytest.mark.parametrize("qualifier", ["?", "~", "%"])
def test_qualifiers_do_not_widen_bounds(base: str, qualifier: str) -> None:
    plain = parse(base)
    qualified = parse(base + qualifier)
    assert (qualified.earliest, qualified.latest) == (plain.earliest, plain.latest)
    assert qualified.uncertain is (qualifier in "?%")
    assert qualified.approximate is (qualifier in "~%")
    assert not plain.uncertain
    assert not plain.approximate


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\t",
        " 2024",
        "2024 ",
        "2024\n",
        "2024-1-1",
        "24-01-01",
        "2024/01/02",
        "2024//2025",
        "hello",
        "2024-01-01/2023-12-31",
        "2024-06/2024-05-XX",
        "/",
        "../..",
        "/..",
        "../",
        "..",
        "2024-01-27 10:00:00",
        "2024-01-27t10:00:00Z",
        "2024-01-27T25:00:00",
        "2024-01-27T10:00",
        "2024-01-27T10:00:00.5Z",
        "2024-01-27T10:00:00/2025",
        "2024-01-27T10:00:00?",
        "\uff12\uff10\uff12\uff14",  # 2024 in fullwidth digits, which a \d pattern would match
        "\u0662\u0660\u0662\u0664",  # 2024 in Arabic-Indic digits
        "2024-01-01?~",
        "2001-21?",
        "20241",
        "2024-",
        "2024-01-",
        # level 2 only
        "2004-06~-11",
        "2004?-06-11",
        "?2004-06-11",
        "2004-?06-11",
        "[1667,1668,1670..1672]",
        "[..1760-12-03]",
        "{1667,1668}",
        "Y17E7",
        "1950S2",
        "2001-25",
        "2001-32",
        "2001-41",
        "201X-21",
        "2001-42",
        "2001-13",
        "2001-20",
    ],
)
def test_garbage_is_rejected_with_a_message(text: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse(text)
    message = str(raised.value)
    assert message.startswith(f"{text!r} is not ")
    assert len(message) > len(f"{text!r} is not ") + 10
    assert not is_valid(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        (" ", "empty"),
        (" 2024", "whitespace"),
        ("2024-01-01/2023-12-31", "end is before its start"),
        ("2004-06~-11", "EDTF level 2"),
        ("[1667,1668]", "EDTF level 2"),
        ("{1667,1668}", "EDTF level 2"),
        ("2001-25", "EDTF level 2"),
        ("2024-01-27T10:00:00/2025", "time of day"),
        ("../..", "at least one date"),
        ("2024/01/02", "write it with hyphens, as ISO 8601 and EDTF write it: 2024-01-02"),
        ("2024/01/02/03", "exactly one '/'"),
        # The usual mistakes of spreadsheets, named with the form to write.
        ("16/03/2023", "a day-first date (DD/MM/YYYY); write it year first, as ISO 8601"),
        ("16.03.2023", "day-first date (DD.MM.YYYY)"),
        (
            "03/16/2023",
            "a US date (MM/DD/YYYY); write it year first, as ISO 8601 and EDTF write "
            "it: 2023-03-16",
        ),
        ("04/05/2023", "2023-05-04 (day-first, DD/MM/YYYY) or 2023-04-05 (US, MM/DD/YYYY)"),
        ("16/03/23", "two-digit year"),
        ("45001", "an Excel serial day number (45001 is 2023-03-16)"),
        ("2019-07-04?~", "the combined qualifier %: 2019-07-04%"),
        ("2019-07-04~?", "the combined qualifier %: 2019-07-04%"),
        ("2019-07~~", "write the qualifier once: 2019-07~"),
    ],
)
def test_rejection_messages_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse(text)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("value", [None, 2024, 2024.0, b"2024", date(2024, 1, 1), ["2024"], {}])
def test_non_strings_are_rejected(value: object) -> None:
    with pytest.raises(InvalidDate, match="expected a string"):
        parse(value)  # type: ignore[arg-type]
    assert not is_valid(value)  # type: ignore[arg-type]


def test_invalid_date_is_a_value_error() -> None:
    assert issubclass(InvalidDate, ValueError)


@pytest.mark.parametrize("text", ["2024-01-27", "2019-10~", "2024-01/..", "2024-21", "2024-01-2X"])
def test_is_valid_accepts_supported_dates(text: str) -> None:
    assert is_valid(text)


def test_parse_is_cached() -> None:
    assert parse("2024-01-27") is parse("2024-01-27")
    # A string built at run time, equal but not identical, hits the same cache entry.
    assert parse("-".join(["2024", "01", "27"])) is parse("2024-01-27")


def test_edtf_is_frozen() -> None:
    value = parse("2024-01-27")
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.latest = date(2024, 1, 28)  # type: ignore[misc]


def test_edtf_keeps_the_original_string() -> None:
    assert parse("2004-06~/2004-08?").edtf == "2004-06~/2004-08?"
    assert parse("1985-04-12T23:20:30-04:00").edtf == "1985-04-12T23:20:30-04:00"


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("2024-01-27", True),
        ("2024-01-27T10:00:00Z", True),
        ("2024-01-27/2024-01-27", True),
        ("2024-01-27?", False),
        ("2024-01-27~", False),
        ("2024-01-27%", False),
        ("2024-01", False),
        ("2024-01-2X", False),
        ("2024-01-27/..", False),
    ],
)
def test_exact(text: str, exact: bool) -> None:
    assert parse(text).exact is exact


# The as-of rule, as (start, end, day, possibly, certainly); end None means the fact has no end.
AS_OF_CASES = [
    # an instrument joined some day of October 2019, with no end
    ("2019-10", None, "2019-09-30", False, False),
    ("2019-10", None, "2019-10-01", True, False),  # start.earliest == day counts
    ("2019-10", None, "2019-10-15", True, False),
    ("2019-10", None, "2019-10-30", True, False),
    ("2019-10", None, "2019-10-31", True, True),  # start.latest == day counts
    ("2019-10", None, "2019-11-01", True, True),
    ("2019-10", None, "9999-12-31", True, True),
    # ... and left some day of March 2021
    ("2019-10", "2021-03", "2021-02-28", True, True),
    ("2019-10", "2021-03", "2021-03-01", True, False),  # end.earliest == day: maybe ended
    ("2019-10", "2021-03", "2021-03-15", True, False),
    ("2019-10", "2021-03", "2021-03-30", True, False),
    ("2019-10", "2021-03", "2021-03-31", False, False),  # end.latest == day does not count
    ("2019-10", "2021-04", "2021-04-01", True, False),
    ("2019-10", "2021-03", "2021-04-01", False, False),
    # exact days: in effect from the start day, up to but not on the end day
    ("2020-01-01", "2020-06-30", "2019-12-31", False, False),
    ("2020-01-01", "2020-06-30", "2020-01-01", True, True),
    ("2020-01-01", "2020-06-30", "2020-06-29", True, True),
    ("2020-01-01", "2020-06-30", "2020-06-30", False, False),
    # qualifiers do not change the rule
    ("2019-10~", "2021-03?", "2019-10-15", True, False),
    ("2019-10~", "2021-03?", "2020-06-01", True, True),
    # an end known only to be from 2030 on: it may last forever, but is sure only until 2030
    ("2019-10", "2030/..", "2029-12-31", True, True),
    ("2019-10", "2030/..", "2030-01-01", True, False),
    ("2019-10", "2030/..", "9999-12-30", True, False),
    ("2019-10", "2030/", "2100-01-01", True, False),
    # an end known only to be by 2030: never sure, possible until the end of 2030
    ("2019-10", "../2030", "2019-11-01", True, False),
    ("2019-10", "../2030", "2030-12-30", True, False),
    ("2019-10", "../2030", "2030-12-31", False, False),
    # a start known only to be by 2019
    ("../2019", None, "0001-01-01", True, False),
    ("../2019", None, "2019-12-30", True, False),
    ("../2019", None, "2019-12-31", True, True),
    ("/2019", "2025", "2024-12-31", True, True),
    # unspecified digits
    ("2024-01-2X", None, "2024-01-19", False, False),
    ("2024-01-2X", None, "2024-01-20", True, False),
    ("2024-01-2X", None, "2024-01-29", True, True),
    # seasons: winter 2019 may run until the end of February 2020
    ("2019-10", "2019-24", "2019-11-30", True, True),
    ("2019-10", "2019-24", "2019-12-01", True, False),
    ("2019-10", "2019-24", "2020-02-28", True, False),
    ("2019-10", "2019-24", "2020-02-29", False, False),
]


@pytest.mark.parametrize(("start", "end", "day", "possibly", "certainly"), AS_OF_CASES)
def test_as_of_rule(start: str, end: str | None, day: str, possibly: bool, certainly: bool) -> None:
    start_value = parse(start)
    end_value = None if end is None else parse(end)
    assert possibly_in_effect(start_value, end_value, d(day)) is possibly
    assert certainly_in_effect(start_value, end_value, d(day)) is certainly


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("2024-01", None, None, True),
        ("2024-01", "2024-01-31", None, True),
        ("2024-01", "2024-02-01", None, False),
        ("2024-01", None, "2024-01-01", True),
        ("2024-01", None, "2023-12-31", False),
        ("2024-01", "2024-01-10", "2024-01-12", True),  # inside
        ("2023-12", "2024-01-01", "2024-12-31", False),  # just before
        ("2025-01", "2024-01-01", "2024-12-31", False),  # just after
        ("2024-01", "2023-01-01", "2025-01-01", True),  # covers it
        ("2024-01-31", "2024-01-31", "2024-01-31", True),
        ("2024-01-31", "2024-02-01", "2024-02-02", False),
        ("2020/..", "9000-01-01", None, True),
        ("2020/..", None, "2019-12-31", False),
        ("../2020", None, "0001-01-01", True),
        ("../2020", "2021-01-01", None, False),
        ("2019-24", "2020-02-01", "2020-02-10", True),
        ("201X", "2019-12-31", "2030-01-01", True),
        ("201X", "2020-01-01", "2030-01-01", False),
    ],
)
def test_overlaps(text: str, start: str | None, end: str | None, expected: bool) -> None:
    start_day = None if start is None else d(start)
    end_day = None if end is None else d(end)
    assert overlaps(parse(text), start_day, end_day) is expected


def test_sort_key_is_earliest_then_latest() -> None:
    assert sort_key(parse("2019-24")) == (date(2019, 12, 1), date(2020, 2, 29))
    assert sort_key(parse("../1990")) == (MIN, date(1990, 12, 31))
    assert sort_key(parse("1990/..")) == (date(1990, 1, 1), MAX)


def test_sort_key_orders_chronologically() -> None:
    expected = [
        "../1990",
        "1990-01-01",
        "1990-01",
        "1990",
        "1990-21",
        "1990-06",
        "1990-24",
        "1991/..",
    ]
    shuffled = [expected[i] for i in (5, 2, 7, 0, 4, 1, 6, 3)]
    assert sorted(shuffled, key=lambda text: sort_key(parse(text))) == expected


@settings(database=None)
@given(st.dates())
def test_any_day_parses_to_itself(day: date) -> None:
    value = parse(day.isoformat())
    assert value.earliest == value.latest == day
    assert value.exact


@settings(database=None)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_any_month_spans_the_whole_month(year: int, month: int) -> None:
    value = parse(f"{year:04d}-{month:02d}")
    assert value.earliest == date(year, month, 1)
    assert value.latest == date(year, month, calendar.monthrange(year, month)[1])


def _parses_or_is_invalid(text: str) -> None:
    try:
        value = parse(text)
    except InvalidDate as error:
        assert str(error)
    else:
        assert isinstance(value, Edtf)
        assert value.earliest <= value.latest
        assert value.edtf == text


@settings(database=None)
@given(st.text())
def test_random_text_raises_only_invalid_date(text: str) -> None:
    _parses_or_is_invalid(text)


@settings(database=None, max_examples=500)
@given(st.text(alphabet="0123456789X-/?~%.TZ:+Y[]{},ES ", max_size=25))
def test_random_edtf_like_text_raises_only_invalid_date(text: str) -> None:
    _parses_or_is_invalid(text)


# --- fuzzing (docs/fuzzing.md) --------------------------------------------------------------------

EDTF_EXAMPLES = profiles.EDTF_FUZZ.value()


@settings(database=None, max_examples=EDTF_EXAMPLES, deadline=None)
@given(edtf_strings())
def test_edtf_shaped_strings_parse_or_raise_invalid_date_naming_them(text: str) -> None:
    try:
        value = parse(text)
    except InvalidDate as error:
        assert str(error).startswith(repr(text)), error  # the message names the input
    else:
        assert value.edtf == text
        assert value.earliest <= value.latest


@settings(database=None, max_examples=EDTF_EXAMPLES, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 99), st.integers(0, 99), st.sampled_from("?~%"))
def test_a_day_parses_exactly_when_the_calendar_has_it(
    year: int, month: int, day: int, qualifier: str
) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        real = date(year, month, day)
    except ValueError:
        real = None
    for written in (text, text + qualifier, f"{text}/..", f"../{text}"):
        if real is None:
            with pytest.raises(InvalidDate, match=r"is not (a valid date|supported)"):
                parse(written)
        else:
            value = parse(written)
            assert real in (value.earliest, value.latest)


@settings(database=None, deadline=None)
@given(st.integers(1, 9998), st.integers(13, 99))
def test_only_the_four_level_1_seasons_parse(year: int, month: int) -> None:
    text = f"{year:04d}-{month:02d}"
    if 21 <= month <= 24:
        assert parse(text).earliest.year == year
    else:
        with pytest.raises(InvalidDate, match=r"is not (a valid date|supported)"):
            parse(text)
