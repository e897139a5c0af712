"""A naive reference for the views: replay the whole log at every query, following
docs/projections.md rule by rule.

It is written from the spec, not from the projections, and is meant to be obviously right rather
than fast: every call filters the log by `known_at`, applies corrections and retractions, and then
evaluates the view directly in Python. No SQL.

Choices where docs/projections.md is silent (each is repeated at the code that implements it):

- A retracted event stays retracted even when a correction of it comes later, and a correction of
  a retracted event has no effect.
- "The creating event" of a stream is its first event (version 1). If it is retracted the stream
  has no effects at all, except a meeting stream: there the parenthesis of the rule decides
  ("when no MeetingHeld remains, there is no contact"), so a meeting created by
  `MeetingScheduled` whose scheduling is retracted is still a contact when a `MeetingHeld`
  remains (retracting a plan does not undo what was held). See MEETING_RULE.
- A contact is the last *remaining* (not retracted) `MeetingHeld` of its stream, by position.
- An actor (party, target) can have several memberships of one instrument (measure). Where a view
  shows one membership per actor (instrument_parties, the relation's standings) it is the last
  one, in walk order, that is possibly in effect at D, as for a dialogue's status; `certain` is
  that membership's own. A target of a measure is "in effect" when any of its memberships is.
- "An actor of each side" may be the same actor when the sides overlap (a = "USA",
  b = "us-envoy"): a single-participant meeting of us-envoy connects them.
- Only a target's own membership decides whether a measure is in force; the measure's start does
  not clip a target added by an amendment dated earlier.
- `measures_in_force(imposer=X, target=Y)`: the imposer is on X's side; some target on Y's side is
  possibly in effect; `certain` when some target on Y's side (any target without `target`) is
  certainly in effect; `targets` always lists every target possibly in effect.
- Ties inside one event (the same actor twice among founding parties) keep the event's list
  order; the strategies never generate them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.dates import Edtf, certainly_in_effect, parse, possibly_in_effect
from events.types import EVENT_TYPES, EventData, RecordedEvent, upcast
from events.views.relation import RECENT
from events.views.states import (
    Contact,
    DialogueState,
    DisputeState,
    InstrumentStanding,
    MeasureState,
    Membership,
    Relation,
    Standings,
    StatementItem,
)

# --- the log as known at K ------------------------------------------------------------------------


@dataclass
class Known:
    """An event as the log knows it at K: corrections applied, not retracted."""

    position: int
    id: UUID
    stream: str
    version: int
    type: str
    occurred: Edtf
    data: EventData


Key = tuple[date, date, int]

# How a retracted creating event affects a meeting stream (docs/projections.md, Knowledge):
# "held" - a meeting is a contact while some MeetingHeld remains, whatever its first event;
# "stream" - like every other stream, no effects at all once its first event is retracted.
MEETING_RULE = "held"


def key(value: Edtf, position: int) -> Key:
    """Dated things sort by (earliest, latest, position)."""
    return (value.earliest, value.latest, position)


@dataclass(frozen=True)
class Dated:
    """A date with the position of the event that carries it, for ordering."""

    value: Edtf
    position: int

    @property
    def key(self) -> Key:
        return key(self.value, self.position)


def first(*candidates: Dated | None) -> Dated | None:
    """'The first' of several dates: the smallest by (earliest, latest, position)."""
    present = [c for c in candidates if c is not None]
    return min(present, key=lambda c: c.key) if present else None


def known_log(events: Sequence[RecordedEvent], known_at: datetime) -> dict[str, list[Known]]:
    """Per stream, in position order, the events that have effects as known at `known_at`."""
    # Knowledge: the log as known at K is the events with recordedAt <= K.
    visible = sorted((e for e in events if e.recorded_at <= known_at), key=lambda e: e.position)
    # Per event id: its current occurred and data (as JSON), corrections merged in position order.
    occurred: dict[UUID, str] = {}
    data: dict[UUID, dict[str, Any]] = {}
    retracted: set[UUID] = set()
    originals: list[RecordedEvent] = []
    for event in visible:
        if event.type == "EventCorrected":
            correction = event.data
            target = UUID(correction["target"])
            if target in retracted or target not in data:
                # Choice: a retraction is final; correcting a retracted event changes nothing.
                continue
            # A correction replaces occurred (when given) and merges its data over the target's.
            if correction.get("occurred") is not None:
                occurred[target] = correction["occurred"]
            if correction.get("data"):
                data[target] = {**data[target], **correction["data"]}
        elif event.type == "EventRetracted":
            # A retraction removes the target's effects.
            retracted.add(UUID(event.data["target"]))
        else:
            originals.append(event)
            occurred[event.id] = event.occurred
            data[event.id] = dict(upcast(event.type, event.schema_version, event.data))
    streams: dict[str, list[Known]] = defaultdict(list)
    dead: set[str] = set()
    for event in originals:
        if event.id in retracted:
            # When a stream's creating event (its version 1) is retracted, the stream has no
            # effects at all.
            if event.version == 1 and not (
                event.stream.startswith("meeting/") and MEETING_RULE == "held"
            ):
                dead.add(event.stream)
            continue
        streams[event.stream].append(
            Known(
                position=event.position,
                id=event.id,
                stream=event.stream,
                version=event.version,
                type=event.type,
                occurred=parse(occurred[event.id]),
                # Validating the merged data gives typed, canonical values (as the store did).
                data=EVENT_TYPES[event.type].model_validate(data[event.id]),
            )
        )
    return {stream: items for stream, items in streams.items() if stream not in dead}


def event_date(event: Known) -> Dated:
    """An event's date: its `effective` where its type has one and it is set, else `occurred`."""
    effective = getattr(event.data, "effective", None)
    return Dated(parse(effective) if effective is not None else event.occurred, event.position)


