from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import (
    DialogueStatus,
    InstrumentKind,
    MeasureKind,
    MeetingKind,
    PartyAction,
    Track,
)


class Relation(BaseModel):
    relation: "RelationRelation"


class RelationRelation(BaseModel):
    known_at: Any = Field(alias="knownAt")
    last_contact: Optional["RelationRelationLastContact"] = Field(alias="lastContact")
    dialogues: list["RelationRelationDialogues"]
    measures_in_force: list["RelationRelationMeasuresInForce"] = Field(
        alias="measuresInForce"
    )
    shared_instruments: list["RelationRelationSharedInstruments"] = Field(
        alias="sharedInstruments"
    )


class RelationRelationLastContact(BaseModel):
    id: str
    key: str
    title: str
    kind: Optional[MeetingKind]
    location: Optional["RelationRelationLastContactLocation"]


class RelationRelationLastContactLocation(BaseModel):
    name: str
    country: Optional["RelationRelationLastContactLocationCountry"]


class RelationRelationLastContactLocationCountry(BaseModel):
    id: str
    name: str


class RelationRelationDialogues(BaseModel):
    dialogue: "RelationRelationDialoguesDialogue"
    status: DialogueStatus
    since: "RelationRelationDialoguesSince"


class RelationRelationDialoguesDialogue(BaseModel):
    id: str
    key: str
    name: str
    track: Track


class RelationRelationDialoguesSince(BaseModel):
    edtf: Any


class RelationRelationMeasuresInForce(BaseModel):
    measure: "RelationRelationMeasuresInForceMeasure"
    imposer: "RelationRelationMeasuresInForceImposer"


class RelationRelationMeasuresInForceMeasure(BaseModel):
    id: str
    key: str
    title: str
    kind: MeasureKind


class RelationRelationMeasuresInForceImposer(BaseModel):
    id: str


class RelationRelationSharedInstruments(BaseModel):
    instrument: "RelationRelationSharedInstrumentsInstrument"
    a: Optional["RelationRelationSharedInstrumentsA"]
    b: Optional["RelationRelationSharedInstrumentsB"]


class RelationRelationSharedInstrumentsInstrument(BaseModel):
    id: str
    key: str
    title: str
    kind: InstrumentKind


class RelationRelationSharedInstrumentsA(BaseModel):
    action: PartyAction


class RelationRelationSharedInstrumentsB(BaseModel):
    action: PartyAction


Relation.model_rebuild()
RelationRelation.model_rebuild()
RelationRelationLastContact.model_rebuild()
RelationRelationLastContactLocation.model_rebuild()
RelationRelationDialogues.model_rebuild()
RelationRelationMeasuresInForce.model_rebuild()
RelationRelationSharedInstruments.model_rebuild()
