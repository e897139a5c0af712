"""Tests of the `timeline` command, run as a user runs it: the console script in a subprocess,
with the database in TIMELINE_DATABASE_URL (docs/format.md, "JSON Lines files": export,
import, tail).

Each test runs on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import typer
from sqlalchemy import Integer, MetaData, Table, inspect, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from api.cli import app
from events.db import create_engine, schema_problem
from events.store import EventStore
from events.types import NewEvent, dumps, event_from_json
from tests.factories import actor, event_json, meeting, new, statement

TIMELINE = Path(sys.executable).parent / "timeline"
POSTGRES_URL = os.environ.get("TIMELINE_TEST_POSTGRES_URL")

# The keys of an exported envelope, in order (docs/format.md, "The envelope").
ENVELOPE_KEYS = [
    "id",
    "stream",
    "version",
    "position",
    "type",
    "schemaVersion",
    "occurred",
    "recordedAt",
    "recordedBy",
    "data",
    "sources",
    "note",
]
IMPORTED = re.compile(
    r"imported (\d+) events? \((\d+) already in the log\) from (\d+) lines? in [0-9.]+ s"
)
EXPORTED = re.compile(r"exported (\d+) events? in [0-9.]+ s")


# --- running the command ---------------------------------------------------------------------


@dataclass(repr=False)
class Run:
    code: int
    raw: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        return self.raw.decode("utf-8")

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.raw[:2000]!r}\n--- stderr\n{self.stderr}"


def _env(url: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    ignored = {"FORCE_COLOR", "PYTHONIOENCODING", "TIMELINE_DATABASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    if url is not None:
        env["TIMELINE_DATABASE_URL"] = url
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
    env.update(extra or {})
    return env


async def start(
    *args: str, url: str | None, cwd: Path, stdin: bool = False, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(TIMELINE),
        *args,
        stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=_env(url, env),
    )


async def finish(
    process: asyncio.subprocess.Process, stdin: bytes | None = None, wait: float = 120
) -> Run:
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin), wait)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        pytest.fail(f"timeline did not finish in {wait} s\n{out!r}\n{err.decode()}")
    assert process.returncode is not None
    return Run(process.returncode, out, err.decode("utf-8", "replace"))


async def timeline(
    *args: str,
    url: str | None,
    cwd: Path,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    wait: float = 120,
) -> Run:
    """Run `timeline ARGS` with TIMELINE_DATABASE_URL=`url` (None: unset)."""
    process = await start(*args, url=url, cwd=cwd, stdin=stdin is not None, env=env)
    return await finish(process, stdin, wait)


# --- databases ---------------------------------------------------------------------------------


def _pg_dsn(database: str | None = None) -> str:
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(_pg_dsn())
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


MakeDatabase = Callable[..., Awaitable[str]]


@pytest.fixture
async def other_database(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[MakeDatabase]:
    """Makes more databases on the backend of `database_url`: `await other_database()` an
    empty migrated one, `await other_database(migrated=False)` one without any schema."""
    created: list[str] = []

    async def make(*, migrated: bool = True) -> str:
        number = len(created)
        if database_url.startswith("sqlite"):
            path = tmp_path / f"other-{number}.db"
            if migrated:
                shutil.copy(request.getfixturevalue("sqlite_template"), path)
            created.append("")
            return f"sqlite+aiosqlite:///{path}"
        name = f"timeline_cli_{uuid.uuid4().hex[:12]}"
        if migrated:
            template = request.getfixturevalue("postgres_template")
            await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            await _pg_admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        return (
            make_url(_pg_dsn(name))
            .set(drivername="postgresql+asyncpg")
            .render_as_string(hide_password=False)
        )

    yield make
    for name in created:
        if name:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated, empty SQLite database, for what does not depend on the backend."""
    path = tmp_path / "plain.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[EventStore]:
    engine = create_engine(url)
    try:
        yield EventStore(engine)
    finally:
        await engine.dispose()


async def everything(store: EventStore) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while batch := await store.read_all(after_position=len(events), limit=5000):
        events.extend(event.to_json() for event in batch)
    return events


