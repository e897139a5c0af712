"""Event types: one frozen model per type of docs/format.md ("Event types"), the envelope, and
the type registry.

Everything here is checked on construction and needs no database: field types, required fields,
enum values, EDTF dates, actor id syntax (states canonicalised to alpha-3), stream ids and the
kind of stream each type belongs to. What needs the log (is the slug registered, does the stream
exist yet) is checked by the store when it appends.

JSON names are camelCase (`sidelineOf`), Python names snake_case (`sideline_of`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, lru_cache
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel

from events import dates
from events.actors import canonical_actor, canonical_state
from events.errors import InvalidEvents, Problem


class StreamKind(StrEnum):
    """The kinds of stream: the first part of a stream id (`meeting/2024-01-bangkok`)."""

    ACTOR = "actor"
    MEETING = "meeting"
    INSTRUMENT = "instrument"
    MEASURE = "measure"
    DIALOGUE = "dialogue"
    STATEMENT = "statement"
    DISPUTE = "dispute"


STREAM_KINDS = tuple(kind.value for kind in StreamKind)
STREAM_ID = re.compile(rf"({'|'.join(STREAM_KINDS)})/[a-z0-9][a-z0-9-]*\Z")
EVENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
WIKIDATA_ID = re.compile(r"^Q[1-9][0-9]*$")


# --- field types -----------------------------------------------------------------------------


def _edtf(text: str) -> str:
    dates.parse(text)  # raises InvalidDate (a ValueError) naming what is wrong
    return text


def _stream_id(text: str) -> str:
    if not STREAM_ID.match(text):
        raise ValueError(
            f"{text!r} is not a stream id: use <kind>/<slug> with kind one of "
            f"{', '.join(STREAM_KINDS)} and a slug of lower-case letters, digits and hyphens"
        )
    return text


class ActorRef:
    """Marks a field that names an actor: the store checks that slugs are registered."""


class StreamRef:
    """Marks a field that names another stream, of `kind` (None: any kind); with `events`,
    the field may name one event by its id (a UUID) instead."""

    def __init__(self, kind: str | None, *, events: bool = False) -> None:
        self.kind = kind
        self.events = events

    def check(self, text: str) -> str:
        if self.events and _is_event_id(text):
            return str(UUID(text))  # canonical: lower case, hyphenated
        if self.events and not STREAM_ID.match(text):
            raise ValueError(
                f"{text!r} is neither a stream id (<kind>/<slug>, kind one of "
                f"{', '.join(STREAM_KINDS)}) nor an event id (a UUID)"
            )
        _stream_id(text)
        if self.kind is not None and not text.startswith(self.kind + "/"):
            raise ValueError(f"{text!r} must be a {self.kind} stream ({self.kind}/…)")
        return text


def _is_event_id(text: str) -> bool:
    return EVENT_ID.match(text.lower()) is not None


def is_event_id(text: str) -> bool:
    """Whether a reference (`respondsTo`, `concerns`) names an event (a UUID), not a stream."""
    return _is_event_id(text)


_MEETING, _ANY = StreamRef("meeting"), StreamRef(None)
_REFERENCE = StreamRef(None, events=True)

Text = Annotated[str, StringConstraints(min_length=1)]
Edtf = Annotated[str, AfterValidator(_edtf)]
ActorId = Annotated[str, AfterValidator(canonical_actor), ActorRef()]
StateId = Annotated[str, AfterValidator(canonical_state), ActorRef()]
StreamId = Annotated[str, AfterValidator(_stream_id)]
MeetingStream = Annotated[str, AfterValidator(_MEETING.check), _MEETING]
AnyStream = Annotated[str, AfterValidator(_ANY.check), _ANY]
# Any stream id, or the id of one event (a measure answers a visit, a statement, a ruling).
Reference = Annotated[str, AfterValidator(_REFERENCE.check), _REFERENCE]
Actors = tuple[ActorId, ...]


class Model(BaseModel):
    """Frozen, strict about unknown fields, camelCase in JSON."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=False,
        validate_by_alias=True,
    )

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form: camelCase names, fields left at their default omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


# --- enums ------------------------------------------------------------------------------------


