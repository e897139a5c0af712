"""Tests of events.types: the event models, the envelope and their validation (no database)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from events import types
from events.errors import InvalidEvents, Problem
from events.types import (
    EVENT_TYPES,
    NewEvent,
    StatementIssued,
    event_from_json,
)

TARGET = "5d1e5f3c-8c0a-4f64-9c9e-7c2d7a0f7b1a"

# A minimal valid example of every event type: (stream, data), data in its canonical form.
MINIMAL: dict[str, tuple[str, dict[str, Any]]] = {
    "ActorRegistered": ("actor/eu", {"name": "European Union", "kind": "IGO"}),
    "ActorRenamed": ("actor/eu", {"name": "The European Union"}),
    "MeetingScheduled": ("meeting/m", {"title": "Talks", "participants": ["USA"]}),
    "MeetingPostponed": ("meeting/m", {}),
    "MeetingCancelled": ("meeting/m", {}),
    "MeetingHeld": ("meeting/m", {"title": "Talks", "participants": ["USA", "CHN"]}),
    "InstrumentAdopted": ("instrument/i", {"title": "Accord", "kind": "AGREEMENT"}),
    "PartyJoined": ("instrument/i", {"actor": "GBR", "action": "ACCEDE"}),
    "PartyWithdrew": ("instrument/i", {"actor": "GBR"}),
    "PartyNoticeGiven": ("instrument/i", {"actor": "KOR", "effective": "2019-11-23"}),
    "PartyNoticeSuspended": ("instrument/i", {"actor": "KOR"}),
    "PartyNoticeRescinded": ("instrument/i", {"actor": "KOR"}),
    "PartySuspended": ("instrument/i", {"actor": "KOR"}),
    "PartyResumed": ("instrument/i", {"actor": "KOR"}),
    "InstrumentAmended": ("instrument/i", {"summary": "Article 2 amended"}),
    "InstrumentExtended": ("instrument/i", {"expires": "2030"}),
    "InstrumentTerminated": ("instrument/i", {}),
    "MeasureImposed": (
        "measure/x",
        {"title": "Controls", "kind": "EXPORT_CONTROL", "imposer": "USA", "targets": ["CHN"]},
    ),
    "MeasureAmended": ("measure/x", {"summary": "Scope widened"}),
    "MeasureLifted": ("measure/x", {}),
    "DialogueEstablished": (
        "dialogue/d",
        {"name": "AI talks", "track": "TRACK_I", "parties": ["USA", "CHN"]},
    ),
    "DialogueRoundHeld": ("dialogue/d", {}),
    "DialogueSuspended": ("dialogue/d", {}),
    "DialogueResumed": ("dialogue/d", {}),
    "DialogueEnded": ("dialogue/d", {}),
    "StatementIssued": ("statement/s", {"issuer": "CHN", "summary": "A readout."}),
    "DisputeFiled": (
        "dispute/ds590",
        {
            "title": "Export controls",
            "forum": "WTO",
            "complainants": ["KOR"],
            "respondents": ["JPN"],
        },
    ),
    "DisputeRuled": ("dispute/ds590", {"summary": "The panel found for Korea."}),
    "DisputeClosed": ("dispute/ds590", {"how": "WITHDRAWN"}),
    "EventCorrected": ("statement/s", {"target": TARGET, "reason": "typo", "occurred": "2024"}),
    "EventRetracted": ("statement/s", {"target": TARGET, "reason": "wrong source"}),
}

# A fuller example of some types, to check that every field round-trips, nested ones included.
FULL: dict[str, tuple[str, dict[str, Any]]] = {
    "ActorRegistered": (
        "actor/jake-sullivan",
        {
            "name": "Jake Sullivan",
            "kind": "PERSON",
            "aliases": ["Sullivan"],
            "country": "USA",
            "wikidata": "Q6125054",
        },
    ),
    "MeetingHeld": (
        "meeting/woodside",
        {
            "title": "Xi\u2013Biden summit at Filoli",
            "participants": ["USA", "CHN", "jake-sullivan"],
            "kind": "SUMMIT",
            "level": "HEAD_OF_STATE",
            "location": {"name": "Filoli, Woodside", "country": "USA"},
            "topics": ["AI", "fentanyl"],
            "outcomes": ["AI dialogue"],
            "sidelineOf": "meeting/apec-2023",
        },
    ),
    "InstrumentAdopted": (
        "instrument/bletchley",
        {
            "title": "Bletchley Declaration",
            "kind": "DECLARATION",
            "binding": False,
            "adoptedAt": "meeting/ai-safety-summit",
            "parties": [{"actor": "GBR", "action": "ENDORSE"}, {"actor": "eu", "action": "SIGN"}],
            "expires": "2030-12-31",
        },
    ),
    "MeasureImposed": (
        "measure/oct-7",
        {
            "title": "Advanced computing rule",
            "kind": "EXPORT_CONTROL",
            "imposer": "USA",
            "targets": ["CHN", "tsinghua-ciss"],
            "scope": "advanced chips",
            "items": ["3A090"],
            "legalCitation": "87 FR 62186",
            "announced": "2022-10-07",
            "effective": "2022-10-21",
            "respondsTo": "measure/other",
        },
    ),
    "DisputeFiled": (
        "dispute/ds590",
        {
            "title": "Japan \u2014 Measures related to the exportation of products to Korea",
            "forum": "WTO",
            "complainants": ["KOR"],
            "respondents": ["JPN"],
            "caseNumber": "DS590",
            "subject": "fluorinated polyimide, resist, hydrogen fluoride",
            "concerns": "measure/jpn-export-controls-2019",
        },
    ),
    "DisputeRuled": (
        "dispute/ds590",
        {"summary": "Panel report", "body": "WTO panel", "favours": ["KOR"], "appealed": False},
    ),
    "DialogueRoundHeld": (
        "dialogue/ai",
        {
            "round": 1,
            "meeting": "meeting/geneva",
            "location": {"name": "Geneva", "country": "CHE"},
            "summary": "First round",
        },
    ),
    "StatementIssued": (
        "statement/zhou",
        {
            "issuer": "CHN",
            "summary": "Zhōu Ēnlái 周恩来 🤝 said peace",
            "speaker": "wang-yi",
            "about": ["USA"],
            "kind": "SPEECH",
            "stance": "COOPERATIVE",
            "concerns": "dialogue/ai",
        },
    ),
    "EventCorrected": (
        "statement/zhou",
        {"target": TARGET, "reason": "wrong date", "occurred": "1954~", "data": {"summary": "x"}},
    ),
}


def envelope(type_name: str, stream: str, data: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "stream": stream,
        "type": type_name,
        "occurred": "2024-01-27",
        "data": data,
        "sources": [{"url": "https://example.org/", "title": "Example"}],
        **fields,
    }


def example(type_name: str, **fields: Any) -> dict[str, Any]:
    """The minimal example of `type_name` as JSON, with `fields` of the envelope replaced."""
    stream, data = MINIMAL[type_name]
    return {**envelope(type_name, stream, dict(data)), **fields}


def problems(obj: Any, **options: Any) -> list[Problem]:
    with pytest.raises(InvalidEvents) as caught:
        event_from_json(obj, **options)
    assert caught.value.problems, "InvalidEvents without problems"
    return caught.value.problems


def fields_of(found: list[Problem]) -> dict[str, str]:
    return {problem.field: problem.message for problem in found}


def test_every_event_type_has_a_minimal_example() -> None:
    assert set(MINIMAL) == set(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_minimal_example_validates_and_its_json_is_a_fixed_point(type_name: str) -> None:
    obj = example(type_name)
    event = event_from_json(obj)
    assert event.type == type_name
    assert isinstance(event.data, EVENT_TYPES[type_name])
    assert event.stream == obj["stream"]
    assert str(event.id) == obj["id"]
    assert event.data.to_json() == obj["data"]
    # the canonical form validates to the same value again
    again = event_from_json({**obj, "data": event.data.to_json()})
    assert again.data == event.data
    assert again.data.to_json() == obj["data"]


@pytest.mark.parametrize("type_name", sorted(FULL))
def test_full_example_round_trips_through_to_json(type_name: str) -> None:
    stream, data = FULL[type_name]
    event = event_from_json(envelope(type_name, stream, data))
    assert event.data.to_json() == data
    assert EVENT_TYPES[type_name].model_validate(event.data.to_json()) == event.data


def test_new_event_to_json_keeps_the_data() -> None:
    # NewEvent.to_json() is the "canonical JSON form" of the envelope (Model.to_json); it must
    # carry the event's data, not only the fields of the declared EventData base class (none).
    lost = {}
    for type_name in sorted(EVENT_TYPES):
        obj = example(type_name)
        dumped = event_from_json(obj).to_json()
        assert {key: dumped[key] for key in ("id", "stream", "occurred", "sources")} == {
            key: obj[key] for key in ("id", "stream", "occurred", "sources")
        }
        if dumped["data"] != obj["data"]:
            lost[type_name] = dumped["data"]
    assert lost == {}, "NewEvent.to_json() loses the data of these types"


def test_alpha_2_actors_are_canonicalised_in_the_data() -> None:
    event = event_from_json(
        envelope("MeetingHeld", "meeting/m", {"title": "T", "participants": ["us", "CN", "eu"]})
    )
    assert event.data.to_json()["participants"] == ["USA", "CHN", "eu"]


def test_a_bad_actor_is_reported_at_its_path() -> None:
    found = problems(
        envelope("MeetingHeld", "meeting/m", {"title": "T", "participants": ["US", "ZZ"]})
    )
    assert fields_of(found) == {
        "data.participants[1]": "unknown country code 'ZZ' (ISO 3166-1 alpha-2 or alpha-3)"
    }


@pytest.mark.parametrize(
    ("type_name", "missing"),
    [
        ("MeetingHeld", "title"),
        ("MeetingHeld", "participants"),
        ("ActorRegistered", "kind"),
        ("InstrumentAdopted", "kind"),
        ("PartyJoined", "action"),
        ("MeasureImposed", "imposer"),
        ("MeasureImposed", "targets"),
        ("DialogueEstablished", "track"),
        ("StatementIssued", "summary"),
        ("EventRetracted", "target"),
        ("InstrumentExtended", "expires"),
    ],
)
def test_a_missing_required_field_is_reported_with_its_path(type_name: str, missing: str) -> None:
    obj = example(type_name)
    del obj["data"][missing]
    assert fields_of(problems(obj)) == {f"data.{missing}": "required field is missing"}


@pytest.mark.parametrize("missing", ["stream", "occurred"])
def test_a_missing_envelope_field_is_reported(missing: str) -> None:
    obj = example("StatementIssued")
    del obj[missing]
    assert fields_of(problems(obj)) == {missing: "required field is missing"}


def test_every_missing_field_is_reported_at_once() -> None:
    obj = example("MeasureImposed")
    for name in ("title", "imposer", "targets"):
        del obj["data"][name]
    assert set(fields_of(problems(obj))) == {"data.title", "data.imposer", "data.targets"}


def test_an_empty_actor_list_is_refused() -> None:
    obj = example("MeetingHeld")
    obj["data"]["participants"] = []
    assert set(fields_of(problems(obj))) == {"data.participants"}


@pytest.mark.parametrize(
    ("type_name", "field", "value"),
    [
        ("MeetingHeld", "kind", "BILAT"),
        ("MeetingHeld", "level", "ministerial"),
        ("ActorRegistered", "kind", "COMPANY"),
        ("InstrumentAdopted", "kind", "PACT"),
        ("PartyJoined", "action", "SIGNED"),
        ("MeasureImposed", "kind", "EMBARGO"),
        ("DialogueEstablished", "track", "TRACK_2"),
        ("StatementIssued", "stance", "HOSTILE"),
    ],
)
def test_a_wrong_enum_value_names_the_field(type_name: str, field: str, value: str) -> None:
    obj = example(type_name)
    obj["data"][field] = value
    found = fields_of(problems(obj))
    assert list(found) == [f"data.{field}"]
    assert "Input should be" in found[f"data.{field}"]


def test_an_unknown_field_in_data_is_refused() -> None:
    obj = example("MeetingHeld")
    obj["data"]["colour"] = "red"
    assert fields_of(problems(obj)) == {"data.colour": "unknown field"}


@pytest.mark.parametrize("field", ["colour", "recordedAt", "position", "version", "recordedBy"])
def test_an_unknown_field_in_the_envelope_is_refused(field: str) -> None:
    # recordedAt, recordedBy, position and version are accepted only when restoring a log.
    obj = example("StatementIssued", **{field: "x"})
    assert fields_of(problems(obj)) == {field: "unknown field"}


def test_restoring_accepts_the_recorded_fields_and_keeps_recorded_at_and_by() -> None:
    obj = example(
        "StatementIssued",
        position=7,
        version=1,
        recordedAt="2024-02-19T08:00:00.000000Z",
        recordedBy="alice",
        schemaVersion=1,
        note=None,
    )
    event = event_from_json(obj, restoring=True)
    assert event.recorded_by == "alice"
    assert event.recorded_at is not None
    assert types.format_timestamp(event.recorded_at) == "2024-02-19T08:00:00.000000Z"


def test_restoring_refuses_a_recorded_at_without_time_zone() -> None:
    obj = example("StatementIssued", recordedAt="2024-02-19T08:00:00")
    found = problems(obj, restoring=True)
    assert "time zone" in " ".join(p.message for p in found)


def test_restoring_still_refuses_unknown_fields() -> None:
    obj = example("StatementIssued", recordedAt="2024-02-19T08:00:00Z", extra=1)
    assert fields_of(problems(obj, restoring=True)) == {"extra": "unknown field"}


@pytest.mark.parametrize(
    ("type_name", "stream"),
    [
        ("MeetingHeld", "measure/x"),
        ("ActorRegistered", "meeting/eu"),
        ("PartyJoined", "measure/x"),
        ("StatementIssued", "dialogue/d"),
    ],
)
def test_a_type_on_the_wrong_kind_of_stream_is_refused(type_name: str, stream: str) -> None:
    found = problems(example(type_name, stream=stream))
    assert len(found) == 1
    assert found[0].field in ("", "stream")
    kind = EVENT_TYPES[type_name].stream_kind
    assert f"{type_name} belongs to a {kind} stream" in found[0].message
    assert repr(stream) in found[0].message


@pytest.mark.parametrize("type_name", ["EventCorrected", "EventRetracted"])
@pytest.mark.parametrize("stream", ["actor/eu", "meeting/m", "measure/x", "instrument/i"])
def test_corrections_and_retractions_fit_any_stream(type_name: str, stream: str) -> None:
    assert event_from_json(example(type_name, stream=stream)).stream == stream


@pytest.mark.parametrize(
    "stream",
    [
        "meeting",
        "meeting/",
        "Meeting/m",
        "meeting/M",
        "meeting/-m",
        "meeting/a b",
        "treaty/x",
        "meeting/m/n",
        "meeting/ä",
        "",
    ],
)
def test_stream_id_syntax_is_checked(stream: str) -> None:
    found = fields_of(problems(example("MeetingHeld", stream=stream)))
    assert list(found) == ["stream"]
    assert "is not a stream id" in found["stream"]


@pytest.mark.parametrize("stream", ["meeting/m", "meeting/2024-01-27-g20", "meeting/0"])
def test_well_formed_stream_ids_are_accepted(stream: str) -> None:
    assert event_from_json(example("MeetingHeld", stream=stream)).stream == stream


def test_a_stream_reference_must_name_a_stream_of_its_kind() -> None:
    obj = example("MeetingHeld")
    obj["data"]["sidelineOf"] = "measure/x"
    found = fields_of(problems(obj))
    assert list(found) == ["data.sidelineOf"]
    assert "must be a meeting stream" in found["data.sidelineOf"]


@pytest.mark.parametrize("slug", ["cn", "us", "gb"])
def test_actor_registered_on_a_country_code_is_refused(slug: str) -> None:
    found = problems(example("ActorRegistered", stream=f"actor/{slug}"))
    assert len(found) == 1
    assert "is a country code; states need no registration" in found[0].message


def test_actor_registered_on_a_lower_case_alpha_3_is_a_slug() -> None:
    event = event_from_json(example("ActorRegistered", stream="actor/usa"))
    assert event.stream == "actor/usa"


@pytest.mark.parametrize(
    "source",
    [{}, {"publisher": "Reuters"}, {"quote": "…", "published": "2024"}, {"url": None}],
)
def test_a_source_without_url_and_title_is_refused(source: dict[str, Any]) -> None:
    found = problems(example("StatementIssued", sources=[{"title": "ok"}, source]))
    assert fields_of(found) == {"sources[1]": "a source needs a url or a title"}


def test_a_source_with_a_bad_date_is_refused_at_its_path() -> None:
    source = {"title": "t", "published": "2024-13"}
    found = fields_of(problems(example("StatementIssued", sources=[source])))
    assert list(found) == ["sources[0].published"]


def test_a_correction_needs_occurred_or_data() -> None:
    obj = example("EventCorrected")
    del obj["data"]["occurred"]
    found = problems(obj)
    assert "a correction needs a new `occurred`, `data`, or both" in found[0].message
    obj["data"]["data"] = {}
    assert problems(obj)
    obj["data"]["data"] = {"summary": "fixed"}
    assert event_from_json(obj).data.to_json()["data"] == {"summary": "fixed"}


@pytest.mark.parametrize("value", [[1], "event", 3, None, [{"type": "StatementIssued"}]])
def test_a_non_object_event_is_refused(value: Any) -> None:
    found = problems(value)
    assert [(p.field, p.message) for p in found] == [("", "an event must be a JSON object")]


def test_problems_carry_the_index_they_are_given() -> None:
    found = problems([], index=4)
    assert found[0].index == 4
    obj = example("MeetingHeld")
    del obj["data"]["title"]
    assert {p.index for p in problems(obj, index=9)} == {9}


@pytest.mark.parametrize("type_name", ["MeetingHappened", "meetingheld", "", None, 1])
def test_an_unknown_event_type_is_refused(type_name: Any) -> None:
    found = fields_of(problems(example("StatementIssued", type=type_name)))
    assert list(found) == ["type"]
    assert "unknown event type" in found["type"]


def test_data_must_be_an_object() -> None:
    found = fields_of(problems(example("StatementIssued", data=["x"])))
    assert found == {"data": "required, a JSON object"}


@pytest.mark.parametrize(
    ("occurred", "reason"),
    [
        ("2024-1-5", "is not an EDTF date"),
        ("2023-02-29", "is not a valid date"),
        ("yesterday", "is not an EDTF date"),
        ("", "is not an EDTF date"),
    ],
)
def test_occurred_must_be_edtf(occurred: str, reason: str) -> None:
    found = fields_of(problems(example("StatementIssued", occurred=occurred)))
    assert list(found) == ["occurred"]
    assert reason in found["occurred"]


@pytest.mark.parametrize("occurred", ["2024", "2024-02", "2024-02-29", "2024~", "2023/2024"])
def test_occurred_accepts_edtf(occurred: str) -> None:
    assert event_from_json(example("StatementIssued", occurred=occurred)).occurred == occurred


@pytest.mark.parametrize("version", [2, 0, -1, "1", True, 1.0])
def test_an_unknown_schema_version_is_refused(version: Any) -> None:
    found = fields_of(problems(example("StatementIssued", schemaVersion=version)))
    assert list(found) == ["schemaVersion"]


def test_schema_version_1_is_accepted() -> None:
    assert event_from_json(example("StatementIssued", schemaVersion=1)).type == "StatementIssued"


def test_upcasters_bring_an_old_payload_to_the_current_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Version 2 of StatementIssued renamed `text` to `summary`; version 1 payloads read through
    # the upcaster, and current ones as they are.
    def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        data = dict(data)
        data["summary"] = data.pop("text")
        return data

    monkeypatch.setattr(StatementIssued, "schema_version", 2)
    monkeypatch.setattr(types, "UPCASTERS", {("StatementIssued", 1): v1_to_v2})
    old = example("StatementIssued", schemaVersion=1)
    old["data"] = {"issuer": "CHN", "text": "Old form"}
    event = event_from_json(old)
    assert event.data.to_json() == {"issuer": "CHN", "summary": "Old form"}
    current = example("StatementIssued", schemaVersion=2)
    assert event_from_json(current).data.to_json() == current["data"]
    # without a schemaVersion, a payload is read as the current version
    assert event_from_json(example("StatementIssued")).type == "StatementIssued"
    assert fields_of(problems(example("StatementIssued", schemaVersion=3))) == {
        "schemaVersion": "schemaVersion 3 of StatementIssued is unknown (current: 2)"
    }


def test_a_missing_upcaster_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StatementIssued, "schema_version", 2)
    monkeypatch.setattr(types, "UPCASTERS", {})
    found = fields_of(problems(example("StatementIssued", schemaVersion=1)))
    assert "no upcaster" in found["schemaVersion"]


def test_upcaster_monkeypatches_are_undone() -> None:
    assert StatementIssued.schema_version == 1
    assert types.UPCASTERS == {}


def test_new_event_is_frozen() -> None:
    event = event_from_json(example("StatementIssued"))
    assert isinstance(event, NewEvent)
    with pytest.raises(Exception, match="frozen"):
        event.note = "changed"  # type: ignore[misc]


def test_dumps_is_compact_utf_8_in_key_order() -> None:
    assert types.dumps({"b": "Zhōu 🤝", "a": [1, None]}) == '{"b":"Zhōu 🤝","a":[1,null]}'


def test_python_field_names_in_json_data_are_unknown_fields() -> None:
    # The JSON names are camelCase (docs/format.md, "Event types"); `legal_citation` in a file
    # is a typo of `legalCitation` like any other, not a second spelling the log silently accepts.
    accepted = {}
    for type_name, python_name, value in [
        ("MeasureImposed", "legal_citation", "15 CFR 744"),
        ("MeetingHeld", "sideline_of", "meeting/apec"),
        ("InstrumentAdopted", "adopted_at", "meeting/apec"),
    ]:
        obj = example(type_name)
        obj["data"][python_name] = value
        try:
            event = event_from_json(obj)
        except InvalidEvents as error:
            assert fields_of(error.problems) == {f"data.{python_name}": "unknown field"}
        else:
            accepted[python_name] = event.data.to_json()
    assert accepted == {}, "snake_case names are accepted in JSON data"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("meeting/pelosi-taipei", "meeting/pelosi-taipei"),
        ("statement/mofa", "statement/mofa"),
        ("dispute/ds590", "dispute/ds590"),
        (TARGET.upper(), TARGET),  # an event id, canonicalised
    ],
)
def test_responds_to_takes_any_stream_or_event_id(given: str, kept: str) -> None:
    data = {**MINIMAL["MeasureImposed"][1], "respondsTo": given}
    event = event_from_json(envelope("MeasureImposed", "measure/x", data))
    assert event.data.to_json()["respondsTo"] == kept
    statement = {**MINIMAL["StatementIssued"][1], "concerns": given}
    event = event_from_json(envelope("StatementIssued", "statement/s", statement))
    assert event.data.to_json()["concerns"] == kept


def test_responds_to_names_what_it_takes_when_wrong() -> None:
    data = {**MINIMAL["MeasureImposed"][1], "respondsTo": "visit/taipei"}
    message = fields_of(problems(envelope("MeasureImposed", "measure/x", data)))
    assert "neither a stream id" in message["data.respondsTo"]
    assert "event id" in message["data.respondsTo"]


def test_head_of_government_is_a_meeting_level() -> None:
    data = {**MINIMAL["MeetingHeld"][1], "level": "HEAD_OF_GOVERNMENT"}
    event = event_from_json(envelope("MeetingHeld", "meeting/m", data))
    assert event.data.to_json()["level"] == "HEAD_OF_GOVERNMENT"


def test_a_notice_needs_the_date_it_takes_effect() -> None:
    found = fields_of(problems(example("PartyNoticeGiven", data={"actor": "KOR"})))
    assert found == {"data.effective": "required field is missing"}


@pytest.mark.parametrize("field", ["complainants", "respondents"])
def test_a_dispute_needs_both_sides(field: str) -> None:
    data = {**MINIMAL["DisputeFiled"][1], field: []}
    found = fields_of(problems(envelope("DisputeFiled", "dispute/d", data)))
    assert set(found) == {f"data.{field}"}


def test_a_dispute_closes_in_a_known_way() -> None:
    found = fields_of(problems(example("DisputeClosed", data={"how": "ABANDONED"})))
    assert set(found) == {"data.how"}
