"""Disputes in GraphQL: the Dispute node and its state at a date (Relation.disputes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql.context import Context
from api.graphql.types import (
    STREAM_EVENTS,
    Actor,
    Node,
    When,
    actors_field,
    load_reference,
    named,
    stream_events,
)
from events.types import DisputeForum
from events.views import states
from events.views.objects import DisputeView
from events.views.rosters import dispute_status
from events.views.states import DisputeStatus

if TYPE_CHECKING:
    from api.graphql.events import Event


@strawberry.type(description="A dispute's status at a date, and since when it has had it.")
class DisputeState:
    dispute_id: strawberry.Private[str]
    known_at: strawberry.Private[datetime]
    status: DisputeStatus = strawberry.field(description="The status at the view's date.")
    since: When = strawberry.field(description="Since when the dispute has had that status.")
    certain: bool = strawberry.field(
        description="False when uncertain dates make the status only possible."
    )

    @strawberry.field(
        description="The dispute.",
        graphql_type=Annotated["Dispute", strawberry.lazy("api.graphql.disputes")],
    )
    def dispute(self, info: Info[Context, None]) -> AwaitableOrValue[Dispute]:
        return named(info, Dispute, self.dispute_id, self.known_at, load_dispute)

    @classmethod
    def from_state(cls, state: states.DisputeState, known_at: datetime) -> DisputeState:
        """The DisputeState of a view's state."""
        return cls(
            dispute_id=state.dispute,
            known_at=known_at,
            status=DisputeStatus(state.status),
            since=When.of(state.since),
            certain=state.certain,
        )


@strawberry.type(description="A case before the WTO, a court or a tribunal between actors.")
class Dispute(Node):
    title: str = strawberry.field(description="Its title.")
    forum: DisputeForum = strawberry.field(
        description="WTO, ICJ, ITLOS, PCA, ICSID, a domestic court, …"
    )
    case_number: str | None = strawberry.field(description="The forum's number (`DS590`).")
    subject: str | None = strawberry.field(description="What it is about.")
    filed: When = strawberry.field(description="When it was filed.")
    concerns_id: strawberry.Private[str | None]
    complainant_ids: strawberry.Private[tuple[str, ...]]
    respondent_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(
        description="What is complained of, if named: a stream object, a stream or an event."
    )
    async def concerns(self, info: Info[Context, None]) -> Node | None:
        return await load_reference(info, self.concerns_id, self.known_at)

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
        at = known_at or self.known_at
        found = await dispute_status(info.context.engine, self.key, as_of, at)
        return None if found is None else DisputeState.from_state(found, at)

    @strawberry.field(description=STREAM_EVENTS)
    async def events(
        self, info: Info[Context, None]
    ) -> list[Annotated[Event, strawberry.lazy("api.graphql.events")]]:
        return await stream_events(info, self.key, self.known_at)

    @classmethod
    def from_view(cls, view: DisputeView, known_at: datetime) -> Dispute:
        """The Dispute of a view."""
        return cls(
            key=view.id,
            title=view.title,
            forum=DisputeForum(view.forum),
            case_number=view.case_number,
            subject=view.subject,
            filed=When.of(view.filed),
            concerns_id=view.concerns,
            complainant_ids=view.complainants,
            respondent_ids=view.respondents,
            known_at=known_at,
        )


async def load_dispute(
    info: Info[Context, None], stream: str, known_at: datetime
) -> Dispute | None:
    """The dispute `stream` as known at `known_at`, through the request's loader."""
    view = await info.context.disputes.load((stream, known_at))
    return None if view is None else Dispute.from_view(view, known_at)
