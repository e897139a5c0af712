"""The pages for people (api/web/): the landing page, the explorer, its instrument and event
pages. Without a browser: the routes, their policy, and every GraphQL document the pages send
(api/web/static/explore/queries.js) valid against the schema. With Debian's chromium (marked
`browser`): what the explorer shows on the demo, checked against the API's own answers at
several asOf and knownAt, with no host but the server reachable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse, validate

from api.graphql.schema import schema
from api.web.templating import PAGE_POLICY
from tests.api_client import EDITOR_TOKEN, api_client
from tests.browser import Browsing, browsing, demo_server, driver, needs_chromium
from tests.servers import AUTH, TOKENS

QUERIES = Path(__file__).parent.parent / "api" / "web" / "static" / "explore" / "queries.js"
SCRIPTS = QUERIES.parent


def documents() -> dict[str, str]:
    """The documents queries.js exports, its `${…}` fragments filled in as JavaScript would."""
    source = QUERIES.read_text(encoding="utf-8")
    constants = dict(re.findall(r"const (\w+) = `([^`]*)`", source))

    def expand(text: str) -> str:
        return re.sub(r"\$\{(\w+)\}", lambda m: expand(constants[m.group(1)]), text)

    exported = re.findall(r"export const (\w+) = `", source)
    return {name: expand(constants[name]) for name in exported}


# --- without a browser ---------------------------------------------------------------------


def test_every_document_of_the_pages_is_valid_against_the_schema() -> None:
    found = documents()
    assert {"RELATION", "HISTORY", "CHANGES", "SERIES", "INSTRUMENT", "EVENT_BY_ID"} <= set(found)
    graphql_schema = schema._schema
    for name, text in found.items():
        errors = validate(graphql_schema, parse(text))
        assert errors == [], (name, [error.message for error in errors])


def test_no_other_script_sends_a_document_of_its_own() -> None:
    for script in SCRIPTS.glob("*.js"):
        if script != QUERIES:
            # The SVG namespace is a name, not an address.
            text = script.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
            assert not re.search(r"\b(query|mutation|subscription)\s+\w+\s*[({]", text), script
            assert "https://" not in text and "http://" not in text, script
            assert "fetch(" not in text or script.name == "api.js", script


async def test_the_landing_page_links_the_explorer_and_graphiql(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert 'href="/explore?a=USA&amp;b=CHN&amp;asOf=2024-02-19"' in page.text
    assert 'href="/graphql"' in page.text


async def test_the_explorer_echoes_its_parameters_escaped(client: httpx.AsyncClient) -> None:
    page = await client.get(
        "/explore", params={"a": "USA", "b": '"><script>alert(1)</script>', "asOf": "2024-02-19"}
    )
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert 'value="USA"' in page.text and 'value="2024-02-19"' in page.text
    assert "<script>alert(1)" not in page.text
    # Only the page's own module runs: no inline script.
    assert re.findall(r"<script[^>]*>", page.text) == [
        '<script type="module" src="/static/explore/explore.js">'
    ]
    for path in ("/explore/instrument?id=instrument/x", "/explore/event?id=x"):
        detail = await client.get(path)
        assert detail.status_code == 200
        assert detail.headers["content-security-policy"] == PAGE_POLICY


async def test_the_pages_open_without_a_token_when_reading_needs_one(database_url: str) -> None:
    async with api_client(database_url, TIMELINE_READ_REQUIRES_TOKEN="true") as http:
        assert (await http.get("/explore?a=USA&b=CHN")).status_code == 200
        assert (await http.get("/static/explore/explore.js")).status_code == 200
        answer = await http.post("/graphql", json={"query": "{ logHead { count } }"})
        assert answer.status_code == 401


# --- in chromium ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Iterator[str]:
    """`timeline serve --demo` for the module's browser tests."""
    with demo_server() as base:
        yield base


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with driver() as started:
        yield started


@pytest.fixture(scope="module")
def browser(playwright: Any, demo: str) -> Iterator[Browsing]:
    with browsing(playwright, demo) as opened:
        yield opened


