from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import (
    ActorKind,
    DisputeClosure,
    DisputeForum,
    EventType,
    InstrumentKind,
    MeasureKind,
    MeetingKind,
    MeetingLevel,
    PartyAction,
    RegisteredActorKind,
    Stance,
    StatementKind,
    Track,
)


class ActorFilter(BaseModel):
    """Which registered actors to list."""

    kind: Optional[ActorKind] = None
    "Only this kind."
    country: Optional[str] = None
    "Only actors that count for this state."
    text: Optional[str] = None
    "Words that must all appear in the id, name or aliases."


class ActorRegisteredInput(BaseModel):
    """The data of a ActorRegistered event."""

    name: str
    "The event's `name`."
    actor_kind: RegisteredActorKind = Field(alias="actorKind")
    "The event's `kind` (as its JSON names it, docs/format.md)."
    aliases: Optional[list[str]] = None
    "The event's `aliases`."
    country: Optional[str] = None
    "The event's `country`."
    wikidata: Optional[str] = None
    "The event's `wikidata`."


class ActorRenamedInput(BaseModel):
    """The data of a ActorRenamed event."""

    name: str
    "The event's `name`."


class CorrectEventInput(BaseModel):
    """A correction of an event's date and/or data."""

    id: str
    "The event to correct."
    reason: str
    "Why it is corrected."
    occurred: Optional[Any] = None
    "Its new date."
    data: Optional[Any] = None
    "The fields of its data that change, in JSON, named as its type's fields (`meetingKind`, `foundingParties`; a domain name GraphQL does not use is refused with BAD_USER_INPUT naming the one to use)."


class DialogueEndedInput(BaseModel):
    """The data of a DialogueEnded event."""

    reason: Optional[str] = None
    "The event's `reason`."


class DialogueEstablishedInput(BaseModel):
    """The data of a DialogueEstablished event."""

    name: str
    "The event's `name`."
    track: Track
    "The event's `track`."
    parties: list[str]
    "The event's `parties`."
    convenors: Optional[list[str]] = None
    "The event's `convenors`."
    topic: Optional[str] = None
    "The event's `topic`."
    agreed_at: Optional[str] = Field(alias="agreedAt", default=None)
    "The event's `agreedAt`."


class DialogueResumedInput(BaseModel):
    """The data of a DialogueResumed event."""

    reason: Optional[str] = None
    "The event's `reason`."


class DialogueRoundHeldInput(BaseModel):
    """The data of a DialogueRoundHeld event."""

    round: Optional[int] = None
    "The event's `round`."
    meeting: Optional[str] = None
    "The event's `meeting`."
    location: Optional["LocationInput"] = None
    "The event's `location`."
    summary: Optional[str] = None
    "The event's `summary`."


class DialogueSuspendedInput(BaseModel):
    """The data of a DialogueSuspended event."""

    reason: Optional[str] = None
    "The event's `reason`."
    by: Optional[str] = None
    "The event's `by`."


class DisputeClosedInput(BaseModel):
    """The data of a DisputeClosed event."""

    how: DisputeClosure
    "The event's `how`."
    reason: Optional[str] = None
    "The event's `reason`."


class DisputeFiledInput(BaseModel):
    """The data of a DisputeFiled event."""

    title: str
    "The event's `title`."
    forum: DisputeForum
    "The event's `forum`."
    complainants: list[str]
    "The event's `complainants`."
    respondents: list[str]
    "The event's `respondents`."
    case_number: Optional[str] = Field(alias="caseNumber", default=None)
    "The event's `caseNumber`."
    subject: Optional[str] = None
    "The event's `subject`."
    concerns: Optional[str] = None
    "The event's `concerns`."


class DisputeRuledInput(BaseModel):
    """The data of a DisputeRuled event."""

    summary: str
    "The event's `summary`."
    body: Optional[str] = None
    "The event's `body`."
    favours: Optional[list[str]] = None
    "The event's `favours`."
    appealed: Optional[bool] = None
    "The event's `appealed`."


class EventCorrectedInput(BaseModel):
    """The data of a EventCorrected event."""

    target: str
    "The event's `target`."
    reason: str
    "The event's `reason`."
    new_occurred: Optional[Any] = Field(alias="newOccurred", default=None)
    "The event's `occurred` (as its JSON names it, docs/format.md)."
    changes: Optional[Any] = None
    "The event's `data` (as its JSON names it, docs/format.md)."


