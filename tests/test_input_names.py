"""Inputs take the names outputs show (docs/graph.md, "One type per field name across event
types"): `meetingKind`, `foundingParties`, a correction's changes too; the log keeps the
domain's names (docs/format.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest

from api.graphql.events import DATA_NAMES
from api.graphql.inputs import INPUT_TYPES
from api.graphql.schema import schema
from events.store import EventStore
from events.views.objects import events_at
from tests.api_client import EDITOR_TOKEN

HEADERS = {"Authorization": f"Bearer {EDITOR_TOKEN}"}

RECORD = """
mutation Record($input: RecordEventInput!) {
  recordEvent(input: $input) {
    event { id
      ... on MeetingHeld { meetingKind }
      ... on InstrumentAdopted { instrumentKind foundingParties { actor { key } action } }
      ... on EventCorrected { newOccurred { edtf } changes } }
    userErrors { field message code }
  }
}"""

CORRECT = """
mutation Correct($input: CorrectEventInput!) {
  correctEvent(input: $input) {
    event { id ... on EventCorrected { changes } }
    userErrors { field message code }
  }
}"""

MEETING = {
    "stream": "meeting/2025-05-names",
    "occurred": "2025-05-02",
    "data": {"meetingHeld": {"title": "Talks", "participants": ["USA", "CHN"]}},
    "sources": [{"title": "A readout"}],
}
INSTRUMENT = {
    "stream": "instrument/2025-05-names",
    "occurred": "2025-05-03",
    "data": {
        "instrumentAdopted": {
            "title": "A declaration",
            "instrumentKind": "DECLARATION",
            "foundingParties": [{"actor": "USA", "action": "SIGN"}],
        }
    },
    "sources": [{"title": "A treaty series"}],
}


async def send(client: httpx.AsyncClient, text: str, variables: dict[str, Any]) -> Any:
    response = await client.post(
        "/graphql", json={"query": text, "variables": variables}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return response.json()


async def stored(store: EventStore, event_id: str) -> dict[str, Any]:
    """The data of event `event_id` as the log holds it, with corrections applied."""
    (view,) = await events_at(store.engine, ids=[UUID(event_id)])
    data: dict[str, Any] = view.current.data.to_json()
    return data


def test_every_input_field_is_named_as_its_output() -> None:
    for type_name, input_type in INPUT_TYPES.items():
        inputs = set(schema._schema.get_type(input_type.__name__).fields)
        outputs = set(schema._schema.get_type(type_name).fields)
        assert inputs <= outputs, (type_name, inputs - outputs)
        assert inputs == set(DATA_NAMES[type_name].values())


async def test_typed_inputs_take_the_output_names(
    client: httpx.AsyncClient, store: EventStore
) -> None:
    meeting = {**MEETING, "data": {"meetingHeld": {**MEETING["data"]["meetingHeld"]}}}
    meeting["data"]["meetingHeld"]["meetingKind"] = "SUMMIT"
    body = await send(client, RECORD, {"input": meeting})
    answer = body["data"]["recordEvent"]
    assert answer["userErrors"] == [] and answer["event"]["meetingKind"] == "SUMMIT"
    assert (await stored(store, answer["event"]["id"]))["kind"] == "SUMMIT"
    body = await send(client, RECORD, {"input": INSTRUMENT})
    answer = body["data"]["recordEvent"]
    assert answer["userErrors"] == []
    assert answer["event"]["instrumentKind"] == "DECLARATION"
    assert answer["event"]["foundingParties"] == [{"actor": {"key": "USA"}, "action": "SIGN"}]
    data = await stored(store, answer["event"]["id"])
    assert data["kind"] == "DECLARATION" and data["parties"] == [{"actor": "USA", "action": "SIGN"}]


async def test_a_domain_name_in_a_typed_input_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    meeting = {**MEETING, "data": {"meetingHeld": {**MEETING["data"]["meetingHeld"]}}}
    meeting["data"]["meetingHeld"]["kind"] = "SUMMIT"
    body = await send(client, RECORD, {"input": meeting})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "kind" in body["errors"][0]["message"]


async def test_user_errors_name_the_input_field(client: httpx.AsyncClient) -> None:
    bad = {**INSTRUMENT, "data": {"instrumentAdopted": {**INSTRUMENT["data"]["instrumentAdopted"]}}}
    bad["data"]["instrumentAdopted"]["foundingParties"] = [{"actor": "nobody", "action": "SIGN"}]
    body = await send(client, RECORD, {"input": bad})
    (error,) = body["data"]["recordEvent"]["userErrors"]
    assert error["field"].startswith("data.foundingParties"), error


@pytest.mark.parametrize("through", ["correctEvent", "recordEvent"])
async def test_a_correction_takes_and_shows_the_output_names(
    client: httpx.AsyncClient, store: EventStore, through: str
) -> None:
    body = await send(client, RECORD, {"input": INSTRUMENT})
    target = body["data"]["recordEvent"]["event"]["id"]
    parties = [{"actor": "USA", "action": "SIGN"}, {"actor": "CHN", "action": "ENDORSE"}]

    async def correct(changes: dict[str, Any]) -> dict[str, Any]:
        if through == "correctEvent":
            given = {"id": target, "reason": "more parties", "data": changes}
            answer: dict[str, Any] = (await send(client, CORRECT, {"input": given}))["data"]
            return answer["correctEvent"]
        member = {"target": target, "reason": "more parties", "changes": changes}
        given = {
            "stream": INSTRUMENT["stream"],
            "occurred": "2025-05-04",
            "data": {"eventCorrected": member},
        }
        answer = (await send(client, RECORD, {"input": given}))["data"]
        return answer["recordEvent"]

    refused = await correct({"parties": parties})
    (error,) = refused["userErrors"]
    field = "data.parties" if through == "correctEvent" else "data.changes.parties"
    assert error["field"] == field and error["code"] == "BAD_USER_INPUT", error
    assert "foundingParties" in error["message"]
    corrected = await correct({"foundingParties": parties, "instrumentKind": "AGREEMENT"})
    assert corrected["userErrors"] == []
    assert corrected["event"]["changes"] == {
        "foundingParties": parties,
        "instrumentKind": "AGREEMENT",
    }
    data = await stored(store, target)
    assert data["parties"] == parties and data["kind"] == "AGREEMENT"