def of_kind(log: dict[str, list[Known]], kind: str) -> dict[str, list[Known]]:
    return {stream: items for stream, items in sorted(log.items()) if stream.startswith(kind + "/")}


# --- sides ----------------------------------------------------------------------------------------


def side(log: dict[str, list[Known]], actor: str) -> frozenset[str]:
    """X itself plus every registered actor (as known at K) whose `country` is X."""
    members = {actor}
    for stream, items in of_kind(log, "actor").items():
        for event in items:
            if event.type == "ActorRegistered" and event.data.country == actor:  # type: ignore[attr-defined]
                members.add(stream.split("/", 1)[1])
    return frozenset(members)


def holds_each_side(actors: Iterable[str], side_a: frozenset[str], side_b: frozenset[str]) -> bool:
    """The actors hold an actor of each side (possibly the same actor when the sides overlap)."""
    actors = set(actors)
    return bool(actors & side_a) and bool(actors & side_b)


# --- memberships: the walk shared by instrument parties and measure targets ----------------------


@dataclass
class Span:
    """One membership: opened at `since` (by `action`), closed at `closing` (None: not closed)."""

    actor: str
    since: Dated
    action: str | None
    closing: Dated | None = None


@dataclass(order=False)
class Step:
    actor: str
    when: Dated
    opens: bool
    action: str | None = None
    order: int = 0  # list order inside one event, for ties (never generated)


def walk(steps: list[Step]) -> dict[str, list[Span]]:
    """Per actor, openings and closings walked in date order: an opening while not a member
    starts a membership, a closing while a member ends it; the others are ignored."""
    spans: dict[str, list[Span]] = defaultdict(list)
    by_actor: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        by_actor[step.actor].append(step)
    for actor, actor_steps in by_actor.items():
        current: Span | None = None
        for step in sorted(actor_steps, key=lambda s: (*s.when.key, s.order)):
            if step.opens and current is None:
                current = Span(actor, step.when, step.action)
                spans[actor].append(current)
            elif not step.opens and current is not None:
                current.closing = step.when
                current = None
    return spans


@dataclass
class Fact:
    """A fact from `since` until `until` with what to show for it."""

    since: Dated
    until: Dated | None
    payload: Any = field(default=None)

    def possibly(self, day: date) -> bool:
        return possibly_in_effect(self.since.value, self.until and self.until.value, day)

    def certainly(self, day: date) -> bool:
        return certainly_in_effect(self.since.value, self.until and self.until.value, day)


def last_possible(facts: list[Fact], day: date) -> Fact | None:
    """The last fact (in walk/date order) that is possibly in effect at `day`."""
    possible = [f for f in facts if f.possibly(day)]
    return possible[-1] if possible else None


# --- instruments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSpan:
    """One status of a membership, from `since` until `until`; `due`: a notice's effective."""

    since: Dated
    status: str
    until: Dated | None
    due: Dated | None


