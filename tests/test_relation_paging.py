"""The connections over a pair's contacts and statements, walked forwards and backwards:
`Relation.contacts`, `Relation.statements` and `RelationChanges.contacts` (docs/graph.md,
"Connections and long lists")."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from events.store import EventStore
from events.types import NewEvent
from tests import factories

# Dates that tie and overlap: an uncertain month before and after its own first day, two
# meetings on one day (ordered by position), a range; and an envoy of USA's side, so that a
# page merges several pairs' index walks.
DATES = [
    "2025-03",
    "2025-03-01",
    "2025-03-01",
    "2025-02",
    "2025-04-15",
    "2025-03-01/2025-03-05",
    "2025-01-20",
]

# Each connection: the query of one page (its arguments spliced in) and where the page is.
CONNECTIONS = {
    "Relation.contacts": (
        '{ relation(a: "USA", b: "CHN", asOf: "2025-12-31") { contacts(%s) { %s } } }',
        ("relation", "contacts"),
    ),
    "Relation.statements": (
        '{ relation(a: "USA", b: "CHN", asOf: "2025-12-31") { statements(%s) { %s } } }',
        ("relation", "statements"),
    ),
    "RelationChanges.contacts": (
        '{ changes(a: "USA", b: "CHN", from: "2024-12-31", to: "2025-12-31") '
        "{ contacts(%s) { %s } } }",
        ("changes", "contacts"),
    ),
}
# A cursor of Query.events (`1|events|2024-01-01|2024-01-01|1`): not one of these lists'.
EVENTS_CURSOR = "MXxldmVudHN8MjAyNC0wMS0wMXwyMDI0LTAxLTAxfDE="
SELECTION = (
    "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
    "edges { cursor node { key } } nodes { key }"
)


def pair_events() -> list[NewEvent]:
    """Meetings and statements between USA's side and CHN, at DATES."""
    made = [factories.actor("envoy-p", kind="PERSON", country="USA")]
    for i, day in enumerate(DATES):
        side = "envoy-p" if i % 2 else "USA"
        made.append(factories.meeting(f"p-{i}", side, "CHN", occurred=day))
        issuer, about = (side, "CHN") if i % 3 else ("CHN", side)
        made.append(
            factories.new(
                f"statement/p-{i}",
                "StatementIssued",
                day,
                issuer=issuer,
                summary=f"Statement {i}",
                about=[about],
            )
        )
    return made


async def page(
    client: httpx.AsyncClient, connection: str, arguments: dict[str, Any]
) -> dict[str, Any]:
    """One page of `connection` with `arguments` (null ones left out)."""
    text, path = CONNECTIONS[connection]
    given = ", ".join(
        f"{name}: {json.dumps(value)}" for name, value in arguments.items() if value is not None
    )
    response = await client.post("/graphql", json={"query": text % (given, SELECTION)})
    body = response.json()
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"][path[0]][path[1]]
    assert [edge["node"] for edge in found["edges"]] == found["nodes"]
    return found


async def walk(
    client: httpx.AsyncClient, connection: str, size: int, forwards: bool
) -> list[dict[str, Any]]:
    """Every page of `connection`, `first: size` after the last end cursor, or `last: size`
    before the last start cursor."""
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        if forwards:
            found = await page(client, connection, {"first": size, "after": cursor})
        else:
            found = await page(client, connection, {"last": size, "before": cursor})
        pages.append(found)
        info = found["pageInfo"]
        if not (info["hasNextPage"] if forwards else info["hasPreviousPage"]):
            return pages
        assert len(pages) < 20, "the walk does not end"
        cursor = info["endCursor"] if forwards else info["startCursor"]


def edges(pages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The (cursor, key) of every edge of `pages`, in the order the pages were read."""
    return [(edge["cursor"], edge["node"]["key"]) for p in pages for edge in p["edges"]]


@pytest.fixture
async def paged(client: httpx.AsyncClient, store: EventStore) -> httpx.AsyncClient:
    """The API on the sample data and pair_events()."""
    await store.append(pair_events(), recorded_by="test")
    return client


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_paging_backwards_is_the_reverse_walk(
    paged: httpx.AsyncClient, connection: str
) -> None:
    whole = await page(paged, connection, {"first": 100})
    total = whole["totalCount"]
    assert total == len(whole["edges"]) >= len(DATES)
    for size in (1, 2, 3, total, total + 1):
        forwards = await walk(paged, connection, size, forwards=True)
        backwards = await walk(paged, connection, size, forwards=False)
        # the same edges, cursors included; each page oldest first in both directions
        assert edges(forwards) == edges([whole])
        assert edges(list(reversed(backwards))) == edges([whole])
        assert {p["totalCount"] for p in forwards + backwards} == {total}
        for i, found in enumerate(forwards):
            assert found["pageInfo"]["hasPreviousPage"] == (i > 0)
            assert found["pageInfo"]["hasNextPage"] == (i < len(forwards) - 1)
        for i, found in enumerate(backwards):
            assert found["pageInfo"]["hasNextPage"] == (i > 0)
            assert found["pageInfo"]["hasPreviousPage"] == (i < len(backwards) - 1)
            assert len(found["edges"]) == min(size, total - size * i)
            assert found["pageInfo"]["startCursor"] == found["edges"][0]["cursor"]
            assert found["pageInfo"]["endCursor"] == found["edges"][-1]["cursor"]


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_a_backward_page_from_any_cursor(paged: httpx.AsyncClient, connection: str) -> None:
    everything = edges([await page(paged, connection, {"first": 100})])
    for i, (cursor, _) in enumerate(everything):
        before = await page(paged, connection, {"last": 2, "before": cursor})
        assert edges([before]) == everything[max(i - 2, 0) : i]
        assert before["pageInfo"]["hasPreviousPage"] == (i > 2)
        assert before["pageInfo"]["hasNextPage"]
        after = await page(paged, connection, {"first": 2, "after": cursor})
        assert edges([after]) == everything[i + 1 : i + 3]


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ('last: 2, before: "bm90LWEtY3Vyc29y"', "BAD_USER_INPUT", "before"),
        (f'last: 2, before: "{EVENTS_CURSOR}"', "BAD_USER_INPUT", "before"),
        ("first: 2, last: 2", "BAD_USER_INPUT", None),
        ("last: -1", "BAD_USER_INPUT", None),
        ("last: 101", "QUERY_TOO_COMPLEX", None),
    ],
)
async def test_bad_backward_paging_gets_a_code(
    paged: httpx.AsyncClient, connection: str, arguments: str, code: str, field: str | None
) -> None:
    text, _ = CONNECTIONS[connection]
    response = await paged.post("/graphql", json={"query": text % (arguments, "totalCount")})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code, error
    if field is not None:
        assert error["extensions"]["field"] == field
