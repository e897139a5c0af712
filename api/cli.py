"""The `timeline` command: database, import, export, tailing the log."""

from __future__ import annotations

import asyncio
import getpass
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer
import uvicorn
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from api.auth import Role, new_token, parse_expires
from api.exports import BadParameter, export_query
from api.logs import log_config
from api.metrics import prepare_multiprocess
from api.progress import ImportBar
from api.settings import Settings
from events.db import create_engine, schema_problem, upgrade
from events.demo import DATASET, load_demo
from events.errors import ConfigurationError, TimelineError
from events.interchange.csv_import import (
    CsvImportFailed,
    Delimiter,
    import_sheet,
    read_rows,
    read_sheet,
)
from events.interchange.csv_layout import type_named, write_template
from events.interchange.encoding import ZIP_MAGIC, NotText, decode
from events.interchange.formats import FORMATS
from events.interchange.jsonl import ImportFailed, import_jsonl
from events.interchange.problems import Bounded
from events.interchange.xlsx import NotAWorkbook, workbook_rows
from events.projections.rebuild import rebuild, verify
from events.store import EventStore
from events.types import EVENT_TYPES, dumps

app = typer.Typer(
    help="The diplomatic timeline: an append-only log of diplomatic events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: create and migrate its schema.", no_args_is_help=True)
log_app = typer.Typer(help="The event log.", no_args_is_help=True)
projections_app = typer.Typer(
    help="The projections: rebuild them from the log, verify them.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(log_app, name="log")
app.add_typer(projections_app, name="projections")
csv_app = typer.Typer(
    help="Spreadsheets: one CSV sheet per event type, templates and import (docs/csv-import.md).",
    no_args_is_help=True,
)
app.add_typer(csv_app, name="csv")
demo_app = typer.Typer(
    help="The demo data: the facts of a Straits Times article of 2024-02-19 as events.",
    no_args_is_help=True,
)
app.add_typer(demo_app, name="demo")
token_app = typer.Typer(help="Bearer tokens (docs/configuration.md).", no_args_is_help=True)
app.add_typer(token_app, name="token")

err = Console(stderr=True, soft_wrap=True)
WORKER_STARTUP_SECONDS = 60
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None


def _run(work: Callable[[EventStore], Awaitable[T]]) -> T:
    """Run `work` on a store over the configured database; domain errors exit 1."""

    async def main() -> T:
        settings = _settings()
        engine = create_engine(settings.database_url)
        try:
            problem = await schema_problem(engine)
            if problem is not None:
                raise ConfigurationError(problem)
            store = EventStore(engine, max_skew=settings.max_skew)
            try:
                return await work(store)
            finally:
                await store.close()
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except ImportFailed:
        raise
    except TimelineError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None


def _principal() -> str:
    return f"cli:{getpass.getuser()}"


def _replay(
    what: str, work: Callable[[EventStore, Callable[[int], object]], Awaitable[T]]
) -> tuple[T, float]:
    """Run `work` with a progress bar over the log's events; return its result and seconds."""
    bar = Progress(
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    started = time.perf_counter()

    async def run(store: EventStore) -> T:
        task = bar.add_task(what, total=(await store.head()).count)
        with bar:
            return await work(store, lambda done: bar.update(task, completed=done))

    result = _run(run)
    return result, time.perf_counter() - started


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[
        str, typer.Argument(metavar="[REVISION]", help="Target revision.")
    ] = "head",
) -> None:
    """Create or migrate the database schema (Alembic) to the newest revision."""
    url = _settings().database_url
    upgrade(url, revision)
    err.print(f"database at revision {revision}")


@app.command("import")
def import_(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A JSON Lines file, or - for standard input.")
    ],
    partial: Annotated[
        bool, typer.Option(help="Commit batch by batch and report which lines landed.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Events per batch.")] = 1000,
    allow_duplicates: Annotated[
        bool,
        typer.Option(help="Import lines without ids that describe the same event, each of them."),
    ] = False,
    recorded_by: Annotated[
        str | None, typer.Option(help="recordedBy for lines without one.", show_default="cli:USER")
    ] = None,
) -> None:
    """Import events from JSON Lines (docs/format.md); nothing is appended unless all lines
    are valid (or, with --partial, the report says which lines landed)."""
    if file == "-":
        # The interchange format is UTF-8 whatever the locale says.
        source: TextIO = _utf8(sys.stdin, "utf-8-sig")
        total = None
    else:
        path = Path(file)
        if not path.is_file():
            err.print(f"[red]error:[/red] no such file: {file}")
            raise typer.Exit(2)
        source = path.open(encoding="utf-8-sig")  # a byte-order mark is not part of line 1
        total = path.stat().st_size
    started = time.perf_counter()
    try:
        with source, ImportBar(err, total, "bytes", reading="importing") as progress:
            report = _run(
                lambda store: import_jsonl(
                    store,
                    source,
                    recorded_by=recorded_by or _principal(),
                    batch_size=batch_size,
                    partial=partial,
                    allow_duplicates=allow_duplicates,
                    progress=progress,
                )
            )
    except ImportFailed as failure:
        _print_problems(failure.report.problems)
        landed = failure.report.landed_through
        if partial and landed:
            err.print(f"lines 1-{landed} landed ({failure.report.appended} events appended)")
        else:
            err.print("nothing was appended")
        raise typer.Exit(1) from None
    except UnicodeDecodeError as error:
        # Read again whole to say where, and what the bytes look like (cp1252, a workbook).
        reason = f"the file is not UTF-8 text: {error}"
        if file != "-":
            try:
                decode(Path(file).read_bytes(), unit="line")
            except NotText as named:
                reason = str(named)
        err.print(f"[red]error:[/red] {reason}", highlight=False)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    rate = report.appended / seconds if seconds else 0.0
    err.print(
        f"imported {_count(report.appended, 'event')} ({report.unchanged} already in the log) "
        f"from {_count(report.lines, 'line')} in {seconds:.2f} s ({rate:,.0f} events/s)"
    )
    _print_resolved(report.resolutions())