class ActorKind(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    IGO = "IGO"
    PERSON = "PERSON"
    GROUP = "GROUP"


class MeetingKind(StrEnum):
    BILATERAL = "BILATERAL"
    MULTILATERAL = "MULTILATERAL"
    SUMMIT = "SUMMIT"
    VISIT = "VISIT"
    CALL = "CALL"
    VIDEO = "VIDEO"


class MeetingLevel(StrEnum):
    HEAD_OF_STATE = "HEAD_OF_STATE"
    HEAD_OF_GOVERNMENT = "HEAD_OF_GOVERNMENT"
    MINISTERIAL = "MINISTERIAL"
    SENIOR_OFFICIAL = "SENIOR_OFFICIAL"
    WORKING = "WORKING"
    TRACK_II = "TRACK_II"


class InstrumentKind(StrEnum):
    DECLARATION = "DECLARATION"
    JOINT_STATEMENT = "JOINT_STATEMENT"
    AGREEMENT = "AGREEMENT"
    TREATY = "TREATY"
    RESOLUTION = "RESOLUTION"
    MEMORANDUM = "MEMORANDUM"


class PartyAction(StrEnum):
    SIGN = "SIGN"
    ENDORSE = "ENDORSE"
    RATIFY = "RATIFY"
    ACCEDE = "ACCEDE"
    ACCEPT = "ACCEPT"
    COSPONSOR = "COSPONSOR"


class MeasureKind(StrEnum):
    EXPORT_CONTROL = "EXPORT_CONTROL"
    ENTITY_LISTING = "ENTITY_LISTING"
    SANCTION = "SANCTION"
    TARIFF = "TARIFF"
    INVESTMENT_RESTRICTION = "INVESTMENT_RESTRICTION"
    VISA_RESTRICTION = "VISA_RESTRICTION"
    COUNTERMEASURE = "COUNTERMEASURE"


class DisputeForum(StrEnum):
    WTO = "WTO"
    ICJ = "ICJ"
    ITLOS = "ITLOS"
    PCA = "PCA"
    ICSID = "ICSID"
    DOMESTIC_COURT = "DOMESTIC_COURT"
    OTHER = "OTHER"


class DisputeClosure(StrEnum):
    SETTLED = "SETTLED"
    WITHDRAWN = "WITHDRAWN"
    RULING_FINAL = "RULING_FINAL"
    LAPSED = "LAPSED"


class Track(StrEnum):
    TRACK_I = "TRACK_I"
    TRACK_1_5 = "TRACK_1_5"
    TRACK_II = "TRACK_II"


class StatementKind(StrEnum):
    READOUT = "READOUT"
    SPEECH = "SPEECH"
    POSITION = "POSITION"
    JOINT = "JOINT"


class Stance(StrEnum):
    COOPERATIVE = "COOPERATIVE"
    NEUTRAL = "NEUTRAL"
    CRITICAL = "CRITICAL"


# --- nested values ------------------------------------------------------------------------------


class Location(Model):
    name: Text
    country: StateId | None = None


class Party(Model):
    actor: ActorId
    action: PartyAction


class Source(Model):
    """Where a fact comes from; `url` or `title` is required."""

    url: Text | None = None
    title: Text | None = None
    publisher: str | None = None
    published: Edtf | None = None
    quote: str | None = None
    accessed: Edtf | None = None

    @model_validator(mode="after")
    def _url_or_title(self) -> Source:
        if self.url is None and self.title is None:
            raise ValueError("a source needs a url or a title")
        return self


# --- event data: one class per type -------------------------------------------------------------


class EventData(Model):
    """The `data` of one event type. Subclasses set the class variables below."""

    type_name: ClassVar[str]
    stream_kind: ClassVar[str | None]  # None: the type may be appended to any stream
    creates: ClassVar[bool] = False  # the type starts its stream
    may_follow: ClassVar[bool] = True  # the type may be appended to an existing stream
    schema_version: ClassVar[int] = 1


class ActorRegistered(EventData):
    type_name = "ActorRegistered"
    stream_kind = "actor"
    creates = True
    may_follow = False
    name: Text
    kind: ActorKind
    aliases: tuple[Text, ...] = ()
    country: StateId | None = None
    wikidata: Annotated[str, StringConstraints(pattern=WIKIDATA_ID.pattern)] | None = None


class ActorRenamed(EventData):
    type_name = "ActorRenamed"
    stream_kind = "actor"
    name: Text


class MeetingScheduled(EventData):
    type_name = "MeetingScheduled"
    stream_kind = "meeting"
    creates = True
    may_follow = False
    title: Text
    participants: Annotated[Actors, Field(min_length=1)]
    planned: Edtf | None = None
    location: Location | None = None


class MeetingPostponed(EventData):
    type_name = "MeetingPostponed"
    stream_kind = "meeting"
    reason: str | None = None
    planned: Edtf | None = None


class MeetingCancelled(EventData):
    type_name = "MeetingCancelled"
    stream_kind = "meeting"
    reason: str | None = None


class MeetingHeld(EventData):
    type_name = "MeetingHeld"
    stream_kind = "meeting"
    creates = True  # or follows a MeetingScheduled
    title: Text
    participants: Annotated[Actors, Field(min_length=1)]
    kind: MeetingKind | None = None
    level: MeetingLevel | None = None
    location: Location | None = None
    topics: tuple[Text, ...] = ()
    outcomes: tuple[Text, ...] = ()
    sideline_of: MeetingStream | None = None


class InstrumentAdopted(EventData):
    type_name = "InstrumentAdopted"
    stream_kind = "instrument"
    creates = True
    may_follow = False
    title: Text
    kind: InstrumentKind
    binding: bool | None = None
    adopted_at: MeetingStream | None = None
    parties: tuple[Party, ...] = ()
    expires: Edtf | None = None


class PartyJoined(EventData):
    type_name = "PartyJoined"
    stream_kind = "instrument"
    actor: ActorId
    action: PartyAction
    effective: Edtf | None = None


class PartyWithdrew(EventData):
    type_name = "PartyWithdrew"
    stream_kind = "instrument"
    actor: ActorId
    effective: Edtf | None = None


class PartyNoticeGiven(EventData):
    """A party gives notice of withdrawal or termination, to take effect on `effective`."""

    type_name = "PartyNoticeGiven"
    stream_kind = "instrument"
    actor: ActorId
    effective: Edtf
    reason: str | None = None


class PartyNoticeSuspended(EventData):
    """The party's notice is on hold: it does not take effect."""

    type_name = "PartyNoticeSuspended"
    stream_kind = "instrument"
    actor: ActorId
    reason: str | None = None


class PartyNoticeRescinded(EventData):
    """The party's notice is withdrawn for good."""

    type_name = "PartyNoticeRescinded"
    stream_kind = "instrument"
    actor: ActorId
    reason: str | None = None


class PartySuspended(EventData):
    """The party suspends its own participation; it stays a party."""

    type_name = "PartySuspended"
    stream_kind = "instrument"
    actor: ActorId
    reason: str | None = None


class PartyResumed(EventData):
    """The party takes up its participation again."""

    type_name = "PartyResumed"
    stream_kind = "instrument"
    actor: ActorId
    reason: str | None = None


class InstrumentAmended(EventData):
    type_name = "InstrumentAmended"
    stream_kind = "instrument"
    summary: Text


class InstrumentExtended(EventData):
    type_name = "InstrumentExtended"
    stream_kind = "instrument"
    expires: Edtf


class InstrumentTerminated(EventData):
    type_name = "InstrumentTerminated"
    stream_kind = "instrument"
    reason: str | None = None


class MeasureImposed(EventData):
    type_name = "MeasureImposed"
    stream_kind = "measure"
    creates = True
    may_follow = False
    title: Text
    kind: MeasureKind
    imposer: ActorId
    targets: Annotated[Actors, Field(min_length=1)]
    scope: str | None = None
    items: tuple[Text, ...] = ()
    legal_citation: str | None = None
    announced: Edtf | None = None
    effective: Edtf | None = None
    responds_to: Reference | None = None


class MeasureAmended(EventData):
    type_name = "MeasureAmended"
    stream_kind = "measure"
    summary: Text
    scope: str | None = None
    items: tuple[Text, ...] = ()
    targets_added: Actors = ()
    targets_removed: Actors = ()
    effective: Edtf | None = None


class MeasureLifted(EventData):
    type_name = "MeasureLifted"
    stream_kind = "measure"
    reason: str | None = None
    effective: Edtf | None = None


class DialogueEstablished(EventData):
    type_name = "DialogueEstablished"
    stream_kind = "dialogue"
    creates = True
    may_follow = False
    name: Text
    track: Track
    parties: Annotated[Actors, Field(min_length=1)]
    convenors: Actors = ()
    topic: str | None = None
    agreed_at: MeetingStream | None = None


class DialogueRoundHeld(EventData):
    type_name = "DialogueRoundHeld"
    stream_kind = "dialogue"
    round: Annotated[int, Field(ge=1, strict=True)] | None = None
    meeting: MeetingStream | None = None
    location: Location | None = None
    summary: str | None = None


class DialogueSuspended(EventData):
    type_name = "DialogueSuspended"
    stream_kind = "dialogue"
    reason: str | None = None
    by: ActorId | None = None


class DialogueResumed(EventData):
    type_name = "DialogueResumed"
    stream_kind = "dialogue"
    reason: str | None = None


class DialogueEnded(EventData):
    type_name = "DialogueEnded"
    stream_kind = "dialogue"
    reason: str | None = None


class StatementIssued(EventData):
    type_name = "StatementIssued"
    stream_kind = "statement"
    creates = True
    may_follow = False
    issuer: ActorId
    summary: Text
    speaker: ActorId | None = None
    about: Actors = ()
    kind: StatementKind | None = None
    stance: Stance | None = None
    concerns: Reference | None = None


class DisputeFiled(EventData):
    type_name = "DisputeFiled"
    stream_kind = "dispute"
    creates = True
    may_follow = False
    title: Text
    forum: DisputeForum
    complainants: Annotated[Actors, Field(min_length=1)]
    respondents: Annotated[Actors, Field(min_length=1)]
    case_number: str | None = None
    subject: str | None = None
    concerns: Reference | None = None


class DisputeRuled(EventData):
    type_name = "DisputeRuled"
    stream_kind = "dispute"
    summary: Text
    body: str | None = None
    favours: Actors = ()
    appealed: bool | None = None


class DisputeClosed(EventData):
    type_name = "DisputeClosed"
    stream_kind = "dispute"
    how: DisputeClosure
    reason: str | None = None


class EventCorrected(EventData):
    type_name = "EventCorrected"
    stream_kind = None
    target: UUID
    reason: Text
    occurred: Edtf | None = None
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> EventCorrected:
        if self.occurred is None and not self.data:
            raise ValueError("a correction needs a new `occurred`, `data`, or both")
        return self


class EventRetracted(EventData):
    type_name = "EventRetracted"
    stream_kind = None
    target: UUID
    reason: Text


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.type_name: cls
    for cls in (
        ActorRegistered,
        ActorRenamed,
        MeetingScheduled,
        MeetingPostponed,
        MeetingCancelled,
        MeetingHeld,
        InstrumentAdopted,
        PartyJoined,
        PartyWithdrew,
        PartyNoticeGiven,
        PartyNoticeSuspended,
        PartyNoticeRescinded,
        PartySuspended,
        PartyResumed,
        InstrumentAmended,
        InstrumentExtended,
        InstrumentTerminated,
        MeasureImposed,
        MeasureAmended,
        MeasureLifted,
        DialogueEstablished,
        DialogueRoundHeld,
        DialogueSuspended,
        DialogueResumed,
        DialogueEnded,
        StatementIssued,
        DisputeFiled,
        DisputeRuled,
        DisputeClosed,
        EventCorrected,
        EventRetracted,
    )
}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (type, schemaVersion) -> a function that turns that version's `data` into the next version's.
# When a type's fields change, raise its class's `schema_version` and register here how the old
# payloads read, so that the log never has to be rewritten.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcast(type_name: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """`data` of `type_name` at `schema_version`, brought up to the type's current version."""
    cls = EVENT_TYPES[type_name]
    if schema_version > cls.schema_version or schema_version < 1:
        raise ValueError(
            f"schemaVersion {schema_version} of {type_name} is unknown "
            f"(current: {cls.schema_version})"
        )
    while schema_version < cls.schema_version:
        step = UPCASTERS.get((type_name, schema_version))
        if step is None:
            raise ValueError(f"no upcaster from {type_name} schemaVersion {schema_version}")
        data = step(data)
        schema_version += 1
    return data


