"""CSV import (docs/csv-import.md): one sheet per event type, columns derived from the models.

For every event type a filled-in template imports as the same event as its JSON form; broken
rows are reported with row, column and reason, and nothing is appended; the byte-order mark and
the `;` delimiter are handled; the `timeline csv` commands work as documented. The store tests
run on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from events.interchange.csv_import import (
    CsvImportFailed,
    column_letter,
    import_csv,
    read_sheet,
    sniff_delimiter,
)
from events.interchange.csv_layout import (
    BEGIN,
    END,
    event_row,
    example_row,
    layout,
    layout_markdown,
    row_json,
    write_template,
)
from events.interchange.jsonl import import_jsonl
from events.store import EventStore
from events.types import EVENT_TYPES, NewEvent, dumps, event_from_json
from tests.factories import actor, new

DOC = Path(__file__).resolve().parent.parent / "docs" / "csv-import.md"

# --- the log the rows refer to ------------------------------------------------------------------

HELD_ID = "6f1c2d3e-0000-4000-8000-000000000001"
STATEMENT_ID = "6f1c2d3e-0000-4000-8000-000000000002"


def base_log() -> list[NewEvent]:
    """Actors, and one stream of each kind, for the rows to name."""
    held = new(
        "meeting/apec-2023",
        "MeetingHeld",
        "2023-11-15",
        title="APEC summit",
        participants=["USA", "CHN"],
    )
    said = new("statement/s1", "StatementIssued", "2024-01-10", issuer="USA", summary="A remark.")
    return [
        actor("eu", "IGO"),
        actor("openai"),
        actor("jane", "PERSON", country="USA"),
        held.model_copy(update={"id": uuid.UUID(HELD_ID)}),
        new("meeting/plan", "MeetingScheduled", "2024-01", title="A plan", participants=["USA"]),
        new(
            "instrument/bletchley",
            "InstrumentAdopted",
            "2023-11-01",
            title="The Bletchley Declaration",
            kind="DECLARATION",
            parties=[{"actor": "GBR", "action": "ENDORSE"}],
        ),
        new(
            "measure/chips",
            "MeasureImposed",
            "2022-10-07",
            title="Advanced computing rule",
            kind="EXPORT_CONTROL",
            imposer="USA",
            targets=["CHN"],
        ),
        new(
            "dialogue/ai",
            "DialogueEstablished",
            "2023-11-15",
            name="AI talks",
            track="TRACK_I",
            parties=["USA", "CHN"],
        ),
        new(
            "dispute/ds590",
            "DisputeFiled",
            "2019-09-11",
            title="Export restrictions",
            forum="WTO",
            complainants=["KOR"],
            respondents=["JPN"],
        ),
        said.model_copy(update={"id": uuid.UUID(STATEMENT_ID)}),
    ]


# --- one filled-in row per event type, and the JSON form it stands for --------------------------

SOURCE_CELLS = {
    "source.url": "https://www.straitstimes.com/world/us-china-ai",
    "source.title": "US and China agree to talk about AI",
    "source.publisher": "The Straits Times",
    "source.published": "2024-02-19",
    "source.quote": "Washington and Beijing «agreed» to talk; risks: many",
    "source.accessed": "2024-02-20",
}
SOURCE_JSON = {
    "url": "https://www.straitstimes.com/world/us-china-ai",
    "title": "US and China agree to talk about AI",
    "publisher": "The Straits Times",
    "published": "2024-02-19",
    "quote": "Washington and Beijing «agreed» to talk; risks: many",
    "accessed": "2024-02-20",
}


@dataclass(frozen=True)
class Case:
    stream: str
    occurred: str
    cells: dict[str, str]  # the data columns
    data: dict[str, Any]  # the JSON `data` they stand for


NOTICE = {"actor": "GBR", "reason": "R"}
CLOSED = {"how": "WITHDRAWN", "reason": "R"}
CASES: dict[str, Case] = {
    "ActorRegistered": Case(
        "actor/tsinghua-ciss",
        "2019",
        {
            "name": "Center for International Security and Strategy",
            "kind": "ORGANIZATION",
            "aliases": "CISS; Tsinghua CISS",
            "country": "CHN",
            "wikidata": "Q106568384",
        },
        {
            "name": "Center for International Security and Strategy",
            "kind": "ORGANIZATION",
            "aliases": ["CISS", "Tsinghua CISS"],
            "country": "CHN",
            "wikidata": "Q106568384",
        },
    ),
    "ActorRenamed": Case(
        "actor/openai", "2024-01", {"name": "OpenAI Global"}, {"name": "OpenAI Global"}
    ),
    "MeetingScheduled": Case(
        "meeting/woodside",
        "2023-11-10",
        {
            "title": "Biden—Xi summit",
            "participants": "USA;CHN",
            "planned": "2023-11-15",
            "location.name": "Filoli estate, Woodside",
            "location.country": "USA",
        },
        {
            "title": "Biden—Xi summit",
            "participants": ["USA", "CHN"],
            "planned": "2023-11-15",
            "location": {"name": "Filoli estate, Woodside", "country": "USA"},
        },
    ),
    "MeetingPostponed": Case(
        "meeting/plan",
        "2024-01-20",
        {"reason": "Schedules", "planned": "2024-03?"},
        {"reason": "Schedules", "planned": "2024-03?"},
    ),
    "MeetingCancelled": Case("meeting/plan", "2024-02", {"reason": "No"}, {"reason": "No"}),
    "MeetingHeld": Case(
        "meeting/woodside",
        "2023-11-15",
        {
            "title": "Biden—Xi summit",
            "participants": "USA; CHN ;jane",
            "kind": "BILATERAL",
            "level": "HEAD_OF_STATE",
            "location.name": "Woodside",
            "location.country": "USA",
            "topics": "AI\\; military use;fentanyl;a\\\\b",
            "outcomes": "AI dialogue agreed",
            "sidelineOf": "meeting/apec-2023",
        },
        {
            "title": "Biden—Xi summit",
            "participants": ["USA", "CHN", "jane"],
            "kind": "BILATERAL",
            "level": "HEAD_OF_STATE",
            "location": {"name": "Woodside", "country": "USA"},
            "topics": ["AI; military use", "fentanyl", "a\\b"],
            "outcomes": ["AI dialogue agreed"],
            "sidelineOf": "meeting/apec-2023",
        },
    ),
    "InstrumentAdopted": Case(
        "instrument/woodside-statement",
        "2023-11-15",
        {
            "title": "Joint readout",
            "kind": "JOINT_STATEMENT",
            "binding": "FALSE",
            "adoptedAt": "meeting/apec-2023",
            "parties": "USA:SIGN; CHN : ENDORSE;eu:ACCEPT",
            "expires": "2030",
        },
        {
            "title": "Joint readout",
            "kind": "JOINT_STATEMENT",
            "binding": False,
            "adoptedAt": "meeting/apec-2023",
            "parties": [
                {"actor": "USA", "action": "SIGN"},
                {"actor": "CHN", "action": "ENDORSE"},
                {"actor": "eu", "action": "ACCEPT"},
            ],
            "expires": "2030",
        },
    ),
    "PartyJoined": Case(
        "instrument/bletchley",
        "2023-11-02",
        {"actor": "CHN", "action": "SIGN", "effective": "2023-11-01"},
        {"actor": "CHN", "action": "SIGN", "effective": "2023-11-01"},
    ),
    "PartyWithdrew": Case(
        "instrument/bletchley",
        "2024",
        {"actor": "GBR", "effective": "2024-06"},
        {"actor": "GBR", "effective": "2024-06"},
    ),
    "PartyNoticeGiven": Case(
        "instrument/bletchley",
        "2024-02",
        {"actor": "GBR", "effective": "2024-05", "reason": "R"},
        {"actor": "GBR", "effective": "2024-05", "reason": "R"},
    ),
    "PartyNoticeSuspended": Case("instrument/bletchley", "2024-03", NOTICE, NOTICE),
    "PartyNoticeRescinded": Case("instrument/bletchley", "2024-04", NOTICE, NOTICE),
    "PartySuspended": Case("instrument/bletchley", "2024-04", NOTICE, NOTICE),
    "PartyResumed": Case("instrument/bletchley", "2024-05", NOTICE, NOTICE),
    "InstrumentAmended": Case("instrument/bletchley", "2024", {"summary": "S"}, {"summary": "S"}),
    "InstrumentExtended": Case(
        "instrument/bletchley", "2024", {"expires": "2031/2032"}, {"expires": "2031/2032"}
    ),
    "InstrumentTerminated": Case("instrument/bletchley", "2025", {"reason": "R"}, {"reason": "R"}),
    "MeasureImposed": Case(
        "measure/entity-list",
        "2023-10-17",
        {
            "title": "Entity list additions",
            "kind": "ENTITY_LISTING",
            "imposer": "USA",
            "targets": "CHN;openai",
            "scope": "Advanced chips",
            "items": "A100;H800",
            "legalCitation": "88 FR 73458",
            "announced": "2023-10-17",
            "effective": "2023-11-16",
            "respondsTo": "measure/chips",
        },
        {
            "title": "Entity list additions",
            "kind": "ENTITY_LISTING",
            "imposer": "USA",
            "targets": ["CHN", "openai"],
            "scope": "Advanced chips",
            "items": ["A100", "H800"],
            "legalCitation": "88 FR 73458",
            "announced": "2023-10-17",
            "effective": "2023-11-16",
            "respondsTo": "measure/chips",
        },
    ),
    "MeasureAmended": Case(
        "measure/chips",
        "2023-10-17",
        {
            "summary": "Tightened",
            "scope": "More chips",
            "items": "H800",
            "targetsAdded": "openai",
            "targetsRemoved": "CHN",
            "effective": "2023-11",
        },
        {
            "summary": "Tightened",
            "scope": "More chips",
            "items": ["H800"],
            "targetsAdded": ["openai"],
            "targetsRemoved": ["CHN"],
            "effective": "2023-11",
        },
    ),
    "MeasureLifted": Case(
        "measure/chips",
        "2025",
        {"reason": "Deal", "effective": "2025-01"},
        {"reason": "Deal", "effective": "2025-01"},
    ),
    "DialogueEstablished": Case(
        "dialogue/track-ii",
        "2019",
        {
            "name": "Tsinghua—Brookings dialogue",
            "track": "TRACK_II",
            "parties": "USA;CHN",
            "convenors": "openai;eu",
            "topic": "AI in national security",
            "agreedAt": "meeting/apec-2023",
        },
        {
            "name": "Tsinghua—Brookings dialogue",
            "track": "TRACK_II",
            "parties": ["USA", "CHN"],
            "convenors": ["openai", "eu"],
            "topic": "AI in national security",
            "agreedAt": "meeting/apec-2023",
        },
    ),
    "DialogueRoundHeld": Case(
        "dialogue/ai",
        "2024-05-14",
        {
            "round": "1",
            "meeting": "meeting/apec-2023",
            "location.name": "Geneva",
            "location.country": "CHE",
            "summary": "First round",
        },
        {
            "round": 1,
            "meeting": "meeting/apec-2023",
            "location": {"name": "Geneva", "country": "CHE"},
            "summary": "First round",
        },
    ),
    "DialogueSuspended": Case(
        "dialogue/ai", "2024-07", {"reason": "R", "by": "CHN"}, {"reason": "R", "by": "CHN"}
    ),
    "DialogueResumed": Case("dialogue/ai", "2024-08", {"reason": "R"}, {"reason": "R"}),
    "DialogueEnded": Case("dialogue/ai", "2024-09", {"reason": "R"}, {"reason": "R"}),
    "StatementIssued": Case(
        "statement/zhou",
        "1954-06~",
        {
            "issuer": "CHN",
            "summary": "Zhōu Ēnlái (周恩来): «peaceful coexistence», 5 principles",
            "speaker": "jane",
            "about": "IND;USA",
            "kind": "SPEECH",
            "stance": "COOPERATIVE",
            "concerns": "dialogue/ai",
        },
        {
            "issuer": "CHN",
            "summary": "Zhōu Ēnlái (周恩来): «peaceful coexistence», 5 principles",
            "speaker": "jane",
            "about": ["IND", "USA"],
            "kind": "SPEECH",
            "stance": "COOPERATIVE",
            "concerns": "dialogue/ai",
        },
    ),
    "DisputeFiled": Case(
        "dispute/ds600",
        "2019-09-11",
        {
            "title": "Export restrictions",
            "forum": "WTO",
            "complainants": "KOR",
            "respondents": "JPN;eu",
            "caseNumber": "DS590",
            "subject": "Three chemicals",
            "concerns": "measure/chips",
        },
        {
            "title": "Export restrictions",
            "forum": "WTO",
            "complainants": ["KOR"],
            "respondents": ["JPN", "eu"],
            "caseNumber": "DS590",
            "subject": "Three chemicals",
            "concerns": "measure/chips",
        },
    ),
    "DisputeRuled": Case(
        "dispute/ds590",
        "2021",
        {"summary": "S", "body": "Panel", "favours": "KOR", "appealed": "true"},
        {"summary": "S", "body": "Panel", "favours": ["KOR"], "appealed": True},
    ),
    "DisputeClosed": Case("dispute/ds590", "2023-03", CLOSED, CLOSED),
    "EventCorrected": Case(
        "meeting/apec-2023",
        "2024-01-02",
        {
            "target": HELD_ID,
            "reason": "The title was wrong",
            "data.occurred": "2023-11-16",
            "data": '{"title": "APEC, San Francisco"}',
        },
        {
            "target": HELD_ID,
            "reason": "The title was wrong",
            "occurred": "2023-11-16",
            "data": {"title": "APEC, San Francisco"},
        },
    ),
    "EventRetracted": Case(
        "statement/s1",
        "2024-01-11",
        {"target": STATEMENT_ID, "reason": "Never said"},
        {"target": STATEMENT_ID, "reason": "Never said"},
    ),
}


def case_json(type_name: str, event_id: str) -> dict[str, Any]:
    case = CASES[type_name]
    return {
        "id": event_id,
        "stream": case.stream,
        "type": type_name,
        "occurred": case.occurred,
        "data": case.data,
        "sources": [SOURCE_JSON],
        "note": "Filled in by hand, line 1",
    }


def case_cells(type_name: str, event_id: str) -> dict[str, str]:
    case = CASES[type_name]
    return {
        "stream": case.stream,
        "occurred": case.occurred,
        "id": event_id,
        **case.cells,
        "note": "Filled in by hand, line 1",
        **SOURCE_CELLS,
    }


def sheet(header: list[str], *rows: dict[str, str] | list[str], delimiter: str = ",") -> str:
    """A CSV file: `header`, then each row (a dict is placed under the header's names)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header] if isinstance(row, dict) else row)
    return out.getvalue()


def template(type_name: str) -> list[str]:
    out = io.StringIO()
    write_template(type_name, out)
    return next(csv.reader(io.StringIO(out.getvalue())))


async def fill(store: EventStore) -> int:
    await store.append(base_log(), recorded_by="test")
    return (await store.head()).position


async def log_json(store: EventStore) -> list[dict[str, Any]]:
    return [event.to_json() for event in await store.read_all(limit=10_000)]


# --- every event type ---------------------------------------------------------------------------


def test_the_cases_cover_every_type_and_fill_every_column() -> None:
    assert set(CASES) == set(EVENT_TYPES)
    for type_name in EVENT_TYPES:
        cells = case_cells(type_name, str(uuid.uuid4()))
        assert set(cells) == set(layout(type_name).header), type_name


@pytest.mark.parametrize("type_name", list(EVENT_TYPES))
async def test_a_filled_in_template_imports_as_the_event_of_its_json_form(
    store: EventStore, type_name: str
) -> None:
    head = await fill(store)
    event_id = str(uuid.uuid4())
    text = sheet(template(type_name), case_cells(type_name, event_id))

    report = await import_csv(store, type_name, text, recorded_by="analyst")

    assert (report.rows, report.appended, report.problems) == (1, 1, [])
    expected = event_from_json(case_json(type_name, event_id))
    assert read_sheet(type_name, text).events == [(2, expected)]
    [recorded] = await store.read_all(after_position=head)
    assert recorded.to_json() | {"recordedAt": None} == {
        **case_json(type_name, event_id),
        "data": expected.data.to_json(),
        "version": recorded.version,
        "position": head + 1,
        "schemaVersion": 1,
        "recordedAt": None,
        "recordedBy": "analyst",
    }
    # The JSON form of the same event, imported after it, is the same event: nothing new.
    again = await import_jsonl(store, [dumps(case_json(type_name, event_id))], recorded_by="x")
    assert (again.appended, again.unchanged) == (0, 1)


@pytest.mark.parametrize("type_name", list(EVENT_TYPES))
def test_a_row_round_trips_through_its_event(type_name: str) -> None:
    event = event_from_json(case_json(type_name, str(uuid.uuid4())))
    row = event_row(event)
    assert set(row) == set(layout(type_name).header)
    obj, bad = row_json(
        type_name, {column: row[column.name] for column in layout(type_name).columns}
    )
    assert bad == {}
    assert event_from_json(obj) == event


@pytest.mark.parametrize("type_name", list(EVENT_TYPES))
def test_the_example_row_of_every_template_is_valid(type_name: str) -> None:
    header = template(type_name)
    assert header == layout(type_name).header
    parsed = read_sheet(type_name, sheet(header, example_row(type_name)))
    assert parsed.problems == []
    assert len(parsed.events) == 1


def test_the_doc_shows_the_layout_of_every_type_as_the_models_give_it() -> None:
    text = DOC.read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert generated.strip() == layout_markdown().strip(), (
        "docs/csv-import.md is out of date: python -m events.interchange.csv_layout "
        "docs/csv-import.md"
    )
    for type_name in EVENT_TYPES:
        assert f"### {type_name}\n" in generated
        assert ",".join(layout(type_name).header) in generated


# --- broken rows --------------------------------------------------------------------------------


async def test_every_broken_row_is_reported_with_row_column_and_reason(store: EventStore) -> None:
    head = await fill(store)
    before = await log_json(store)
    header = ["stream", "occurred", "title", "participants", "topics", "location.country", "venue"]
    text = sheet(
        header,
        ["meeting/ok", "2023-11-15", "Fine", "USA;CHN", "", "", ""],
        ["meeting/a", "", "No date", "USA", "", "", ""],  # 3: missing required cell
        ["meeting/b", "2023-13", "Bad", "USA", "", "", ""],  # 4: no month 13
        ["meeting/c", "2023-02-29", "Leap", "USA", "", "", ""],  # 5: not a leap year
        ["meeting/d", "2023-11", "", "USA", "", "", ""],  # 6: no title
        ["meeting/e", "2023-11", "List", "USA;;CHN", "AI;", "", ""],  # 7: empty items
        ["statement/f", "2023-11", "Kind", "USA", "", "", ""],  # 8: wrong stream kind
        ["meeting/g", "2023-11", "Loc", "USA", "", "CHN", "x"],  # 9: location without name
        [],  # 10: blank, skipped
        ["meeting/h", "2023-11", "Extra", "USA", "", "", "", "stray"],  # 11: no header
        ["meeting/i", "2023-11", "Actor", "U-S-A", "", "", ""],  # 12: not an actor id
        ["meeting/j", "2023-11", "Who", "USA;nobody", "", "", ""],  # 13: unknown actor
        ["meeting/k", "2023-11", "Side", "USA", "", "", ""],  # 14: fine
    )

    with pytest.raises(CsvImportFailed) as failure:
        await import_csv(store, "MeetingHeld", text, recorded_by="analyst")

    problems = [str(p) for p in failure.value.report.problems]
    assert problems[0].startswith(
        "row 1, column venue (G): unknown column; a MeetingHeld sheet has stream, occurred, id,"
    )
    assert problems == [problems[0], *EXPECTED_BROKEN]
    assert failure.value.report.rows == 12
    assert await log_json(store) == before
    assert (await store.head()).position == head


EXPECTED_BROKEN = [
    "row 3, column occurred (B): required: the cell is empty",
    "row 4, column occurred (B): '2023-13' is not a valid date: month 13 is out of range",
    "row 5, column occurred (B): '2023-02-29' is not a valid date: "
    "day 29 is out of range for February 2023",
    "row 6, column title (C): required: the cell is empty",
    "row 7, column participants (D): "
    "item 2 is empty (two `;` in a row, or one at the start or end?)",
    "row 7, column topics (E): item 2 is empty (two `;` in a row, or one at the start or end?)",
    "row 8, column stream (A): MeetingHeld belongs to a meeting stream, not to 'statement/f'",
    "row 9, column location.name: required: the sheet has no column location.name",
    "row 11: a value in column H, which has no header",
    "row 12, column participants (D): item 1 'U-S-A': 'U-S-A' is not an actor id: use an ISO "
    "3166 country code (USA, CN) or a lower-case slug of letters, digits and hyphens",
    # Step 2 runs on the valid rows even so, and reports what no bad row can have caused.
    "row 13, column participants (D): item 2 'nobody': unknown actor 'nobody': "
    "register it first with ActorRegistered on stream actor/nobody",
]


async def test_problems_against_the_log_are_all_reported(store: EventStore) -> None:
    head = await fill(store)
    header = ["stream", "occurred", "title", "participants", "sidelineOf"]
    text = sheet(
        header,
        ["meeting/ok", "2023-11-15", "Fine", "USA", ""],
        ["meeting/a", "2023-11-15", "Side", "USA;ghost", "meeting/nowhere"],
        ["meeting/b", "2023-11-16", "Side", "USA", "meeting/ok"],  # made by row 2: fine
    )
    postponed = sheet(
        ["stream", "occurred", "reason"],
        ["meeting/plan", "2024-01", "fine"],
        ["meeting/never-made", "2024-01", "no such meeting"],
    )

    with pytest.raises(CsvImportFailed) as held:
        await import_csv(store, "MeetingHeld", text, recorded_by="analyst")
    with pytest.raises(CsvImportFailed) as plan:
        await import_csv(store, "MeetingPostponed", postponed, recorded_by="analyst")

    assert [str(p) for p in held.value.report.problems] == [
        "row 3, column participants (D): item 2 'ghost': unknown actor 'ghost': "
        "register it first with ActorRegistered on stream actor/ghost",
        "row 3, column sidelineOf (E): stream 'meeting/nowhere' does not exist",
    ]
    assert [str(p) for p in plan.value.report.problems] == [
        "row 3, column stream (A): stream 'meeting/never-made' does not exist yet: its first "
        "event must be MeetingScheduled or MeetingHeld, not MeetingPostponed"
    ]
    assert (await store.head()).position == head


async def test_cells_that_cannot_be_read_are_reported_once(store: EventStore) -> None:
    head = await fill(store)
    adopted = sheet(
        ["stream", "occurred", "title", "kind", "binding", "parties"],
        ["instrument/a", "2023", "A", "TREATY", "yes", "USA:SIGN;CHN;eu:SIGN:x"],
        ["instrument/b", "2023", "B", "TREATY", "true", "USA:SGN"],
        ["instrument/c", "2023", "C", "PACT", "", ""],
    )
    rounds = sheet(["stream", "occurred", "round"], ["dialogue/ai", "2024", "2.5"])
    corrected = sheet(
        ["stream", "occurred", "target", "reason", "data"],
        ["meeting/apec-2023", "2024", HELD_ID, "R", "[1]"],
        ["meeting/apec-2023", "2024", HELD_ID, "R", "{title: 1}"],
        ["meeting/apec-2023", "2024", "not-a-uuid", "R", ""],
        ["meeting/apec-2023", "2024", HELD_ID, "R", ""],
    )
    merged = sheet(
        ["stream", "occurred", "target", "reason", "data"],
        ["meeting/apec-2023", "2024", HELD_ID, "R", '{"participants": ["ghost"]}'],
    )

    found = {}
    for type_name, text in [
        ("InstrumentAdopted", adopted),
        ("DialogueRoundHeld", rounds),
        ("EventCorrected", corrected),
        ("merged", merged),
    ]:
        with pytest.raises(CsvImportFailed) as failure:
            sheet_type = "EventCorrected" if type_name == "merged" else type_name
            await import_csv(store, sheet_type, text, recorded_by="analyst")
        found[type_name] = [str(p) for p in failure.value.report.problems]

    assert found["InstrumentAdopted"] == [
        "row 2, column binding (E): 'yes' is not true or false",
        "row 2, column parties (F): item 2 'CHN' is not `actor:action`",
        "row 3, column parties (F): item 1 'USA:SGN': action: Input should be 'SIGN', "
        "'ENDORSE', 'RATIFY', 'ACCEDE', 'ACCEPT' or 'COSPONSOR'",
        "row 4, column kind (D): Input should be 'DECLARATION', 'JOINT_STATEMENT', 'AGREEMENT', "
        "'TREATY', 'RESOLUTION' or 'MEMORANDUM'",
    ]
    assert found["DialogueRoundHeld"] == ["row 2, column round (C): '2.5' is not a whole number"]
    assert found["EventCorrected"] == [
        "row 2, column data (E): must be a JSON object ({…})",
        "row 3, column data (E): not JSON: Expecting property name enclosed in double quotes "
        "(at character 2)",
        "row 4, column target (C): Input should be a valid UUID, invalid character: found `n` at 0",
        "row 5: a correction needs a new `occurred`, `data`, or both",
    ]
    # The fields a correction changes are checked against the event it corrects (step 2).
    assert found["merged"] == ["row 2, column data (E): participants[0]: unknown actor 'ghost'"]
    assert (await store.head()).position == head


async def test_a_missing_required_column_is_reported_once_on_the_header(
    store: EventStore,
) -> None:
    text = sheet(
        ["Stream", " occurred ", "title", "title"],
        ["meeting/a", "2023", "A", "again"],
        ["meeting/b", "2023", "B", ""],
    )

    with pytest.raises(CsvImportFailed) as failure:
        await import_csv(store, "MeetingHeld", text, recorded_by="analyst")

    assert [str(p) for p in failure.value.report.problems] == [
        "row 1, column title (D): the column is also column C",
        "row 1, column participants: required column is missing",
    ]
    assert (await store.head()).position == 0


@pytest.mark.parametrize("empty", ["", "\ufeff", "\n\n", ",,\n"])
def test_an_empty_sheet_says_the_header_is_missing(empty: str) -> None:
    assert [str(p) for p in read_sheet("MeetingHeld", empty).problems] == [
        "row 1: the header row is empty: the first row names the columns"
    ]


def test_a_header_alone_is_a_sheet_without_events() -> None:
    parsed = read_sheet("ActorRenamed", "stream,occurred,name\r\n")
    assert (parsed.problems, parsed.events, parsed.rows) == ([], [], 0)


# --- the file: byte-order mark, delimiter, quoting ----------------------------------------------


async def test_a_european_sheet_with_bom_and_semicolons_imports(store: EventStore) -> None:
    await fill(store)
    event_id = str(uuid.uuid4())
    text = "\ufeff" + sheet(
        template("MeetingHeld"), case_cells("MeetingHeld", event_id), delimiter=";"
    )
    assert '"USA; CHN ;jane"' in text  # the list cell is quoted, its `;` not a delimiter
    assert sniff_delimiter(text.removeprefix("\ufeff").split("\n", 1)[0]) == ";"

    report = await import_csv(store, "MeetingHeld", text, recorded_by="analyst")

    assert (report.appended, report.problems) == (1, [])
    recorded = await store.get(uuid.UUID(event_id))
    assert recorded is not None
    assert recorded.data == CASES["MeetingHeld"].data


def test_multi_line_cells_and_tabs_keep_spreadsheet_row_numbers() -> None:
    text = 'stream\toccurred\tname\nactor/a\t2020\t"Two\nlines"\nactor/b\t\tB\n'
    parsed = read_sheet("ActorRenamed", text)
    assert [str(p) for p in parsed.problems] == [
        "row 3, column occurred (B): required: the cell is empty"
    ]
    assert [(row, event.data.to_json()) for row, event in parsed.events] == [
        (2, {"name": "Two\nlines"})
    ]


def test_column_letters_are_the_spreadsheets() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- the commands -------------------------------------------------------------------------------

runner = CliRunner()


def invoke(url: str | None, *args: str, stdin: bytes | None = None) -> Any:
    env = {"TIMELINE_DATABASE_URL": url} if url else {}
    return runner.invoke(
        app, list(args), env={**env, "NO_COLOR": "1", "COLUMNS": "300"}, input=stdin
    )


def head_of(url: str) -> int:
    async def head() -> int:
        from events.db import create_engine

        engine = create_engine(url)
        try:
            return (await EventStore(engine).head()).position
        finally:
            await engine.dispose()

    return asyncio.run(head())


def test_template_list_and_header(tmp_path: Path) -> None:
    listed = invoke(None, "csv", "template", "--list")
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert rows == [[name, cls.stream_kind or "any"] for name, cls in EVENT_TYPES.items()]

    header = invoke(None, "csv", "template", "meetingheld")
    assert header.exit_code == 0, header.output
    assert header.stdout == ",".join(layout("MeetingHeld").header) + "\n"

    target = tmp_path / "adopted.csv"
    written = invoke(
        None,
        "csv",
        "template",
        "InstrumentAdopted",
        "--example",
        "--delimiter",
        ";",
        "-o",
        str(target),
    )
    assert written.exit_code == 0, written.output
    lines = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8")), delimiter=";"))
    assert lines == [
        layout("InstrumentAdopted").header,
        list(example_row("InstrumentAdopted").values()),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("csv", "template"),
        ("csv", "template", "Nope"),
        ("csv", "template", "X", "--delimiter", "|"),
    ],
)
def test_template_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = invoke(None, *args)
    assert result.exit_code == 2, result.output


