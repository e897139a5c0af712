"""Memberships and measures in effect at a date by strata of length (events/projections/tables.py
`span_stratum`, events/views/axes.py `in_effect_by_span`): the seeks per stratum find exactly the
rows a plain `since <= D < until` filter finds, at every edge of every stratum, for rows from
one day long to open-ended ones, and near the first and last days of the calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from events.projections.tables import NO_END, SPAN_STRATA, span_stratum
from events.store import EventStore
from events.types import NewEvent
from events.views.relation import instrument_standings, relation
from tests.factories import new


@pytest.mark.parametrize(
    ("days", "stratum"),
    [(-5, 0), (0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (1024, 10), (1025, 11)],
)
def test_a_stratum_is_the_least_power_of_two_days_the_length_fits_in(
    days: int, stratum: int
) -> None:
    since = date(2000, 1, 1)
    assert span_stratum(since, since + timedelta(days=days)) == stratum


def test_every_length_of_the_calendar_has_a_stratum() -> None:
    assert span_stratum(date.min, NO_END) == SPAN_STRATA[-1]
    assert span_stratum(date(2024, 2, 19), NO_END) in SPAN_STRATA


# (since, until) of each membership of USA, one instrument each: every stratum from a day to
# open-ended, at the edges of the calendar too.
SPANS = [
    (date(2000, 1, 1), date(2000, 1, 2)),  # 1 day
    (date(2000, 1, 1), date(2000, 1, 3)),  # 2 days
    (date(2000, 1, 1), date(2000, 1, 4)),  # 3 days
    (date(2000, 1, 1), date(2000, 1, 5)),  # 4 days
    (date(2000, 1, 1), date(2000, 4, 10)),  # 100 days
    (date(1990, 3, 1), date(2000, 1, 1)),
    (date(1800, 1, 1), date(2001, 1, 1)),
    (date(1, 1, 1), date(2, 1, 1)),
    (date(1, 1, 1), date(9000, 1, 1)),
    (date(9999, 1, 1), date(9999, 12, 31)),
    (date(2000, 6, 1), None),  # open-ended
    (date(1, 1, 2), None),
]


def span_events() -> list[NewEvent]:
    """An instrument per membership of SPANS, USA its only party, and a measure of USA on
    CHN per span."""
    events: list[NewEvent] = []
    for number, (since, until) in enumerate(SPANS):
        stream = f"instrument/span-{number}"
        events.append(
            new(
                stream,
                "InstrumentAdopted",
                since.isoformat(),
                title=f"Instrument {number}",
                kind="AGREEMENT",
                parties=[{"actor": "USA", "action": "SIGN"}],
            )
        )
        if until is not None:
            events.append(new(stream, "InstrumentTerminated", until.isoformat()))
        events.append(_imposed(number, since))
        if until is not None:
            events.append(new(f"measure/span-{number}", "MeasureLifted", until.isoformat()))
    return events


def _imposed(number: int, since: date) -> NewEvent:
    """The measure of USA on CHN of SPANS[number], from `since`."""
    return new(
        f"measure/span-{number}",
        "MeasureImposed",
        since.isoformat(),
        title=f"Measure {number}",
        kind="SANCTION",
        imposer="USA",
        targets=["CHN"],
    )


def _edges() -> list[date]:
    days = {date.min, date(9999, 12, 31)}
    for since, until in SPANS:
        for day in (since, until or NO_END):
            for shift in (-1, 0, 1):
                ordinal = day.toordinal() + shift
                if 1 <= ordinal <= date.max.toordinal():
                    days.add(date.fromordinal(ordinal))
    return sorted(days)


async def test_the_seeks_per_stratum_find_every_membership_and_measure_in_effect(
    store: EventStore,
) -> None:
    await store.append(span_events(), recorded_by="t")
    for day in _edges():
        standings = await instrument_standings(store.engine, "USA", "CHN", day)
        found = {item.instrument for item in standings.only_a}
        expected = {
            f"instrument/span-{number}"
            for number, (since, until) in enumerate(SPANS)
            if since <= day < (until or NO_END)  # an open end is date.max, itself excluded
        }
        assert found == expected, day
        view = await relation(store.engine, "USA", "CHN", day)
        measures = {m.measure.replace("measure/", "instrument/") for m in view.measures_in_force}
        assert measures == expected, day


async def test_the_open_stratum_is_sought_by_what_was_known_then(store: EventStore) -> None:
    # A meeting scheduled and a measure imposed per span, open-ended as first recorded; held
    # and lifted in a later append, which closes the open rows (rt_to) and opens rows with an
    # end. Known between the two appends, every one is open from its start; known now, each
    # has its end: the open stratum's seek by rt_to (events.views.axes
    # `in_effect_by_span_known`) must find exactly these, at every edge of every stratum.
    first: list[NewEvent] = []
    later: list[NewEvent] = []
    for number, (since, until) in enumerate(SPANS):
        plan, measure = f"meeting/span-{number}", f"measure/span-{number}"
        first.append(
            new(
                plan,
                "MeetingScheduled",
                since.isoformat(),
                title="Talks",
                participants=["USA", "CHN"],
            )
        )
        first.append(_imposed(number, since))
        if until is not None:
            held = new(
                plan, "MeetingHeld", until.isoformat(), title="Talks", participants=["USA", "CHN"]
            )
            later += [held, new(measure, "MeasureLifted", until.isoformat())]
    # Stamped as a restored log is, so that the instant between the two is certain.
    for events, stamp in (
        (first, datetime(2020, 1, 1, tzinfo=UTC)),
        (later, datetime(2021, 1, 1, tzinfo=UTC)),
    ):
        stamped = [event.model_copy(update={"recorded_at": stamp}) for event in events]
        await store.append(stamped, recorded_by="t")
    between = datetime(2020, 6, 1, tzinfo=UTC)
    for known_at, ended in ((between, False), (None, True)):
        for day in _edges():
            expected = {
                str(number)
                for number, (since, until) in enumerate(SPANS)
                if since <= day < ((until if ended else None) or NO_END)
            }
            view = await relation(store.engine, "USA", "CHN", day, known_at)
            assert {m.measure.removeprefix("measure/span-") for m in view.measures_in_force} == (
                expected
            ), (day, known_at)
            assert {u.removeprefix("meeting/span-") for u in view.upcoming} == expected, (
                day,
                known_at,
            )
