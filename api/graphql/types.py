"""The read types of the GraphQL API (docs/graphql.md). Each is built whole from a view's
answer (`from_view`), so that its fields are plain attributes; only references to other
things (an actor, a meeting) are resolved, through the request's loaders. A field naming
actors answers at once, without an awaitable, when the request has loaded them already
(`actor_field`, `actors_field`): strawberry and graphql-core take about 50 µs for an async
field, against about 9 µs for a plain one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.await_maybe import AwaitableOrValue

from api.graphql import enums  # noqa: F401  (makes the domain's enums GraphQL enums)
from api.graphql.context import Context, Key, StreamObject
from api.graphql.errors import bad_input
from api.graphql.identity import shown_id
from api.graphql.paging import MAX_LIST, bounded
from api.graphql.scalars import EDTF
from api.graphql.selection import Selected
from events.dates import Edtf
from events.types import (
    InstrumentKind,
    MeasureKind,
    MeetingKind,
    MeetingLevel,
    PartyAction,
    Track,
)
from events.types import Location as DomainLocation
from events.views import states
from events.views.axes import resolve_axes
from events.views.objects import ActorView, DialogueView, InstrumentView, MeasureView, MeetingView
from events.views.rosters import dialogue_status
from events.views.states import MembershipStatus

if TYPE_CHECKING:
    from api.graphql.events import Event

# What a stream object's `events` field says (the contract's `events: [Event!]!`, bounded).
STREAM_EVENTS = (
    f"Its stream's events in version order, as known at the same instant (at most {MAX_LIST:,}: "
    "`stream(id) { events }` pages any number)."
)


@strawberry.type(
    description="A date as written, in EDTF, with the earliest and latest day it may mean."
)
class When:
    edtf: EDTF = strawberry.field(description="The date exactly as recorded, e.g. `2019-10~`.")
    earliest: date = strawberry.field(description="The first day the date may denote.")
    latest: date = strawberry.field(description="The last day the date may denote.")

    @classmethod
    def of(cls, value: Edtf) -> When:
        """The When of a parsed date."""
        return cls(edtf=EDTF(value.edtf), earliest=value.earliest, latest=value.latest)


def when(value: Edtf | None) -> When | None:
    """The When of an optional date."""
    return None if value is None else When.of(value)


@strawberry.enum(
    description="What kind of actor: a state, or a registered organisation, IGO, person or group."
)
class ActorKind(Enum):
    STATE = "STATE"
    ORGANIZATION = "ORGANIZATION"
    IGO = "IGO"
    PERSON = "PERSON"
    GROUP = "GROUP"


@strawberry.enum(description="A dialogue's status at a date.")
class DialogueStatus(Enum):
    ESTABLISHED = "ESTABLISHED"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    ENDED = "ENDED"


@strawberry.enum(description="A meeting's standing: planned, moved, called off, or held.")
class MeetingStatus(Enum):
    SCHEDULED = "SCHEDULED"
    POSTPONED = "POSTPONED"
    CANCELLED = "CANCELLED"
    HELD = "HELD"


@strawberry.interface(
    description=(
        "Anything with an identity: an actor, a stream object, a stream, an event. `key` is the "
        "stable identity that arguments take; `id` is the identity of what is shown, for "
        "client caches: equal to `key` when shown as the log knows it now, `<key>@<knownAt>` "
        "when shown as known at an earlier instant, `<key>@original` for an event as first "
        "recorded. `node(id)` refetches exactly what an id shows."
    )
)
class Node:
    key: str = strawberry.field(
        description="The stable identity (actor id, stream id or event UUID) arguments take."
    )
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="The identity of what is shown (see Node); caches key by it.")
    def id(self, info: Info[Context, None]) -> strawberry.ID:
        return strawberry.ID(shown_id(self.key, self.known_at, info.context.started))


def direct_node_ids(schema: GraphQLSchema) -> None:
    """Have graphql-core call `shown_id` itself for the `id` of every type that inherits
    Node's: strawberry's wrapper around a resolver (its Info, its arguments, its extension
    chain) cost several times the id itself, and a relation's expanded lists show thousands of
    ids (1,463 for USA-CHN at 1M events, 4 ms of CPU). An event's own `id` is left to its
    resolver."""
    own = _resolver_of(Node)
    for named_type in schema.type_map.values():
        definition = (named_type.extensions or {}).get("strawberry-definition")
        if (
            isinstance(named_type, GraphQLObjectType)
            and "id" in named_type.fields
            and isinstance(definition, StrawberryObjectDefinition)
            and _resolver_of(definition.origin) is own
        ):
            named_type.fields["id"].resolve = _node_id


def _resolver_of(cls: type) -> object:
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    found = next(field for field in definition.fields if field.python_name == "id")
    return None if found.base_resolver is None else found.base_resolver.wrapped_func


def _node_id(source: Node, info: GraphQLResolveInfo[Context]) -> str:
    return shown_id(source.key, source.known_at, info.context.started)


@strawberry.type(
    description="A state (id: its ISO 3166-1 alpha-3 code) or a registered actor (id: its slug)."
)
class Actor(Node):
    name: str = strawberry.field(
        description="The actor's name (a state's ISO 3166 English short name)."
    )
    kind: ActorKind = strawberry.field(description="State, organisation, IGO, person or group.")
    aliases: list[str] = strawberry.field(description="Other names the actor goes by.")
    registered: bool = strawberry.field(
        description="Whether the registry knows the actor at knownAt (a state always). False "
        "only for an actor an event or a view names whose ActorRegistered was retracted: it is "
        "then shown as it was last registered."
    )
    country_id: strawberry.Private[str | None]

    @strawberry.field(description="The state this actor counts for in relation views, if any.")
    async def country(self, info: Info[Context, None]) -> Actor | None:
        if self.country_id is None:
            return None
        return await load_actor(info, self.country_id, self.known_at)

    @classmethod
    def from_view(cls, view: ActorView, known_at: datetime) -> Actor:
        """The Actor of an ActorView."""
        return cls(
            key=view.id,
            name=view.name,
            kind=ActorKind(view.kind),
            aliases=list(view.aliases),
            registered=view.registered,
            country_id=view.country,
            known_at=known_at,
        )


async def load_actor(info: Info[Context, None], actor_id: str, known_at: datetime) -> Actor:
    """The actor `actor_id` as known at `known_at`, through the request's loader: always an
    Actor, `registered` false if the registry does not know it then."""
    view = await info.context.actors.load((actor_id, known_at))
    return Actor.from_view(view, known_at)


async def registered_actor(
    info: Info[Context, None], actor_id: str, known_at: datetime
) -> Actor | None:
    """The actor `actor_id` as known at `known_at` if the registry knows it then (a state
    always), else None: for the fields that look an actor up by id."""
    found = await load_actor(info, actor_id, known_at)
    return found if found.registered else None


async def load_actors(
    info: Info[Context, None], ids: tuple[str, ...], known_at: datetime
) -> list[Actor]:
    """The actors `ids`, in one batch (as `load_actor`)."""
    return await _load_actors(info.context, ids, known_at)


def actor_field(
    info: Info[Context, None], actor_id: str, known_at: datetime
) -> AwaitableOrValue[Actor]:
    """The actor `actor_id` as known at `known_at` for a field (as `load_actor`): at once if
    the request has loaded it, else through the loader."""
    key = (actor_id, known_at)
    loaded = info.context.loaded_actors
    if key not in loaded:
        return load_actor(info, actor_id, known_at)
    return Actor.from_view(loaded[key], known_at)


def actors_field(
    info: Info[Context, None], ids: tuple[str, ...], known_at: datetime
) -> AwaitableOrValue[list[Actor]]:
    """The actors `ids` for a field (as `load_actor`): at once if the request has loaded them
    all, else through the loader (`actors_at`)."""
    return actors_at(info.context, ids, known_at)


@strawberry.type(description="A place: its name and the state it is in.")
class Location:
    name: str = strawberry.field(description="The place's name, e.g. Bangkok.")
    country_id: strawberry.Private[str | None]
    known_at: strawberry.Private[datetime]

    @strawberry.field(description="The state it is in, if known.", graphql_type=Actor | None)
    def country(self, info: Info[Context, None]) -> AwaitableOrValue[Actor | None]:
        if self.country_id is None:
            return None
        return actor_field(info, self.country_id, self.known_at)

    @classmethod
    def of(cls, place: DomainLocation | None, known_at: datetime) -> Location | None:
        """The Location of a domain location, if any."""
        if place is None:
            return None
        return cls(name=place.name, country_id=place.country, known_at=known_at)


@strawberry.type(description="A meeting, summit, visit or call: as planned, or as held.")
class Meeting(Node):
    title: str = strawberry.field(description="What the meeting is called.")
    status: MeetingStatus = strawberry.field(description="Scheduled, postponed, cancelled or held.")
    held: When | None = strawberry.field(description="When it was held, if it was.")
    planned: When | None = strawberry.field(description="When it was planned for, if known.")
    kind: MeetingKind | None = strawberry.field(
        description="Bilateral, multilateral, summit, visit, call or video."
    )
    level: MeetingLevel | None = strawberry.field(
        description="Head of state, ministerial, senior official, working or Track II."
    )
    location: Location | None = strawberry.field(description="Where it was (or is to be) held.")
    participant_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Who took part.", graphql_type=list[Actor])
    def participants(self, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
        return actors_field(info, self.participant_ids, self.known_at)

    @strawberry.field(description=STREAM_EVENTS)
    async def events(
        self, info: Info[Context, None]
    ) -> list[Annotated[Event, strawberry.lazy("api.graphql.events")]]:
        return await stream_events(info, self.key, self.known_at)

    @classmethod
    def from_view(cls, view: MeetingView, known_at: datetime) -> Meeting:
        """The Meeting of a MeetingView."""
        return cls(
            key=view.id,
            title=view.title,
            status=MeetingStatus(view.status),
            held=when(view.held),
            planned=when(view.planned),
            kind=None if view.kind is None else MeetingKind(view.kind),
            level=None if view.level is None else MeetingLevel(view.level),
            location=Location.of(view.location, known_at),
            participant_ids=view.participants,
            known_at=known_at,
        )


async def load_meeting(
    info: Info[Context, None], stream: str, known_at: datetime
) -> Meeting | None:
    """The meeting `stream` as known at `known_at`, through the request's loader."""
    view = await info.context.meetings.load((stream, known_at))
    return None if view is None else Meeting.from_view(view, known_at)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last edge.")

    @classmethod
    def of(cls, cursors: list[str], has_next: bool, has_previous: bool) -> PageInfo:
        """The page information of a page whose edges have `cursors`."""
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


