"""What the views answer: plain frozen values, the same whether read from projections or
computed by replaying the log.

Every item whose truth at `as_of` depends on an uncertain date carries `certain`
(docs/format.md, "Dates"): it is listed when possibly in effect and `certain` says whether it
is certainly so.
Contacts and statements are sorted by (earliest, latest, position) of their date; dialogues,
measures and instruments by stream id; an instrument's parties by actor id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from events.dates import Edtf

T = TypeVar("T")


class MembershipStatus(StrEnum):
    """Where a party stands in an instrument at a date (docs/format.md)."""

    ACTIVE = "ACTIVE"
    NOTICE_GIVEN = "NOTICE_GIVEN"
    NOTICE_SUSPENDED = "NOTICE_SUSPENDED"
    SUSPENDED = "SUSPENDED"


class DisputeStatus(StrEnum):
    """Where a dispute stands at a date: open, ruled on, or closed."""

    OPEN = "OPEN"
    RULED = "RULED"
    CLOSED = "CLOSED"


@dataclass(frozen=True, slots=True)
class Membership:
    """An actor's party to an instrument: by which action, since when, until when."""

    instrument: str  # stream id, `instrument/…`
    actor: str
    action: str  # PartyAction
    since: Edtf
    # NOTICE_GIVEN: when the notice takes effect; otherwise the end that applies (withdrawal,
    # a notice that took effect, termination, expiry), if any
    until: Edtf | None
    certain: bool
    status: str = "ACTIVE"  # ACTIVE, NOTICE_GIVEN, NOTICE_SUSPENDED, SUSPENDED


@dataclass(frozen=True, slots=True)
class InstrumentStanding:
    """An instrument in a relation view and each side's membership in it."""

    instrument: str
    a: Membership | None
    b: Membership | None


@dataclass(frozen=True, slots=True)
class Standings:
    """The instruments of a relation view: both sides party, only a, only b."""

    shared: tuple[InstrumentStanding, ...]
    only_a: tuple[InstrumentStanding, ...]
    only_b: tuple[InstrumentStanding, ...]


@dataclass(frozen=True, slots=True)
class MeasureState:
    """A measure in force at `as_of`: who imposes it on whom, since when."""

    measure: str  # stream id, `measure/…`
    kind: str  # MeasureKind
    imposer: str
    targets: tuple[str, ...]  # the targets in force at `as_of`, sorted
    since: Edtf
    certain: bool


@dataclass(frozen=True, slots=True)
class DialogueState:
    """A dialogue's status at `as_of`, and since when it has had it."""

    dialogue: str  # stream id, `dialogue/…`
    status: str  # ESTABLISHED, ACTIVE, SUSPENDED, ENDED
    since: Edtf
    certain: bool


@dataclass(frozen=True, slots=True)
class DisputeState:
    """A dispute's status at `as_of`, and since when it has had it."""

    dispute: str  # stream id, `dispute/…`
    status: str  # OPEN, RULED, CLOSED
    since: Edtf
    certain: bool


@dataclass(frozen=True, slots=True)
class Contact:
    """A meeting held (a contact), with its participants."""

    meeting: str  # stream id, `meeting/…`
    title: str
    held: Edtf
    participants: tuple[str, ...]
    certain: bool  # certainly held by `as_of`


# Where a contact or a statement sits in date order: the (earliest, latest) day and the
# position of the event that dates it (MeetingHeld, StatementIssued).
DateKey = tuple[date, date, int]


@dataclass(frozen=True, slots=True)
class DatedPage(Generic[T]):
    """Some contacts or statements of a pair in date order, each with its key, out of `total`
    in all (None when not counted)."""

    items: tuple[tuple[DateKey, T], ...]
    total: int | None
    has_next: bool
    has_previous: bool = False


@dataclass(frozen=True, slots=True)
class StatementItem:
    """A statement one side issued about the other."""

    statement: str  # stream id, `statement/…`
    position: int  # of its StatementIssued event
    issuer: str
    about: tuple[str, ...]
    stance: str | None
    occurred: Edtf
    certain: bool


@dataclass(frozen=True, slots=True)
class Relation:
    """The state of the relation between `a` and `b` on `as_of`, as known at `known_at`."""

    a: str
    b: str
    as_of: date
    known_at: datetime
    last_contact: Contact | None
    contacts: tuple[Contact, ...]  # every contact held (possibly) by `as_of`, oldest first
    dialogues: tuple[DialogueState, ...]
    measures_in_force: tuple[MeasureState, ...]
    instruments: Standings | None  # None when not asked for
    statements: tuple[StatementItem, ...]
    disputes: tuple[DisputeState, ...] = ()  # OPEN or RULED at `as_of`, by stream id
    upcoming: tuple[str, ...] = ()  # meetings planned at `as_of`, neither held nor cancelled

    @property
    def shared_instruments(self) -> tuple[InstrumentStanding, ...]:
        """Instruments both sides are party to (the view must hold its instruments)."""
        return self._standings().shared

    @property
    def only_a(self) -> tuple[InstrumentStanding, ...]:
        """Instruments a is party to and b is not."""
        return self._standings().only_a

    @property
    def only_b(self) -> tuple[InstrumentStanding, ...]:
        """Instruments b is party to and a is not."""
        return self._standings().only_b

    def _standings(self) -> Standings:
        if self.instruments is None:
            raise ValueError("this view was made without its instruments")
        return self.instruments


@dataclass(frozen=True, slots=True)
class DialogueChange:
    """A dialogue whose status differs between two dates (`before` None: it had not begun)."""

    dialogue: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class RelationChanges:
    """What differs between the views of a relation at `start` and at `end`."""

    a: str
    b: str
    start: date
    end: date
    known_at: datetime
    measures_imposed: tuple[MeasureState, ...]
    measures_lifted: tuple[MeasureState, ...]
    dialogue_changes: tuple[DialogueChange, ...]
    instruments_joined: tuple[Membership, ...]
    instruments_left: tuple[Membership, ...]
    contacts: tuple[Contact, ...]  # meetings held after `start`, by `end`


@dataclass(frozen=True, slots=True)
class StanceCounts:
    """Statements of one bucket by stance (statements without a stance are not counted)."""

    cooperative: int
    neutral: int
    critical: int


@dataclass(frozen=True, slots=True)
class RelationPoint:
    """One bucket of a relation series, for charts."""

    start: date
    end: date
    contacts: int  # contacts held in the bucket (by earliest day)
    statements_by_stance: StanceCounts
    measures_imposed: int  # in force at the bucket's end, not at the one before
    measures_lifted: int  # in force at the previous bucket's end, not at this one's
    measures_in_force: int  # at the bucket's end
    active_dialogues: int  # ACTIVE at the bucket's end
    open_disputes: int = 0  # OPEN or RULED at the bucket's end


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event in a timeline, dated as corrected by `known_at`."""

    position: int
    stream: str
    type: str
    occurred: Edtf
    retracted: bool
    corrected_by: int | None


Cursor = tuple[date, date, int]  # (earliest, latest, position): the timeline's sort key


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a timeline with what keyset paging needs."""

    items: tuple[TimelineEntry, ...]
    has_next: bool
    has_previous: bool
    total_count: int

    @staticmethod
    def cursor(entry: TimelineEntry) -> Cursor:
        """The sort key of `entry`, to page after or before it."""
        return (entry.occurred.earliest, entry.occurred.latest, entry.position)