# The standing of a party, step by step (docs/format.md, "How facts start and end").
NOTICE_STEPS = {
    "PartyNoticeSuspended": "hold",
    "PartyNoticeRescinded": "rescind",
    "PartySuspended": "suspend",
    "PartyResumed": "resume",
}


def party_standing(
    steps: list[tuple[Dated, str, Any]],
) -> list[tuple[Dated, Any, Dated | None, list[tuple[Dated, str, Dated | None]]]]:
    """An actor's steps (date, what, payload) walked in date order into memberships (since,
    action, closing, its status changes (date, status, due))."""
    result: list[tuple[Dated, Any, Dated | None, list[tuple[Dated, str, Dated | None]]]] = []
    member: list[Any] | None = None  # [since, action, changes]
    notice: tuple[str, int, Dated] | None = None
    suspended = False
    for when, what, payload in sorted(steps, key=lambda step: step[0].key):
        if what == "open":
            if member is None:
                member, notice, suspended = [when, payload, [(when, "ACTIVE", None)]], None, False
            continue
        if member is None:
            continue
        if what == "close" or (
            what == "due" and notice is not None and notice[:2] == ("GIVEN", payload)
        ):
            # A closing, or a notice falling due that was neither suspended nor rescinded.
            result.append((member[0], member[1], when, member[2]))
            member = None
            continue
        if what == "notice":
            notice = ("GIVEN", when.position, payload)
        elif what == "hold" and notice is not None and notice[0] == "GIVEN":
            notice = ("HELD", notice[1], notice[2])
        elif what == "rescind":
            notice = None
        elif what in ("suspend", "resume"):
            suspended = what == "suspend"
        if suspended:
            now: tuple[str, Dated | None] = ("SUSPENDED", None)
        elif notice is None:
            now = ("ACTIVE", None)
        elif notice[0] == "GIVEN":
            now = ("NOTICE_GIVEN", notice[2])
        else:
            now = ("NOTICE_SUSPENDED", None)
        if now != member[2][-1][1:]:
            member[2].append((when, *now))
    if member is not None:
        result.append((member[0], member[1], None, member[2]))
    return result


def instrument_memberships(stream: str, items: list[Known]) -> dict[str, list[Fact]]:
    """Per actor, its memberships of the instrument as Facts whose payload is (action, the
    membership's statuses: none when it stayed ACTIVE throughout)."""
    creation = items[0]
    assert creation.type == "InstrumentAdopted"
    steps: dict[str, list[tuple[Dated, str, Any]]] = defaultdict(list)
    terminations: list[Dated] = []
    expiry: Dated | None = None
    if creation.data.expires is not None:  # type: ignore[attr-defined]
        expiry = Dated(parse(creation.data.expires), creation.position)  # type: ignore[attr-defined]
    for event in items:
        data: Any = event.data
        if event.type == "InstrumentAdopted":
            # Founding parties open at the adoption's occurred.
            for party in data.parties:
                when = Dated(event.occurred, event.position)
                steps[party.actor].append((when, "open", party.action.value))
        elif event.type == "PartyJoined":
            # PartyJoined opens at its effective, else occurred.
            steps[data.actor].append((event_date(event), "open", data.action.value))
        elif event.type == "PartyWithdrew":
            # PartyWithdrew closes at its effective, else occurred.
            steps[data.actor].append((event_date(event), "close", None))
        elif event.type == "PartyNoticeGiven":
            # Given at its occurred; falls due at its effective (with the notice's position).
            due = Dated(parse(data.effective), event.position)
            steps[data.actor].append((Dated(event.occurred, event.position), "notice", due))
            steps[data.actor].append((due, "due", event.position))
        elif event.type in NOTICE_STEPS:
            when = Dated(event.occurred, event.position)
            steps[data.actor].append((when, NOTICE_STEPS[event.type], None))
        elif event.type == "InstrumentTerminated":
            # The instrument ends at the first of its terminations (occurred) ...
            terminations.append(Dated(event.occurred, event.position))
        elif event.type == "InstrumentExtended":
            # ... and its expiry: expires of the last InstrumentExtended by position.
            expiry = Dated(parse(data.expires), event.position)
    end = first(*terminations, expiry)
    result: dict[str, list[Fact]] = {}
    for actor, actor_steps in steps.items():
        facts = []
        for since, action, closing, changes in party_standing(actor_steps):
            # A membership's until is the first of its own closing and the instrument's end.
            until = first(closing, end)
            spans = []
            if len(changes) > 1:
                for i, (when, status, due) in enumerate(changes):
                    if until is not None and when.key >= until.key:
                        continue  # begins only once the membership is over
                    following = changes[i + 1][0] if i + 1 < len(changes) else None
                    spans.append(StatusSpan(when, status, first(following, until), due))
            facts.append(Fact(since, until, payload=(action, spans)))
        if facts:
            result[actor] = facts
    return result