# --- the envelope -------------------------------------------------------------------------------


class NewEvent(Model):
    """An event on its way into the log: what a client says happened.

    `recorded_at` and `recorded_by` are set only by an import that restores a log; otherwise the
    store assigns them.
    """

    id: UUID = Field(default_factory=uuid4)
    stream: StreamId
    occurred: Edtf
    data: SerializeAsAny[EventData]
    sources: tuple[Source, ...] = ()
    note: str | None = None
    recorded_at: datetime | None = None
    recorded_by: Text | None = None

    @property
    def type(self) -> str:
        """The event type's name (`MeetingHeld`)."""
        return self.data.type_name

    @property
    def stream_kind(self) -> str:
        """The kind of the event's stream (`meeting`)."""
        return self.stream.split("/", 1)[0]

    @model_validator(mode="after")
    def _fits_its_stream(self) -> NewEvent:
        mismatch = stream_mismatch(type(self.data), self.stream)
        if mismatch is not None:
            raise ValueError(mismatch)
        if isinstance(self.data, ActorRegistered):
            slug = self.stream.split("/", 1)[1]
            if canonical_actor(slug) != slug:
                raise ValueError(
                    f"actor slug {slug!r} is a country code; states need no registration"
                )
        if self.recorded_at is not None and self.recorded_at.utcoffset() is None:
            raise ValueError("recordedAt needs a time zone (RFC 3339)")
        return self


