"""The root subscription fields: events as they are recorded, over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.errors import bad_input
from api.graphql.events import Event, event_type
from api.graphql.queries import EventFilterInput
from events.follow import follow
from events.views.timeline import EventFilter


@strawberry.type(description="Events as the log records them.")
class Subscription:
    @strawberry.subscription(
        description=(
            "Every event recorded after afterPosition (exclusive) that the filter selects, one "
            "by one in position order: first those already in the log, then each new one as it "
            "is recorded, with no gap and no repeat in between. afterPosition defaults to the "
            "log's head when the subscription starts: only new events. To resume after a "
            "disconnection, pass the position of the last event received. Each event is shown "
            "(and filtered) as known when it is sent; with a filter, events retracted by then "
            "are left out unless includeRetracted; with none, every event is sent."
        )
    )
    async def event_recorded(
        self,
        info: Info[Context, None],
        filter: EventFilterInput | None = None,
        after_position: int | None = None,
    ) -> AsyncGenerator[Event, None]:
        # Not a generator itself: its arguments are checked when the subscription starts, so
        # that bad input is refused with an `error` message rather than a first result.
        if after_position is not None and after_position < 0:
            raise bad_input(
                f"afterPosition must be 0 or more (0: from the start), not {after_position}",
                "afterPosition",
            )
        where = filter.to_filter() if filter else None
        return _events(info.context, after_position, where)


async def _events(
    context: Context, after: int | None, where: EventFilter | None
) -> AsyncGenerator[Event, None]:
    async for batch in follow(context.listener, after=after, where=where):
        # graphql-core resolves each event fully before asking for the next, so the previous
        # batch is done with the loaders here.
        context.forget_loaded()
        for view in batch.events:
            yield event_type(view, batch.known_at)
