"""The stream_objects projection: a row per instrument, measure, dialogue and dispute, read by the
objects' views (and through them every expanded reference of the API) at any knownAt.

A correction or a retraction recorded after knownAt must leave the object as it was then known;
the live rows must equal a rebuild's (the `store` fixture verifies that after every test)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from events.dates import parse
from events.projections.rebuild import rebuild
from events.projections.tables import FOREVER, NO_END, stream_objects
from events.store import EventStore
from events.views.objects import (
    DialogueView,
    DisputeView,
    InstrumentView,
    MeasureView,
    dialogues_by_stream,
    disputes_by_stream,
    instruments_by_stream,
    measures_by_stream,
)
from tests.factories import new
from tests.test_store import correction, retraction

INSTRUMENT = "instrument/accord"
MEASURE = "measure/chips"
DIALOGUE = "dialogue/talks"
DISPUTE = "dispute/ds1"
ALL = [INSTRUMENT, MEASURE, DIALOGUE, DISPUTE]


async def rows(store: EventStore) -> list[tuple[Any, ...]]:
    """Every stream_objects row: stream, fact columns and its recorded-time range."""
    table = stream_objects
    query = select(
        table.c.stream,
        table.c.title,
        table.c.kind,
        table.c.start_edtf,
        table.c.end_edtf,
        table.c.end_latest,
        table.c.details,
        table.c.rt_from,
        table.c.rt_to,
    ).order_by(table.c.stream, table.c.rt_from)
    async with store.engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]


async def seed(store: EventStore) -> Any:
    """One object of each kind, recorded together; returns each stream's first event."""
    recorded = await store.append(
        [
            new(
                INSTRUMENT,
                "InstrumentAdopted",
                "2019-06",
                title="Accord",
                kind="AGREEMENT",
                binding=True,
            ),
            new(INSTRUMENT, "PartyJoined", "2019-06-02", actor="USA", action="SIGN"),
            new(
                MEASURE,
                "MeasureImposed",
                "2019-05-15",
                title="Chip controls",
                kind="EXPORT_CONTROL",
                imposer="USA",
                targets=["CHN"],
            ),
            new(
                DIALOGUE,
                "DialogueEstablished",
                "2017-04",
                name="Talks",
                track="TRACK_I",
                parties=["USA", "CHN"],
            ),
            new(
                DISPUTE,
                "DisputeFiled",
                "2018-04-04",
                title="Tariffs",
                forum="WTO",
                complainants=["CHN"],
                respondents=["USA"],
            ),
        ],
        recorded_by="t",
    )
    return {event.stream: event for event in reversed(recorded)}


async def test_each_object_has_one_row_with_what_a_reference_shows(store: EventStore) -> None:
    await seed(store)
    found = await rows(store)
    assert [row[:5] for row in found] == [
        (DIALOGUE, "Talks", "TRACK_I", "2017-04", None),
        (DISPUTE, "Tariffs", "WTO", "2018-04-04", None),
        (INSTRUMENT, "Accord", "AGREEMENT", "2019-06", None),
        (MEASURE, "Chip controls", "EXPORT_CONTROL", "2019-05-15", None),
    ]
    assert all(row[5] == NO_END and row[8] == FOREVER for row in found)
    # A party joining leaves the instrument's row as it was: no new row, none closed.
    head = await store.head()
    await store.append(
        [new(INSTRUMENT, "PartyJoined", "2019-07", actor="CHN", action="SIGN")], recorded_by="t"
    )
    assert await rows(store) == found
    assert await instruments_by_stream(store.engine, ALL) == {
        INSTRUMENT: InstrumentView(INSTRUMENT, "Accord", "AGREEMENT", True, parse("2019-06"))
    }
    assert await measures_by_stream(store.engine, ALL) == {
        MEASURE: MeasureView(
            MEASURE,
            "Chip controls",
            "EXPORT_CONTROL",
            "USA",
            ("CHN",),
            parse("2019-05-15"),
            None,
            None,
        )
    }
    assert await dialogues_by_stream(store.engine, ALL) == {
        DIALOGUE: DialogueView(DIALOGUE, "Talks", "TRACK_I", ("USA", "CHN"), ())
    }
    assert await disputes_by_stream(store.engine, ALL) == {
        DISPUTE: DisputeView(
            DISPUTE, "Tariffs", "WTO", None, ("CHN",), ("USA",), None, None, parse("2018-04-04")
        )
    }
    assert head.recorded_at is not None
    # Known before the log held them: nothing.
    before = head.recorded_at.replace(year=2000)
    assert await instruments_by_stream(store.engine, ALL, before) == {}