@strawberry.type(description="A meeting and its cursor.")
class MeetingEdge:
    cursor: str = strawberry.field(description="Opaque.")
    node: Meeting = strawberry.field(description="The meeting.")


@strawberry.type(description="A page of meetings, oldest first.")
class MeetingConnection:
    edges: list[MeetingEdge] = strawberry.field(description="The meetings of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    total_count: int = strawberry.field(description="How many meetings match, on all pages.")

    @strawberry.field(description="The meetings of this page, without their cursors.")
    def nodes(self) -> list[Meeting]:
        return [edge.node for edge in self.edges]


async def load_meetings(
    info: Info[Context, None], streams: tuple[str, ...], known_at: datetime
) -> list[Meeting]:
    """The meetings `streams` (unknown ones left out), in one batch."""
    views = await info.context.meetings.load_many([(stream, known_at) for stream in streams])
    return [Meeting.from_view(view, known_at) for view in views if view is not None]


async def load_instrument(
    info: Info[Context, None], stream: str, known_at: datetime
) -> Instrument | None:
    """The instrument `stream` as known at `known_at`, through the request's loader."""
    view = await info.context.instruments.load((stream, known_at))
    return None if view is None else Instrument.from_view(view, known_at)


async def load_measure(
    info: Info[Context, None], stream: str, known_at: datetime
) -> Measure | None:
    """The measure `stream` as known at `known_at`, through the request's loader."""
    view = await info.context.measures.load((stream, known_at))
    return None if view is None else Measure.from_view(view, known_at)


async def load_dialogue(
    info: Info[Context, None], stream: str, known_at: datetime
) -> Dialogue | None:
    """The dialogue `stream` as known at `known_at`, through the request's loader."""
    view = await info.context.dialogues.load((stream, known_at))
    return None if view is None else Dialogue.from_view(view, known_at, info.context)


async def load_reference(
    info: Info[Context, None], key: str | None, known_at: datetime
) -> Node | None:
    """What a reference (`respondsTo`, `concerns`: any stream id or event id) names, as known
    at `known_at`: the stream object, else the stream, else the event; None if none is known."""
    if key is None:
        return None
    # Imported here: the event types are built from this module's types.
    from api.graphql.events import load_node

    return await load_node(info, key, known_at)


async def stream_events(info: Info[Context, None], key: str, known_at: datetime) -> list[Event]:
    """The events of stream `key` as known at `known_at`, through the request's loader of
    streams (one read for every stream object of a page), at most MAX_LIST of them."""
    # Imported here: the event types are built from this module's types.
    from api.graphql.events import event_type

    views = await info.context.streams.load((key, known_at)) or []
    kept = bounded(views, f"events in {key}", "events", "page them with `stream(id) { events }`")
    return [event_type(view, known_at) for view in kept]


N = TypeVar("N", bound=Node)
V = TypeVar("V")
# What a Node shows without being read: its identity.
IDENTITY = frozenset({"key", "id", "__typename"})


def named(
    info: Info[Context, None],
    cls: type[N],
    key: str,
    known_at: datetime,
    load: Callable[[Info[Context, None], str, datetime], Awaitable[N | None]],
) -> AwaitableOrValue[N]:
    """The thing `key` a projection names (its stream's events therefore make it), as known at
    `known_at`: made from the key alone, nothing read, when the query selects only its identity
    (a flat page's `measure { key }`); at once when the request has loaded it (a list that
    loaded its items' objects in one batch: no awaitable per item); else through its loader.
    Not found: the projection and the log disagree, an internal error."""
    if Selected(info).names() <= IDENTITY:
        return identity(cls, key, known_at)
    view = info.context.loaded_objects.get((key, known_at))
    if view is not None:
        shown = _shown(view, known_at, info.context)
        if isinstance(shown, cls):
            return shown
    return _load_named(info, key, known_at, load)


def identity(cls: type[N], key: str, known_at: datetime) -> N:
    """A `cls` that shows only its identity (key, id), made from the key alone: for a
    selection of nothing more (`IDENTITY`), nothing read."""
    made = cls.__new__(cls)
    made.key, made.known_at = key, known_at
    return made


async def _load_named(
    info: Info[Context, None],
    key: str,
    known_at: datetime,
    load: Callable[[Info[Context, None], str, datetime], Awaitable[N | None]],
) -> N:
    found = await load(info, key, known_at)
    if found is None:
        raise LookupError(f"{key} is named by a projection but not found in the log")
    return found


def _shown(view: StreamObject, known_at: datetime, context: Context) -> Node | None:
    """The GraphQL object of a stream object's view (a dispute's is made in disputes.py)."""
    if isinstance(view, InstrumentView):
        return Instrument.from_view(view, known_at)
    if isinstance(view, MeasureView):
        return Measure.from_view(view, known_at)
    if isinstance(view, DialogueView):
        return Dialogue.from_view(view, known_at, context)
    return None


async def load_named_objects(
    info: Info[Context, None],
    field: str,
    loader: DataLoader[Key, V | None],
    keys: Sequence[str],
    known_at: datetime,
) -> None:
    """Load in one batch the objects `keys` that the items of a list name in their field
    `field`, when the query selects more of them than their identity: each item's field then
    answers at once (`named`) rather than with an awaitable of its own."""
    if keys and Selected(info).names_below(field) - IDENTITY:
        await loader.load_many([(key, known_at) for key in keys])


@strawberry.type(description="A dialogue's status at a date, and since when it has had it.")
class DialogueState:
    status: DialogueStatus = strawberry.field(description="The status at the view's date.")
    since: When = strawberry.field(description="Since when the dialogue has had that status.")
    certain: bool = strawberry.field(
        description="False when uncertain dates make the status only possible."
    )
    # Made with the state, not resolved per item: a relation lists hundreds of dialogues at
    # 1M events, and a resolver costs several times what a plain field does (`dialogue_states`).
    dialogue: Dialogue = strawberry.field(description="The dialogue.")

    @classmethod
    def from_state(cls, state: states.DialogueState, dialogue: Dialogue) -> DialogueState:
        """The DialogueState of a view's state, about `dialogue` (as shown)."""
        return cls(
            status=DialogueStatus(state.status),
            since=When.of(state.since),
            certain=state.certain,
            dialogue=dialogue,
        )


def dialogue_states(
    context: Context,
    found: Sequence[states.DialogueState],
    known_at: datetime,
    selected: Selected,
    path: tuple[str, ...],
) -> list[DialogueState]:
    """The DialogueStates of a list (a relation's `dialogues`) as known at `known_at`, `path`
    the list's field below what `selected` selects, each with its Dialogue made here, the
    selection read once for the list: only its identity when no more is selected (nothing
    read), else from the views the request has loaded (the caller loads them first, in one
    batch); with the parties and convenors selected, from the actors loaded, each made once."""
    if not selected.names_below(*path, "dialogue") - IDENTITY:
        return [
            DialogueState.from_state(state, identity(Dialogue, state.dialogue, known_at))
            for state in found
        ]
    loaded = context.loaded_objects
    listed = ListedActors(
        context,
        known_at,
        selected.names_below(*path, "dialogue", "parties"),
        selected.names_below(*path, "dialogue", "convenors"),
    )
    made = []
    for state in found:
        view = loaded.get((state.dialogue, known_at))
        if not isinstance(view, DialogueView):
            raise LookupError(f"{state.dialogue} is named by a projection but not loaded")
        dialogue = Dialogue.from_view(view, known_at, context, listed)
        made.append(DialogueState.from_state(state, dialogue))
    return made


class ListedActors:
    """The parties and convenors of the dialogues of one list as known at one instant, as
    selected (`parties` and `convenors` the names selected below each): each actor made once
    for the list (USA and CHN are parties to most of a relation's dialogues), only its
    identity when no more is selected."""

    def __init__(
        self, context: Context, known_at: datetime, parties: set[str], convenors: set[str]
    ) -> None:
        self._loaded = context.loaded_actors
        self._known_at = known_at
        self._made: dict[tuple[str, bool], Actor] = {}
        self._parties = self._shows(parties)
        self._convenors = self._shows(convenors)

    def parties(self, ids: Sequence[str]) -> list[Actor] | None:
        """The parties `ids`; None when the request has not loaded one of them."""
        return self._parties(ids)

    def convenors(self, ids: Sequence[str]) -> list[Actor] | None:
        """The convenors `ids`; None when the request has not loaded one of them."""
        return self._convenors(ids)

    def _shows(self, names: set[str]) -> Callable[[Sequence[str]], list[Actor] | None]:
        if not names:
            return _unselected
        only_identity = names <= IDENTITY

        def actors(ids: Sequence[str]) -> list[Actor] | None:
            found = []
            for actor in ids:
                made = self._made.get((actor, only_identity))
                if made is None:
                    if only_identity:
                        made = identity(Actor, actor, self._known_at)
                    else:
                        view = self._loaded.get((actor, self._known_at))
                        if view is None:
                            return None
                        made = Actor.from_view(view, self._known_at)
                    self._made[actor, only_identity] = made
                found.append(made)
            return found

        return actors


def _unselected(_: Sequence[str]) -> list[Actor]:
    # A field not selected is never read: no actor is made for it.
    return []


def actors_at(
    context: Context, ids: Sequence[str], known_at: datetime
) -> AwaitableOrValue[list[Actor]]:
    """The actors `ids` as known at `known_at` for a plain field: made at once if the request
    has loaded them all, else an awaitable that loads them in one batch when the field is
    resolved (only if selected: nothing is read otherwise)."""
    loaded = context.loaded_actors
    if all((actor, known_at) in loaded for actor in ids):
        return [Actor.from_view(loaded[actor, known_at], known_at) for actor in ids]
    return Later(lambda: _load_actors(context, ids, known_at))


async def _load_actors(context: Context, ids: Sequence[str], known_at: datetime) -> list[Actor]:
    views = await context.actors.load_many([(actor, known_at) for actor in ids])
    return [Actor.from_view(view, known_at) for view in views]


class Later(Generic[V]):
    """An awaitable whose coroutine is made when it is awaited: what a plain field holds when
    its value needs a read, done only if the field is selected (a coroutine made and never
    awaited would be reported)."""

    def __init__(self, make: Callable[[], Coroutine[Any, Any, V]]) -> None:
        self._make = make

    def __await__(self) -> Generator[Any, None, V]:
        return self._make().__await__()


@strawberry.type(description="A measure in force: who imposes it on whom, since when.")
class MeasureState:
    measure_id: strawberry.Private[str]
    kind: MeasureKind = strawberry.field(
        description="Export control, entity listing, sanction, tariff, …"
    )
    imposer_id: strawberry.Private[str]
    target_ids: strawberry.Private[tuple[str, ...]]
    since: When = strawberry.field(description="When the measure took effect.")
    certain: bool = strawberry.field(
        description="False when uncertain dates make it only possibly in force."
    )
    known_at: strawberry.Private[datetime]

    @strawberry.field(
        description="The measure.",
        graphql_type=Annotated["Measure", strawberry.lazy("api.graphql.types")],
    )
    def measure(self, info: Info[Context, None]) -> AwaitableOrValue[Measure]:
        return named(info, Measure, self.measure_id, self.known_at, load_measure)

    @strawberry.field(description="Who imposes the measure.", graphql_type=Actor)
    def imposer(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.imposer_id, self.known_at)

    @strawberry.field(
        description="The targets in force at the view's date.", graphql_type=list[Actor]
    )
    def targets(self, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
        return actors_field(info, self.target_ids, self.known_at)

    @classmethod
    def from_state(cls, state: states.MeasureState, known_at: datetime) -> MeasureState:
        """The MeasureState of a view's state."""
        return cls(
            measure_id=state.measure,
            kind=MeasureKind(state.kind),
            imposer_id=state.imposer,
            target_ids=state.targets,
            since=When.of(state.since),
            certain=state.certain,
            known_at=known_at,
        )


@strawberry.type(description="An actor's membership of an instrument: by which action, since when.")
class Membership:
    instrument_id: strawberry.Private[str]
    actor_id: strawberry.Private[str]
    action: PartyAction = strawberry.field(
        description="Sign, endorse, ratify, accede, accept or cosponsor."
    )
    since: When = strawberry.field(description="Since when the actor has been a party.")
    until: When | None = strawberry.field(
        description=(
            "When the membership ends, if it does; while a notice runs (NOTICE_GIVEN), the day "
            "the notice takes effect."
        )
    )
    certain: bool = strawberry.field(
        description="False when uncertain dates make it only possible."
    )
    status: MembershipStatus = strawberry.field(
        description=(
            "ACTIVE; NOTICE_GIVEN (of withdrawal or termination); NOTICE_SUSPENDED (the notice "
            "on hold); SUSPENDED (the party suspends its own participation, still a party)."
        )
    )
    known_at: strawberry.Private[datetime]

    @strawberry.field(
        description="The instrument.",
        graphql_type=Annotated["Instrument", strawberry.lazy("api.graphql.types")],
    )
    def instrument(self, info: Info[Context, None]) -> AwaitableOrValue[Instrument]:
        return named(info, Instrument, self.instrument_id, self.known_at, load_instrument)

    @strawberry.field(description="The party.", graphql_type=Actor)
    def actor(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.actor_id, self.known_at)

    @classmethod
    def from_state(cls, state: states.Membership, known_at: datetime) -> Membership:
        """The Membership of a view's membership."""
        return cls(
            instrument_id=state.instrument,
            actor_id=state.actor,
            action=PartyAction(state.action),
            since=When.of(state.since),
            until=when(state.until),
            certain=state.certain,
            status=MembershipStatus(state.status),
            known_at=known_at,
        )


def membership(state: states.Membership | None, known_at: datetime) -> Membership | None:
    """The Membership of an optional view membership."""
    return None if state is None else Membership.from_state(state, known_at)


@strawberry.type(description="An instrument in a relation view, with each side's membership.")
class InstrumentStanding:
    instrument_id: strawberry.Private[str]
    known_at: strawberry.Private[datetime]
    a: Membership | None = strawberry.field(description="Side a's membership, if any.")
    b: Membership | None = strawberry.field(description="Side b's membership, if any.")

    @strawberry.field(
        description="The instrument.",
        graphql_type=Annotated["Instrument", strawberry.lazy("api.graphql.types")],
    )
    def instrument(self, info: Info[Context, None]) -> AwaitableOrValue[Instrument]:
        return named(info, Instrument, self.instrument_id, self.known_at, load_instrument)

    @classmethod
    def from_state(cls, state: states.InstrumentStanding, known_at: datetime) -> InstrumentStanding:
        """The InstrumentStanding of a view's standing."""
        return cls(
            instrument_id=state.instrument,
            known_at=known_at,
            a=membership(state.a, known_at),
            b=membership(state.b, known_at),
        )


@strawberry.type(description="The newest event of the log.")
class LogHead:
    position: int = strawberry.field(description="Its position (0 for an empty log).")
    recorded_at: datetime | None = strawberry.field(description="When it was recorded.")
    count: int = strawberry.field(description="How many events the log holds.")


@strawberry.type(description="Statements of one bucket by stance.")
class StanceCounts:
    cooperative: int = strawberry.field(description="Cooperative statements.")
    neutral: int = strawberry.field(description="Neutral statements.")
    critical: int = strawberry.field(description="Critical statements.")


@strawberry.type(description="One bucket of a relation series, for charts.")
class RelationPoint:
    start: date = strawberry.field(description="The bucket's first day.")
    end: date = strawberry.field(description="The bucket's last day.")
    contacts: int = strawberry.field(description="Meetings held in the bucket.")
    statements_by_stance: StanceCounts = strawberry.field(description="Statements in the bucket.")
    measures_imposed: int = strawberry.field(description="Measures that came into force in it.")
    measures_lifted: int = strawberry.field(
        description="Measures that ceased to be in force in it."
    )
    measures_in_force: int = strawberry.field(description="Measures in force at its end.")
    active_dialogues: int = strawberry.field(description="Dialogues ACTIVE at its end.")
    open_disputes: int = strawberry.field(description="Disputes OPEN or RULED at its end.")

    @classmethod
    def from_point(cls, point: states.RelationPoint) -> RelationPoint:
        """The RelationPoint of a view's point."""
        stances = point.statements_by_stance
        return cls(
            start=point.start,
            end=point.end,
            contacts=point.contacts,
            statements_by_stance=StanceCounts(
                cooperative=stances.cooperative, neutral=stances.neutral, critical=stances.critical
            ),
            measures_imposed=point.measures_imposed,
            measures_lifted=point.measures_lifted,
            measures_in_force=point.measures_in_force,
            active_dialogues=point.active_dialogues,
            open_disputes=point.open_disputes,
        )


@strawberry.type(description="A dialogue whose status differs between two dates.")
class DialogueChange:
    dialogue_id: strawberry.Private[str]
    known_at: strawberry.Private[datetime]
    before: DialogueStatus | None = strawberry.field(
        description="Its status at `from` (null: not yet begun)."
    )
    after: DialogueStatus | None = strawberry.field(description="Its status at `to`.")

    @strawberry.field(
        description="The dialogue.",
        graphql_type=Annotated["Dialogue", strawberry.lazy("api.graphql.types")],
    )
    def dialogue(self, info: Info[Context, None]) -> AwaitableOrValue[Dialogue]:
        return named(info, Dialogue, self.dialogue_id, self.known_at, load_dialogue)


@strawberry.type(
    description="A declaration, joint statement, agreement, treaty, resolution or memorandum."
)
class Instrument(Node):
    title: str = strawberry.field(description="Its title.")
    kind: InstrumentKind = strawberry.field(description="Declaration, agreement, treaty, …")
    binding: bool | None = strawberry.field(description="Whether it binds its parties, if known.")
    adopted: When = strawberry.field(description="When it was adopted.")

    @strawberry.field(
        description=(
            "Its parties at asOf (default today), as known at knownAt, by actor id: the "
            f"`first` (at most {MAX_LIST:,}) after the actor `after`; partyCount counts them all."
        )
    )
    async def parties(
        self,
        info: Info[Context, None],
        as_of: date | None = None,
        known_at: datetime | None = None,
        first: int | None = MAX_LIST,
        after: strawberry.ID | None = None,
    ) -> list[Membership]:
        if first is None or not 0 <= first <= MAX_LIST:
            raise bad_input(f"`first` must be 0 to {MAX_LIST:,}", "first")
        roster = await self._parties(info, as_of, known_at)
        at = known_at or self.known_at
        later = [m for m in roster if after is None or m.actor > after]
        return [Membership.from_state(m, at) for m in later[:first]]

    @strawberry.field(description="How many parties it has at asOf, as known at knownAt.")
    async def party_count(
        self, info: Info[Context, None], as_of: date | None = None, known_at: datetime | None = None
    ) -> int:
        return len(await self._parties(info, as_of, known_at))

    async def _parties(
        self, info: Info[Context, None], as_of: date | None, known_at: datetime | None
    ) -> tuple[states.Membership, ...]:
        # Through the request's loader: parties under a list of instruments are one read.
        on, at = resolve_axes(as_of, known_at or self.known_at)
        return await info.context.parties.load((self.key, on, at))

    @strawberry.field(description=STREAM_EVENTS)
    async def events(
        self, info: Info[Context, None]
    ) -> list[Annotated[Event, strawberry.lazy("api.graphql.events")]]:
        return await stream_events(info, self.key, self.known_at)

    @classmethod
    def from_view(cls, view: InstrumentView, known_at: datetime) -> Instrument:
        """The Instrument of a view."""
        return cls(
            key=view.id,
            title=view.title,
            kind=InstrumentKind(view.kind),
            binding=view.binding,
            adopted=When.of(view.adopted),
            known_at=known_at,
        )


@strawberry.type(
    description="An export control, entity listing, sanction, tariff or other measure."
)
class Measure(Node):
    title: str = strawberry.field(description="Its title.")
    kind: MeasureKind = strawberry.field(description="Export control, sanction, tariff, …")
    effective: When = strawberry.field(description="When it took effect.")
    lifted: When | None = strawberry.field(description="When it was lifted, if it was.")
    responds_to_id: strawberry.Private[str | None]
    imposer_id: strawberry.Private[str]
    target_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(
        description="What it answers, if anything: a stream object, a stream or an event."
    )
    async def responds_to(self, info: Info[Context, None]) -> Node | None:
        return await load_reference(info, self.responds_to_id, self.known_at)

    @strawberry.field(description="Who imposes it.", graphql_type=Actor)
    def imposer(self, info: Info[Context, None]) -> AwaitableOrValue[Actor]:
        return actor_field(info, self.imposer_id, self.known_at)

    @strawberry.field(description="Its targets after every amendment.", graphql_type=list[Actor])
    def targets(self, info: Info[Context, None]) -> AwaitableOrValue[list[Actor]]:
        return actors_field(info, self.target_ids, self.known_at)

    @strawberry.field(description=STREAM_EVENTS)
    async def events(
        self, info: Info[Context, None]
    ) -> list[Annotated[Event, strawberry.lazy("api.graphql.events")]]:
        return await stream_events(info, self.key, self.known_at)

    @classmethod
    def from_view(cls, view: MeasureView, known_at: datetime) -> Measure:
        """The Measure of a view."""
        return cls(
            key=view.id,
            title=view.title,
            kind=MeasureKind(view.kind),
            effective=When.of(view.effective),
            lifted=when(view.lifted),
            responds_to_id=view.responds_to,
            imposer_id=view.imposer,
            target_ids=view.targets,
            known_at=known_at,
        )


@strawberry.type(description="A dialogue channel between sides, official or not.")
class Dialogue(Node):
    name: str = strawberry.field(description="Its name.")
    track: Track = strawberry.field(description="Track I, 1.5 or II.")
    # Plain fields, made with the dialogue (`actors_at`): a relation lists hundreds of
    # dialogues, and a resolver per item cost several times the list's own work.
    parties: AwaitableOrValue[list[Actor]] = strawberry.field(
        description="The sides, e.g. USA and CHN.", graphql_type=list[Actor]
    )
    convenors: AwaitableOrValue[list[Actor]] = strawberry.field(
        description="Who convenes it.", graphql_type=list[Actor]
    )

    @strawberry.field(description="Its status at asOf (default today), as known at knownAt.")
    async def status(
        self, info: Info[Context, None], as_of: date | None = None, known_at: datetime | None = None
    ) -> DialogueState | None:
        at = known_at or self.known_at
        found = await dialogue_status(info.context.engine, self.key, as_of, at)
        if found is None:
            return None
        dialogue: Dialogue = self
        if at != self.known_at:  # the dialogue as known at the status's instant
            dialogue = identity(Dialogue, self.key, at)
            if Selected(info).names_below("dialogue") - IDENTITY:
                dialogue = await _load_named(info, self.key, at, load_dialogue)
        return DialogueState.from_state(found, dialogue)

    @strawberry.field(description=STREAM_EVENTS)
    async def events(
        self, info: Info[Context, None]
    ) -> list[Annotated[Event, strawberry.lazy("api.graphql.events")]]:
        return await stream_events(info, self.key, self.known_at)

    @classmethod
    def from_view(
        cls,
        view: DialogueView,
        known_at: datetime,
        context: Context,
        listed: ListedActors | None = None,
    ) -> Dialogue:
        """The Dialogue of a view, its parties and convenors made by `listed` if given (a
        list's), else by `actors_at`."""
        parties = convenors = None
        if listed is not None:
            parties, convenors = listed.parties(view.parties), listed.convenors(view.convenors)
        return cls(
            key=view.id,
            name=view.name,
            track=Track(view.track),
            parties=actors_at(context, view.parties, known_at) if parties is None else parties,
            convenors=(
                actors_at(context, view.convenors, known_at) if convenors is None else convenors
            ),
            known_at=known_at,
        )


@strawberry.type(description="An actor and its cursor.")
class ActorEdge:
    cursor: str = strawberry.field(description="Opaque; the actor's id.")
    node: Actor = strawberry.field(description="The actor.")


@strawberry.type(description="A page of registered actors, by id.")
class ActorConnection:
    edges: list[ActorEdge] = strawberry.field(description="The actors of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    total_count: int = strawberry.field(description="How many actors match, on all pages.")

    @strawberry.field(description="The actors of this page, without their cursors.")
    def nodes(self) -> list[Actor]:
        return [edge.node for edge in self.edges]
