"""The Relation type: a bilateral relation at a date, as known at an instant.

Its parts are resolved from `events.views.relation` as the query asks for them: the instrument
lists, which grow with the log, are read only when one of them is selected, and once for all
three; contacts and statements are connections over the pair's history up to asOf, each page
read in SQL from a date-key cursor, and counted only when totalCount is asked for.

The sides of a and b are read once, by Query.relation, and handed to every part. The actors and
meetings the view and each page name are looked up in one batch as soon as they are known
(`look_up_named`, and in the page resolvers), so that the fields naming them find them loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql.context import Context
from api.graphql.disputes import DisputeState
from api.graphql.events import EventConnection, EventEdge, event_connection, event_type
from api.graphql.paging import (
    MAX_LIST,
    bounded,
    decode_cursor,
    encode_cursor,
    first_or_last,
    page_size,
)
from api.graphql.selection import Selected
from api.graphql.types import (
    IDENTITY,
    Actor,
    DialogueChange,
    DialogueState,
    DialogueStatus,
    InstrumentStanding,
    MeasureState,
    Meeting,
    MeetingConnection,
    MeetingEdge,
    Membership,
    PageInfo,
    actor_field,
    dialogue_states,
    load_meeting,
    load_meetings,
    load_named_objects,
)
from events.views import states
from events.views.changes import relation_events
from events.views.objects import events_at
from events.views.relation import Sides, contacts_page, instrument_standings, statements_page
from events.views.states import DatedPage, DateKey

T = TypeVar("T")

# The page a connection over a pair's contacts or statements holds when neither `first` nor
# `last` is given.
PAGE = 10


@strawberry.type(
    description="The state of the relation between a and b at a date, as known at an instant."
)
class Relation:
    a_id: strawberry.Private[str]
    b_id: strawberry.Private[str]
    sides: strawberry.Private[Sides]
    as_of: date = strawberry.field(description="The date the view describes (valid time).")
    known_at: datetime = strawberry.field(
        description="The instant whose knowledge it shows (transaction time)."
    )
    last_contact_id: strawberry.Private[str | None]
    dialogues: list[DialogueState] = strawberry.field(
        description="Dialogues whose parties include both sides, with their status."
    )
    measures_in_force: list[MeasureState] = strawberry.field(
        description="Measures either side imposes on the other, in force."
    )
    disputes: list[DisputeState] = strawberry.field(
        description="Disputes between a complainant of one side and a respondent of the other, "
        "OPEN or RULED at asOf."
    )
    upcoming_ids: strawberry.Private[tuple[str, ...]]
    standings: strawberry.Private[asyncio.Future[states.Standings] | None] = None

    @strawberry.field(
        description="Meetings connecting a and b planned at asOf: scheduled by then, neither "
        "held nor cancelled by then; by the date they were scheduled."
    )
    async def upcoming(self, info: Info[Context, None]) -> list[Meeting]:
        return await load_meetings(info, self.upcoming_ids, self.known_at)

    @strawberry.field(description="Side a.", graphql_type=Actor)
    def a(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.a_id, self.known_at)

    @strawberry.field(description="Side b.", graphql_type=Actor)
    def b(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.b_id, self.known_at)

    @strawberry.field(description="The latest meeting held that connects a and b.")
    async def last_contact(self, info: Info[Context, None]) -> Meeting | None:
        if self.last_contact_id is None:
            return None
        return await load_meeting(info, self.last_contact_id, self.known_at)

    @strawberry.field(description="Instruments both sides are party to.")
    async def shared_instruments(self, info: Info[Context, None]) -> list[InstrumentStanding]:
        items = (await self._standings(info)).shared
        await self._load_instruments(info, items)
        return [InstrumentStanding.from_state(i, self.known_at) for i in items]

    @strawberry.field(description="Instruments a is party to and b is not.")
    async def only_a(self, info: Info[Context, None]) -> list[InstrumentStanding]:
        items = (await self._standings(info)).only_a
        await self._load_instruments(info, items)
        return [InstrumentStanding.from_state(i, self.known_at) for i in items]

    @strawberry.field(description="Instruments b is party to and a is not.")
    async def only_b(self, info: Info[Context, None]) -> list[InstrumentStanding]:
        items = (await self._standings(info)).only_b
        await self._load_instruments(info, items)
        return [InstrumentStanding.from_state(i, self.known_at) for i in items]

    async def _load_instruments(
        self, info: Info[Context, None], items: Sequence[states.InstrumentStanding]
    ) -> None:
        # Thousands of items at 1M events: their instruments in one batch (the three lists',
        # woken together by the one read of their standings, in the same one), so that each
        # item's `instrument` answers at once rather than with an awaitable of its own.
        keys = [item.instrument for item in items]
        await load_named_objects(info, "instrument", info.context.instruments, keys, self.known_at)

    async def _standings(self, info: Info[Context, None]) -> states.Standings:
        # The three lists come from one read, started by whichever is resolved first.
        if self.standings is None:
            self.standings = asyncio.ensure_future(
                instrument_standings(
                    info.context.reader,
                    self.a_id,
                    self.b_id,
                    self.as_of,
                    self.known_at,
                    given=self.sides,
                )
            )
        return await self.standings

    @strawberry.field(
        description=(
            "Meetings held that connect a and b, oldest first: held from `from` to `to` "
            "(by their earliest day; `to` defaults to asOf), `first` per page after `after`, "
            "or `last` before `before`."
        )
    )
    async def contacts(
        self,
        info: Info[Context, None],
        first: int | None = PAGE,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> MeetingConnection:
        return await contacts_connection(
            info,
            self.a_id,
            self.b_id,
            Paging(first, after, last, before),
            since=None if from_ is None else from_ - timedelta(days=1),
            until=self.as_of if to is None else min(to, self.as_of),
            known_at=self.known_at,
            sides=self.sides,
        )

    @strawberry.field(
        description=(
            "The statements either side issued about the other by asOf (by their earliest "
            "day), oldest first, as StatementIssued events: `first` per page after `after`, "
            "or `last` before `before`."
        )
    )
    async def statements(
        self,
        info: Info[Context, None],
        first: int | None = PAGE,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> EventConnection:
        context = info.context
        paging = Paging(first, after, last, before)
        selected = Selected(info)
        page = await statements_page(
            context.reader,
            self.a_id,
            self.b_id,
            **paging.keys(context.settings.limits.max_page),
            until=self.as_of,
            known_at=self.known_at,
            count=selected.has("totalCount"),
            given=self.sides,
        )
        named: list[str] = []
        if selected.has("edges", "node", "issuer") or selected.has("edges", "node", "about"):
            named = [actor for _, item in page.items for actor in (item.issuer, *item.about)]
        views, _ = await asyncio.gather(
            events_at(
                context.reader,
                positions=[item.position for _, item in page.items],
                known_at=self.known_at,
            ),
            context.actors.load_many([(actor, self.known_at) for actor in named]),
        )
        by_position = {view.recorded.position: view for view in views}
        edges = [
            EventEdge(
                cursor=_cursor(key), node=event_type(by_position[item.position], self.known_at)
            )
            for key, item in page.items
            if item.position in by_position
        ]
        return EventConnection(
            edges=edges, page_info=_page_info(edges, page), total_count=_total(page)
        )

    async def look_up_named(self, info: Info[Context, None], view: states.Relation) -> None:
        """Load, in one batch, the actors and the meeting that the fields selected below
        `relation` (info is its resolver's) name: a, b, the measures' imposers and targets,
        the last contact and its participants; and, if the pages' actors are selected, every
        actor of both sides, who issue the statements and take part in most contacts (the
        pages then look up only the others, if any). Then make the list of dialogues, which
        `from_view` leaves empty: each item's dialogue is made with it, as selected."""
        selected = Selected(info)
        actors = [self.a_id] if selected.has("a") else []
        if selected.has("b"):
            actors.append(self.b_id)
        imposers = selected.has("measuresInForce", "imposer")
        targets = selected.has("measuresInForce", "targets")
        for measure in view.measures_in_force:
            if imposers:
                actors.append(measure.imposer)
            if targets:
                actors.extend(measure.targets)
        meetings = []
        last = view.last_contact
        if last is not None and selected.has("lastContact"):
            meetings.append((last.meeting, self.known_at))
            if selected.has("lastContact", "participants"):
                actors.extend(last.participants)
        if any(
            selected.has(*path)
            for path in (
                ("contacts", "edges", "node", "participants"),
                ("statements", "edges", "node", "issuer"),
                ("statements", "edges", "node", "about"),
            )
        ):
            actors.extend(sorted(self.sides[0] | self.sides[1]))
        context = info.context
        # The dialogues' and measures' objects too, when more than their identity is selected:
        # hundreds of dialogues at 1M events, each field of which then answers at once.
        dialogues = [(d.dialogue, self.known_at) for d in view.dialogues]
        if not selected.names_below("dialogues", "dialogue") - IDENTITY:
            dialogues = []
        measures = [(m.measure, self.known_at) for m in view.measures_in_force]
        if not selected.names_below("measuresInForce", "measure") - IDENTITY:
            measures = []
        _, _, dialogue_views, _ = await asyncio.gather(
            context.actors.load_many([(actor, self.known_at) for actor in actors]),
            context.meetings.load_many(meetings),
            context.dialogues.load_many(dialogues),
            context.measures.load_many(measures),
        )
        # Then the dialogues' parties and convenors (mostly the sides' actors, loaded above),
        # when more than their identity is selected.
        named = [
            field
            for field in ("parties", "convenors")
            if selected.names_below("dialogues", "dialogue", field) - IDENTITY
        ]
        members = {
            (actor, self.known_at)
            for dialogue in dialogue_views
            if dialogue is not None
            for field in named
            for actor in getattr(dialogue, field)
        }
        if members - context.loaded_actors.keys():
            await context.actors.load_many(sorted(members))
        # The dialogues' list, each item with its dialogue made (no resolver per item).
        self.dialogues = dialogue_states(
            context, view.dialogues, self.known_at, selected, ("dialogues",)
        )

    @classmethod
    def from_view(cls, view: states.Relation, sides: Sides) -> Relation:
        """The Relation of a view (made with or without its instruments) between `sides`; its
        dialogues are made by `look_up_named`."""
        standings = None
        if view.instruments is not None:
            standings = asyncio.get_running_loop().create_future()
            standings.set_result(view.instruments)
        return cls(
            a_id=view.a,
            b_id=view.b,
            sides=sides,
            as_of=view.as_of,
            known_at=view.known_at,
            last_contact_id=view.last_contact.meeting if view.last_contact else None,
            dialogues=[],  # made by `look_up_named`, which knows what the query selects
            measures_in_force=[
                MeasureState.from_state(m, view.known_at) for m in view.measures_in_force
            ],
            disputes=[DisputeState.from_state(d, view.known_at) for d in view.disputes],
            upcoming_ids=view.upcoming,
            standings=standings,
        )


@dataclass(frozen=True, slots=True)
class Paging:
    """The paging arguments of a connection over a pair's contacts or statements."""

    first: int | None
    after: str | None
    last: int | None
    before: str | None

    def keys(self, limit: int) -> dict[str, Any]:
        """The view's paging arguments, the page size checked against `limit` and the
        cursors decoded (BAD_USER_INPUT naming the argument at fault)."""
        first = first_or_last(self.first, self.last, PAGE)
        page_size(first, self.last, limit)
        return {
            "first": first,
            "after": None if self.after is None else _date_key(self.after, "after"),
            "last": self.last,
            "before": None if self.before is None else _date_key(self.before, "before"),
        }


async def contacts_connection(
    info: Info[Context, None],
    a: str,
    b: str,
    paging: Paging,
    *,
    since: date | None,
    until: date,
    known_at: datetime,
    sides: Sides | None,
) -> MeetingConnection:
    """The page of the meetings held connecting a and b after `since` and by `until`, oldest
    first, as known at `known_at`: the `first` after cursor `after` or the `last` before
    `before`, their participants loaded in one batch when selected. `sides`: as for
    `contacts_page`."""
    context = info.context
    selected = Selected(info)
    page = await contacts_page(
        context.reader,
        a,
        b,
        **paging.keys(context.settings.limits.max_page),
        since=since,
        until=until,
        known_at=known_at,
        count=selected.has("totalCount"),
        given=sides,
    )
    named: list[str] = []
    if selected.has("edges", "node", "participants") or selected.has("nodes", "participants"):
        named = [actor for _, contact in page.items for actor in contact.participants]
    meetings, _ = await asyncio.gather(
        load_meetings(info, tuple(contact.meeting for _, contact in page.items), known_at),
        context.actors.load_many([(actor, known_at) for actor in named]),
    )
    by_id = {meeting.key: meeting for meeting in meetings}
    edges = [
        MeetingEdge(cursor=_cursor(key), node=by_id[contact.meeting])
        for key, contact in page.items
        if contact.meeting in by_id
    ]
    return MeetingConnection(
        edges=edges, page_info=_page_info(edges, page), total_count=_total(page)
    )


@strawberry.type(description="What differs in a relation between two dates.")
class RelationChanges:
    view: strawberry.Private[states.RelationChanges]

    @strawberry.field(description=f"In force at `to`, not at `from` (at most {MAX_LIST:,}).")
    def measures_imposed(self) -> list[MeasureState]:
        return [
            MeasureState.from_state(m, self.view.known_at)
            for m in _bounded(self.view.measures_imposed, "measures imposed")
        ]

    @strawberry.field(description=f"In force at `from`, not at `to` (at most {MAX_LIST:,}).")
    def measures_lifted(self) -> list[MeasureState]:
        return [
            MeasureState.from_state(m, self.view.known_at)
            for m in _bounded(self.view.measures_lifted, "measures lifted")
        ]

    @strawberry.field(description=f"Dialogues whose status changed (at most {MAX_LIST:,}).")
    def dialogue_changes(self) -> list[DialogueChange]:
        return [
            DialogueChange(
                dialogue_id=c.dialogue,
                known_at=self.view.known_at,
                before=DialogueStatus(c.before) if c.before else None,
                after=DialogueStatus(c.after) if c.after else None,
            )
            for c in _bounded(self.view.dialogue_changes, "dialogue changes")
        ]

    @strawberry.field(description=f"Memberships at `to`, not at `from` (at most {MAX_LIST:,}).")
    def instruments_joined(self) -> list[Membership]:
        return [
            Membership.from_state(m, self.view.known_at)
            for m in _bounded(self.view.instruments_joined, "memberships begun")
        ]

    @strawberry.field(description=f"Memberships at `from`, not at `to` (at most {MAX_LIST:,}).")
    def instruments_left(self) -> list[Membership]:
        return [
            Membership.from_state(m, self.view.known_at)
            for m in _bounded(self.view.instruments_left, "memberships ended")
        ]

    @strawberry.field(
        description="Meetings held connecting a and b after `from`, by `to`, oldest first: "
        "`first` per page after `after`, or `last` before `before`."
    )
    async def contacts(
        self,
        info: Info[Context, None],
        first: int | None = PAGE,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MeetingConnection:
        view = self.view
        return await contacts_connection(
            info,
            view.a,
            view.b,
            Paging(first, after, last, before),
            since=view.start,
            until=view.end,
            known_at=view.known_at,
            sides=None,
        )

    @strawberry.field(
        description=(
            "Every event dated inside [from, to] (its bounds overlap them) that involves both "
            "sides, in date order: what began and ended inside the window shows too; as "
            "Query.events, `first` after `after` or `last` before `before`."
        )
    )
    async def events(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> EventConnection:
        page_size(first, last, info.context.settings.limits.max_page)
        view = self.view
        page = await relation_events(
            info.context.engine,
            view.a,
            view.b,
            view.start,
            view.end,
            first=first,
            after=decode_cursor(after, "after") if after else None,
            last=last,
            before=decode_cursor(before, "before") if before else None,
            known_at=view.known_at,
        )
        return await event_connection(info, page, view.known_at)


def _bounded(items: Sequence[T], what: str) -> list[T]:
    return bounded(items, f"{what} between `from` and `to`", "from", "narrow the window")


def _total(page: DatedPage[Any]) -> int:
    # A page is left uncounted only when totalCount is not selected: the value is never shown.
    return 0 if page.total is None else page.total


def _cursor(key: DateKey) -> str:
    """An opaque cursor for the date key of a contact or a statement."""
    return encode_cursor(key, "relation")


def _date_key(cursor: str, field: str) -> DateKey:
    """The key in a cursor made by `_cursor`, or BAD_USER_INPUT on `field`."""
    return decode_cursor(cursor, field, "relation")


def _page_info(edges: Sequence[MeetingEdge | EventEdge], page: DatedPage[Any]) -> PageInfo:
    return PageInfo.of([edge.cursor for edge in edges], page.has_next, page.has_previous)