def membership_at(stream: str, actor: str, facts: list[Fact], day: date) -> Membership | None:
    """The actor's membership shown at `day`: the last one possibly in effect (choice), with
    the status possibly in effect that began last, among those of all its memberships (none:
    ACTIVE); while a notice runs, `until` is its effective."""
    fact = last_possible(facts, day)
    if fact is None:
        return None
    shown = membership_of(stream, actor, fact, day)
    statuses = [
        span
        for each in facts
        for span in each.payload[1]
        if possibly_in_effect(span.since.value, span.until and span.until.value, day)
    ]
    if not statuses:
        return shown
    span = max(statuses, key=lambda span: span.since.key)
    until = span.due.value if span.due is not None else shown.until
    return replace(shown, status=span.status, until=until)


def membership_of(stream: str, actor: str, fact: Fact, day: date) -> Membership:
    """The membership `fact` of `actor` as shown at `day` (its status left ACTIVE)."""
    return Membership(
        instrument=stream,
        actor=actor,
        action=fact.payload[0],
        since=fact.since.value,
        until=fact.until.value if fact.until else None,
        certain=fact.certainly(day),
    )


def parties_at(stream: str, items: list[Known], day: date) -> dict[str, Membership]:
    """Every actor (possibly) a party at `day`, with its membership."""
    shown = {}
    for actor, facts in instrument_memberships(stream, items).items():
        membership = membership_at(stream, actor, facts, day)
        if membership is not None:
            shown[actor] = membership
    return shown


def oracle_instrument_parties(
    events: Sequence[RecordedEvent],
    instrument: str,
    as_of: date,
    known_at: datetime,
) -> tuple[Membership, ...]:
    """instrument_parties: the memberships possibly in effect at D, sorted by actor."""
    log = known_log(events, known_at)
    items = log.get(instrument)
    if not items:
        return ()
    parties = parties_at(instrument, items, as_of)
    return tuple(parties[actor] for actor in sorted(parties))


def standing_for(
    stream: str, parties: dict[str, Membership], own: str, members: frozenset[str]
) -> Membership | None:
    """The instrument stands for a side when some actor of it is (possibly) a party: the side's
    own actor's membership if it has one, else that of the first such actor by id."""
    if own in parties:
        return parties[own]
    for actor in sorted(parties):
        if actor in members:
            return parties[actor]
    return None


# --- measures -------------------------------------------------------------------------------------


@dataclass
class Measure:
    stream: str
    kind: str
    imposer: str
    start: Dated
    targets: dict[str, list[Fact]]


def measure_of(stream: str, items: list[Known]) -> Measure:
    creation = items[0]
    assert creation.type == "MeasureImposed"
    imposed: Any = creation.data
    # A measure is in force from its MeasureImposed date ...
    start = event_date(creation)
    steps: list[Step] = []
    lifts: list[Dated] = []
    for event in items:
        data: Any = event.data
        if event.type == "MeasureImposed":
            # The imposition's targets open at the measure's start.
            for order, target in enumerate(data.targets):
                steps.append(Step(target, event_date(event), True, order=order))
        elif event.type == "MeasureAmended":
            # An amendment opens targetsAdded and closes targetsRemoved at its date.
            for order, target in enumerate(data.targets_added):
                steps.append(Step(target, event_date(event), True, order=order))
            for order, target in enumerate(data.targets_removed):
                steps.append(Step(target, event_date(event), False, order=1000 + order))
        elif event.type == "MeasureLifted":
            lifts.append(event_date(event))
    # ... until the first MeasureLifted date.
    lift = first(*lifts)
    targets = {
        # A target's until is the first of its closing and the lift.
        actor: [Fact(span.since, first(span.closing, lift)) for span in spans]
        for actor, spans in walk(steps).items()
    }
    return Measure(stream, imposed.kind.value, imposed.imposer, start, targets)