@app.command("export")
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")
    ] = "jsonl",
    actor: Annotated[
        list[str] | None,
        typer.Option(help="Only events this actor takes part in (repeat: all of them)."),
    ] = None,
    type: Annotated[
        list[str] | None, typer.Option(help="Only events of this type (repeat: any of them).")
    ] = None,
    from_: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="Events whose date reaches this day."),
    ] = None,
    to: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Events whose date starts by this day."),
    ] = None,
    known_at: Annotated[
        str | None, typer.Option(help="As the log knew it then (RFC 3339).", show_default="now")
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="ics, jsonld: each meeting's status on this day."),
    ] = None,
    raw: Annotated[
        bool,
        typer.Option(
            help="csv: the log's rows as recorded, corrections, retractions and retracted "
            "events included (without it: the events as known).",
        ),
    ] = False,
) -> None:
    """Export events: the whole log as JSON Lines (docs/format.md; a consistent snapshot in
    position order) by default, or the events the filters select as CSV, TimelineJS, iCalendar
    or JSON-LD (docs/exports.md)."""
    chosen = FORMATS.get(format)
    if chosen is None:
        err.print(f"[red]error:[/red] --format: no format {format!r} (use {', '.join(FORMATS)})")
        raise typer.Exit(2)
    option = {"actors": "--actor", "types": "--type", "from": "--from", "to": "--to"}
    option |= {"knownAt": "--known-at", "asOf": "--as-of", "raw": "--raw"}
    try:
        query = export_query(
            chosen,
            actors=actor or (),
            types=type or (),
            start=from_.date() if from_ else None,
            end=to.date() if to else None,
            known_at=_instant(known_at),
            as_of=as_of.date() if as_of else None,
            raw=raw,
            base_url=_settings().public_url,
            names=option,
        )
    except BadParameter as error:
        err.print(f"[red]error:[/red] {error.name}: {error}")
        raise typer.Exit(2) from None
    started = time.perf_counter()
    bar = Progress(
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    )
    task = bar.add_task("exporting", total=None)
    read = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal read
        read = done
        if total is not None:
            bar.update(task, total=total)
        bar.update(task, completed=done)

    async def write(store: EventStore, target: TextIO) -> None:
        async for chunk in chosen.chunks(store, query, progress):
            target.write(chunk)

    with _output(output) as target, bar:
        _run(lambda store: write(store, target))
    seconds = time.perf_counter() - started
    err.print(f"exported {_count(read, 'event')} in {seconds:.2f} s")


