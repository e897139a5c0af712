"""Imports as analysts meet them (docs/csv-import.md, "Errors"): every problem of a file at once,
twins named by both rows, the usual mistakes of spreadsheets named with the form to write, files
in another encoding or saved as a workbook, the actors an import resolved, rows and JSON Lines
lines pasted twice.

The store tests run on SQLite and, with TIMELINE_TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from events.interchange.csv_import import CsvImportFailed, import_csv, read_rows
from events.interchange.jsonl import ImportFailed, import_jsonl
from events.interchange.problems import MAX_PROBLEMS
from events.interchange.xlsx import workbook_rows
from events.store import EventStore
from tests.api_client import EDITOR_TOKEN
from tests.factories import actor, new
from tests.test_api import RECORD_MANY, STATEMENT
from tests.test_csv_import import head_of, invoke, log_json, sheet

HELD_ID = "7a000000-0000-4000-8000-000000000001"
TWIN_ID = "7a000000-0000-4000-8000-000000000002"


async def fill(store: EventStore) -> int:
    held = new("meeting/apec", "MeetingHeld", "2023-11-15", title="APEC", participants=["USA"])
    await store.append(
        [actor("eu", "IGO"), held.model_copy(update={"id": uuid.UUID(HELD_ID)})],
        recorded_by="test",
    )
    return (await store.head()).position


HEADER = ["stream", "occurred", "id", "title", "participants", "kind"]
# Ten mistakes, as a sheet kept by hand and saved from a spreadsheet has them.
TEN_MISTAKES: list[list[str]] = [
    ["meeting/a", "16/03/2023", "", "Day first", "USA;CHN", "BILATERAL"],  # 2: day-first
    ["meeting/b", "03/16/2023", "", "US order", "USA;ghost", "BILATERAL"],  # 3: US + unknown
    ["meeting/c", "45001", "", "Serial", "USA", "BILATERAL"],  # 4: Excel serial number
    ["meeting/d", "2019-07-04?~", "", "Qualifiers", "USA", "BILATERAL"],  # 5: ?~
    ["meeting/e", "2023-03-16", TWIN_ID, "Twin one", "USA", "BILATERAL"],  # 6: twin of 7
    ["meeting/f", "2023-03-17", TWIN_ID, "Twin two", "USA", "BILATERAL"],  # 7: twin of 6
    ["meeting/g", "2023-03-18", HELD_ID, "Reused", "USA", "BILATERAL"],  # 8: id of the log's
    ["meeting/h", "2023-03-19", "", "", "USA", "BILATERAL"],  # 9: no title
    ["meeting/i", "2023-03-20", "", "Pasted", "SK;eu", "BILATERAL"],  # 10
    ["meeting/i", "2023-03-20", "", "Pasted", "SK;eu", "BILATERAL"],  # 11: row 10 again
    ["meeting/j", "2023-03-21", "", "Kind", "USA", "BILATERALL"],  # 12: not a kind
]
FIXED: dict[int, list[str]] = {
    2: ["meeting/a", "2023-03-16", "", "Day first", "USA;CHN", "BILATERAL"],
    3: ["meeting/b", "2023-03-16", "", "US order", "USA;eu", "BILATERAL"],
    4: ["meeting/c", "2023-03-16", "", "Serial", "USA", "BILATERAL"],
    5: ["meeting/d", "2019-07-04%", "", "Qualifiers", "USA", "BILATERAL"],
    7: ["meeting/f", "2023-03-17", "", "Twin two", "USA", "BILATERAL"],
    8: ["meeting/g", "2023-03-18", "", "Reused", "USA", "BILATERAL"],
    9: ["meeting/h", "2023-03-19", "", "Titled", "USA", "BILATERAL"],
    12: ["meeting/j", "2023-03-21", "", "Kind", "USA", "BILATERAL"],
}


async def test_a_sheet_with_ten_mistakes_is_fixed_in_one_round(store: EventStore) -> None:
    head = await fill(store)
    before = await log_json(store)

    with pytest.raises(CsvImportFailed) as failure:
        await import_csv(store, "MeetingHeld", sheet(HEADER, *TEN_MISTAKES), recorded_by="a")

    problems = [str(p) for p in failure.value.report.problems]
    assert problems == [
        "row 2, column occurred (B): '16/03/2023' is not an EDTF date: it looks like a "
        "day-first date (DD/MM/YYYY); write it year first, as ISO 8601 and EDTF write it: "
        "2023-03-16",
        "row 3, column occurred (B): '03/16/2023' is not an EDTF date: it looks like a US date "
        "(MM/DD/YYYY); write it year first, as ISO 8601 and EDTF write it: 2023-03-16",
        "row 3, column participants (E): item 2 'ghost': unknown actor 'ghost': register it "
        "first with ActorRegistered on stream actor/ghost",
        "row 4, column occurred (B): '45001' is not an EDTF date: it looks like an Excel serial "
        "day number (45001 is 2023-03-16); format the column as text, or write 2023-03-16",
        "row 5, column occurred (B): '2019-07-04?~' is not an EDTF date: a date both uncertain "
        "(?) and approximate (~) takes the combined qualifier %: 2019-07-04%",
        f"row 6, column id (C): id {TWIN_ID} is given twice: also on row 7; every event needs "
        "its own id",
        f"row 7, column id (C): id {TWIN_ID} is given twice: also on row 6; every event needs "
        "its own id",
        f"row 8, column id (C): event id {HELD_ID} is already used by an event with other "
        "content: the log's position 2, MeetingHeld on meeting/apec recorded "
        + before[1]["recordedAt"],
        "row 9, column title (D): required: the cell is empty",
        "row 11: the same event as row 10, and neither has an id: remove one, or import with "
        "--allow-duplicates to keep both",
        "row 12, column kind (F): Input should be 'BILATERAL', 'MULTILATERAL', 'SUMMIT', "
        "'VISIT', 'CALL' or 'VIDEO'",
    ]
    problem = failure.value.report.problems[0]
    assert (problem.field, problem.value, problem.expected) == (
        "occurred",
        "16/03/2023",
        "EDTF date",
    )
    assert await log_json(store) == before

    # One round: every row fixed as its message says, the pasted row removed.
    rows = [FIXED.get(row, cells) for row, cells in enumerate(TEN_MISTAKES, start=2)]
    del rows[11 - 2]
    report = await import_csv(store, "MeetingHeld", sheet(HEADER, *rows), recorded_by="a")

    assert report.appended == 10
    assert report.resolutions() == ["SK -> Slovakia (SVK)"]
    assert (await store.head()).position == head + 10


async def test_identical_rows_are_kept_with_allow_duplicates(store: EventStore) -> None:
    await fill(store)
    row = ["meeting/x", "2023", "", "Call", "USA", "CALL"]
    held = ["meeting/x", "2023-05", "", "Call", "USA", "CALL"]
    text = sheet(HEADER, row, held, held)

    report = await import_csv(store, "MeetingHeld", text, recorded_by="a", allow_duplicates=True)

    assert report.appended == 3


async def test_problems_are_bounded_with_a_count_of_the_rest(store: EventStore) -> None:
    await fill(store)
    rows = [[f"meeting/m{n}", "2023-13", "", "T", "USA", ""] for n in range(MAX_PROBLEMS + 25)]
    # Past the bound, a row whose id the log holds is still kept out of the append.
    rows.append(["meeting/late", "2023", HELD_ID, "Late", "USA", ""])

    with pytest.raises(CsvImportFailed) as failure:
        await import_csv(store, "MeetingHeld", sheet(HEADER, *rows), recorded_by="a")

    problems = failure.value.report.problems
    assert len(problems) == MAX_PROBLEMS and problems.omitted == 26
    assert str(failure.value).splitlines()[-1] == (
        f"… and 26 more problems ({MAX_PROBLEMS + 26} in all; the first {MAX_PROBLEMS} shown)"
    )


# --- JSON Lines ---------------------------------------------------------------------------------


def line(
    stream: str, type_name: str, occurred: str, event_id: str | None = None, **data: Any
) -> str:
    obj = {"id": event_id or str(uuid.uuid4()), "stream": stream, "type": type_name}
    return json.dumps({**obj, "occurred": occurred, "data": data}, ensure_ascii=False) + "\n"


async def test_a_json_lines_file_reports_every_problem_and_both_twins(store: EventStore) -> None:
    await fill(store)
    before = await log_json(store)
    lines = [
        line("meeting/a", "MeetingHeld", "16/03/2023", title="A", participants=["ghost"]),
        line("meeting/b", "MeetingHeld", "2023", TWIN_ID, title="B", participants=["USA"]),
        line("meeting/c", "MeetingHeld", "2023", HELD_ID, title="C", participants=["USA"]),
        line("meeting/d", "MeetingHeld", "2023", TWIN_ID, title="D", participants=["USA"]),
        line("meeting/e", "MeetingHeld", "2023", title="E", participants=["nobody"]),
        '{"id": "x", "stream": "meeting/f", "type": "MeetingHeld", "data": {"title": "F',
    ]

    with pytest.raises(ImportFailed) as failure:
        await import_jsonl(store, lines, recorded_by="a", batch_size=2)

    assert [str(p) for p in failure.value.report.problems] == [
        "line 1: occurred: '16/03/2023' is not an EDTF date: it looks like a day-first date "
        "(DD/MM/YYYY); write it year first, as ISO 8601 and EDTF write it: 2023-03-16",
        "line 1: data.participants[0]: unknown actor 'ghost': register it first with "
        "ActorRegistered on stream actor/ghost",
        f"line 2: id: id {TWIN_ID} is given twice: also on line 4; every event needs its own id",
        f"line 3: id: event id {HELD_ID} is already used by an event with other content: the "
        f"log's position 2, MeetingHeld on meeting/apec recorded {before[1]['recordedAt']}",
        f"line 4: id: id {TWIN_ID} is given twice: also on line 2; every event needs its own id",
        "line 5: data.participants[0]: unknown actor 'nobody': register it first with "
        "ActorRegistered on stream actor/nobody",
        "line 6: not valid JSON: Unterminated string starting at column 77; the line stops "
        "after column 78, without a newline: the file looks cut short (copied or downloaded in "
        "part?)",
    ]
    assert await log_json(store) == before


def without_id(stream: str, occurred: str, **data: Any) -> str:
    """A JSON Lines line of a MeetingHeld with no id (the import makes one up)."""
    obj = {"stream": stream, "type": "MeetingHeld", "occurred": occurred, "data": data}
    return json.dumps(obj) + "\n"


# A line with an id, then the same meeting without one, twice (a line copied), then on another
# day: only the copy is a problem.
PASTED = [
    line("meeting/x", "MeetingHeld", "2023-05", title="Call", participants=["USA"]),
    without_id("meeting/x", "2023-05", title="Call", participants=["USA"]),
    without_id("meeting/x", "2023-05", title="Call", participants=["USA"]),
    without_id("meeting/x", "2023-06", title="Call", participants=["USA"]),
]
PASTED_PROBLEM = (
    "line 3: the same event as line 2, and neither has an id: remove one, or import with "
    "--allow-duplicates to keep both"
)


@pytest.mark.parametrize("partial", [False, True], ids=["whole", "partial"])
async def test_identical_json_lines_without_ids_are_refused_as_rows_are(
    store: EventStore, partial: bool
) -> None:
    await fill(store)
    before = await log_json(store)

    with pytest.raises(ImportFailed) as failure:
        await import_jsonl(store, PASTED, recorded_by="a", partial=partial)

    assert [str(p) for p in failure.value.report.problems] == [PASTED_PROBLEM]
    problem = failure.value.report.problems[0]
    assert (problem.line, problem.field) == (3, "")
    assert await log_json(store) == before


async def test_identical_json_lines_are_kept_with_allow_duplicates(store: EventStore) -> None:
    head = await fill(store)

    report = await import_jsonl(store, PASTED, recorded_by="a", allow_duplicates=True)

    assert report.appended == 4
    assert (await store.head()).position == head + 4
    # Imported again, the lines without ids are new events each time: still allowed, still
    # refused without the option.
    with pytest.raises(ImportFailed, match="line 3: the same event as line 2"):
        await import_jsonl(store, PASTED, recorded_by="a")


# --- the command line: encodings, workbooks, usage -----------------------------------------------


def test_a_cp1252_sheet_is_named_with_its_row_and_imports_with_its_encoding(
    database_url: str, tmp_path: Path
) -> None:
    latin = tmp_path / "actors.csv"
    # What Excel on Windows saves as plain "CSV": Windows-1252, not UTF-8.
    text = "stream,occurred,name,kind\nactor/a,2020,Zhou,PERSON\nactor/b,2021,Zhôu Enlái,PERSON\n"
    latin.write_bytes(text.encode("cp1252"))

    refused = invoke(database_url, "csv", "import", "ActorRegistered", str(latin))
    imported = invoke(
        database_url, "csv", "import", "ActorRegistered", str(latin), "--encoding", "cp1252"
    )

    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip() == (
        "error: the file is not UTF-8: row 3, character 16 is byte 0xF4; it reads as "
        "Windows-1252 (cp1252, what Excel saves as plain CSV): 'actor/b,2021,Zhôu "
        "Enlái,PERSON'. Save it as CSV UTF-8, or give --encoding cp1252"
    )
    assert imported.exit_code == 0, imported.output
    assert head_of(database_url) == 2


def test_an_xlsx_workbook_imports_with_the_layout_of_a_sheet(
    database_url: str, tmp_path: Path
) -> None:
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.append(["stream", "occurred", "title", "participants", "kind", "topics"])
    sheet_.append(["meeting/a", datetime(2023, 11, 15), "Typed as a day", "US;CN", "SUMMIT", ""])
    sheet_.append(["meeting/b", date(2023, 11, 1), "Typed as a month", "USA", None, "AI"])
    sheet_.append([None] * 6)  # a blank row
    sheet_.append(["meeting/c", "2024-21", "Typed as text", "USA", "CALL", "AI;chips"])
    sheet_["B3"].number_format = "mmm yyyy"  # what Excel gives a cell typed `2023-11`
    path = tmp_path / "meetings.xlsx"
    book.save(path)

    result = invoke(database_url, "csv", "import", "MeetingHeld", str(path))

    assert result.exit_code == 0, result.output
    # Off a terminal, no progress: the summary alone.
    assert len(result.stderr.splitlines()) == 2, result.stderr
    assert "imported 3 events (0 already in the log) from 3 rows" in result.stderr
    assert "actors resolved: CN -> China (CHN), US -> United States (USA)" in result.stderr
    stored = asyncio_events(database_url)
    assert [(e["occurred"], e["data"]["participants"]) for e in stored] == [
        ("2023-11-15", ["USA", "CHN"]),
        ("2023-11", ["USA"]),
        ("2024-21", ["USA"]),
    ]
    assert stored[2]["data"]["topics"] == ["AI", "chips"]


def test_a_bad_workbook_row_is_named_as_in_a_sheet(database_url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.append(["stream", "occurred", "title", "participants"])
    sheet_.append(["meeting/a", "16/03/2023", "A", "USA"])
    data = io.BytesIO()
    book.save(data)

    result = invoke(database_url, "csv", "import", "MeetingHeld", "-", stdin=data.getvalue())

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "error: row 2, column occurred (B): '16/03/2023' is not an EDTF date: it looks like a "
        "day-first date"
    )


def test_a_file_without_its_type_says_the_type_is_missing(tmp_path: Path) -> None:
    result = invoke(None, "csv", "import", "meetings.csv")

    assert result.exit_code == 2
    assert "Missing argument" not in result.stderr
    assert result.stderr.strip() == (
        "error: missing the sheet's event type: give it before the file, as in `timeline csv "
        "import MeetingHeld meetings.csv` (`timeline csv template --list` lists the types)"
    )


def test_a_json_lines_file_in_cp1252_is_named_with_its_line(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "log.jsonl"
    good = line("actor/a", "ActorRegistered", "2020", name="A", kind="PERSON")
    bad = line("actor/b", "ActorRegistered", "2020", name="Zhôu", kind="PERSON")
    path.write_bytes((good + bad).encode("cp1252"))

    result = invoke(database_url, "import", str(path))

    assert result.exit_code == 1
    assert "error: the file is not UTF-8: line 2, character" in result.stderr
    assert "Windows-1252 (cp1252" in result.stderr
    # `timeline import` has no --encoding: the advice is the one that works.
    assert "--encoding" not in result.stderr
    assert "JSON Lines are UTF-8: convert it first (iconv -f cp1252 -t UTF-8)" in result.stderr
    assert head_of(database_url) == 0


def test_timeline_import_refuses_a_pasted_line_unless_duplicates_are_allowed(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "pasted.jsonl"
    path.write_text(
        line("actor/a", "ActorRegistered", "2020", name="A", kind="PERSON")
        + without_id("meeting/y", "2023-05", title="Call", participants=["a"]) * 2
    )

    refused = invoke(database_url, "import", str(path))
    kept = invoke(database_url, "import", "--allow-duplicates", str(path))

    assert refused.exit_code == 1
    assert (
        "line 3: the same event as line 2, and neither has an id: remove one, or import with "
        "--allow-duplicates to keep both" in refused.stderr
    )
    assert "nothing was appended" in refused.stderr
    assert kept.exit_code == 0, kept.output
    assert kept.stderr.startswith("imported 3 events (0 already in the log) from 3 lines in ")
    assert head_of(database_url) == 3


def test_a_workbook_given_as_json_lines_is_named_with_the_command_that_reads_it(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "meetings.xlsx"
    Workbook().save(path)

    result = invoke(database_url, "import", str(path))

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the file is a zip archive, not JSON Lines: an Excel workbook (.xlsx)? "
        "`timeline csv import TYPE FILE.xlsx` imports a workbook's rows"
    )
    assert head_of(database_url) == 0


def asyncio_events(url: str) -> list[dict[str, Any]]:
    import asyncio

    from events.db import create_engine

    async def read() -> list[dict[str, Any]]:
        engine = create_engine(url)
        try:
            return await log_json(EventStore(engine))
        finally:
            await engine.dispose()

    return asyncio.run(read())


# --- GraphQL: the same words ----------------------------------------------------------------------


async def test_a_graphql_batch_names_both_twins_and_the_date_mistake(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    first = {**STATEMENT, "id": TWIN_ID}
    second = {**STATEMENT, "id": TWIN_ID, "stream": "statement/other"}
    dated = {**STATEMENT, "stream": "statement/third", "occurred": "16/03/2023"}

    async def record(events: list[dict[str, Any]]) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": RECORD_MANY, "variables": {"input": {"events": events}}},
            headers=headers,
        )
        answer: dict[str, Any] = response.json()
        return answer

    twice = await record([first, second])
    misdated = await record([dated])

    assert twice["data"]["recordEvents"] == {
        "events": [],
        "userErrors": [
            {
                "field": "events[0].id",
                "message": f"id {TWIN_ID} is given twice: also on events[1]; every event needs "
                "its own id",
                "code": "BAD_USER_INPUT",
            },
            {
                "field": "events[1].id",
                "message": f"id {TWIN_ID} is given twice: also on events[0]; every event needs "
                "its own id",
                "code": "BAD_USER_INPUT",
            },
        ],
    }
    # The EDTF scalar refuses the date while reading the variables, in the same words.
    [error] = misdated["errors"]
    # With the parts an import names: the field, the value, what is expected.
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "events[0].occurred",
        "value": "16/03/2023",
        "expected": "EDTF date",
    }
    assert (
        "'16/03/2023' is not an EDTF date: it looks like a day-first date (DD/MM/YYYY); write "
        "it year first, as ISO 8601 and EDTF write it: 2023-03-16" in error["message"]
    )


async def test_a_json_lines_import_says_which_actor_codes_it_resolved(store: EventStore) -> None:
    lines = [
        line("meeting/a", "MeetingHeld", "2023", title="A", participants=["SK", "cn", "USA"]),
        line("meeting/b", "MeetingHeld", "2023", title="B", participants=["KOR"]),
    ]

    report = await import_jsonl(store, lines, recorded_by="a")

    assert report.appended == 2
    assert report.resolutions() == ["SK -> Slovakia (SVK)", "cn -> China (CHN)"]


# --- the same parts of a problem in a sheet and in JSON Lines ----------------------------------


async def test_a_line_and_a_row_name_the_field_the_value_and_what_is_expected(
    store: EventStore,
) -> None:
    await fill(store)
    # A day-first date and a misspelt kind on one line: both said, as on a sheet's row.
    bad = line("meeting/a", "MeetingHeld", "16/03/2023", title="A", participants=["USA"])
    bad = bad.replace('"participants"', '"kind": "BILATERALL", "participants"')
    row = ["meeting/a", "16/03/2023", "", "A", "USA", "BILATERALL"]

    with pytest.raises(ImportFailed) as in_lines:
        await import_jsonl(store, [bad, "{not json\n"], recorded_by="a")
    with pytest.raises(CsvImportFailed) as in_rows:
        await import_csv(store, "MeetingHeld", sheet(HEADER, row), recorded_by="a")

    line_parts = [(p.field, p.value, p.expected, p.message) for p in in_lines.value.report.problems]
    row_parts = [(p.field, p.value, p.expected, p.message) for p in in_rows.value.report.problems]
    kinds = "one of `BILATERAL`, `MULTILATERAL`, `SUMMIT`, `VISIT`, `CALL`, `VIDEO`"
    assert (
        line_parts[:2]
        == row_parts
        == [
            (
                "occurred",
                "16/03/2023",
                "EDTF date",
                "'16/03/2023' is not an EDTF date: it looks like a day-first date (DD/MM/YYYY); "
                "write it year first, as ISO 8601 and EDTF write it: 2023-03-16",
            ),
            (
                "data.kind",
                "BILATERALL",
                kinds,
                "Input should be 'BILATERAL', 'MULTILATERAL', 'SUMMIT', 'VISIT', 'CALL' or 'VIDEO'",
            ),
        ]
    )
    [_, _, not_json] = in_lines.value.report.problems
    assert (not_json.line, not_json.column, not_json.field) == (2, 2, "")


async def test_a_line_names_the_value_of_an_unknown_actor_and_of_a_twin_id(
    store: EventStore,
) -> None:
    lines = [
        line("meeting/a", "MeetingHeld", "2023", TWIN_ID, title="A", participants=["USA", "zz"]),
        line("meeting/b", "MeetingHeld", "2023", TWIN_ID, title="B", participants=["USA"]),
    ]

    with pytest.raises(ImportFailed) as failure:
        await import_jsonl(store, lines, recorded_by="a")

    assert [(p.line, p.field, p.value, p.expected) for p in failure.value.report.problems] == [
        (1, "id", TWIN_ID, ""),
        (1, "data.participants[1]", "zz", ""),
        (2, "id", TWIN_ID, ""),
    ]


# --- progress: totals, and the commit as a phase -----------------------------------------------


@dataclass
class Told:
    """What an import told its progress, in order."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def read(self, done: int, items: int) -> None:
        self.calls.append(("read", done, items))

    def appending(self, done: int, total: int) -> None:
        self.calls.append(("appending", done, total))

    def committing(self) -> None:
        self.calls.append(("committing",))

    def reads(self) -> list[tuple[Any, ...]]:
        return [call for call in self.calls if call[0] == "read"]

    def phases(self) -> list[tuple[Any, ...]]:
        return [call for call in self.calls if call[0] != "read"]