def targets_possibly(measure: Measure, day: date) -> set[str]:
    return {t for t, facts in measure.targets.items() if any(f.possibly(day) for f in facts)}


def targets_certainly(measure: Measure, day: date) -> set[str]:
    return {t for t, facts in measure.targets.items() if any(f.certainly(day) for f in facts)}


def measure_state(measure: Measure, day: date, certain: bool) -> MeasureState:
    return MeasureState(
        measure=measure.stream,
        kind=measure.kind,
        imposer=measure.imposer,
        # `targets` lists every target possibly in effect at D.
        targets=tuple(sorted(targets_possibly(measure, day))),
        # `since` is the measure's start.
        since=measure.start.value,
        certain=certain,
    )


def relation_measure(
    measure: Measure, day: date, side_a: frozenset[str], side_b: frozenset[str]
) -> MeasureState | None:
    """In force between A and B when the imposer is on one side and some target on the other
    side is possibly in effect; certain when some target on the other side certainly is."""
    possible = targets_possibly(measure, day)
    sure = targets_certainly(measure, day)
    in_force = certain = False
    for imposer_side, other in ((side_a, side_b), (side_b, side_a)):
        if measure.imposer in imposer_side:
            in_force = in_force or bool(possible & other)
            certain = certain or bool(sure & other)
    return measure_state(measure, day, certain) if in_force else None


def oracle_measures_in_force(
    events: Sequence[RecordedEvent],
    as_of: date,
    known_at: datetime,
    *,
    imposer: str | None = None,
    target: str | None = None,
) -> tuple[MeasureState, ...]:
    """measures_in_force: measures with some target possibly in effect at D, by stream id;
    `imposer` / `target` filter by side (see the module docstring)."""
    log = known_log(events, known_at)
    result = []
    for stream, items in of_kind(log, "measure").items():
        measure = measure_of(stream, items)
        if imposer is not None and measure.imposer not in side(log, imposer):
            continue
        possible = targets_possibly(measure, as_of)
        sure = targets_certainly(measure, as_of)
        if target is not None:
            members = side(log, target)
            possible &= members
            sure &= members
        if possible:
            result.append(measure_state(measure, as_of, bool(sure)))
    return tuple(result)


# --- dialogues ------------------------------------------------------------------------------------

STATUS = {
    "DialogueEstablished": "ESTABLISHED",
    "DialogueRoundHeld": "ACTIVE",
    "DialogueResumed": "ACTIVE",
    "DialogueSuspended": "SUSPENDED",
    "DialogueEnded": "ENDED",
}


DISPUTE_STATUS = {"DisputeFiled": "OPEN", "DisputeRuled": "RULED", "DisputeClosed": "CLOSED"}


def dispute_state(stream: str, items: list[Known], day: date) -> DisputeState | None:
    """A dispute's status at D, found as a dialogue's."""
    found = dialogue_state(stream, items, day, DISPUTE_STATUS)
    if found is None:
        return None
    return DisputeState(found.dialogue, found.status, found.since, found.certain)


def oracle_dispute_status(
    events: Sequence[RecordedEvent], dispute: str, as_of: date, known_at: datetime
) -> DisputeState | None:
    log = known_log(events, known_at)
    items = log.get(dispute)
    return dispute_state(dispute, items, as_of) if items else None


def dialogue_state(
    stream: str, items: list[Known], day: date, mapping: dict[str, str] = STATUS
) -> DialogueState | None:
    # Statuses sorted by date; status i lasts from its date until the date of status i+1.
    statuses = sorted(
        ((event_date(e), mapping[e.type]) for e in items if e.type in mapping),
        key=lambda pair: pair[0].key,
    )
    facts = [
        Fact(when, statuses[i + 1][0] if i + 1 < len(statuses) else None, payload=status)
        for i, (when, status) in enumerate(statuses)
    ]
    # At D: the last status possibly in effect, certain when certainly in effect; none: no row.
    fact = last_possible(facts, day)
    if fact is None:
        return None
    return DialogueState(
        dialogue=stream, status=fact.payload, since=fact.since.value, certain=fact.certainly(day)
    )


def oracle_dialogue_status(
    events: Sequence[RecordedEvent], dialogue: str, as_of: date, known_at: datetime
) -> DialogueState | None:
    log = known_log(events, known_at)
    items = log.get(dialogue)
    return dialogue_state(dialogue, items, as_of) if items else None


# --- contacts and statements ----------------------------------------------------------------------