def _instant(text: str | None) -> datetime | None:
    """An RFC 3339 --known-at; a bad one exits 2 naming the option."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        err.print(f"[red]error:[/red] --known-at: not an RFC 3339 date-time: {text!r}")
        raise typer.Exit(2) from None


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """UTF-8 text to `path` (or stdout). A file is written beside it and moved into place only
    when complete, so a failed export leaves an earlier one alone."""
    if path is None:
        stdout = _utf8_stdout()
        yield stdout
        stdout.flush()
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as target:
            yield target
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _utf8_stdout() -> TextIO:
    return _utf8(sys.stdout, "utf-8")


def _utf8(stream: TextIO, encoding: str) -> TextIO:
    """`stream` reading or writing UTF-8, whatever the locale; undecodable bytes are errors."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding=encoding, errors="strict")
    return stream


@log_app.command("tail")
def log_tail(
    after: Annotated[
        int | None,
        typer.Option(
            help="Start after this position (0: from the start).", show_default="the head"
        ),
    ] = None,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls.")] = 0.5,
    count: Annotated[
        int | None, typer.Option(min=1, help="Exit after printing this many events.")
    ] = None,
) -> None:
    """Print new events as JSON Lines as they are appended, in position order."""

    async def tail(store: EventStore) -> None:
        position = (await store.head()).position if after is None else after
        # On stderr, so that stdout stays JSON Lines: what follows is what comes after this.
        err.print(f"following the log after position {position}")
        printed = 0
        stdout = _utf8_stdout()
        while count is None or printed < count:
            batch = await store.read_all(after_position=position, limit=500)
            for event in batch[: None if count is None else count - printed]:
                stdout.write(dumps(event.to_json()) + "\n")
                printed += 1
            stdout.flush()
            if batch:
                position = batch[-1].position
            else:
                await asyncio.sleep(interval)

    with suppress(KeyboardInterrupt):
        _run(tail)


@log_app.command("head")
def log_head() -> None:
    """Print the log's head: position and recordedAt of the newest event."""
    head = _run(lambda store: store.head())
    recorded = head.recorded_at.isoformat() if head.recorded_at else "-"
    typer.echo(f"position {head.position} recordedAt {recorded}")


@projections_app.command("rebuild")
def projections_rebuild() -> None:
    """Replay the whole log into fresh projections (appends wait until it is done)."""
    count, seconds = _replay(
        "rebuilding", lambda store, progress: rebuild(store.engine, None, progress)
    )
    rate = count / seconds if seconds else 0.0
    err.print(
        f"rebuilt the projections from {_count(count, 'event')} in {seconds:.2f} s "
        f"({rate:,.0f} events/s)"
    )


@projections_app.command("verify")
def projections_verify() -> None:
    """Rebuild into scratch tables and report every difference from the live projections;
    exit 1 when there is any."""
    differences, seconds = _replay(
        "verifying", lambda store, progress: verify(store.engine, None, progress)
    )
    for difference in differences:
        err.print(f"[red]difference:[/red] {difference}", highlight=False)
    if differences:
        raise typer.Exit(1)
    err.print(f"the projections equal a rebuild from the log ({seconds:.2f} s)")