def stream_mismatch(cls: type[EventData], stream: str) -> str | None:
    """Why an event of type `cls` cannot go to `stream`, or None when it can."""
    kind = cls.stream_kind
    if kind is not None and stream.split("/", 1)[0] != kind:
        return f"{cls.type_name} belongs to a {kind} stream, not to {stream!r}"
    return None


ENVELOPE_FIELDS = frozenset(
    {"id", "stream", "type", "schemaVersion", "occurred", "data", "sources", "note"}
)
RECORDED_FIELDS = frozenset({"version", "position", "recordedAt", "recordedBy"})


# PostgreSQL can store no NUL character in text or JSONB, and no driver can encode a lone
# surrogate (U+D800 to U+DFFF, which JSON's `\ud800` escape can spell): refused alike on both
# backends, before any driver sees them.
NUL = "the NUL character (U+0000)"
SURROGATE = "a lone surrogate (U+D800 to U+DFFF)"


def unstorable_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """The JSON path (`data.participants[1]`) of every string in `value`, keys included, that
    the log cannot store, with what it holds (NUL or SURROGATE)."""
    if isinstance(value, str):
        reason = _unstorable(value)
        if reason:
            yield path, reason
    elif isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            reason = _unstorable(str(key))
            if reason:
                yield where, reason
            yield from unstorable_strings(item, where)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from unstorable_strings(item, f"{path}[{number}]")