class EventDataInput(BaseModel):
    """The event's data: exactly one member, named after its type (meetingHeld)."""

    actor_registered: Optional["ActorRegisteredInput"] = Field(
        alias="actorRegistered", default=None
    )
    "The data of a ActorRegistered event."
    actor_renamed: Optional["ActorRenamedInput"] = Field(
        alias="actorRenamed", default=None
    )
    "The data of a ActorRenamed event."
    meeting_scheduled: Optional["MeetingScheduledInput"] = Field(
        alias="meetingScheduled", default=None
    )
    "The data of a MeetingScheduled event."
    meeting_postponed: Optional["MeetingPostponedInput"] = Field(
        alias="meetingPostponed", default=None
    )
    "The data of a MeetingPostponed event."
    meeting_cancelled: Optional["MeetingCancelledInput"] = Field(
        alias="meetingCancelled", default=None
    )
    "The data of a MeetingCancelled event."
    meeting_held: Optional["MeetingHeldInput"] = Field(
        alias="meetingHeld", default=None
    )
    "The data of a MeetingHeld event."
    instrument_adopted: Optional["InstrumentAdoptedInput"] = Field(
        alias="instrumentAdopted", default=None
    )
    "The data of a InstrumentAdopted event."
    party_joined: Optional["PartyJoinedInput"] = Field(
        alias="partyJoined", default=None
    )
    "The data of a PartyJoined event."
    party_withdrew: Optional["PartyWithdrewInput"] = Field(
        alias="partyWithdrew", default=None
    )
    "The data of a PartyWithdrew event."
    party_notice_given: Optional["PartyNoticeGivenInput"] = Field(
        alias="partyNoticeGiven", default=None
    )
    "The data of a PartyNoticeGiven event."
    party_notice_suspended: Optional["PartyNoticeSuspendedInput"] = Field(
        alias="partyNoticeSuspended", default=None
    )
    "The data of a PartyNoticeSuspended event."
    party_notice_rescinded: Optional["PartyNoticeRescindedInput"] = Field(
        alias="partyNoticeRescinded", default=None
    )
    "The data of a PartyNoticeRescinded event."
    party_suspended: Optional["PartySuspendedInput"] = Field(
        alias="partySuspended", default=None
    )
    "The data of a PartySuspended event."
    party_resumed: Optional["PartyResumedInput"] = Field(
        alias="partyResumed", default=None
    )
    "The data of a PartyResumed event."
    instrument_amended: Optional["InstrumentAmendedInput"] = Field(
        alias="instrumentAmended", default=None
    )
    "The data of a InstrumentAmended event."
    instrument_extended: Optional["InstrumentExtendedInput"] = Field(
        alias="instrumentExtended", default=None
    )
    "The data of a InstrumentExtended event."
    instrument_terminated: Optional["InstrumentTerminatedInput"] = Field(
        alias="instrumentTerminated", default=None
    )
    "The data of a InstrumentTerminated event."
    measure_imposed: Optional["MeasureImposedInput"] = Field(
        alias="measureImposed", default=None
    )
    "The data of a MeasureImposed event."
    measure_amended: Optional["MeasureAmendedInput"] = Field(
        alias="measureAmended", default=None
    )
    "The data of a MeasureAmended event."
    measure_lifted: Optional["MeasureLiftedInput"] = Field(
        alias="measureLifted", default=None
    )
    "The data of a MeasureLifted event."
    dialogue_established: Optional["DialogueEstablishedInput"] = Field(
        alias="dialogueEstablished", default=None
    )
    "The data of a DialogueEstablished event."
    dialogue_round_held: Optional["DialogueRoundHeldInput"] = Field(
        alias="dialogueRoundHeld", default=None
    )
    "The data of a DialogueRoundHeld event."
    dialogue_suspended: Optional["DialogueSuspendedInput"] = Field(
        alias="dialogueSuspended", default=None
    )
    "The data of a DialogueSuspended event."
    dialogue_resumed: Optional["DialogueResumedInput"] = Field(
        alias="dialogueResumed", default=None
    )
    "The data of a DialogueResumed event."
    dialogue_ended: Optional["DialogueEndedInput"] = Field(
        alias="dialogueEnded", default=None
    )
    "The data of a DialogueEnded event."
    statement_issued: Optional["StatementIssuedInput"] = Field(
        alias="statementIssued", default=None
    )
    "The data of a StatementIssued event."
    dispute_filed: Optional["DisputeFiledInput"] = Field(
        alias="disputeFiled", default=None
    )
    "The data of a DisputeFiled event."
    dispute_ruled: Optional["DisputeRuledInput"] = Field(
        alias="disputeRuled", default=None
    )
    "The data of a DisputeRuled event."
    dispute_closed: Optional["DisputeClosedInput"] = Field(
        alias="disputeClosed", default=None
    )
    "The data of a DisputeClosed event."
    event_corrected: Optional["EventCorrectedInput"] = Field(
        alias="eventCorrected", default=None
    )
    "The data of a EventCorrected event."
    event_retracted: Optional["EventRetractedInput"] = Field(
        alias="eventRetracted", default=None
    )
    "The data of a EventRetracted event."