async def test_a_sheet_import_tells_characters_read_rows_appended_and_the_commit(
    store: EventStore,
) -> None:
    rows = [[f"meeting/p{n}", "2023", "", "Pé", "USA", ""] for n in range(1200)]
    text = "\ufeff" + sheet(HEADER, *rows)
    told = Told()

    report = await import_csv(
        store, "MeetingHeld", text, recorded_by="a", batch_size=500, progress=told
    )

    assert report.appended == 1200
    reads = told.reads()
    assert len(reads) >= 3 and reads == sorted(reads)  # it moves while it reads
    assert reads[-1] == ("read", len(text), 1200)  # the whole text, every row
    assert told.phases() == [
        ("appending", 500, 1200),
        ("appending", 1000, 1200),
        ("appending", 1200, 1200),
        ("committing",),
    ]


async def test_a_json_lines_import_tells_bytes_read_then_the_commit(store: EventStore) -> None:
    lines = [
        line(f"meeting/j{n}", "MeetingHeld", "2023", title="Zhôu", participants=["USA"])
        for n in range(1100)
    ]
    told = Told()

    await import_jsonl(store, lines, recorded_by="a", progress=told)

    reads = told.reads()
    assert len(reads) >= 3 and reads == sorted(reads)
    assert reads[-1] == ("read", sum(len(text.encode()) for text in lines), 1100)
    assert told.calls[-1] == ("committing",)
    assert told.phases() == [("committing",)]