def _unstorable(text: str) -> str | None:
    if "\x00" in text:
        return NUL
    if not text.isascii() and any("\ud800" <= char <= "\udfff" for char in text):
        return SURROGATE
    return None


def event_from_json(obj: Any, index: int = 0, *, restoring: bool = False) -> NewEvent:
    """Validate the JSON form of one event (docs/format.md, "The envelope") into a NewEvent.

    With `restoring`, the fields a log export carries (`version`, `position`, `recordedAt`,
    `recordedBy`) are accepted; `recordedAt` and `recordedBy` are kept, the others reassigned.
    Raises InvalidEvents listing every problem found, each with its field.
    """
    if not isinstance(obj, Mapping):
        raise InvalidEvents([Problem(index, "", "an event must be a JSON object")])
    allowed = ENVELOPE_FIELDS | RECORDED_FIELDS if restoring else ENVELOPE_FIELDS
    problems = [Problem(index, key, "unknown field") for key in obj if key not in allowed]
    problems += [
        Problem(index, path, f"contains {reason}, which the log cannot store")
        for path, reason in unstorable_strings(obj)
    ]
    type_name = obj.get("type")
    cls = EVENT_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        known = ", ".join(EVENT_TYPES)
        problems.append(Problem(index, "type", f"unknown event type {type_name!r} ({known})"))
        raise InvalidEvents(problems)
    stream = obj.get("stream")
    mismatch = stream_mismatch(cls, stream) if isinstance(stream, str) else None
    if mismatch is not None:
        problems.append(Problem(index, "stream", mismatch))
    data = obj.get("data")
    if not isinstance(data, Mapping):
        problems.append(Problem(index, "data", "required, a JSON object"))
        raise InvalidEvents(problems)
    version = obj.get("schemaVersion", cls.schema_version)
    payload: EventData | None = None
    in_data: list[Problem] = []  # said after the envelope's, in the order of a template
    try:
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("schemaVersion must be an integer")
        payload = cls.model_validate(upcast(cls.type_name, version, dict(data)))
    except ValidationError as error:
        in_data = problems_from(error, index, prefix="data")
    except ValueError as error:
        problems.append(Problem(index, "schemaVersion", str(error)))
    envelope = {key: obj[key] for key in obj if key in ENVELOPE_FIELDS - {"type", "schemaVersion"}}
    # Bad data does not stop the envelope's check (a bad date and a bad kind on one line are
    # both reported): an unvalidated stand-in takes the data's place then.
    envelope["data"] = payload if payload is not None else cls.model_construct()
    if restoring:
        for key in ("recordedAt", "recordedBy"):
            if key in obj:
                envelope[key] = obj[key]
    try:
        event = NewEvent.model_validate(envelope)
    except ValidationError as error:
        said = {problem.message for problem in problems}  # the stream check runs twice
        problems.extend(p for p in problems_from(error, index) if p.message not in said)
        raise InvalidEvents(problems + in_data) from None
    if problems or in_data:
        raise InvalidEvents(problems + in_data)
    return event