async def test_a_correction_after_known_at_leaves_the_object_as_then_known(
    store: EventStore,
) -> None:
    first = await seed(store)
    known_then = (await store.head()).recorded_at
    assert known_then is not None
    await store.append(
        [
            correction(
                INSTRUMENT, first[INSTRUMENT].id, "2019-07-01", data={"title": "Accord (revised)"}
            ),
            correction(MEASURE, first[MEASURE].id, None, data={"targets": ["CHN", "HKG"]}),
            new(MEASURE, "MeasureLifted", "2023-04", effective="2023-03-31"),
            correction(DIALOGUE, first[DIALOGUE].id, None, data={"name": "Strategic talks"}),
            retraction(DISPUTE, first[DISPUTE].id),
        ],
        recorded_by="t",
    )
    now = await instruments_by_stream(store.engine, [INSTRUMENT])
    then = await instruments_by_stream(store.engine, [INSTRUMENT], known_then)
    assert now[INSTRUMENT].title == "Accord (revised)"
    assert now[INSTRUMENT].adopted == parse("2019-07-01")
    assert then[INSTRUMENT].title == "Accord"
    assert then[INSTRUMENT].adopted == parse("2019-06")
    measure_now = (await measures_by_stream(store.engine, [MEASURE]))[MEASURE]
    measure_then = (await measures_by_stream(store.engine, [MEASURE], known_then))[MEASURE]
    assert (measure_now.targets, measure_now.lifted) == (("CHN", "HKG"), parse("2023-03-31"))
    assert (measure_then.targets, measure_then.lifted) == (("CHN",), None)
    assert (await dialogues_by_stream(store.engine, [DIALOGUE]))[DIALOGUE].name == (
        "Strategic talks"
    )
    assert (await dialogues_by_stream(store.engine, [DIALOGUE], known_then))[
        DIALOGUE
    ].name == "Talks"
    # Retracted: gone now, still there as then known.
    assert await disputes_by_stream(store.engine, [DISPUTE]) == {}
    assert DISPUTE in await disputes_by_stream(store.engine, [DISPUTE], known_then)
    # The rows: each object's first row closed when the correction was recorded, the new one
    # open from then on (the dispute's closed with none after it).
    corrected_at = (await store.head()).recorded_at
    found = await rows(store)
    assert [(row[0], row[1], row[7] == known_then, row[8]) for row in found] == [
        (DIALOGUE, "Talks", True, corrected_at),
        (DIALOGUE, "Strategic talks", False, FOREVER),
        (DISPUTE, "Tariffs", True, corrected_at),
        (INSTRUMENT, "Accord", True, corrected_at),
        (INSTRUMENT, "Accord (revised)", False, FOREVER),
        (MEASURE, "Chip controls", True, corrected_at),
        (MEASURE, "Chip controls", False, FOREVER),
    ]
    assert found[-1][5] == date(2023, 3, 31)
    assert found[-1][6] == '{"imposer":"USA","targets":["CHN","HKG"],"respondsTo":null}'
    # A rebuild writes the same rows (the fixture's verify checks the same without writing).
    await rebuild(store.engine)
    assert await rows(store) == found