class EventFilter(BaseModel):
    """Which events to list; every condition given must hold."""

    actors: Optional[list[str]] = None
    "All must take part (an actor counts for its country)."
    types: Optional[list[EventType]] = None
    "Event types."
    streams: Optional[list[str]] = None
    "Streams."
    from_: Optional[Any] = Field(alias="from", default=None)
    "Valid time: the event's bounds reach this day."
    to: Optional[Any] = None
    "Valid time: the event's bounds start by this day."
    text: Optional[str] = None
    "Words that must all appear in titles, summaries or notes."
    include_retracted: Optional[bool] = Field(alias="includeRetracted", default=False)
    "Also list retracted events (marked retracted)."


class EventRetractedInput(BaseModel):
    """The data of a EventRetracted event."""

    target: str
    "The event's `target`."
    reason: str
    "The event's `reason`."


class InstrumentAdoptedInput(BaseModel):
    """The data of a InstrumentAdopted event."""

    title: str
    "The event's `title`."
    instrument_kind: InstrumentKind = Field(alias="instrumentKind")
    "The event's `kind` (as its JSON names it, docs/format.md)."
    binding: Optional[bool] = None
    "The event's `binding`."
    adopted_at: Optional[str] = Field(alias="adoptedAt", default=None)
    "The event's `adoptedAt`."
    founding_parties: Optional[list["PartyInput"]] = Field(
        alias="foundingParties", default=None
    )
    "The event's `parties` (as its JSON names it, docs/format.md)."
    expires: Optional[Any] = None
    "The event's `expires`."


class InstrumentAmendedInput(BaseModel):
    """The data of a InstrumentAmended event."""

    summary: str
    "The event's `summary`."


class InstrumentExtendedInput(BaseModel):
    """The data of a InstrumentExtended event."""

    expires: Any
    "The event's `expires`."


class InstrumentTerminatedInput(BaseModel):
    """The data of a InstrumentTerminated event."""

    reason: Optional[str] = None
    "The event's `reason`."


class LocationInput(BaseModel):
    """A place: its name and the state it is in."""

    name: str
    "The place's name."
    country: Optional[str] = None
    "The state it is in (ISO 3166 code)."


class MeasureAmendedInput(BaseModel):
    """The data of a MeasureAmended event."""

    summary: str
    "The event's `summary`."
    scope: Optional[str] = None
    "The event's `scope`."
    items: Optional[list[str]] = None
    "The event's `items`."
    targets_added: Optional[list[str]] = Field(alias="targetsAdded", default=None)
    "The event's `targetsAdded`."
    targets_removed: Optional[list[str]] = Field(alias="targetsRemoved", default=None)
    "The event's `targetsRemoved`."
    effective: Optional[Any] = None
    "The event's `effective`."


class MeasureImposedInput(BaseModel):
    """The data of a MeasureImposed event."""

    title: str
    "The event's `title`."
    measure_kind: MeasureKind = Field(alias="measureKind")
    "The event's `kind` (as its JSON names it, docs/format.md)."
    imposer: str
    "The event's `imposer`."
    targets: list[str]
    "The event's `targets`."
    scope: Optional[str] = None
    "The event's `scope`."
    items: Optional[list[str]] = None
    "The event's `items`."
    legal_citation: Optional[str] = Field(alias="legalCitation", default=None)
    "The event's `legalCitation`."
    announced: Optional[Any] = None
    "The event's `announced`."
    effective: Optional[Any] = None
    "The event's `effective`."
    responds_to: Optional[str] = Field(alias="respondsTo", default=None)
    "The event's `respondsTo`."


class MeasureLiftedInput(BaseModel):
    """The data of a MeasureLifted event."""

    reason: Optional[str] = None
    "The event's `reason`."
    effective: Optional[Any] = None
    "The event's `effective`."


class MeetingCancelledInput(BaseModel):
    """The data of a MeetingCancelled event."""

    reason: Optional[str] = None
    "The event's `reason`."


class MeetingHeldInput(BaseModel):
    """The data of a MeetingHeld event."""

    title: str
    "The event's `title`."
    participants: list[str]
    "The event's `participants`."
    meeting_kind: Optional[MeetingKind] = Field(alias="meetingKind", default=None)
    "The event's `kind` (as its JSON names it, docs/format.md)."
    level: Optional[MeetingLevel] = None
    "The event's `level`."
    location: Optional["LocationInput"] = None
    "The event's `location`."
    topics: Optional[list[str]] = None
    "The event's `topics`."
    outcomes: Optional[list[str]] = None
    "The event's `outcomes`."
    sideline_of: Optional[str] = Field(alias="sidelineOf", default=None)
    "The event's `sidelineOf`."


