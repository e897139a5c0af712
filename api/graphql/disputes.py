"""Disputes in GraphQL: the Dispute node and its state at a date (Relation.disputes)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry.types import Info
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql.context import Context
from api.graphql.types import Actor, Node, When, actors_field
from events.views import states
from events.views.objects import DisputeView
from events.views.rosters import dispute_status


@strawberry.enum(description="Where a dispute stands: open, ruled on, or closed.")
class DisputeStatus(Enum):
    OPEN = "OPEN"
    RULED = "RULED"
    CLOSED = "CLOSED"


@strawberry.type(description="A dispute's status at a date, and since when it has had it.")
class DisputeState:
    dispute_id: strawberry.Private[str]
    status: DisputeStatus = strawberry.field(description="The status at the view's date.")
    since: When = strawberry.field(description="Since when the dispute has had that status.")
    certain: bool = strawberry.field(
        description="False when uncertain dates make the status only possible."
    )

    @strawberry.field(description="The dispute's stream id (`dispute/…`).")
    def dispute(self) -> strawberry.ID:
        return strawberry.ID(self.dispute_id)

    @classmethod
    def from_state(cls, state: states.DisputeState) -> DisputeState:
        """The DisputeState of a view's state."""
        return cls(
            dispute_id=state.dispute,
            status=DisputeStatus(state.status),
            since=When.of(state.since),
            certain=state.certain,
        )


@strawberry.type(description="A case before the WTO, a court or a tribunal between actors.")
class Dispute(Node):
    title: str = strawberry.field(description="Its title.")
    forum: str = strawberry.field(description="WTO, ICJ, ITLOS, PCA, ICSID, a domestic court, …")
    case_number: str | None = strawberry.field(description="The forum's number (`DS590`).")
    subject: str | None = strawberry.field(description="What it is about.")
    concerns: strawberry.ID | None = strawberry.field(
        description="What is complained of: a stream id or an event id."
    )
    filed: When = strawberry.field(description="When it was filed.")
    complainant_ids: strawberry.Private[tuple[str, ...]]
    respondent_ids: strawberry.Private[tuple[str, ...]]
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="Who brought it.", graphql_type=list[Actor])
    def complainants(self, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
        return actors_field(info, self.complainant_ids, self.known_at)

    @strawberry.field(description="Against whom.", graphql_type=list[Actor])
    def respondents(self, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
        return actors_field(info, self.respondent_ids, self.known_at)

    @strawberry.field(description="Its status at asOf (default today), as known at knownAt.")
    async def status(
        self, info: Info[Context, None], as_of: date | None = None, known_at: datetime | None = None
    ) -> DisputeState | None:
        found = await dispute_status(info.context.engine, self.id, as_of, known_at or self.known_at)
        return None if found is None else DisputeState.from_state(found)

    @classmethod
    def from_view(cls, view: DisputeView, known_at: datetime) -> Dispute:
        """The Dispute of a view."""
        return cls(
            id=strawberry.ID(view.id),
            title=view.title,
            forum=view.forum,
            case_number=view.case_number,
            subject=view.subject,
            concerns=strawberry.ID(view.concerns) if view.concerns else None,
            filed=When.of(view.filed),
            complainant_ids=view.complainants,
            respondent_ids=view.respondents,
            known_at=known_at,
        )