def problems_from(error: ValidationError, index: int, prefix: str = "") -> list[Problem]:
    """pydantic's errors as Problems with JSON paths (`data.participants[1]`)."""
    problems = []
    for item in error.errors(include_url=False):
        path = prefix
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif not str(part).startswith(("function-after", "function-")):
                path += f".{part}" if path else str(part)
        message = item["msg"]
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        problems.append(Problem(index, path, message))
    return problems


# --- walking an event's references ----------------------------------------------------------------


def actor_refs(value: BaseModel, path: str = "data") -> Iterator[tuple[str, str]]:
    """Every (JSON path, actor id) that `value` names, nested values included."""
    for alias, name, marker in _references(type(value)):
        item = getattr(value, name)
        where = f"{path}.{alias}"
        if item is None:
            continue
        if marker is ActorRef and isinstance(item, str):
            yield where, item
        elif marker is ActorRef:
            yield from ((f"{where}[{i}]", actor) for i, actor in enumerate(item))
        elif marker is BaseModel and isinstance(item, BaseModel):
            yield from actor_refs(item, where)
        elif marker is BaseModel:
            for i, element in enumerate(item):
                yield from actor_refs(element, f"{where}[{i}]")


def named_actors(value: BaseModel) -> set[str]:
    """The actor ids that `value` names, nested values included: actor_refs without the
    paths, for a rebuild that asks it of every event."""
    actors, nested = _actor_fields(type(value))
    named: set[str] = set()
    for name in actors:
        item = getattr(value, name)
        if item is None:
            continue
        if isinstance(item, str):
            named.add(item)
        else:
            named.update(item)
    for name in nested:
        item = getattr(value, name)
        if item is None:
            continue
        for element in (item,) if isinstance(item, BaseModel) else item:
            named |= named_actors(element)
    return named


