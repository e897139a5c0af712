"""The root query fields: each parses its arguments and calls one view of `events/`."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.errors import bad_input
from api.graphql.types import Actor, LogHead, Relation, load_actor
from events.actors import InvalidActor, canonical_actor
from events.views.axes import resolve_axes
from events.views.relation import relation


def actor_id(value: str, field: str) -> str:
    """The canonical actor id of an argument (`US` → `USA`), or BAD_USER_INPUT."""
    try:
        return canonical_actor(value)
    except InvalidActor as error:
        raise bad_input(str(error), field) from None


@strawberry.type(
    description="Questions about the diplomatic timeline, at any date, as known at any instant."
)
class Query:
    @strawberry.field(
        description=(
            "The state of the relation between a and b on asOf (default today), as the log knew "
            "it at knownAt (default now)."
        )
    )
    async def relation(
        self,
        info: Info[Context, None],
        a: strawberry.ID,
        b: strawberry.ID,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> Relation:
        first, second = actor_id(a, "a"), actor_id(b, "b")
        if first == second:
            raise bad_input("a and b must be two different actors", "b")
        as_of, known_at = resolve_axes(as_of, known_at)
        view = await relation(info.context.engine, first, second, as_of, known_at)
        return Relation.from_view(view)

    @strawberry.field(description="An actor by id: a state's alpha-3 (or alpha-2) code, or a slug.")
    async def actor(self, info: Info[Context, None], id: strawberry.ID) -> Actor | None:
        _, known_at = resolve_axes(None, None)
        return await load_actor(info, actor_id(id, "id"), known_at)

    @strawberry.field(description="Position, recordedAt and event count of the newest event.")
    async def log_head(self, info: Info[Context, None]) -> LogHead:
        head = await info.context.store.head()
        return LogHead(position=head.position, recorded_at=head.recorded_at, count=head.count)