def contact_of(stream: str, items: list[Known], day: date) -> tuple[Key, Contact] | None:
    """The stream's last remaining MeetingHeld (by position), if held (possibly) by D."""
    held = [e for e in items if e.type == "MeetingHeld"]
    if not held:
        return None
    event = held[-1]
    data: Any = event.data
    # Listed when held.earliest <= D, certain when held.latest <= D.
    if not event.occurred.earliest <= day:
        return None
    contact = Contact(
        meeting=stream,
        title=data.title,
        held=event.occurred,
        participants=tuple(data.participants),
        certain=event.occurred.latest <= day,
    )
    return key(event.occurred, event.position), contact


# --- the relation ---------------------------------------------------------------------------------


def oracle_relation(
    events: Sequence[RecordedEvent], a: str, b: str, as_of: date, known_at: datetime
) -> Relation:
    log = known_log(events, known_at)
    side_a, side_b = side(log, a), side(log, b)

    # Contacts: meetings whose participants hold an actor of each side, held (possibly) by D,
    # sorted by (earliest, latest, position); the last contact is the greatest.
    contacts = []
    for stream, items in of_kind(log, "meeting").items():
        found = contact_of(stream, items, as_of)
        if found and holds_each_side(found[1].participants, side_a, side_b):
            contacts.append(found)
    contacts.sort(key=lambda pair: pair[0])

    # Dialogues whose parties hold an actor of each side, with their status at D.
    dialogues = []
    for stream, items in of_kind(log, "dialogue").items():
        parties = items[0].data.parties  # type: ignore[attr-defined]
        if holds_each_side(parties, side_a, side_b):
            state = dialogue_state(stream, items, as_of)
            if state is not None:
                dialogues.append(state)

    # Measures: imposer on one side, some target on the other possibly in effect.
    measures = []
    for stream, items in of_kind(log, "measure").items():
        state = relation_measure(measure_of(stream, items), as_of, side_a, side_b)
        if state is not None:
            measures.append(state)

    # Instruments: standing for each side; shared, only_a, only_b by stream id.
    shared, only_a, only_b = [], [], []
    for stream, items in of_kind(log, "instrument").items():
        parties = parties_at(stream, items, as_of)
        for_a = standing_for(stream, parties, a, side_a)
        for_b = standing_for(stream, parties, b, side_b)
        standing = InstrumentStanding(stream, for_a, for_b)
        if for_a and for_b:
            shared.append(standing)
        elif for_a:
            only_a.append(standing)
        elif for_b:
            only_b.append(standing)

    # Statements: issuer on one side, an `about` actor on the other; listed when
    # occurred.earliest <= D, certain when occurred.latest <= D.
    statements = []
    for stream, items in of_kind(log, "statement").items():
        event = items[0]
        data: Any = event.data
        about = set(data.about)
        crosses = (data.issuer in side_a and about & side_b) or (
            data.issuer in side_b and about & side_a
        )
        if crosses and event.occurred.earliest <= as_of:
            item = StatementItem(
                statement=stream,
                position=event.position,
                issuer=data.issuer,
                about=tuple(data.about),
                stance=data.stance.value if data.stance is not None else None,
                occurred=event.occurred,
                certain=event.occurred.latest <= as_of,
            )
            statements.append((key(event.occurred, event.position), item))
    statements.sort(key=lambda pair: pair[0])

    # Disputes: a complainant on one side, a respondent on the other; OPEN or RULED at D.
    disputes = []
    for stream, items in of_kind(log, "dispute").items():
        filed: Any = items[0].data
        between = any(
            c != r and ((c in side_a and r in side_b) or (c in side_b and r in side_a))
            for c in filed.complainants
            for r in filed.respondents
        )
        found = dispute_state(stream, items, as_of) if between else None
        if found is not None and found.status != "CLOSED":
            disputes.append(found)

    # Upcoming: planned from the MeetingScheduled until the first MeetingHeld or
    # MeetingCancelled, with a participant of each side, possibly planned at D.
    upcoming = []
    for stream, items in of_kind(log, "meeting").items():
        scheduled = next((e for e in items if e.type == "MeetingScheduled"), None)
        if scheduled is None:
            continue
        since = Dated(scheduled.occurred, scheduled.position)
        until = first(
            *(
                Dated(e.occurred, e.position)
                for e in items
                if e.type in ("MeetingHeld", "MeetingCancelled")
            )
        )
        participants = scheduled.data.participants  # type: ignore[attr-defined]
        planned = Fact(since, until).possibly(as_of)
        if planned and holds_each_side(participants, side_a, side_b):
            upcoming.append((since.value.earliest, since.value.latest, stream))

    return Relation(
        a=a,
        b=b,
        as_of=as_of,
        known_at=known_at,
        disputes=tuple(disputes),
        upcoming=tuple(stream for *_, stream in sorted(upcoming)),
        last_contact=contacts[-1][1] if contacts else None,
        # A view carries only the RECENT latest contacts and statements.
        contacts=tuple(contact for _, contact in contacts[-RECENT:]),
        dialogues=tuple(dialogues),
        measures_in_force=tuple(measures),
        instruments=Standings(tuple(shared), tuple(only_a), tuple(only_b)),
        statements=tuple(s for _, s in statements[-RECENT:]),
    )


