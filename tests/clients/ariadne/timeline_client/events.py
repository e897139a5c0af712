from typing import Annotated, Any, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import EventType, MeetingKind, Stance


class Events(BaseModel):
    events: "EventsEvents"


class EventsEvents(BaseModel):
    total_count: int = Field(alias="totalCount")
    nodes: list[
        Annotated[
            Union[
                "EventsEventsNodesEvent",
                "EventsEventsNodesMeetingHeld",
                "EventsEventsNodesStatementIssued",
            ],
            Field(discriminator="typename__"),
        ]
    ]


class EventsEventsNodesEvent(BaseModel):
    typename__: Literal[
        "ActorRegistered",
        "ActorRenamed",
        "DialogueEnded",
        "DialogueEstablished",
        "DialogueResumed",
        "DialogueRoundHeld",
        "DialogueSuspended",
        "DisputeClosed",
        "DisputeFiled",
        "DisputeRuled",
        "Event",
        "EventCorrected",
        "EventRetracted",
        "InstrumentAdopted",
        "InstrumentAmended",
        "InstrumentExtended",
        "InstrumentTerminated",
        "MeasureAmended",
        "MeasureImposed",
        "MeasureLifted",
        "MeetingCancelled",
        "MeetingPostponed",
        "MeetingScheduled",
        "PartyJoined",
        "PartyNoticeGiven",
        "PartyNoticeRescinded",
        "PartyNoticeSuspended",
        "PartyResumed",
        "PartySuspended",
        "PartyWithdrew",
    ] = Field(alias="__typename")
    id: str
    key: str
    type_: EventType = Field(alias="type")
    occurred: "EventsEventsNodesEventOccurred"


class EventsEventsNodesEventOccurred(BaseModel):
    edtf: Any


class EventsEventsNodesMeetingHeld(BaseModel):
    typename__: Literal["MeetingHeld"] = Field(alias="__typename")
    id: str
    key: str
    type_: EventType = Field(alias="type")
    occurred: "EventsEventsNodesMeetingHeldOccurred"
    title: str
    meeting_kind: Optional[MeetingKind] = Field(alias="meetingKind")


class EventsEventsNodesMeetingHeldOccurred(BaseModel):
    edtf: Any


class EventsEventsNodesStatementIssued(BaseModel):
    typename__: Literal["StatementIssued"] = Field(alias="__typename")
    id: str
    key: str
    type_: EventType = Field(alias="type")
    occurred: "EventsEventsNodesStatementIssuedOccurred"
    summary: Optional[str]
    stance: Optional[Stance]
    issuer: "EventsEventsNodesStatementIssuedIssuer"


class EventsEventsNodesStatementIssuedOccurred(BaseModel):
    edtf: Any


class EventsEventsNodesStatementIssuedIssuer(BaseModel):
    id: str
    name: str


Events.model_rebuild()
EventsEvents.model_rebuild()
EventsEventsNodesEvent.model_rebuild()
EventsEventsNodesMeetingHeld.model_rebuild()
EventsEventsNodesStatementIssued.model_rebuild()