def test_csv_import_command(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "actors.csv"
    made = invoke(None, "csv", "template", "ActorRegistered", "--example", "-o", str(target))
    assert made.exit_code == 0, made.output

    imported = invoke(database_url, "csv", "import", "actorregistered", str(target))

    assert imported.exit_code == 0, imported.output
    assert "imported 1 event (0 already in the log) from 1 row in" in imported.stderr
    assert head_of(database_url) == 1

    renamed = b"stream;occurred;name\nactor/example;2024;Renamed\n"
    piped = invoke(
        database_url, "csv", "import", "ActorRenamed", "-", stdin=b"\xef\xbb\xbf" + renamed
    )
    assert piped.exit_code == 0, piped.output
    assert head_of(database_url) == 2


def test_csv_import_command_reports_bad_rows_and_appends_nothing(
    database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "held.csv"
    bad.write_text(
        "stream,occurred,title,participants\n"
        "meeting/a,2023-02-29,A,USA\n"
        "meeting/b,2023,,USA;ghost\n"
        "meeting/c,2023,C,USA;ghost\n",
        encoding="utf-8",
    )

    result = invoke(database_url, "csv", "import", "MeetingHeld", str(bad))

    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        "error: row 2, column occurred (B): '2023-02-29' is not a valid date: day 29 is out of "
        "range for February 2023",
        "error: row 3, column title (C): required: the cell is empty",
        # A row that failed still has its actors looked up: one round of fixes is enough.
        "error: row 3, column participants (D): item 2 'ghost': unknown actor 'ghost': register "
        "it first with ActorRegistered on stream actor/ghost",
        "error: row 4, column participants (D): item 2 'ghost': unknown actor 'ghost': register "
        "it first with ActorRegistered on stream actor/ghost",
        "nothing was appended",
    ]
    assert head_of(database_url) == 0


def test_csv_import_command_usage_and_encoding_errors(database_url: str, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    # What Excel writes as plain "CSV": Windows-1252, not UTF-8.
    latin.write_bytes("stream,occurred,name\nactor/a,2020,Zhôu\n".encode("cp1252"))
    sheet_file = tmp_path / "ok.csv"
    sheet_file.write_text("stream,occurred,name\n", encoding="utf-8")

    not_utf8 = invoke(database_url, "csv", "import", "ActorRenamed", str(latin))
    unknown_type = invoke(database_url, "csv", "import", "Nope", str(sheet_file))
    no_file = invoke(database_url, "csv", "import", "ActorRenamed", str(tmp_path / "none.csv"))
    bad_delimiter = invoke(
        database_url, "csv", "import", "ActorRenamed", str(sheet_file), "--delimiter", "|"
    )

    assert not_utf8.exit_code == 1 and "not UTF-8" in not_utf8.stderr, not_utf8.output
    assert unknown_type.exit_code == 2 and "unknown event type 'Nope'" in unknown_type.stderr
    assert no_file.exit_code == 2 and "no such file" in no_file.stderr
    assert bad_delimiter.exit_code == 2
    assert head_of(database_url) == 0


def test_a_nested_object_or_source_given_in_part_says_what_it_lacks() -> None:
    text = (
        "stream,occurred,title,participants,location.name,location.country,source.publisher\n"
        "meeting/a,2023,A,USA,,CHE,\n"
        "meeting/b,2023,B,USA,,,The Straits Times\n"
    )
    assert [str(p) for p in read_sheet("MeetingHeld", text).problems] == [
        "row 2, column location.name (E): required when a `location.*` cell is filled",
        "row 3, column source.url: a source needs a url or a title",
    ]