async def projection_rows(store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the log itself: the projections, whatever they are,
    without surrogate keys."""

    def names(conn: Any) -> list[str]:
        return inspect(conn).get_table_names()

    found: dict[str, list[tuple[Any, ...]]] = {}
    async with store.engine.connect() as conn:
        for name in await conn.run_sync(names):
            if name in ("events", "alembic_version"):
                continue
            table = Table(name, MetaData())
            await conn.run_sync(lambda sync, table=table: inspect(sync).reflect_table(table, None))
            # A surrogate key (one integer primary key column) numbers rows in the order they
            # were inserted, which is not part of the contract; compare every other column.
            key = list(table.primary_key.columns)
            surrogate = len(key) == 1 and isinstance(key[0].type, Integer)
            columns = [c for c in table.columns if not (surrogate and c is key[0])]
            rows = await conn.execute(select(*columns))
            found[name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def lines(*events: dict[str, Any] | str) -> bytes:
    """A JSON Lines file of `events` (a str is written as it is)."""
    return "".join((e if isinstance(e, str) else dumps(e)) + "\n" for e in events).encode()


# --- a varied log --------------------------------------------------------------------------------


async def append_varied_log(store: EventStore) -> int:
    """Append a log with every kind of stream, unicode, corrections; return its length."""
    adopted = new(
        "instrument/bletchley",
        "InstrumentAdopted",
        "2023-11-01",
        title="The Bletchley Declaration",
        kind="DECLARATION",
        binding=False,
        adoptedAt="meeting/ai-safety-summit",
        parties=[{"actor": "gb", "action": "ENDORSE"}, {"actor": "eu", "action": "SIGN"}],
    )
    zhou_json = event_json(
        "statement/zhou",
        "StatementIssued",
        "1954-06~",
        issuer="cn",
        summary="Zhōu Ēnlái (周恩来) on the five principles 🕊️ — «peaceful coexistence»",
        about=["IN", "USA"],
        kind="SPEECH",
        stance="COOPERATIVE",
    )
    zhou_json["note"] = "Transcribed from 人民日报; the “date” is approximate 📅"
    zhou_json["sources"].append({"title": "Panchsheel", "quote": "和平共处五项原则"})
    zhou = event_from_json(zhou_json)
    amended = new(
        "measure/oct-7",
        "MeasureAmended",
        "2023-10-17",
        summary="Scope widened",
        targetsAdded=["tsinghua-ciss"],
    )
    correction = event_json(
        "statement/zhou",
        "EventCorrected",
        "2024-06-01",
        target=str(zhou.id),
        reason="the date was off",
        data={"summary": "Zhōu Ēnlái 周恩来 🕊️ on peaceful coexistence"},
    )
    correction["data"]["occurred"] = "1954-06-28"
    batches: list[tuple[str, list[NewEvent]]] = [
        (
            "alice",
            [
                actor("eu", "IGO", aliases=["European Union", "Union européenne"]),
                actor("tsinghua-ciss", country="CN"),
                actor("zhou-enlai", "PERSON", country="cn", wikidata="Q16977"),
                actor("jake-sullivan", "PERSON", country="US"),
            ],
        ),
        (
            "bob",
            [
                new(
                    "meeting/ai-safety-summit",
                    "MeetingHeld",
                    "2023-11-01/2023-11-02",
                    title="AI Safety Summit",
                    participants=["gb", "us", "cn", "eu"],
                    kind="MULTILATERAL",
                    level="MINISTERIAL",
                    location={"name": "Bletchley Park", "country": "GB"},
                    topics=["frontier AI"],
                ),
                new(
                    "meeting/woodside",
                    "MeetingScheduled",
                    "2023-11",
                    title="Xi\u2013Biden summit",
                    participants=["US", "CN"],
                    planned="2023-11-15",
                ),
                new(
                    "meeting/woodside",
                    "MeetingHeld",
                    "2023-11-15",
                    title="Xi\u2013Biden summit",
                    participants=["US", "CN", "jake-sullivan"],
                    kind="SUMMIT",
                    level="HEAD_OF_STATE",
                    location={"name": "Filoli, Woodside, California"},
                    outcomes=["an intergovernmental dialogue on AI"],
                ),
                meeting("sideline", "us", "cn"),
            ],
        ),
        (
            "carol",
            [
                adopted,
                new("instrument/bletchley", "PartyJoined", "2024-05", actor="cn", action="SIGN"),
                new(
                    "measure/oct-7",
                    "MeasureImposed",
                    "2022-10-07",
                    title="Advanced computing rule",
                    kind="EXPORT_CONTROL",
                    imposer="us",
                    targets=["CN"],
                    items=["3A090", "4A090"],
                    legalCitation="87 FR 62186",
                    effective="2022-10-21",
                ),
                amended,
                new(
                    "dialogue/us-china-ai",
                    "DialogueEstablished",
                    "2023-11-15",
                    name="US\u2013China intergovernmental dialogue on AI",
                    track="TRACK_I",
                    parties=["US", "CN"],
                    agreedAt="meeting/woodside",
                ),
                new(
                    "dialogue/us-china-ai",
                    "DialogueRoundHeld",
                    "2024-05-14",
                    round=1,
                    location={"name": "Genève", "country": "CH"},
                ),
            ],
        ),
        ("dave", [zhou, statement("readout", "tsinghua-ciss", "Track II readout")]),
        (
            "alice",
            [
                event_from_json(correction),
                new(
                    "measure/oct-7",
                    "EventRetracted",
                    "2024-06-02",
                    target=str(amended.id),
                    reason="no such amendment",
                ),
            ],
        ),
    ]
    count = 0
    for recorded_by, events in batches:
        await store.append(events, recorded_by=recorded_by)
        count += len(events)
    return count


# --- export and import -------------------------------------------------------------------------


async def test_export_then_import_into_an_empty_database_reproduces_the_log(
    store: EventStore, database_url: str, other_database: MakeDatabase, tmp_path: Path
) -> None:
    count = await append_varied_log(store)
    original = await everything(store)

    exported = await timeline("export", "-o", "a.jsonl", url=database_url, cwd=tmp_path)
    assert exported.code == 0, exported
    assert exported.raw == b""
    match = EXPORTED.search(exported.stderr)
    assert match and int(match[1]) == count, exported
    text = (tmp_path / "a.jsonl").read_bytes()
    file_lines = text.decode("utf-8").splitlines()
    assert len(file_lines) == count
    assert text.endswith(b"\n")
    assert "Zhōu Ēnlái 周恩来 🕊️".encode() in text  # UTF-8 as it is, not \u escapes
    parsed = [json.loads(line) for line in file_lines]
    assert [list(event) for event in parsed] == [ENVELOPE_KEYS] * count
    assert parsed == original
    assert [event["position"] for event in parsed] == list(range(1, count + 1))
    assert {event["recordedBy"] for event in parsed} == {"alice", "bob", "carol", "dave"}
    assert {event["type"] for event in parsed} >= {"EventCorrected", "EventRetracted"}
    assert any(event["note"] for event in parsed)

    to_stdout = await timeline("export", url=database_url, cwd=tmp_path)
    assert to_stdout.code == 0, to_stdout
    assert to_stdout.raw == text

    second = await other_database()
    imported = await timeline("import", "a.jsonl", url=second, cwd=tmp_path)
    assert imported.code == 0, imported
    match = IMPORTED.search(imported.stderr)
    assert match, imported
    assert (int(match[1]), int(match[2]), int(match[3])) == (count, 0, count)

    again = await timeline("export", "--output", "b.jsonl", url=second, cwd=tmp_path)
    assert again.code == 0, again
    assert (tmp_path / "b.jsonl").read_bytes() == text

    async with open_store(second) as restored:
        assert await everything(restored) == original
        projections = await projection_rows(store)
        assert projections.get("actors"), "no actors projection to compare"
        assert await projection_rows(restored) == projections
        head = await restored.head()
        assert head.position == count
        assert head.recorded_at == (await store.head()).recorded_at


async def test_importing_the_same_file_twice_appends_nothing_the_second_time(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "log.jsonl").write_bytes(
        lines(
            event_json("actor/eu", "ActorRegistered", name="EU", kind="IGO"),
            event_json("meeting/a", "MeetingHeld", title="A", participants=["us", "eu"]),
            event_json("statement/s", "StatementIssued", issuer="eu", summary="S"),
            event_json("instrument/i", "InstrumentAdopted", title="I", kind="TREATY"),
        )
    )
    first = await timeline("import", "log.jsonl", url=database_url, cwd=tmp_path)
    assert first.code == 0, first
    match = IMPORTED.search(first.stderr)
    assert match and match.groups() == ("4", "0", "4"), first
    before = await everything(store)

    second = await timeline("import", "log.jsonl", url=database_url, cwd=tmp_path)
    assert second.code == 0, second
    match = IMPORTED.search(second.stderr)
    assert match and match.groups() == ("0", "4", "4"), second
    assert await everything(store) == before
    assert (await store.head()).position == 4


def _valid_before() -> list[dict[str, Any]]:
    return [
        event_json("statement/before", "StatementIssued", issuer="eu", summary="Before"),
        event_json("actor/new-org", "ActorRegistered", name="New org", kind="ORGANIZATION"),
    ]


def _valid_after() -> list[dict[str, Any]]:
    return [
        event_json("meeting/after", "MeetingHeld", title="After", participants=["new-org", "CN"]),
        event_json("statement/after", "StatementIssued", issuer="new-org", summary="After"),
    ]


EXISTING_ID = "0f4c1f3e-5a4b-4c2d-9e8f-7a6b5c4d3e2f"

# One bad line of each kind: (the line, what stderr must say about line 3).
BAD_LINES: dict[str, tuple[str | dict[str, Any], str]] = {
    "broken JSON": ('{"id": "x", "stream": "statement/s", "type": ', "not valid JSON"),
    "bad EDTF": (
        event_json("statement/s", "StatementIssued", "2024-1-5", issuer="US", summary="S"),
        "occurred: '2024-1-5' is not an EDTF date",
    ),
    "invalid calendar date": (
        event_json("statement/s", "StatementIssued", "2023-02-29", issuer="US", summary="S"),
        "occurred: '2023-02-29' is not a valid date",
    ),
    "unknown actor slug": (
        event_json("statement/s", "StatementIssued", issuer="no-such-org", summary="S"),
        "data.issuer: unknown actor 'no-such-org'",
    ),
    "unknown event type": (
        event_json("meeting/m", "MeetingHappened", title="M", participants=["US"]),
        "type: unknown event type 'MeetingHappened'",
    ),
    "missing required field": (
        event_json("meeting/m", "MeetingHeld", participants=["US", "CN"]),
        "data.title: required field is missing",
    ),
    "wrong stream kind": (
        event_json("measure/x", "MeetingHeld", title="M", participants=["US"]),
        "stream: MeetingHeld belongs to a meeting stream, not to 'measure/x'",
    ),
    "event before its stream's creation": (
        event_json("instrument/nothing", "PartyJoined", actor="US", action="SIGN"),
        "stream: stream 'instrument/nothing' does not exist yet",
    ),
    "unknown field in data": (
        event_json("meeting/m", "MeetingHeld", title="M", participants=["US"], colour="red"),
        "data.colour: unknown field",
    ),
    "recordedAt earlier than the log's newest": (
        event_json("statement/s", "StatementIssued", issuer="US", summary="S")
        | {"recordedAt": "2001-01-01T00:00:00.000000Z", "recordedBy": "old"},
        "recordedAt: 2001-01-01T00:00:00.000000Z is earlier than the log's newest recordedAt",
    ),
    "id used by another event": (
        event_json("statement/s", "StatementIssued", issuer="US", summary="S")
        | {"id": EXISTING_ID},
        f"id: event id {EXISTING_ID} is already used by an event with other content",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_LINES))
async def test_a_bad_line_is_reported_and_nothing_is_appended(
    kind: str, store: EventStore, database_url: str, tmp_path: Path
) -> None:
    existing = event_json("actor/eu", "ActorRegistered", name="EU", kind="IGO")
    await store.append([event_from_json({**existing, "id": EXISTING_ID})], recorded_by="setup")
    before = await store.head()
    bad, reason = BAD_LINES[kind]
    (tmp_path / "bad.jsonl").write_bytes(lines(*_valid_before(), bad, *_valid_after()))

    result = await timeline("import", "bad.jsonl", url=database_url, cwd=tmp_path)

    assert result.code != 0, result
    assert f"line 3: {reason}" in result.stderr, result
    for good in (1, 2, 4, 5):
        assert f"line {good}:" not in result.stderr, result
    assert "nothing was appended" in result.stderr, result
    assert await store.head() == before
    assert await store.read_all(after_position=before.position) == []


async def test_import_problems_are_printed_as_plain_text(database_url: str, tmp_path: Path) -> None:
    # A problem's text is printed as it is, brackets of paths included, and the `error:`
    # prefix is not left as literal markup (`[red]error:[/red]`).
    bad = event_json("meeting/m", "MeetingHeld", title="M", participants=["US", "ZZ"])
    (tmp_path / "bad.jsonl").write_bytes(lines(bad))
    result = await timeline("import", "bad.jsonl", url=database_url, cwd=tmp_path)
    assert result.code == 1, result
    assert "line 1: data.participants[1]: unknown country code 'ZZ'" in result.stderr
    assert "[red]" not in result.stderr, result
    assert re.search(r"^error: line 1: data\.participants\[1\]: ", result.stderr, re.M), result


async def test_partial_import_keeps_the_batches_before_a_bad_line(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    good = [
        event_json(f"statement/s{i}", "StatementIssued", issuer="US", summary="S")
        for i in range(1, 6)
    ]
    bad = event_json("statement/s6", "StatementIssued", "2023-02-29", issuer="US", summary="S")
    (tmp_path / "partial.jsonl").write_bytes(lines(*good, bad))

    result = await timeline(
        "import",
        "partial.jsonl",
        "--partial",
        "--batch-size",
        "2",
        url=database_url,
        cwd=tmp_path,
    )

    assert result.code != 0, result
    assert "line 6: occurred: '2023-02-29' is not a valid date" in result.stderr, result
    assert "lines 1-4 landed" in result.stderr, result
    assert (await store.head()).position == 4
    landed = await everything(store)
    assert [event["id"] for event in landed] == [event["id"] for event in good[:4]]


async def test_partial_import_of_a_bad_first_batch_lands_nothing(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    good = event_json("statement/s1", "StatementIssued", issuer="US", summary="S")
    bad = event_json("statement/s2", "StatementIssued", issuer="nobody", summary="S")
    (tmp_path / "partial.jsonl").write_bytes(lines(good, bad, good | {"id": str(uuid.uuid4())}))
    result = await timeline(
        "import",
        "partial.jsonl",
        "--partial",
        "--batch-size",
        "2",
        url=database_url,
        cwd=tmp_path,
    )
    assert result.code != 0, result
    assert "line 2: data.issuer: unknown actor 'nobody'" in result.stderr, result
    assert "nothing was appended" in result.stderr, result
    assert (await store.head()).position == 0


async def test_import_of_a_correction_in_a_later_batch_than_the_actor_its_target_names(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    # An exported log replays in batches (1000 lines by default); here batches of 2 put the
    # registration of `zhou-enlai` and the statement naming it in the first batch, and the
    # correction of that statement (which does not change the speaker) in the second.
    said = event_json(
        "statement/zhou", "StatementIssued", issuer="CN", speaker="zhou-enlai", summary="Peace"
    )
    correction = event_json(
        "statement/zhou", "EventCorrected", target=said["id"], reason="typo", data={"summary": "P"}
    )
    file = lines(
        event_json("actor/zhou-enlai", "ActorRegistered", name="Zhōu Ēnlái", kind="PERSON"),
        said,
        correction,
        event_json("statement/other", "StatementIssued", issuer="US", summary="Other"),
    )
    (tmp_path / "log.jsonl").write_bytes(file)
    result = await timeline(
        "import", "log.jsonl", "--batch-size", "2", url=database_url, cwd=tmp_path
    )
    assert result.code == 0, result
    assert (await store.head()).position == 4


async def test_import_from_standard_input(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    events = [
        event_json("actor/eu", "ActorRegistered", name="Union européenne", kind="IGO"),
        event_json("meeting/m", "MeetingHeld", title="Zhōu 🤝", participants=["eu", "cn"]),
    ]
    result = await timeline(
        "import",
        "-",
        "--recorded-by",
        "pipe",
        url=database_url,
        cwd=tmp_path,
        stdin=lines(*events) + b"\n",
    )
    assert result.code == 0, result
    match = IMPORTED.search(result.stderr)
    assert match and match.groups()[:2] == ("2", "0"), result
    stored = await everything(store)
    assert [event["id"] for event in stored] == [event["id"] for event in events]
    assert [event["recordedBy"] for event in stored] == ["pipe", "pipe"]
    assert stored[1]["data"] == {"title": "Zhōu 🤝", "participants": ["eu", "CHN"]}


async def test_standard_input_and_output_are_utf_8_whatever_the_locale(
    sqlite_url: str, tmp_path: Path
) -> None:
    # JSON Lines is UTF-8 (RFC 8259); `timeline export > file` and `timeline import - < file`
    # must not depend on the locale's encoding (a legacy locale here, as cp1252 on Windows).
    legacy = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    said = event_json("statement/zhou", "StatementIssued", issuer="CN", summary="Zhōu 周 🤝")
    imported = await timeline(
        "import", "-", url=sqlite_url, cwd=tmp_path, stdin=lines(said), env=legacy
    )
    assert imported.code == 0, imported
    assert "Traceback" not in imported.stderr, imported
    async with open_store(sqlite_url) as store:
        (recorded,) = await store.read_all()
    assert recorded.data["summary"] == "Zhōu 周 🤝"
    exported = await timeline("export", url=sqlite_url, cwd=tmp_path, env=legacy)
    assert exported.code == 0, exported
    assert json.loads(exported.raw.decode("utf-8")) == recorded.to_json()
    assert "Zhōu 周 🤝".encode() in exported.raw


@pytest.mark.parametrize("via", ["file", "stdin"])
async def test_input_that_is_not_utf_8_is_refused_without_a_traceback(
    via: str, sqlite_url: str, tmp_path: Path
) -> None:
    said = event_json("statement/s", "StatementIssued", issuer="CN", summary="Genève")
    data = lines(said).decode().encode("latin-1")  # "è" as the one byte 0xE8
    if via == "file":
        (tmp_path / "latin1.jsonl").write_bytes(data)
        result = await timeline("import", "latin1.jsonl", url=sqlite_url, cwd=tmp_path)
    else:
        result = await timeline("import", "-", url=sqlite_url, cwd=tmp_path, stdin=data)
    assert result.code == 1, result
    assert "not UTF-8" in result.stderr, result
    assert "Traceback" not in result.stderr, result
    async with open_store(sqlite_url) as store:
        assert (await store.head()).position == 0


async def test_import_of_a_missing_file_exits_2(sqlite_url: str, tmp_path: Path) -> None:
    result = await timeline("import", "nowhere.jsonl", url=sqlite_url, cwd=tmp_path)
    assert result.code == 2, result
    assert "no such file: nowhere.jsonl" in result.stderr


async def test_import_of_twenty_thousand_events_in_many_batches(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    # Pairs of events on one stream, so that the pair at lines 1000 and 1001 straddles the
    # boundary of the first two batches of 1000.
    events = [event_json("actor/bulk-org", "ActorRegistered", name="Bulk", kind="GROUP")]
    for i in range(9_999):
        events.append(
            event_json(
                f"meeting/m-{i}",
                "MeetingScheduled",
                title=f"M{i}",
                participants=["US", "bulk-org"],
            )
        )
        events.append(event_json(f"meeting/m-{i}", "MeetingPostponed", reason="weather"))
    events.append(event_json("statement/last", "StatementIssued", issuer="bulk-org", summary="!"))
    assert len(events) == 20_000
    (tmp_path / "big.jsonl").write_bytes(lines(*events))

    started = time.perf_counter()
    result = await timeline("import", "big.jsonl", url=database_url, cwd=tmp_path, wait=300)
    seconds = time.perf_counter() - started

    assert result.code == 0, result
    match = IMPORTED.search(result.stderr)
    assert match and match.groups() == ("20000", "0", "20000"), result
    head = await store.head()
    assert head.position == 20_000
    straddling = await store.read_stream("meeting/m-499")
    assert [(e.version, e.type) for e in straddling] == [
        (1, "MeetingScheduled"),
        (2, "MeetingPostponed"),
    ]
    assert [e.position for e in straddling] == [1000, 1001]
    for position in (1, 999, 1000, 1001, 2001, 19_999, 20_000):
        (event,) = await store.read_all(after_position=position - 1, limit=1)
        assert str(event.id) == events[position - 1]["id"]
    print(f"imported 20,000 events in {seconds:.1f} s")


# --- log tail and head ---------------------------------------------------------------------------


async def test_tail_after_0_prints_the_first_events_in_position_order(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    events = [statement(f"s{i}", "US", f"Statement {i}") for i in range(5)]
    await store.append(events, recorded_by="test")
    result = await timeline(
        "log", "tail", "--after", "0", "--count", "3", url=database_url, cwd=tmp_path
    )
    assert result.code == 0, result
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [event["position"] for event in printed] == [1, 2, 3]
    assert [event["id"] for event in printed] == [str(event.id) for event in events[:3]]
    assert [list(event) for event in printed] == [ENVELOPE_KEYS] * 3


async def test_tail_from_the_head_prints_an_event_appended_after_it_started(
    store: EventStore, database_url: str, tmp_path: Path
) -> None:
    await store.append([statement("old", "US")], recorded_by="test")
    process = await start(
        "log", "tail", "--count", "1", "--interval", "0.1", url=database_url, cwd=tmp_path
    )
    try:
        # Append only once tail has read the head it follows from (it says so on stderr):
        # a fixed wait failed where starting the command took longer on a loaded machine.
        assert process.stderr is not None
        said = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert said.decode().strip() == "following the log after position 1"
        assert process.returncode is None, "tail exited before anything was appended"
        (appended,) = await store.append([statement("new", "CN", "Zhōu 🤝")], recorded_by="t")
    finally:
        result = await finish(process)
    assert result.code == 0, result
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(printed) == 1, result
    assert printed[0] == appended.to_json()
    assert printed[0]["position"] == 2


# --- the database --------------------------------------------------------------------------------


def test_db_upgrade_creates_a_new_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"

    async def main() -> list[Run]:
        upgraded = await timeline("db", "upgrade", url=url, cwd=tmp_path)
        return [
            upgraded,
            *await asyncio.gather(
                timeline("log", "head", url=url, cwd=tmp_path),
                timeline("export", url=url, cwd=tmp_path),
            ),
        ]

    upgraded, head, exported = asyncio.run(main())
    assert upgraded.code == 0, upgraded
    assert "database at revision head" in upgraded.stderr
    assert (tmp_path / "new.db").is_file()
    assert head.code == 0, head
    assert head.stdout == "position 0 recordedAt -\n"
    assert exported.code == 0, exported
    assert exported.raw == b""
    assert "exported 0 events" in exported.stderr


async def test_commands_on_a_database_without_schema_say_to_run_db_upgrade(
    other_database: MakeDatabase, tmp_path: Path
) -> None:
    url = await other_database(migrated=False)
    (tmp_path / "one.jsonl").write_bytes(
        lines(event_json("statement/s", "StatementIssued", issuer="US", summary="S"))
    )
    commands = [("log", "head"), ("export",), ("import", "one.jsonl")]
    results = await asyncio.gather(
        *(timeline(*command, url=url, cwd=tmp_path) for command in commands)
    )
    for command, result in zip(commands, results, strict=True):
        assert result.code != 0, (command, result)
        assert "timeline db upgrade" in result.stderr, (command, result)
        assert "Traceback" not in result.stderr, (command, result)

    upgraded = await timeline("db", "upgrade", url=url, cwd=tmp_path)
    assert upgraded.code == 0, upgraded
    async with open_store(url) as store:
        assert await schema_problem(store.engine) is None
        assert (await store.head()).position == 0


def test_a_failed_export_leaves_an_existing_output_file_alone(tmp_path: Path) -> None:
    # `export -o backup.jsonl` against the wrong database (here: one without a schema) must
    # not destroy the backup.jsonl of an earlier export.
    url = f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}"
    backup = tmp_path / "backup.jsonl"
    backup.write_bytes(b'{"an": "earlier export"}\n')
    result = asyncio.run(timeline("export", "-o", "backup.jsonl", url=url, cwd=tmp_path))
    assert result.code != 0, result
    assert "timeline db upgrade" in result.stderr, result
    assert backup.read_bytes() == b'{"an": "earlier export"}\n'


BAD_URLS = {
    "mysql://x/y": [("log", "head")],
    "not a url": [("import", "-")],
    "sqlite:///:memory:": [("db", "upgrade")],
}


@pytest.mark.parametrize("bad_url", list(BAD_URLS))
def test_a_bad_database_url_exits_2_naming_the_variable(bad_url: str, tmp_path: Path) -> None:
    commands = BAD_URLS[bad_url]

    async def main() -> list[Run]:
        return await asyncio.gather(
            *(timeline(*command, url=bad_url, cwd=tmp_path, stdin=b"") for command in commands)
        )

    for command, result in zip(commands, asyncio.run(main()), strict=True):
        assert result.code == 2, (command, result)
        assert "TIMELINE_DATABASE_URL" in result.stderr, (command, result)
        assert "Traceback" not in result.stderr, (command, result)
    assert list(tmp_path.iterdir()) == []


def every_command() -> list[tuple[str, ...]]:
    """The path of every command and group of the app, the app itself excluded."""
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            paths.append((*path, name))
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def test_help_works_for_every_command_and_group(tmp_path: Path) -> None:
    # The console script once (it needs no database for --help), the rest in-process.
    top = asyncio.run(timeline("--help", url="not a url", cwd=tmp_path))
    assert top.code == 0, top
    assert "Usage: timeline" in top.stdout
    commands = every_command()
    assert {("db", "upgrade"), ("log", "tail"), ("log", "head"), ("import",), ("export",)} <= set(
        commands
    )
    for command in commands:
        if len(command) == 1:
            assert re.search(rf"^\W*{command[0]}\b", top.stdout, re.M), (command, top)
    runner = CliRunner()
    by_command = {}
    for command in commands:
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (command, result.output)
        assert re.search(rf"Usage: \S+ {' '.join(command)}\b", result.output), (
            command,
            result.output,
        )
        by_command[command] = result.output
    assert "upgrade" in by_command[("db",)]
    assert "tail" in by_command[("log",)] and "head" in by_command[("log",)]
    for option in ("--partial", "--batch-size", "--recorded-by"):
        assert option in by_command[("import",)]
    assert "--output" in by_command[("export",)]
    for option in ("--after", "--count", "--interval"):
        assert option in by_command[("log", "tail")]


def test_server_logs_are_plain_on_a_terminal_and_json_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.settings import Settings

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert Settings.from_env({}).log_format == "json"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert Settings.from_env({}).log_format == "text"
    assert Settings.from_env({"TIMELINE_LOG_FORMAT": "json"}).log_format == "json"


def test_help_texts_have_no_markup_eaten_by_the_terminal() -> None:
    # rich reads `[default: …]` in a help text as markup and drops it, leaving "delimiter ."
    for command in every_command():
        args = [*command, "--help"]
        shown = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"}).output
        assert " ." not in shown and " ," not in shown and " ;" not in shown, shown
        # Arguments are named in capitals, as in `timeline csv import TYPE FILE`.
        usage = next(line for line in shown.splitlines() if "Usage:" in line)
        assert not re.search(r"[{\[]?[a-z]+[}\]]?$", usage.split("[OPTIONS]")[-1].strip()), usage
