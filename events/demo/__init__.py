"""The demo dataset: the facts of one newspaper article as events, packaged with the project.

`straits-times-2024-02-19.jsonl` (JSON Lines, docs/format.md) holds every meeting, summit,
declaration, export control, dialogue and expert statement of *China, US are taking baby steps to
cooperate on AI. What's at stake?* (The Straits Times, 2024-02-19), each citing the article. Its
`recordedAt` values replay the log as it would have been kept while the news came in: most facts
recorded a few days after they happened, the Track II dialogue (since 2019) and the experts'
statements only when the article revealed them. docs/demo.md lists the encoding choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from events.interchange.jsonl import ImportReport, import_jsonl
from events.store import EventStore

DATASET = "straits-times-2024-02-19.jsonl"
# recordedBy of every event of the dataset (the file carries it; this is the fallback).
PRINCIPAL = "demo:straits-times-2024-02-19"


@contextmanager
def demo_lines() -> Iterator[Iterator[str]]:
    """The dataset's lines, read from the installed package (no path to the source tree)."""
    with resources.files(__name__).joinpath(DATASET).open("r", encoding="utf-8") as lines:
        yield iter(lines)


async def load_demo(store: EventStore) -> ImportReport:
    """Import the demo dataset into `store`, all of it or nothing.

    Idempotent: the events carry fixed ids, so a second load appends nothing and reports every
    event as already in the log. Raises ImportFailed when the log holds events recorded after
    the dataset's (knowledge time may not go back) or conflicting events with the same ids.
    """
    with demo_lines() as lines:
        return await import_jsonl(store, lines, recorded_by=PRINCIPAL)
