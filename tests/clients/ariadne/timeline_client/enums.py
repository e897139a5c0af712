from enum import Enum


class ActorKind(str, Enum):
    STATE = "STATE"
    ORGANIZATION = "ORGANIZATION"
    IGO = "IGO"
    PERSON = "PERSON"
    GROUP = "GROUP"


class DialogueStatus(str, Enum):
    ESTABLISHED = "ESTABLISHED"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    ENDED = "ENDED"


class DisputeClosure(str, Enum):
    SETTLED = "SETTLED"
    WITHDRAWN = "WITHDRAWN"
    RULING_FINAL = "RULING_FINAL"
    LAPSED = "LAPSED"


class DisputeForum(str, Enum):
    WTO = "WTO"
    ICJ = "ICJ"
    ITLOS = "ITLOS"
    PCA = "PCA"
    ICSID = "ICSID"
    DOMESTIC_COURT = "DOMESTIC_COURT"
    OTHER = "OTHER"


class DisputeStatus(str, Enum):
    OPEN = "OPEN"
    RULED = "RULED"
    CLOSED = "CLOSED"


class EventType(str, Enum):
    ActorRegistered = "ActorRegistered"
    ActorRenamed = "ActorRenamed"
    MeetingScheduled = "MeetingScheduled"
    MeetingPostponed = "MeetingPostponed"
    MeetingCancelled = "MeetingCancelled"
    MeetingHeld = "MeetingHeld"
    InstrumentAdopted = "InstrumentAdopted"
    PartyJoined = "PartyJoined"
    PartyWithdrew = "PartyWithdrew"
    PartyNoticeGiven = "PartyNoticeGiven"
    PartyNoticeSuspended = "PartyNoticeSuspended"
    PartyNoticeRescinded = "PartyNoticeRescinded"
    PartySuspended = "PartySuspended"
    PartyResumed = "PartyResumed"
    InstrumentAmended = "InstrumentAmended"
    InstrumentExtended = "InstrumentExtended"
    InstrumentTerminated = "InstrumentTerminated"
    MeasureImposed = "MeasureImposed"
    MeasureAmended = "MeasureAmended"
    MeasureLifted = "MeasureLifted"
    DialogueEstablished = "DialogueEstablished"
    DialogueRoundHeld = "DialogueRoundHeld"
    DialogueSuspended = "DialogueSuspended"
    DialogueResumed = "DialogueResumed"
    DialogueEnded = "DialogueEnded"
    StatementIssued = "StatementIssued"
    DisputeFiled = "DisputeFiled"
    DisputeRuled = "DisputeRuled"
    DisputeClosed = "DisputeClosed"
    EventCorrected = "EventCorrected"
    EventRetracted = "EventRetracted"


class InstrumentKind(str, Enum):
    DECLARATION = "DECLARATION"
    JOINT_STATEMENT = "JOINT_STATEMENT"
    AGREEMENT = "AGREEMENT"
    TREATY = "TREATY"
    RESOLUTION = "RESOLUTION"
    MEMORANDUM = "MEMORANDUM"


class Interval(str, Enum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class MeasureKind(str, Enum):
    EXPORT_CONTROL = "EXPORT_CONTROL"
    ENTITY_LISTING = "ENTITY_LISTING"
    SANCTION = "SANCTION"
    TARIFF = "TARIFF"
    INVESTMENT_RESTRICTION = "INVESTMENT_RESTRICTION"
    VISA_RESTRICTION = "VISA_RESTRICTION"
    COUNTERMEASURE = "COUNTERMEASURE"


class MeetingKind(str, Enum):
    BILATERAL = "BILATERAL"
    MULTILATERAL = "MULTILATERAL"
    SUMMIT = "SUMMIT"
    VISIT = "VISIT"
    CALL = "CALL"
    VIDEO = "VIDEO"


class MeetingLevel(str, Enum):
    HEAD_OF_STATE = "HEAD_OF_STATE"
    HEAD_OF_GOVERNMENT = "HEAD_OF_GOVERNMENT"
    MINISTERIAL = "MINISTERIAL"
    SENIOR_OFFICIAL = "SENIOR_OFFICIAL"
    WORKING = "WORKING"
    TRACK_II = "TRACK_II"


class MeetingStatus(str, Enum):
    SCHEDULED = "SCHEDULED"
    POSTPONED = "POSTPONED"
    CANCELLED = "CANCELLED"
    HELD = "HELD"


class MembershipStatus(str, Enum):
    ACTIVE = "ACTIVE"
    NOTICE_GIVEN = "NOTICE_GIVEN"
    NOTICE_SUSPENDED = "NOTICE_SUSPENDED"
    SUSPENDED = "SUSPENDED"


class PartyAction(str, Enum):
    SIGN = "SIGN"
    ENDORSE = "ENDORSE"
    RATIFY = "RATIFY"
    ACCEDE = "ACCEDE"
    ACCEPT = "ACCEPT"
    COSPONSOR = "COSPONSOR"


class RegisteredActorKind(str, Enum):
    ORGANIZATION = "ORGANIZATION"
    IGO = "IGO"
    PERSON = "PERSON"
    GROUP = "GROUP"


class Stance(str, Enum):
    COOPERATIVE = "COOPERATIVE"
    NEUTRAL = "NEUTRAL"
    CRITICAL = "CRITICAL"


class StatementKind(str, Enum):
    READOUT = "READOUT"
    SPEECH = "SPEECH"
    POSITION = "POSITION"
    JOINT = "JOINT"


class StreamKind(str, Enum):
    ACTOR = "ACTOR"
    MEETING = "MEETING"
    INSTRUMENT = "INSTRUMENT"
    MEASURE = "MEASURE"
    DIALOGUE = "DIALOGUE"
    STATEMENT = "STATEMENT"
    DISPUTE = "DISPUTE"


class Track(str, Enum):
    TRACK_I = "TRACK_I"
    TRACK_1_5 = "TRACK_1_5"
    TRACK_II = "TRACK_II"


class UserErrorCode(str, Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    NOT_FOUND = "NOT_FOUND"
