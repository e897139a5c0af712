"""GraphQL over HTTP: the two media types and their status codes, the body limit, requests that
are not GraphQL, and GraphiQL with its example queries."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.graphiql import EXAMPLES
from api.web.templating import json_for_script
from events.store import EventStore
from tests.api_client import api_client, import_sample

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture
async def client(store: EventStore, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a body limit of 2000 bytes."""
    await import_sample(store)
    async with api_client(database_url, TIMELINE_MAX_BODY_BYTES="2000") as http:
        yield http


async def ask(http: httpx.AsyncClient, accept: str, body: dict[str, Any] | bytes) -> httpx.Response:
    if isinstance(body, bytes):
        return await http.post(
            "/graphql", content=body, headers={"Accept": accept, "Content-Type": JSON}
        )
    return await http.post("/graphql", json=body, headers={"Accept": accept})


def code(response: httpx.Response) -> str:
    value: str = response.json()["errors"][0]["extensions"]["code"]
    return value


REQUEST_ERRORS = [
    ({"query": "{ relation(a: "}, "GRAPHQL_PARSE_FAILED"),
    ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
    ({"query": "{ events(first: 1000) { totalCount } }"}, "QUERY_TOO_COMPLEX"),
    (
        {"query": "query E($id: ID!) { event(id: $id) { id } }", "variables": {}},
        "BAD_USER_INPUT",  # a variable missing: nothing executed, a request error too
    ),
]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(("body", "expected"), REQUEST_ERRORS)
async def test_request_errors_by_media_type(
    client: httpx.AsyncClient, accept: str, body: dict[str, Any], expected: str
) -> None:
    """graphql-response+json: a request error is a 400 without `data` (nothing executed);
    plain JSON: a 200 with `data: null`, as before."""
    response = await ask(client, accept, body)
    assert code(response) == expected
    assert response.headers["content-type"].startswith(accept)
    if accept == GRAPHQL_RESPONSE:
        assert response.status_code == 400, response.text
        assert "data" not in response.json()
    else:
        assert response.status_code == 200, response.text
        assert response.json()["data"] is None


async def test_graphql_response_json_with_data(client: httpx.AsyncClient) -> None:
    ok = await ask(client, f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", {"query": "{ logHead { count } }"})
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert ok.json()["data"] == {"logHead": {"count": 7}}
    # A field error is no request error: it executed, so 200 with data (null up to the field).
    field_error = await ask(
        client, GRAPHQL_RESPONSE, {"query": '{ relation(a: "XX", b: "CHN") { asOf } }'}
    )
    assert field_error.status_code == 200
    assert field_error.json()["data"] is None and code(field_error) == "BAD_USER_INPUT"
    # q=0 refuses the media type
    refused = await ask(client, f"{GRAPHQL_RESPONSE};q=0, {JSON}", {"query": "{ nope }"})
    assert refused.status_code == 200 and refused.headers["content-type"] == JSON


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"query": "{ logHead { count } }"', 400),  # malformed JSON
        (b'{"variables": {}}', 400),  # no query
        (b'{"query": 42}', 400),
    ],
)
async def test_a_request_that_is_not_graphql_is_a_coded_400(
    client: httpx.AsyncClient, accept: str, body: bytes, expected: int
) -> None:
    response = await ask(client, accept, body)
    assert response.status_code == expected, response.text
    assert response.headers["content-type"].startswith(accept)
    assert code(response) == "BAD_USER_INPUT"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_an_oversize_body_is_refused_before_it_is_parsed(
    client: httpx.AsyncClient, accept: str
) -> None:
    padding = " " * 2000
    response = await ask(client, accept, {"query": "{ logHead { count } }" + padding})
    assert response.status_code == 413
    assert code(response) == "QUERY_TOO_COMPLEX"
    assert response.json()["errors"][0]["extensions"]["limit"] == 2000
    assert response.headers["content-type"].startswith(accept)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        yield b'{"query": "{ logHead { count } }'
        for _ in range(30):
            yield b" " * 100
        yield b'"}'

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"Accept": accept, "Content-Type": JSON}
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert code(streamed) == "QUERY_TOO_COMPLEX"
    # broken JSON over the limit is refused for its size: JSON parsing never started
    broken = await ask(client, accept, b"{" * 3000)
    assert broken.status_code == 413


@pytest.mark.parametrize("streamed", [False, True])
async def test_the_body_limit_is_exact(client: httpx.AsyncClient, streamed: bool) -> None:
    """A body of exactly TIMELINE_MAX_BODY_BYTES (2000 here) is answered; one byte more is a
    413, whether its length is declared or only counted while it arrives."""

    def body(size: int) -> bytes:
        head = b'{"query": "{ logHead { count } }'
        return head + b" " * (size - len(head) - 2) + b'"}'

    async def send(content: bytes) -> httpx.Response:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(content), 500):
                yield content[start : start + 500]

        return await client.post(
            "/graphql",
            content=chunks() if streamed else content,
            headers={"Accept": GRAPHQL_RESPONSE, "Content-Type": JSON},
        )

    exact, over = body(2000), body(2001)
    assert (len(exact), len(over)) == (2000, 2001)
    answered = await send(exact)
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"]["logHead"]["count"] > 0
    refused = await send(over)
    assert refused.status_code == 413
    assert code(refused) == "QUERY_TOO_COMPLEX"


async def test_a_wrong_token_stays_401_in_both_media_types(client: httpx.AsyncClient) -> None:
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await client.post(
            "/graphql",
            json={"query": "{ logHead { count } }"},
            headers={"Accept": accept, "Authorization": "Bearer not-a-known-token"},
        )
        assert response.status_code == 401
        assert response.headers["content-type"].startswith(accept)
        assert code(response) == "UNAUTHENTICATED"


async def test_graphiql_opens_on_the_examples(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    [examples] = re.findall(
        r'<script type="application/json" id="examples">(.*?)</script>', html, re.DOTALL
    )
    assert json.loads(examples) == [example.text for example in EXAMPLES]
    for example in EXAMPLES:
        # Each tab is named by its operation.
        assert re.match(r"query [A-Z][A-Za-z]+ \{", example.query), example.title
    assert 'relation(a: \\"USA\\", b: \\"CHN\\", asOf: \\"2024-02-19\\")' in examples
    assert "</script" not in json_for_script(["</script><script>alert(1)</script>"])


async def test_the_examples_answer_without_errors(client: httpx.AsyncClient) -> None:
    for example in EXAMPLES:
        response = await ask(client, JSON, {"query": example.text})
        body = response.json()
        assert "errors" not in body, (example.title, body)
        assert body["data"], example.title
    docs = (Path(__file__).parent.parent / "docs" / "queries.md").read_text(encoding="utf-8")
    for example in EXAMPLES:
        assert example.query in docs, f"docs/queries.md lacks the example {example.title!r}"