@cache
def _actor_fields(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The attributes of `model` that name actors, and those that hold nested models."""
    found = _references(model)
    return (
        tuple(name for _, name, marker in found if marker is ActorRef),
        tuple(name for _, name, marker in found if marker is BaseModel),
    )


def stream_refs(value: EventData) -> Iterator[tuple[str, str]]:
    """Every (JSON path, stream id) that the data of an event names."""
    for alias, name, marker in _references(type(value)):
        item = getattr(value, name)
        if item is not None and marker is StreamRef and not is_event_id(item):
            yield f"data.{alias}", item


def event_refs(value: EventData) -> Iterator[tuple[str, UUID]]:
    """Every (JSON path, event id) that the data of an event names (`respondsTo`,
    `concerns` may name one event rather than a stream)."""
    for alias, name, marker in _references(type(value)):
        item = getattr(value, name)
        if item is not None and marker is StreamRef and is_event_id(item):
            yield f"data.{alias}", UUID(item)


@cache
def _references(model: type[BaseModel]) -> list[tuple[str, str, type]]:
    """(JSON name, attribute, kind) of each field of `model` that names actors (ActorRef),
    streams (StreamRef) or holds nested models (BaseModel); worked out once per class."""
    found: list[tuple[str, str, type]] = []
    for name, field in model.model_fields.items():
        metadata = [*field.metadata, *_nested_metadata(field.annotation)]
        alias = field.alias or name
        if any(isinstance(m, ActorRef) for m in metadata):
            found.append((alias, name, ActorRef))
        elif any(isinstance(m, StreamRef) for m in metadata):
            found.append((alias, name, StreamRef))
        elif any(_is_model(arg) for arg in _nested_types(field.annotation)):
            found.append((alias, name, BaseModel))
    return found


def _nested_metadata(annotation: Any) -> list[Any]:
    # `tuple[ActorId, ...]` and `ActorId | None` keep ActorRef on an inner type.
    found: list[Any] = []
    for arg in getattr(annotation, "__args__", ()):
        found.extend(getattr(arg, "__metadata__", ()))
        found.extend(_nested_metadata(arg))
    return found


def _nested_types(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in getattr(annotation, "__args__", ()):
        found.extend(_nested_types(arg))
    return found


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


# --- the stored form ---------------------------------------------------------------------------


def dumps(value: Any) -> str:
    """The canonical JSON text the log stores: compact, key order as given, UTF-8."""
    return _ENCODER.encode(value)


@lru_cache(maxsize=65536)
def dumps_list(items: tuple[str, ...]) -> str:
    """The canonical JSON text of a list of strings (participants, actors spoken about),
    remembered: the same few lists recur across a log's events."""
    return dumps(list(items))


# One encoder for every dumps: json.dumps with options builds a new one per call, which cost
# a rebuild (several texts per event) more than the encoding itself.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def data_json(event: NewEvent) -> str:
    """The stored text of an event's `data`."""
    return dumps(event.data.to_json())


def sources_json(event: NewEvent) -> str:
    """The stored text of an event's `sources`."""
    return dumps([source.to_json() for source in event.sources])


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds: the one form the log writes
    (`2024-02-19T08:00:00.000000Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as the log holds it: the envelope of docs/format.md ("The envelope").

    `data` and `sources` are the stored JSON; `payload()` gives the typed, upcast data.
    """

    position: int
    id: UUID
    stream: str
    version: int
    type: str
    schema_version: int
    occurred: str
    recorded_at: datetime
    recorded_by: str
    data: dict[str, Any]
    sources: list[dict[str, Any]]
    note: str | None

    def payload(self) -> EventData:
        """The event's data as its typed model, upcast to the type's current schema version."""
        cls = EVENT_TYPES[self.type]
        return cls.model_validate(upcast(self.type, self.schema_version, self.data))

    def to_json(self) -> dict[str, Any]:
        """The interchange form (docs/format.md, "The envelope"), keys in its order."""
        return {
            "id": str(self.id),
            "stream": self.stream,
            "version": self.version,
            "position": self.position,
            "type": self.type,
            "schemaVersion": self.schema_version,
            "occurred": self.occurred,
            "recordedAt": format_timestamp(self.recorded_at),
            "recordedBy": self.recorded_by,
            "data": self.data,
            "sources": self.sources,
            "note": self.note,
        }


def payload_from_text(type_name: str, schema_version: int, text: str | bytes) -> EventData:
    """The typed model of a stored `data` text, upcast to the type's current schema version.
    Data at the current version is validated from the text directly (pydantic's JSON parser),
    with no Python dict in between: a rebuild decodes every event of the log."""
    cls = EVENT_TYPES[type_name]
    if schema_version == cls.schema_version:
        # The validator itself: model_validate_json only passes its arguments on to it.
        return cls.__pydantic_validator__.validate_json(text)  # type: ignore[no-any-return]
    return cls.model_validate(upcast(type_name, schema_version, json.loads(text)))
