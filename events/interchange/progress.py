"""How far an import has come, told to whoever shows it (the `timeline` command draws bars).

An import goes through up to three phases, each told as it goes:

1. reading the file: `read(done, items)`, `done` in the unit the importer counts (bytes of a
   JSON Lines file, characters of a CSV text, rows of a workbook), `items` the lines or rows
   read; the caller knows the total in that unit (a file's size, a text's length), the
   importer need not;
2. appending the events read: `appending(done, total)`, rows (a CSV import checks every row
   before it appends any; a JSON Lines import appends as it reads, and skips this phase);
3. committing: `committing()`, which has no steps to count (the projections of an empty log
   are built then, most of the time of a large import into one).

Nothing here draws: events/ knows nothing of terminals.
"""

from __future__ import annotations

from typing import Protocol

# How many lines or rows between two reports of the reading phase: often enough for a bar
# to move, seldom enough to cost nothing.
EVERY = 500


class ImportProgress(Protocol):
    """Told how far an import is; see the module's docstring for the phases."""

    def read(self, done: int, items: int) -> None:
        """`done` units of the file read so far, `items` lines or rows."""

    def appending(self, done: int, total: int) -> None:
        """`done` of `total` rows appended."""

    def committing(self) -> None:
        """Everything is appended; the transaction is being committed."""


class Silent:
    """An ImportProgress that tells no one (the default of every import)."""

    def read(self, done: int, items: int) -> None:
        """Nothing."""

    def appending(self, done: int, total: int) -> None:
        """Nothing."""

    def committing(self) -> None:
        """Nothing."""


SILENT = Silent()