def _load_demo() -> None:
    """Import the packaged demo dataset; say what it appended. A failure exits 1."""
    try:
        report = _run(load_demo)
    except ImportFailed as failure:
        # Every line fails alike when the log is newer than the demo: show a few, not all.
        problems = failure.report.problems
        for problem in problems[:3]:
            err.print(Text.assemble(("error:", "red"), f" {problem}"), highlight=False)
        if len(problems) > 3:
            err.print(f"({len(problems) - 3} more problems)")
        err.print(
            f"nothing was appended: the demo ({DATASET}) goes only into an empty log or one "
            "that holds it already; set TIMELINE_DATABASE_URL to another database "
            "(e.g. sqlite:///./demo.db)"
        )
        raise typer.Exit(1) from None
    if report.appended:
        err.print(f"loaded the demo: {report.appended} events appended ({DATASET})")
    else:
        err.print(
            f"the demo is loaded already: {report.unchanged} events in the log, nothing appended"
        )


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo dataset into the configured database (migrated already). Idempotent:
    its events carry fixed ids, so loading it again appends nothing."""
    _load_demo()


@token_app.command("new")
def token_new(
    principal: Annotated[
        str, typer.Argument(metavar="PRINCIPAL", help="Who the token stands for (recordedBy).")
    ],
    role: Annotated[str, typer.Option(help="reader, editor or admin.")] = "reader",
    expires: Annotated[
        str | None, typer.Option(help="When it stops working, e.g. 2027-01-01T00:00:00Z.")
    ] = None,
) -> None:
    """Make a new random token (256 bits). Prints the token on the first line (shown once:
    give it to its holder) and, on the second, its entry for TIMELINE_TOKENS_FILE (its
    SHA-256 digest, never the token); a running server reads the file again when it changes."""
    try:
        text, token = new_token(principal, Role.named(role), parse_expires(principal, expires))
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from None
    print(text)
    print(json.dumps(token.to_json()))


@app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option(envvar="TIMELINE_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="TIMELINE_PORT", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int, typer.Option(envvar="TIMELINE_WORKERS", min=1, max=64, help="Worker processes.")
    ] = 1,
    shutdown_seconds: Annotated[
        int,
        typer.Option(
            envvar="TIMELINE_SHUTDOWN_SECONDS",
            min=1,
            max=3600,
            help="On SIGTERM, how long in-flight requests may take to finish.",
        ),
    ] = 30,
    reload: Annotated[
        bool, typer.Option(help="Restart when the code changes (development).")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            help="First create the database if missing, migrate it and load the demo data "
            "(`timeline demo load`)."
        ),
    ] = False,
) -> None:
    """Serve the GraphQL API (uvicorn) on the configured database. On SIGTERM it stops
    accepting connections, lets in-flight requests finish (up to --shutdown-seconds), ends
    the subscriptions and exits."""
    settings = _settings()  # a bad setting stops here, with its name, not in a worker
    if demo:
        upgrade(settings.database_url)  # creates the SQLite file on first run
        _load_demo()
    # Before the workers start, which inherit where to share their metrics.
    metrics_dir = prepare_multiprocess(1 if reload else workers) if settings.metrics else None
    connections = settings.connections
    try:
        uvicorn.run(
            "api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=None if reload else workers,
            reload=reload,
            log_config=log_config(settings),
            log_level=settings.log_level,
            access_log=False,  # api/access.py logs each request, with its id
            timeout_graceful_shutdown=shutdown_seconds,
            # uvicorn kills a worker that does not answer its health check within 5 s by
            # default, which a worker still importing on a busy machine misses, again and again.
            timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
            # Bounds on each client (docs/configuration.md, "Abuse and slow clients").
            http="api.connections:BoundedHttpProtocol",
            limit_concurrency=connections.max_connections,
            timeout_keep_alive=connections.keep_alive_seconds,
            ws_max_size=settings.limits.max_body_bytes,
            ws_ping_interval=connections.ws_ping_seconds,
            ws_ping_timeout=connections.ws_ping_seconds,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _event_type(name: str) -> str:
    """The event type `name` means (case ignored); exit 2 when there is none."""
    found = type_named(name)
    if found is None:
        err.print(
            f"[red]error:[/red] unknown event type {name!r}; "
            "`timeline csv template --list` lists them",
            highlight=False,
        )
        raise typer.Exit(2)
    return found


@csv_app.command("template")
def csv_template(
    type_name: Annotated[
        str | None, typer.Argument(metavar="[TYPE]", help="The event type, e.g. MeetingHeld.")
    ] = None,
    list_types: Annotated[
        bool, typer.Option("--list", help="List the event types and their stream kinds.")
    ] = False,
    example: Annotated[
        bool, typer.Option(help="Add an example row under the header (overwrite it).")
    ] = False,
    delimiter: Annotated[
        Delimiter, typer.Option(help="The cell delimiter.", show_default="a comma")
    ] = Delimiter.COMMA,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write the CSV header row of an event type's sheet (docs/csv-import.md)."""
    if list_types:
        for name, cls in EVENT_TYPES.items():
            typer.echo(f"{name}\t{cls.stream_kind or 'any'}")
        return
    if type_name is None:
        err.print("[red]error:[/red] give an event type (TYPE), or --list to list them")
        raise typer.Exit(2)
    name = _event_type(type_name)
    with _output(output) as target:
        write_template(name, target, delimiter=delimiter.char, example=example)


