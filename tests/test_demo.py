"""The demo dataset (events/demo/): it loads, loads once, answers what the README says, and
`timeline serve --demo` makes a fresh embedded database serve it.

Store tests run on SQLite and, when TIMELINE_TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from contextlib import suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from events.demo import PRINCIPAL, demo_lines, load_demo
from events.projections.rebuild import verify
from events.store import EventStore
from events.types import event_from_json
from events.views.relation import relation
from events.views.rosters import instrument_parties
from tests.api_client import api_client
from tests.factories import actor
from tests.test_subscriptions import timeline_serve

ROOT = Path(__file__).parent.parent
TIMELINE = Path(sys.executable).parent / "timeline"
ARTICLE_DAY = date(2024, 2, 19)
A_MONTH_EARLIER = datetime(2024, 1, 19, tzinfo=UTC)
EVENTS = 32
ARTICLE_URL = (
    "https://www.straitstimes.com/asia/east-asia/"
    "china-us-are-taking-baby-steps-to-cooperate-on-ai-what-s-at-stake"
)

SUMMIT = "meeting/2023-11-15-biden-xi-woodside"
AI_SAFETY_SUMMIT = "meeting/2023-11-01-ai-safety-summit-bletchley"
BANGKOK = "meeting/2024-01-27-sullivan-wang-bangkok"
AI_DIALOGUE = "dialogue/us-china-ai"
TRACK_II = "dialogue/tsinghua-ciss-brookings-ai"
BLETCHLEY = "instrument/bletchley-declaration"
POLITICAL = "instrument/political-declaration-military-ai"
CHIPS = "measure/us-chip-technology-export-controls"
# The 28 countries and the EU of the UK Government's text of the declaration.
BLETCHLEY_SIGNATORIES = {
    "AUS", "BRA", "CAN", "CHL", "CHN", "FRA", "DEU", "IND", "IDN", "IRL", "ISR", "ITA", "JPN",
    "KEN", "SAU", "NLD", "NGA", "PHL", "KOR", "RWA", "SGP", "ESP", "CHE", "TUR", "UKR", "ARE",
    "GBR", "USA", "eu",
}  # fmt: skip


def demo_events() -> list[dict[str, Any]]:
    with demo_lines() as lines:
        return [json.loads(line) for line in lines]


# --- the file ----------------------------------------------------------------------------------


def test_every_event_is_valid_cites_the_article_and_is_recorded_in_order() -> None:
    events = demo_events()
    assert len(events) == EVENTS
    assert len({e["id"] for e in events}) == EVENTS
    recorded = [datetime.fromisoformat(e["recordedAt"]) for e in events]
    assert recorded == sorted(recorded), "recordedAt must not go back in file order"
    for number, obj in enumerate(events, start=1):
        event = event_from_json(obj, number, restoring=True)  # raises when invalid
        assert event.recorded_by == PRINCIPAL
        article = [s for s in event.sources if s.url == ARTICLE_URL]
        assert len(article) == 1, f"line {number} does not cite the article"
        assert article[0].publisher == "The Straits Times"
        assert article[0].published == "2024-02-19"
        # Quotes stay short: a sentence at most, never the article.
        assert article[0].quote is None or len(article[0].quote) <= 200


# --- loading ------------------------------------------------------------------------------------


async def test_the_demo_loads_and_the_projections_equal_a_rebuild(store: EventStore) -> None:
    report = await load_demo(store)
    assert (report.appended, report.unchanged) == (EVENTS, 0)
    head = await store.head()
    assert head.count == EVENTS
    assert head.recorded_at == datetime(2024, 2, 19, 10, 30, tzinfo=UTC)
    assert await verify(store.engine) == []


async def test_loading_the_demo_twice_appends_nothing(store: EventStore) -> None:
    await load_demo(store)
    before = await store.read_all(limit=100)
    again = await load_demo(store)
    assert (again.appended, again.unchanged) == (0, EVENTS)
    assert await store.read_all(limit=100) == before


async def test_the_demo_loads_again_after_later_events(store: EventStore) -> None:
    # A log that grew after the demo (recorded now) still takes the demo again: nothing new.
    await load_demo(store)
    await store.append([actor("someone")], recorded_by="test")
    again = await load_demo(store)
    assert (again.appended, again.unchanged) == (0, EVENTS)
    assert (await store.head()).count == EVENTS + 1


# --- the answers the README shows ---------------------------------------------------------------


async def test_the_us_china_relation_on_the_articles_day(store: EventStore) -> None:
    await load_demo(store)
    view = await relation(store.engine, "USA", "CHN", ARTICLE_DAY)

    assert view.last_contact is not None
    assert view.last_contact.meeting == BANGKOK
    assert view.last_contact.participants == ("jake-sullivan", "wang-yi")
    assert view.last_contact.held.edtf == "2024-01-27"
    # The AI Safety Summit counts: both states are among its participants.
    assert [c.meeting for c in view.contacts] == [AI_SAFETY_SUMMIT, SUMMIT, BANGKOK]
    assert all(c.certain for c in view.contacts)
    assert view.instruments is not None
    assert [
        (s.instrument, s.a and s.a.action, s.b and s.b.action) for s in view.instruments.shared
    ] == [(BLETCHLEY, "SIGN", "SIGN")]
    assert [s.instrument for s in view.instruments.only_a] == [POLITICAL]
    assert view.instruments.only_b == ()
    assert [(d.dialogue, d.status, d.since.edtf, d.certain) for d in view.dialogues] == [
        (TRACK_II, "ACTIVE", "2019", True),
        (AI_DIALOGUE, "ESTABLISHED", "2023-11-15", True),
    ]
    assert [(m.measure, m.kind, m.imposer, m.targets, m.since.edtf, m.certain)
            for m in view.measures_in_force] == [
        (CHIPS, "EXPORT_CONTROL", "USA", ("CHN",), "2022-10~", True)
    ]  # fmt: skip
    # Only the experts who count for either side: the others are Norwegian and Belgian.
    assert [(s.statement, s.issuer, s.stance, s.occurred.edtf) for s in view.statements] == [
        ("statement/2024-01-tsinghua-ciss-commentary", "tsinghua-ciss", "COOPERATIVE", "2024-01"),
        ("statement/2024-02-19-lu-xiaomeng", "lu-xiaomeng", "COOPERATIVE", "2024-02-19"),
    ]


async def test_the_relation_as_known_a_month_earlier(store: EventStore) -> None:
    await load_demo(store)
    now = await relation(store.engine, "USA", "CHN", ARTICLE_DAY)
    then = await relation(store.engine, "USA", "CHN", ARTICLE_DAY, A_MONTH_EARLIER)

    # Bangkok was recorded on 2024-01-29, the Track II dialogue and the statements on 2024-02-19.
    assert then.last_contact is not None and then.last_contact.meeting == SUMMIT
    assert [c.meeting for c in then.contacts] == [AI_SAFETY_SUMMIT, SUMMIT]
    assert [d.dialogue for d in then.dialogues] == [AI_DIALOGUE]
    assert then.statements == ()
    # Recorded long before: the same then as now.
    assert then.measures_in_force == now.measures_in_force
    assert then.instruments == now.instruments


async def test_who_had_signed_the_bletchley_declaration(store: EventStore) -> None:
    await load_demo(store)
    parties = await instrument_parties(store.engine, BLETCHLEY, date(2023, 11, 2))
    assert {p.actor for p in parties} == BLETCHLEY_SIGNATORIES
    assert len(parties) == 29
    assert all(p.action == "SIGN" and p.certain for p in parties)
    assert await instrument_parties(store.engine, BLETCHLEY, date(2023, 10, 31)) == ()


# --- the README ---------------------------------------------------------------------------------


EXAMPLE = re.compile(r"```graphql\n(.*?)```\n\n```json\n(.*?)```", re.DOTALL)


def readme_examples() -> list[tuple[str, Any]]:
    """(query, answer shown) of each example of the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [(query, json.loads(answer)) for query, answer in EXAMPLE.findall(text)]
    assert text.count("```graphql") == len(examples), "a README query has no answer after it"
    return examples


