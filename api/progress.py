"""The progress of an import on a terminal: one bar per phase, each with its total.

Reading counts bytes of the file (a CSV text's characters are shown as the bytes they came
from) or rows of a workbook, of the total when it is known (standard input's is not);
appending counts rows of the rows read; committing has no steps to count, so its bar pulses
while the clock runs. Off a terminal nothing is drawn: a script's stderr holds the summary
alone.
"""

from __future__ import annotations

from types import TracebackType
from typing import Literal

from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

Unit = Literal["bytes", "rows"]


class ImportBar:
    """An events.interchange.progress.ImportProgress drawn with rich on `console`.

    `total`: the file's size in `unit` (None: unknown); `scale`: bytes per unit the importer
    counts in (a CSV text's length in characters against its size in bytes); `items`: what
    the importer's items are called (`lines`, `rows`); `reading`: the first phase's name (a
    JSON Lines import appends as it reads: `importing`).
    """

    def __init__(
        self,
        console: Console,
        total: int | None,
        unit: Unit,
        *,
        scale: float = 1.0,
        items: str = "lines",
        reading: str = "reading",
    ) -> None:
        self.total = total
        self.unit = unit
        self.scale = scale
        self.items = items
        self.bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.reading = self.bar.add_task(reading, total=total, amount="")
        self.done = 0  # units of the file read, scaled
        self.lines = 0  # lines or rows read
        self.adding: TaskID | None = None
        self.commit: TaskID | None = None

    def __enter__(self) -> ImportBar:
        self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.commit is not None and kind is None:
            self.bar.update(self.commit, total=1, completed=1)
        self.bar.stop()

    def _amount(self, done: int) -> str:
        if self.unit == "bytes":
            of = f"/{decimal(self.total)}" if self.total is not None else ""
            return f"{decimal(done)}{of}"
        of = f"/{self.total:,}" if self.total is not None else ""
        return f"{done:,}{of} rows"

    def read(self, done: int, items: int) -> None:
        """`done` units read (scaled to the file's), `items` lines or rows."""
        self.done = round(done * self.scale)
        if self.total is not None:
            self.done = min(self.done, self.total)
        self.lines = items
        self._show_reading()

    def _show_reading(self) -> None:
        amount = self._amount(self.done)
        if self.unit == "bytes":
            amount += f", {self.lines:,} {self.items}"
        self.bar.update(self.reading, completed=self.done, amount=amount)

    def appending(self, done: int, total: int) -> None:
        """`done` of `total` rows appended."""
        if self.adding is None:
            self._finish_reading()
            self.adding = self.bar.add_task("appending", total=total, amount="")
        self.bar.update(self.adding, completed=done, amount=f"{done:,}/{total:,} rows")

    def committing(self) -> None:
        """The commit begins: the bars before it are full, a pulsing one follows."""
        self._finish_reading()
        self.commit = self.bar.add_task("committing", total=None, amount="")

    def _finish_reading(self) -> None:
        # What was read is the whole file: a byte-order mark or CRLF line ends make the
        # importer's count fall a little short of the file's size.
        if self.total is None:
            self.total = self.done
        self.done = self.total
        self.bar.update(self.reading, total=self.total)
        self._show_reading()