# --- reporting differences ------------------------------------------------------------------------


def differences(got: Any, expected: Any, path: str = "") -> list[str]:
    """Human-readable differences between a view's answer and the oracle's."""
    if got == expected:
        return []
    fields = getattr(type(expected), "__dataclass_fields__", None)
    if fields is not None and type(got) is type(expected):
        found: list[str] = []
        for name in fields:
            found += differences(getattr(got, name), getattr(expected, name), f"{path}.{name}")
        return found
    if isinstance(got, tuple) and isinstance(expected, tuple):
        if len(got) == len(expected):
            found = []
            for i, (g, e) in enumerate(zip(got, expected, strict=True)):
                found += differences(g, e, f"{path}[{i}]")
            return found
        extra = [item for item in got if item not in expected]
        missing = [item for item in expected if item not in got]
        lines = [f"{path or '<value>'}: got {len(got)} items, expected {len(expected)}"]
        lines += [f"  unexpected: {item!r}" for item in extra]
        lines += [f"  missing:    {item!r}" for item in missing]
        if not extra and not missing:
            lines.append(f"  order differs:\n    got      {got!r}\n    expected {expected!r}")
        return lines
    return [f"{path or '<value>'}:\n    got      {got!r}\n    expected {expected!r}"]


# --- facts inside a window ------------------------------------------------------------------------


def _overlaps(fact: Fact, start: date, end: date) -> bool:
    ends_after = fact.until is None or fact.until.value.latest > start
    return fact.since.value.earliest <= end and ends_after


def _first_day(since: Dated, start: date, end: date) -> date:
    return min(max(start, since.value.latest), end)


def oracle_facts_during(
    events: Sequence[RecordedEvent], a: str, b: str, start: date, end: date, known_at: datetime
) -> tuple[tuple[MeasureState, ...], tuple[Membership, ...]]:
    """facts_during: measures between the sides and memberships standing for each side
    possibly in effect some day of [start, end], each as of its first day in the window."""
    log = known_log(events, known_at)
    side_a, side_b = side(log, a), side(log, b)
    measures = []
    for stream, items in sorted(of_kind(log, "measure").items()):
        measure = measure_of(stream, items)
        between: list[Fact] = []
        targets = set()
        for imposers, others in ((side_a, side_b), (side_b, side_a)):
            if measure.imposer in imposers:
                for target, facts in measure.targets.items():
                    found = [f for f in facts if target in others and _overlaps(f, start, end)]
                    between += found
                    targets |= {target} if found else set()
        if between:
            day = _first_day(measure.start, start, end)
            state = measure_state(measure, day, any(f.certainly(day) for f in between))
            measures.append(replace(state, targets=tuple(sorted(targets))))
    members: list[Membership] = []
    for stream, items in sorted(of_kind(log, "instrument").items()):
        by_actor = {}
        for actor, facts in sorted(instrument_memberships(stream, items).items()):
            if actor not in side_a | side_b:
                continue
            inside = [f for f in facts if _overlaps(f, start, end)]
            if inside:
                fact = min(inside, key=lambda f: (f.since.value.earliest, f.since.value.latest))
                by_actor[actor] = membership_of(
                    stream, actor, fact, _first_day(fact.since, start, end)
                )
        for own, members_of_side in ((a, side_a), (b, side_b)):
            chosen = standing_for(stream, by_actor, own, members_of_side)
            if chosen is not None and chosen not in members:
                members.append(chosen)
    return tuple(measures), tuple(members)