def api(base: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The API's own answer, as the test's reference."""
    body = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def open_page(browser: Browsing, path: str) -> Any:
    """A new tab on `path` of the server."""
    page = browser.context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{browser.base}{path}")
    return page


def explore(browser: Browsing, query: str) -> Any:
    """A new tab on the explorer at `query`, once everything is drawn."""
    page = open_page(browser, f"/explore?{query}")
    page.wait_for_selector("body[data-ready=all]", timeout=30_000)
    return page


def shown(page: Any, section: str) -> list[str]:
    """The ids of the items a section of the relation shows."""
    return page.locator(f'[data-section="{section}"] li.item').evaluate_all(
        "items => items.map(i => i.dataset.id)"
    )


def titles(page: Any, section: str) -> list[str]:
    return page.locator(f'[data-section="{section}"] li.item .item-title').all_inner_texts()


@pytest.mark.browser
@needs_chromium
def test_graphiql_renders_and_runs_a_query_offline(browser: Browsing) -> None:
    page = open_page(browser, "/graphql")
    page.get_by_role("tab", name="UsChinaRelation").wait_for(timeout=30_000)
    for name in ("BletchleyParties", "RecentEvents", "UsChinaChanges"):
        assert page.get_by_role("tab", name=name).count() == 1
    page.locator(".graphiql-execute-button").click()
    page.locator(".result-window").get_by_text("Sullivan-Wang talks in Bangkok").first.wait_for(
        timeout=30_000
    )
    # Typing opens the editor's hints, and the documentation explorer opens: still no error
    # (no style or script the page's policy refuses).
    page.locator(".graphiql-query-editor .CodeMirror").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n{ logH")
    page.locator(".CodeMirror-hints").get_by_text("logHead").wait_for(timeout=30_000)
    page.get_by_role("button", name="Show Documentation Explorer").click()
    page.get_by_text("A GraphQL schema provides a root type").wait_for(timeout=30_000)
    assert browser.blocked == []
    assert browser.console_errors == []
    page.close()


REFERENCE = """
query Reference($a: ID!, $b: ID!, $asOf: Date, $knownAt: DateTime) {
  relation(a: $a, b: $b, asOf: $asOf, knownAt: $knownAt) {
    lastContact { key title }
    contacts(first: 100) { edges { node { key } } }
    dialogues { dialogue { key } }
    measuresInForce { measure { key } imposer { key } }
    sharedInstruments { instrument { key } }
    onlyA { instrument { key } }
    onlyB { instrument { key } }
    statements(first: 100) { edges { node { key } } }
  }
}"""


def expected_sections(base: str, asof: str, known_at: str | None) -> dict[str, list[str]]:
    """What each section of the explorer must show of USA and CHN, by the API's answer."""
    relation = api(base, REFERENCE, {"a": "USA", "b": "CHN", "asOf": asof, "knownAt": known_at})[
        "relation"
    ]
    last = relation["lastContact"]
    measures = relation["measuresInForce"]
    return {
        "last-contact": [last["key"]] if last else [],
        "contacts": [edge["node"]["key"] for edge in relation["contacts"]["edges"]],
        "dialogues": [d["dialogue"]["key"] for d in relation["dialogues"]],
        "measures-a-b": [m["measure"]["key"] for m in measures if m["imposer"]["key"] == "USA"],
        "measures-b-a": [m["measure"]["key"] for m in measures if m["imposer"]["key"] != "USA"],
        "shared": [s["instrument"]["key"] for s in relation["sharedInstruments"]],
        "only-a": [s["instrument"]["key"] for s in relation["onlyA"]],
        "only-b": [s["instrument"]["key"] for s in relation["onlyB"]],
        "statements": [edge["node"]["key"] for edge in relation["statements"]["edges"]],
    }


@pytest.mark.browser
@needs_chromium
def test_the_explorer_shows_the_demo_relation_with_its_sources(browser: Browsing) -> None:
    page = explore(browser, "a=USA&b=CHN&asOf=2024-02-19")
    assert titles(page, "last-contact")[0].startswith("Sullivan-Wang talks in Bangkok")
    assert any(t.startswith("The Bletchley Declaration") for t in titles(page, "shared"))
    assert any(
        t.startswith("US restrictions on exports of computer chip technologies to China")
        for t in titles(page, "measures-a-b")
    )
    # The export controls' date is EDTF with its uncertainty spelled out.
    measure = page.locator('[data-section="measures-a-b"] li.item').first.inner_text()
    assert "2022-10~" in measure and "between 1 Oct 2022 and 31 Oct 2022" in measure
    # Every item of the relation links its sources, each with its quote.
    items = page.locator("#relation-body li.item")
    assert items.count() >= 10
    for index in range(items.count()):
        item = items.nth(index)
        links = item.locator("a.source-link")
        assert links.count() >= 1, item.inner_text()
        assert links.first.get_attribute("href", timeout=1000).startswith("https://"), index
        assert item.locator(".sources blockquote").count() >= 1, item.inner_text()
    # The page's state is its URL.
    assert page.url.endswith("/explore?a=USA&b=CHN&asOf=2024-02-19")
    assert browser.blocked == [] and browser.console_errors == []
    page.close()


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize(
    ("asof", "known_at"),
    [
        ("2024-02-19", None),
        ("2024-02-19", "2024-01-19T00:00:00Z"),
        ("2024-02-19", "2023-11-03T10:00:00Z"),
        ("2023-11-10", None),
        ("2022-06-01", None),
        ("2024-01-27", "2024-02-19T10:00:00Z"),
    ],
)
def test_what_the_explorer_shows_is_the_apis_answer(
    browser: Browsing, asof: str, known_at: str | None
) -> None:
    query = f"a=USA&b=CHN&asOf={asof}" + (f"&knownAt={known_at}" if known_at else "")
    page = explore(browser, query)
    for section, ids in expected_sections(browser.base, asof, known_at).items():
        assert shown(page, section) == ids, section
    assert browser.console_errors == []
    page.close()


@pytest.mark.browser
@needs_chromium
def test_a_fact_recorded_after_knownat_is_absent_and_marked_as_learned_since(
    browser: Browsing,
) -> None:
    bangkok = "meeting/2024-01-27-sullivan-wang-bangkok"
    page = explore(browser, "a=USA&b=CHN&asOf=2024-02-19&knownAt=2024-01-19T00:00:00Z")
    assert titles(page, "last-contact")[0].startswith("Biden-Xi summit near San Francisco")
    assert bangkok not in page.locator("#relation-body").inner_html()
    assert "Sullivan-Wang" not in page.locator("#relation-body").inner_text()
    later = page.locator("#later-list").inner_text()
    assert f"MeetingHeld {bangkok}" in later
    track_ii = "dialogue/tsinghua-ciss-brookings-ai"
    assert f"back-dated record since DialogueEstablished {track_ii}" in later
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_cursor_and_the_knowledge_slider_move_the_dates_in_the_url(
    browser: Browsing,
) -> None:
    page = explore(browser, "a=USA&b=CHN&asOf=2024-02-19")
    cursor = page.locator("#cursor")
    cursor.focus()
    cursor.evaluate(
        "(input) => { input.value = String(Date.parse('2023-11-20') / 86400000);"
        " input.dispatchEvent(new Event('change')); }"
    )
    page.wait_for_url("**/explore?a=USA&b=CHN&asOf=2023-11-20")
    page.wait_for_selector("body[data-ready=all]")
    assert titles(page, "last-contact")[0].startswith("Biden-Xi summit")
    slider = page.locator("#known-slider")
    slider.focus()
    page.keyboard.press("Home")  # the first moment the log knew anything of the two
    page.wait_for_url(re.compile(r"knownAt=2022-10-10T08%3A30%3A00"))
    page.wait_for_selector("body[data-ready=all]")
    assert "10 Oct 2022" in page.locator("#relation-known").inner_text()
    assert shown(page, "last-contact") == []
    assert shown(page, "measures-a-b") == ["measure/us-chip-technology-export-controls"]
    page.go_back()
    page.wait_for_url("**/explore?a=USA&b=CHN&asOf=2023-11-20")
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_instrument_page_shows_the_roster_the_api_gives(browser: Browsing) -> None:
    declaration = "instrument/bletchley-declaration"
    page = open_page(browser, f"/explore/instrument?id={declaration}&asOf=2023-11-02")
    page.wait_for_selector("body[data-ready=all]", timeout=30_000)
    answer = api(
        browser.base,
        'query($id: ID!) { instrument(id: $id) { title partyCount(asOf: "2023-11-02")'
        ' parties(asOf: "2023-11-02") { actor { key } } } }',
        {"id": declaration},
    )["instrument"]
    assert page.locator("#detail-title").inner_text() == answer["title"]
    assert shown(page, "parties") == [party["actor"]["key"] for party in answer["parties"]]
    assert f"{answer['partyCount']} parties on 2 Nov 2023" in page.inner_text("body")
    assert page.locator('[data-section="roster"] tbody tr').count() >= 1
    assert page.locator('[data-section="sources"] a.source-link').count() >= 1
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_event_page_shows_its_history_and_sources(browser: Browsing) -> None:
    page = explore(browser, "a=USA&b=CHN&asOf=2024-02-19")
    page.locator('[data-section="last-contact"] .item-title a').click()
    page.wait_for_selector("body[data-ready=all]", timeout=30_000)
    assert "/explore/event?id=" in page.url
    assert page.locator("#detail-title").inner_text() == "Sullivan-Wang talks in Bangkok"
    history = page.locator('[data-section="history"] li.item')
    assert history.count() == 1 and "this event" in history.first.inner_text()
    assert page.locator('[data-section="event"] a.source-link').count() >= 1
    page.close()


CORRECT = """
mutation Correct($id: ID!) {
  correctEvent(input: {id: $id, reason: "The venue named.",
                       data: {title: "Biden-Xi summit at Filoli, Woodside"}}) {
    userErrors { message }
  }
}"""
RETRACT = """
mutation Retract($id: ID!) {
  retractEvent(input: {id: $id, reason: "Not about the two governments."}) {
    userErrors { message }
  }
}"""
BIDEN_XI = "944d01eb-168e-5332-9322-f3aa9ea5abcb"
ARTICLE_DAY = "2024-02-19T10:30:00Z"  # the demo's last recordedAt


@pytest.mark.browser
@needs_chromium
def test_a_token_is_asked_for_kept_for_the_tab_and_corrections_are_marked(
    playwright: Any,
) -> None:
    with demo_server(TIMELINE_READ_REQUIRES_TOKEN="true", TIMELINE_TOKENS=TOKENS) as base:
        statement = httpx.post(
            f"{base}/graphql",
            json={
                "query": '{ stream(id: "statement/2024-02-19-lu-xiaomeng") '
                "{ events(first: 1) { nodes { key } } } }"
            },
            headers=AUTH,
        ).json()["data"]["stream"]["events"]["nodes"][0]["key"]
        for mutation, target in ((CORRECT, BIDEN_XI), (RETRACT, statement)):
            answer = httpx.post(
                f"{base}/graphql",
                json={"query": mutation, "variables": {"id": target}},
                headers=AUTH,
            ).json()
            assert "errors" not in answer and all(
                payload["userErrors"] == [] for payload in answer["data"].values()
            ), answer
        with browsing(playwright, base) as browser:
            page = browser.context.new_page()  # type: ignore[attr-defined]
            page.goto(f"{base}/explore?a=USA&b=CHN&asOf=2024-02-19&knownAt={ARTICLE_DAY}")
            dialog = page.get_by_role("dialog", name="A token is needed to read")
            dialog.wait_for(timeout=30_000)
            page.get_by_role("textbox", name="Token").fill(EDITOR_TOKEN)
            page.get_by_role("button", name="Use this token").click()
            page.wait_for_selector("body[data-ready=all]", timeout=30_000)
            stored = page.evaluate("[sessionStorage.length, localStorage.length]")
            assert stored == [1, 0] and EDITOR_TOKEN not in page.url
            # As known on the article's day: the summit's first title, the statement there,
            # each marked with what the log learned of it since.
            contacts = page.locator('[data-section="contacts"] li.item', has_text="Biden-Xi")
            assert "Biden-Xi summit near San Francisco" in contacts.inner_text()
            assert "corrected since" in contacts.inner_text()
            retracted = page.locator(f'[data-section="statements"] li[data-id="{statement}"]')
            assert "retracted since" in retracted.inner_text()
            later = page.locator("#later-list").inner_text()
            assert "EventCorrected" in later and "EventRetracted" in later
            # As known now: the corrected title, marked corrected; the statement gone. The
            # token is still the tab's: no second prompt.
            page.goto(f"{base}/explore?a=USA&b=CHN&asOf=2024-02-19")
            page.wait_for_selector("body[data-ready=all]", timeout=30_000)
            contacts = page.locator('[data-section="contacts"] li.item', has_text="Biden-Xi")
            assert "Biden-Xi summit at Filoli, Woodside" in contacts.inner_text()
            assert "corrected" in contacts.inner_text()
            assert statement not in shown(page, "statements")
            assert browser.blocked == []
            page.close()


@pytest.mark.browser
@needs_chromium
def test_the_explorer_on_a_narrow_screen_labels_every_control(browser: Browsing) -> None:
    page = browser.context.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{browser.base}/explore?a=USA&b=CHN&asOf=2024-02-19")
    page.wait_for_selector("body[data-ready=all]", timeout=30_000)
    # Nothing wider than the screen but the timeline's own scroll.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, button, select')]
             .filter(e => !e.closest('dialog') && !e.hidden && e.type !== 'hidden')
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.textContent.trim())
             .map(e => e.outerHTML)"""
    )
    assert unlabelled == []
    # From the keyboard: the first Tab reaches the skip link, which leads to the content; the
    # first field of the form comes after the site's three links.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.href"))
    assert focused[-1] == "field-a", focused
    page.close()


CHANGES_AND_SERIES = """
query Reference($from: Date!, $to: Date!, $knownAt: DateTime) {
  changes(a: "USA", b: "CHN", from: $from, to: $to, knownAt: $knownAt) {
    measuresImposed { measure { key } }
    measuresLifted { measure { key } }
    dialogueChanges { dialogue { key } }
    instrumentsJoined { instrument { key } }
    instrumentsLeft { instrument { key } }
    contacts(first: 100) { nodes { key } }
  }
  relationSeries(a: "USA", b: "CHN", from: "2019-01-01", to: $to, interval: QUARTER,
                 knownAt: $knownAt) {
    contacts measuresInForce activeDialogues
    statementsByStance { cooperative neutral critical }
  }
}"""


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("known_at", [None, "2024-01-19T00:00:00Z"])
def test_the_changes_and_the_chart_are_the_apis_answers(
    browser: Browsing, known_at: str | None
) -> None:
    query = "a=USA&b=CHN&asOf=2024-02-19&from=2022-10-01"
    page = explore(browser, query + (f"&knownAt={known_at}" if known_at else ""))
    answer = api(
        browser.base,
        CHANGES_AND_SERIES,
        {"from": "2022-10-01", "to": "2024-02-19", "knownAt": known_at},
    )
    changes = answer["changes"]
    expected = [
        *(m["measure"]["key"] for m in changes["measuresImposed"]),
        *(m["measure"]["key"] for m in changes["measuresLifted"]),
        *(d["dialogue"]["key"] for d in changes["dialogueChanges"]),
        *(m["instrument"]["key"] for m in changes["instrumentsJoined"]),
        *(m["instrument"]["key"] for m in changes["instrumentsLeft"]),
        *(m["key"] for m in changes["contacts"]["nodes"]),
    ]
    listed = page.locator("#changes-body li").evaluate_all("items => items.map(i => i.dataset.id)")
    assert listed == expected
    assert page.locator("#changes-heading").inner_text() == (
        "What changed from 1 Oct 2022 to 19 Feb 2024"
    )
    rows = page.locator(".series-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => Number(td.textContent)))"
    )
    assert rows == [
        [
            point["contacts"],
            point["measuresInForce"],
            point["activeDialogues"],
            point["statementsByStance"]["cooperative"],
            point["statementsByStance"]["neutral"],
            point["statementsByStance"]["critical"],
        ]
        for point in answer["relationSeries"]
    ]
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_sides_are_picked_by_name_or_id(browser: Browsing) -> None:
    page = open_page(browser, "/explore")
    page.wait_for_selector("#status:has-text('Pick two sides')", timeout=30_000)
    assert page.locator("#results").is_hidden()
    options = "list => [...list.options].map(o => o.value)"
    page.get_by_label("First side").fill("Sullivan")
    page.wait_for_selector("#a-options option[value='jake-sullivan']", state="attached")
    # A person found by name brings the country they count for.
    assert page.locator("#a-options").evaluate(options) == ["jake-sullivan", "USA"]
    page.get_by_label("Second side").fill("cn")
    page.wait_for_selector("#b-options option[value='CHN']", state="attached")
    page.get_by_label("First side").fill("USA")
    page.get_by_label("Second side").fill("CHN")
    page.get_by_label("As of (the date described)").fill("2024-02-19")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/explore?a=USA&b=CHN&asOf=2024-02-19")
    page.wait_for_selector("body[data-ready=all]", timeout=30_000)
    assert titles(page, "last-contact")[0].startswith("Sullivan-Wang talks in Bangkok")
    page.get_by_role("button", name="Swap the sides").click()
    page.wait_for_url("**/explore?a=CHN&b=USA&asOf=2024-02-19")
    page.close()


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize(
    ("asof", "upcoming"),
    [
        ("2024-01-26", []),  # not yet announced
        ("2024-02-19", ["meeting/2024-spring-us-china-ai-dialogue"]),
        ("2024-05-31", ["meeting/2024-spring-us-china-ai-dialogue"]),  # spring's last day
        ("2024-06-01", []),  # spring is over
    ],
)
def test_upcoming_meetings_are_those_announced_and_not_yet_past(
    browser: Browsing, asof: str, upcoming: list[str]
) -> None:
    page = explore(browser, f"a=USA&b=CHN&asOf={asof}")
    assert shown(page, "upcoming") == upcoming
    page.close()


@pytest.mark.browser
@needs_chromium
def test_a_possible_fact_is_drawn_as_possible(browser: Browsing) -> None:
    # "2022-10~" is some day of October 2022: on the 15th the controls may be in force, or not.
    answer = api(
        browser.base,
        '{ relation(a: "USA", b: "CHN", asOf: "2022-10-15") { measuresInForce { certain } } }',
        {},
    )
    assert answer["relation"]["measuresInForce"] == [{"certain": False}]
    page = explore(browser, "a=USA&b=CHN&asOf=2022-10-15")
    item = page.locator('[data-section="measures-a-b"] li.item')
    assert item.get_attribute("class") == "item possible"
    assert item.locator(".badge.possible").inner_text() == "possible"
    page.close()
    # A month later it is certain.
    page = explore(browser, "a=USA&b=CHN&asOf=2022-11-15")
    item = page.locator('[data-section="measures-a-b"] li.item')
    assert item.get_attribute("class") == "item" and item.locator(".badge.possible").count() == 0
    page.close()


@pytest.mark.browser
@needs_chromium
def test_the_apis_refusal_is_shown(browser: Browsing) -> None:
    page = open_page(browser, "/explore?a=USA&b=NOT-AN-ACTOR!&asOf=2024-02-19")
    status = page.locator("#status[data-kind=error]")
    status.wait_for(timeout=30_000)
    message = api_error(browser.base, "NOT-AN-ACTOR!")
    assert status.inner_text() == message
    assert page.locator("#results").is_hidden()
    page.close()


def api_error(base: str, b: str) -> str:
    """The API's message when `b` is asked for as a side."""
    query = 'query($b: ID!) { relation(a: "USA", b: $b, asOf: "2024-02-19") { asOf } }'
    body = httpx.post(f"{base}/graphql", json={"query": query, "variables": {"b": b}}).json()
    message: str = body["errors"][0]["message"]
    return message