def test_the_import_bar_shows_each_phase_with_its_total_on_a_terminal_only() -> None:
    from rich.console import Console

    from api.progress import ImportBar

    def draw(terminal: bool) -> str:
        out = io.StringIO()
        console = Console(file=out, force_terminal=terminal, width=120, color_system=None)
        # A CSV text of 1,000 characters read from 2,000 bytes (cp1252 would be fewer).
        with ImportBar(console, 2000, "bytes", scale=2.0, items="rows") as bar:
            bar.read(400, 10)
            bar.read(990, 24)  # a byte-order mark short of the end
            bar.appending(24, 24)
            bar.committing()
        return out.getvalue()

    # The last frame drawn, one line per phase.
    final = draw(terminal=True).split("\x1b[2K")[-1].splitlines()
    assert final[0].startswith("reading") and "2.0 kB/2.0 kB, 24 rows" in final[0], final
    assert final[1].startswith("appending") and "24/24 rows" in final[1], final
    assert final[2].startswith("committing"), final
    assert draw(terminal=False) == ""


def test_a_workbook_tells_its_rows_of_the_rows_it_says_it_has() -> None:
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.append(["stream", "occurred", "title", "participants"])
    for n in range(3):
        sheet_.append([f"meeting/w{n}", "2023", "W", "USA"])
    data = io.BytesIO()
    book.save(data)
    told = Told()

    total, rows = workbook_rows(data.getvalue())
    read = read_rows("MeetingHeld", rows, told)

    assert total == 4 and read.rows == 3
    assert told.reads()[-1] == ("read", 4, 3)


def test_one_event_is_counted_in_the_singular(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(line("actor/a", "ActorRegistered", "2020", name="A", kind="PERSON"))

    imported = invoke(database_url, "import", str(path))
    exported = invoke(database_url, "export", "-o", str(tmp_path / "out.jsonl"))

    assert imported.exit_code == 0 and exported.exit_code == 0, imported.output
    assert imported.stderr.startswith("imported 1 event (0 already in the log) from 1 line in ")
    assert exported.stderr.startswith("exported 1 event in ")
