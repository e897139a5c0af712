"""Mutations: record events (one or a batch, atomically), correct and retract them.

Each turns its input into the event's JSON form, lets the domain validate it, and appends
through the store; what the domain refuses comes back as `userErrors`, nothing appended.
Inputs take the GraphQL names of the event types' fields (`meetingKind`), a correction's
changes too; the JSON form takes the domain's (`kind`, docs/format.md), and the userErrors
name the input's fields again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import ANONYMOUS, Role
from api.graphql.context import Context
from api.graphql.enums import UserErrorCode
from api.graphql.errors import ApiError, not_found
from api.graphql.events import DATA_NAMES, Event, RenamedField, domain_data, event_type
from api.graphql.inputs import RecordEventInput
from api.graphql.scalars import EDTF
from events.errors import ConcurrencyConflict, DuplicateId, InvalidEvents, Problem
from events.interchange.problems import twins
from events.types import NewEvent, event_from_json
from events.views.objects import events_at


@strawberry.type(description="Input the domain refused, and why.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What is wrong.")
    code: UserErrorCode = strawberry.field(description="BAD_USER_INPUT, CONFLICT or NOT_FOUND.")


@strawberry.type(description="The event recorded, or why it was not.")
class RecordEventPayload:
    event: Event | None = strawberry.field(description="The event as recorded.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was recorded.")


@strawberry.type(description="The correction recorded (an EventCorrected), or why it was not.")
class CorrectEventPayload(RecordEventPayload):
    pass


@strawberry.type(description="The retraction recorded (an EventRetracted), or why it was not.")
class RetractEventPayload(RecordEventPayload):
    pass


@strawberry.type(description="The events recorded, or why none was.")
class RecordEventsPayload:
    events: list[Event] = strawberry.field(description="The events as recorded, in order.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was recorded.")


@strawberry.input(description="Several events to record at once: all of them or none.")
class RecordEventsInput:
    events: list[RecordEventInput] = strawberry.field(description="The events, in order.")


@strawberry.input(description="A correction of an event's date and/or data.")
class CorrectEventInput:
    id: strawberry.ID = strawberry.field(description="The event to correct.")
    reason: str = strawberry.field(description="Why it is corrected.")
    occurred: EDTF | None = strawberry.field(default=None, description="Its new date.")
    data: JSON | None = strawberry.field(
        default=None,
        description="The fields of its data that change, in JSON, named as its type's "
        "fields (`meetingKind`, `foundingParties`; a domain name GraphQL does not use is "
        "refused with BAD_USER_INPUT naming the one to use).",
    )


@strawberry.input(description="The withdrawal of an event.")
class RetractEventInput:
    id: strawberry.ID = strawberry.field(description="The event to retract.")
    reason: str = strawberry.field(description="Why it is retracted.")


def _require_editor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    if principal is ANONYMOUS:
        raise ApiError("recording needs a token: Authorization: Bearer …", "UNAUTHENTICATED")
    if principal.role < Role.EDITOR:
        raise ApiError(f"{principal.name} may read but not record", "FORBIDDEN")
    return principal.name


def _errors(
    problems: list[Problem], batch: bool, types: list[str] | None = None
) -> list[UserError]:
    # In a batch, the field names the event at fault: `events[1].data.issuer`. With `types`
    # (the events' types, by index), a field of the data is named as the input names it.
    def field(problem: Problem) -> str | None:
        where = f"events[{problem.index}]" if batch else ""
        path = problem.field
        if path and types is not None and problem.index < len(types):
            path = _input_path(types[problem.index], path)
        if path:
            return f"{where}.{path}" if where else path
        return where or None

    return [
        UserError(field=field(p), message=p.message, code=UserErrorCode.BAD_USER_INPUT)
        for p in problems
    ]


def _input_path(type_name: str, path: str) -> str:
    """A domain path into an event's JSON (`data.parties[0].actor`) as its typed input names
    it (`data.foundingParties[0].actor`)."""
    head, dot, rest = path.partition(".")
    if head != "data" or not dot:
        return path
    name = rest.split(".", 1)[0].split("[", 1)[0]
    renamed = DATA_NAMES.get(type_name, {}).get(name, name)
    return f"data.{renamed}{rest[len(name) :]}"


async def _correction_names(
    info: Info[Context, None], objects: list[dict[str, Any]]
) -> list[Problem]:
    """Put the changes of the corrections among `objects` (an `eventCorrected` member's
    `changes`), given under their target's GraphQL names, under the domain's, in place; a
    problem for each change given under a domain name GraphQL does not use."""
    corrections: dict[int, tuple[UUID, dict[str, Any]]] = {}
    for index, obj in enumerate(objects):
        data = obj.get("data")
        if obj.get("type") == "EventCorrected" and isinstance(data, dict):
            try:
                target = UUID(str(data.get("target")))
            except ValueError:
                continue  # the domain refuses it
            if isinstance(data.get("data"), dict):
                corrections[index] = (target, data["data"])
    if not corrections:
        return []
    found = await events_at(info.context.engine, ids=[t for t, _ in corrections.values()])
    types = {view.recorded.id: view.recorded.type for view in found}
    problems = []
    for index, (target, changes) in corrections.items():
        if target not in types:
            continue  # the domain refuses it
        try:
            objects[index]["data"]["data"] = domain_data(types[target], changes)
        except RenamedField as error:
            problems.append(Problem(index, f"data.changes.{error.given}", str(error)))
    return problems


async def _record(
    info: Info[Context, None],
    objects: list[dict[str, Any]],
    expected: dict[str, int],
    batch: bool,
    typed: bool = True,
) -> tuple[list[Event], list[UserError]]:
    """Record `objects` (events' JSON forms) atomically. `typed`: they come from typed inputs
    (EventDataInput), whose names the userErrors use, and a correction's changes are given
    under GraphQL names."""
    who = _require_editor(info)
    if not objects:  # only a batch can be empty
        return [], [
            UserError(
                field="events", message="no event to record", code=UserErrorCode.BAD_USER_INPUT
            )
        ]
    types = [str(obj.get("type")) for obj in objects] if typed else None
    if typed:
        renamed = await _correction_names(info, objects)
        if renamed:
            return [], _errors(renamed, batch)
    events: list[NewEvent] = []
    errors: list[UserError] = []
    given: list[tuple[int, UUID]] = []
    for index, obj in enumerate(objects):
        try:
            events.append(event_from_json(obj, index))
        except InvalidEvents as error:
            errors += _errors(error.problems, batch, types)
        else:
            given.append((index, events[-1].id))
    # An id given twice is named at both events, as an import names both rows.
    twice = twins(given, lambda other: f"events[{other}]")
    errors += _errors([Problem(index, "id", message) for index, message in twice], batch)
    if errors:
        return [], errors
    try:
        recorded = await info.context.store.append(
            events, recorded_by=who, expected_version=expected or None
        )
    except InvalidEvents as error:
        return [], _errors(error.problems, batch, types)
    except ConcurrencyConflict as error:
        return [], [
            UserError(field="expectedVersion", message=str(error), code=UserErrorCode.CONFLICT)
        ]
    except DuplicateId as error:
        return [], [UserError(field="id", message=str(error), code=UserErrorCode.BAD_USER_INPUT)]
    known_at = max(event.recorded_at for event in recorded)
    views = await events_at(
        info.context.engine, ids=[event.id for event in recorded], known_at=known_at
    )
    by_id = {view.recorded.id: view for view in views}
    return [event_type(by_id[event.id], known_at) for event in recorded], []


async def _one(
    info: Info[Context, None], obj: dict[str, Any], expected: dict[str, int], typed: bool = True
) -> RecordEventPayload:
    events, errors = await _record(info, [obj], expected, batch=False, typed=typed)
    return RecordEventPayload(event=events[0] if events else None, user_errors=errors)


async def _target(info: Info[Context, None], event_id: str) -> tuple[UUID, str, str]:
    """The id, stream and type of the event `event_id`, or BAD_USER_INPUT or NOT_FOUND."""
    try:
        target = UUID(event_id)
    except ValueError:
        raise ApiError(
            f"{event_id!r} is not an event id (a UUID)", "BAD_USER_INPUT", field="id"
        ) from None
    found = await events_at(info.context.engine, ids=[target])
    if not found:
        raise not_found(f"no event with id {event_id}", "id")
    return target, found[0].recorded.stream, found[0].recorded.type


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


@strawberry.type(description="Changes to the log: every one appends events, none changes any.")
class Mutation:
    @strawberry.mutation(description="Record one event (needs the editor role).")
    async def record_event(
        self, info: Info[Context, None], input: RecordEventInput
    ) -> RecordEventPayload:
        expected = (
            {} if input.expected_version is None else {str(input.stream): input.expected_version}
        )
        return await _one(info, input.to_json(), expected)

    @strawberry.mutation(description="Record several events atomically: all or none.")
    async def record_events(
        self, info: Info[Context, None], input: RecordEventsInput
    ) -> RecordEventsPayload:
        expected: dict[str, int] = {}
        for item in input.events:
            if item.expected_version is not None:
                expected.setdefault(str(item.stream), item.expected_version)
        events, errors = await _record(
            info, [item.to_json() for item in input.events], expected, batch=True
        )
        return RecordEventsPayload(events=events, user_errors=errors)

    @strawberry.mutation(
        description="Correct an event's date and/or data (appends EventCorrected)."
    )
    async def correct_event(
        self, info: Info[Context, None], input: CorrectEventInput
    ) -> CorrectEventPayload:
        _require_editor(info)
        target, stream, type_name = await _target(info, input.id)
        data: dict[str, Any] = {"target": str(target), "reason": input.reason}
        if input.occurred is not None:
            data["occurred"] = input.occurred
        if isinstance(input.data, dict):
            try:
                data["data"] = domain_data(type_name, input.data)
            except RenamedField as error:
                refused = UserError(
                    field=f"data.{error.given}",
                    message=str(error),
                    code=UserErrorCode.BAD_USER_INPUT,
                )
                return CorrectEventPayload(event=None, user_errors=[refused])
        elif input.data is not None:
            data["data"] = input.data  # not an object: the domain refuses it
        obj = {"stream": stream, "type": "EventCorrected", "occurred": _today(), "data": data}
        return CorrectEventPayload(**vars(await _one(info, obj, {}, typed=False)))

    @strawberry.mutation(description="Retract an event (appends EventRetracted).")
    async def retract_event(
        self, info: Info[Context, None], input: RetractEventInput
    ) -> RetractEventPayload:
        _require_editor(info)
        target, stream, _ = await _target(info, input.id)
        data = {"target": str(target), "reason": input.reason}
        obj = {"stream": stream, "type": "EventRetracted", "occurred": _today(), "data": data}
        return RetractEventPayload(**vars(await _one(info, obj, {}, typed=False)))
