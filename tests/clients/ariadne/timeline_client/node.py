from typing import Annotated, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel


class Node(BaseModel):
    node: Optional[
        Annotated[
            Union["NodeNodeNode", "NodeNodeMeeting"], Field(discriminator="typename__")
        ]
    ]


class NodeNodeNode(BaseModel):
    typename__: Literal[
        "Actor",
        "ActorRegistered",
        "ActorRenamed",
        "Dialogue",
        "DialogueEnded",
        "DialogueEstablished",
        "DialogueResumed",
        "DialogueRoundHeld",
        "DialogueSuspended",
        "Dispute",
        "DisputeClosed",
        "DisputeFiled",
        "DisputeRuled",
        "EventCorrected",
        "EventRetracted",
        "Instrument",
        "InstrumentAdopted",
        "InstrumentAmended",
        "InstrumentExtended",
        "InstrumentTerminated",
        "Measure",
        "MeasureAmended",
        "MeasureImposed",
        "MeasureLifted",
        "MeetingCancelled",
        "MeetingHeld",
        "MeetingPostponed",
        "MeetingScheduled",
        "Node",
        "PartyJoined",
        "PartyNoticeGiven",
        "PartyNoticeRescinded",
        "PartyNoticeSuspended",
        "PartyResumed",
        "PartySuspended",
        "PartyWithdrew",
        "StatementIssued",
        "Stream",
    ] = Field(alias="__typename")
    id: str
    key: str


class NodeNodeMeeting(BaseModel):
    typename__: Literal["Meeting"] = Field(alias="__typename")
    id: str
    key: str
    title: str


Node.model_rebuild()