class MeetingPostponedInput(BaseModel):
    """The data of a MeetingPostponed event."""

    reason: Optional[str] = None
    "The event's `reason`."
    planned: Optional[Any] = None
    "The event's `planned`."


class MeetingScheduledInput(BaseModel):
    """The data of a MeetingScheduled event."""

    title: str
    "The event's `title`."
    participants: list[str]
    "The event's `participants`."
    planned: Optional[Any] = None
    "The event's `planned`."
    location: Optional["LocationInput"] = None
    "The event's `location`."


class PartyInput(BaseModel):
    """A founding party of an instrument."""

    actor: str
    "The party's actor id."
    action: PartyAction
    "How the party joined."


class PartyJoinedInput(BaseModel):
    """The data of a PartyJoined event."""

    actor: str
    "The event's `actor`."
    action: PartyAction
    "The event's `action`."
    effective: Optional[Any] = None
    "The event's `effective`."


class PartyNoticeGivenInput(BaseModel):
    """The data of a PartyNoticeGiven event."""

    actor: str
    "The event's `actor`."
    effective: Any
    "The event's `effective`."
    reason: Optional[str] = None
    "The event's `reason`."


class PartyNoticeRescindedInput(BaseModel):
    """The data of a PartyNoticeRescinded event."""

    actor: str
    "The event's `actor`."
    reason: Optional[str] = None
    "The event's `reason`."


class PartyNoticeSuspendedInput(BaseModel):
    """The data of a PartyNoticeSuspended event."""

    actor: str
    "The event's `actor`."
    reason: Optional[str] = None
    "The event's `reason`."


class PartyResumedInput(BaseModel):
    """The data of a PartyResumed event."""

    actor: str
    "The event's `actor`."
    reason: Optional[str] = None
    "The event's `reason`."


class PartySuspendedInput(BaseModel):
    """The data of a PartySuspended event."""

    actor: str
    "The event's `actor`."
    reason: Optional[str] = None
    "The event's `reason`."


class PartyWithdrewInput(BaseModel):
    """The data of a PartyWithdrew event."""

    actor: str
    "The event's `actor`."
    effective: Optional[Any] = None
    "The event's `effective`."


class RecordEventInput(BaseModel):
    """One event to record."""

    stream: str
    "Its stream, `<kind>/<slug>`."
    occurred: Any
    "When it happened, in EDTF."
    data: "EventDataInput"
    "The event's type and data."
    id: Optional[str] = None
    "A client id (UUID) that makes retries idempotent."
    expected_version: Optional[int] = Field(alias="expectedVersion", default=None)
    "The version the stream must be at (0: must not exist yet)."
    sources: Optional[list["SourceInput"]] = None
    "Sources."
    note: Optional[str] = None
    "A free note."


class RecordEventsInput(BaseModel):
    """Several events to record at once: all of them or none."""

    events: list["RecordEventInput"]
    "The events, in order."


class RetractEventInput(BaseModel):
    """The withdrawal of an event."""

    id: str
    "The event to retract."
    reason: str
    "Why it is retracted."


class SourceInput(BaseModel):
    """Where a fact comes from; `url` or `title` is required."""

    url: Optional[str] = None
    "The address of the source."
    title: Optional[str] = None
    "Its title."
    publisher: Optional[str] = None
    "Who published it."
    published: Optional[Any] = None
    "When it was published."
    quote: Optional[str] = None
    "A short supporting quote."
    accessed: Optional[Any] = None
    "When it was consulted."


class StatementIssuedInput(BaseModel):
    """The data of a StatementIssued event."""

    issuer: str
    "The event's `issuer`."
    summary: str
    "The event's `summary`."
    speaker: Optional[str] = None
    "The event's `speaker`."
    about: Optional[list[str]] = None
    "The event's `about`."
    statement_kind: Optional[StatementKind] = Field(alias="statementKind", default=None)
    "The event's `kind` (as its JSON names it, docs/format.md)."
    stance: Optional[Stance] = None
    "The event's `stance`."
    concerns: Optional[str] = None
    "The event's `concerns`."


DialogueRoundHeldInput.model_rebuild()
EventDataInput.model_rebuild()
InstrumentAdoptedInput.model_rebuild()
MeetingHeldInput.model_rebuild()
MeetingScheduledInput.model_rebuild()
RecordEventInput.model_rebuild()
RecordEventsInput.model_rebuild()