@csv_app.command("import")
def csv_import(
    type_name: Annotated[
        str, typer.Argument(metavar="TYPE", help="The sheet's event type, e.g. MeetingHeld.")
    ],
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            help="A CSV file (UTF-8), an Excel workbook (.xlsx), or - for standard input.",
            show_default=False,
        ),
    ] = None,
    delimiter: Annotated[
        Delimiter | None,
        typer.Option(help="The cell delimiter.", show_default="sniffed from the header row"),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="The file's encoding, e.g. cp1252.", show_default="UTF-8"),
    ] = None,
    allow_duplicates: Annotated[
        bool,
        typer.Option(help="Import rows without ids that describe the same event, each of them."),
    ] = False,
    recorded_by: Annotated[
        str | None, typer.Option(help="recordedBy of the events.", show_default="cli:USER")
    ] = None,
) -> None:
    """Import a sheet of one event type (docs/csv-import.md); every bad row is reported with
    its row number and column, and nothing is appended unless all rows are valid."""
    if file is None:
        err.print(
            f"[red]error:[/red] missing the sheet's event type: give it before the file, as in "
            f"`timeline csv import MeetingHeld {type_name}` "
            "(`timeline csv template --list` lists the types)",
            highlight=False,
        )
        raise typer.Exit(2)
    name = _event_type(type_name)
    data = _read_bytes(file)
    started = time.perf_counter()
    text = ""
    cells: Iterator[list[str]] | None = None
    try:
        if file.casefold().endswith(".xlsx") or data.startswith(ZIP_MAGIC):
            rows, cells = workbook_rows(data)
            bar = ImportBar(err, rows, "rows")
        else:
            text = decode(data, unit="row", encoding=encoding)
            # The bar counts the file's bytes; the reader, the text's characters.
            scale = len(data) / max(len(text), 1)
            bar = ImportBar(err, len(data), "bytes", scale=scale, items="rows")
    except (NotText, NotAWorkbook) as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None
    except LookupError:
        err.print(f"[red]error:[/red] unknown encoding {encoding!r} (--encoding)", highlight=False)
        raise typer.Exit(2) from None
    by = delimiter.char if delimiter else None
    try:
        with bar:
            if cells is None:
                sheet = read_sheet(name, text, by, bar)
            else:
                sheet = read_rows(name, cells, bar)
            report = _run(
                lambda store: import_sheet(
                    store,
                    sheet,
                    recorded_by=recorded_by or _principal(),
                    allow_duplicates=allow_duplicates,
                    progress=bar,
                )
            )
    except CsvImportFailed as failure:
        _print_problems(failure.report.problems)
        err.print("nothing was appended")
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    err.print(
        f"imported {_count(report.appended, 'event')} ({report.unchanged} already in the log) "
        f"from {_count(report.rows, 'row')} in {seconds:.2f} s"
    )
    _print_resolved(report.resolutions())


def _print_resolved(resolutions: list[str]) -> None:
    """The actor ids an import read otherwise than they are stored, if any."""
    if resolutions:
        err.print("actors resolved: " + ", ".join(resolutions), highlight=False)


def _read_bytes(file: str) -> bytes:
    """The bytes of `file` (- : standard input); exit 2 when there is no such file."""
    if file == "-":
        return sys.stdin.buffer.read()
    path = Path(file)
    if not path.is_file():
        err.print(f"[red]error:[/red] no such file: {file}")
        raise typer.Exit(2)
    return path.read_bytes()


def _print_problems(problems: Bounded[Any]) -> None:
    """Each problem on a line of its own, then how many more there were."""
    for problem in problems:
        err.print(Text.assemble(("error:", "red"), f" {problem}"), highlight=False)
    more = problems.more()
    if more:
        err.print(more, highlight=False)


def _count(number: int, noun: str) -> str:
    """`1 event`, `2 events`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