def contained(shown: Any, real: Any, path: str = "") -> None:
    """Assert that `shown` is `real` abbreviated: objects may leave out keys, lists items (the
    rest in order), and nothing else differs."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), f"{path}: {real!r} is not an object"
        for key, value in shown.items():
            assert key in real, f"{path}.{key} is not in the answer"
            contained(value, real[key], f"{path}.{key}")
    elif isinstance(shown, list):
        assert isinstance(real, list), f"{path}: {real!r} is not a list"
        items = iter(enumerate(real))
        for shown_item in shown:
            for index, real_item in items:
                with suppress(AssertionError):
                    contained(shown_item, real_item, f"{path}[{index}]")
                    break
            else:
                raise AssertionError(f"{path}: {shown_item!r} is not in the answer (in order)")
    else:
        assert shown == real, f"{path}: the README shows {shown!r}, the answer is {real!r}"


def test_contained_refuses_what_the_answer_does_not_hold() -> None:
    real = {"a": [{"x": 1, "y": 2}, {"x": 3}], "b": None}
    contained({"a": [{"x": 3}]}, real)
    contained({"a": [], "b": None}, real)
    for wrong in ({"a": [{"x": 3}, {"x": 1}]}, {"a": [{"x": 2}]}, {"c": 1}, {"b": 0}):
        with pytest.raises(AssertionError):
            contained(wrong, real)


async def test_the_readme_queries_answer_as_shown(store: EventStore, database_url: str) -> None:
    await load_demo(store)
    examples = readme_examples()
    assert len(examples) == 10
    async with api_client(database_url) as http:
        for query, shown in examples:
            response = await http.post("/graphql", json={"query": query})
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, (query, body["errors"])
            contained(shown, body["data"], " ".join(query.split())[:60])


# --- the command line ---------------------------------------------------------------------------


def timeline(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    return subprocess.run(
        [str(TIMELINE), *args],
        env={**env, "TIMELINE_DATABASE_URL": url, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_load_says_what_it_appended(database_url: str) -> None:
    first = timeline(database_url, "demo", "load")
    assert first.returncode == 0, first.stderr
    assert f"loaded the demo: {EVENTS} events appended" in first.stderr
    second = timeline(database_url, "demo", "load")
    assert second.returncode == 0, second.stderr
    assert f"the demo is loaded already: {EVENTS} events in the log, nothing appended" in (
        second.stderr
    )
    verified = timeline(database_url, "projections", "verify")
    assert verified.returncode == 0, verified.stderr


async def test_demo_load_refuses_a_log_recorded_after_it(
    store: EventStore, database_url: str
) -> None:
    await store.append([actor("someone")], recorded_by="test")
    run = await asyncio.to_thread(timeline, database_url, "demo", "load")
    assert run.returncode == 1
    assert "earlier than the log's newest recordedAt" in run.stderr
    assert "nothing was appended" in run.stderr
    assert (await store.head()).count == 1


async def test_serve_demo_creates_fills_and_serves_a_fresh_database(tmp_path: Path) -> None:
    path = tmp_path / "new" / "timeline.db"
    path.parent.mkdir()
    async with (
        timeline_serve(f"sqlite+aiosqlite:///{path}", "--demo") as address,
        httpx.AsyncClient() as http,
    ):
        response = await http.post(
            f"http://{address}/graphql",
            json={"query": "{ logHead { position count recordedAt } }"},
        )
    assert response.json()["data"]["logHead"] == {
        "position": EVENTS,
        "count": EVENTS,
        "recordedAt": "2024-02-19T10:30:00+00:00",
    }
    assert path.is_file()
