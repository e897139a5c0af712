"""Worked examples of the views, from the seed article (The Straits Times, 2024-02-19, "China, US
are taking baby steps to cooperate on AI").

Every test runs twice: against the views (`events.views.relation`, `events.views.rosters`) and
against the oracle (`tests/oracle.py`), so the oracle that the property tests trust is itself
checked against answers written by hand.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from events.dates import parse
from events.store import EventStore
from events.types import event_from_json
from events.views.relation import instrument_standings, relation
from events.views.states import (
    Contact,
    DialogueState,
    InstrumentStanding,
    MeasureState,
    Membership,
    Relation,
)
from tests import oracle

# Knowledge times: the log as first recorded, then the Bangkok meeting, then fixes.
R0 = "2024-02-01T00:00:00Z"
R1 = "2024-02-02T00:00:00Z"
R2 = "2024-02-03T00:00:00Z"
R3 = "2024-02-04T00:00:00Z"
ARTICLE_DAY = date(2024, 2, 19)


def at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def later(stamp: str, minutes: int = 1) -> datetime:
    return datetime.fromtimestamp(at(stamp).timestamp() + minutes * 60, UTC)


def before(stamp: str) -> datetime:
    return later(stamp, -1)


@pytest.fixture(params=["views", "oracle"])
def source(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Ask:
    """The four views, answered by the implementation or by the oracle."""

    def __init__(self, store: EventStore, source: str) -> None:
        self.store = store
        self.source = source

    async def _oracle(self, name: str, *args: Any, **kwargs: Any) -> Any:
        events = await self.store.read_all(limit=10**9)
        as_of = kwargs.pop("as_of", None) or datetime.now(UTC).date()
        known_at = kwargs.pop("known_at", None) or datetime.now(UTC)
        function = getattr(oracle, f"oracle_{name}")
        return function(events, *args, as_of, known_at, **kwargs)

    async def _views(self, name: str, *args: Any, **kwargs: Any) -> Any:
        from events.views import relation, rosters

        function = getattr(relation if name == "relation" else rosters, name)
        return await function(self.store.engine, *args, **kwargs)

    async def __call__(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.source == "oracle":
            return await self._oracle(name, *args, **kwargs)
        return await self._views(name, *args, **kwargs)

    async def relation(self, a: str, b: str, **kwargs: Any) -> Relation:
        return await self("relation", a, b, **kwargs)  # type: ignore[no-any-return]


@pytest.fixture
def ask(store: EventStore, source: str) -> Ask:
    return Ask(store, source)


def ev(stream: str, type_name: str, occurred: str, recorded: str, /, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "stream": stream,
        "type": type_name,
        "occurred": occurred,
        "recordedAt": recorded,
        "data": data,
        "sources": [
            {
                "title": "China, US are taking baby steps to cooperate on AI",
                "publisher": "The Straits Times",
                "published": "2024-02-19",
            }
        ],
    }


async def append(store: EventStore, *events: dict[str, Any]) -> None:
    await store.append([event_from_json(e, restoring=True) for e in events], recorded_by="test")


def registrations(recorded: str) -> list[dict[str, Any]]:
    return [
        ev("actor/jake-sullivan", "ActorRegistered", "2000", recorded, name="Jake Sullivan",
           kind="PERSON", country="USA"),
        ev("actor/wang-yi", "ActorRegistered", "2000", recorded, name="Wang Yi",
           kind="PERSON", country="CHN"),
        ev("actor/brookings", "ActorRegistered", "2000", recorded,
           name="Brookings Institution", kind="ORGANIZATION", country="USA"),
        ev("actor/tsinghua-ciss", "ActorRegistered", "2000", recorded,
           name="Tsinghua University Center for International Security and Strategy",
           kind="ORGANIZATION", country="CHN"),
    ]  # fmt: skip


SUMMIT = "meeting/biden-xi-woodside-2023"
BANGKOK = "meeting/sullivan-wang-bangkok-2024"
AI_TALKS = "dialogue/us-china-ai"
TRACK_II = "dialogue/tsinghua-brookings-ai"
BLETCHLEY = "instrument/bletchley-declaration"
POLITICAL = "instrument/political-declaration-military-ai"
CHIPS = "measure/us-chip-export-controls-2022"
STATEMENT = "statement/china-readout-bangkok-2024"


async def seed(store: EventStore) -> dict[str, dict[str, Any]]:
    """The article's facts; the Bangkok meeting is recorded a day after the rest."""
    summit = ev(
        SUMMIT,
        "MeetingHeld",
        "2023-11-15",
        R0,
        title="Biden-Xi summit, Woodside",
        participants=["USA", "CHN"],
        kind="SUMMIT",
        level="HEAD_OF_STATE",
    )
    bangkok = ev(
        BANGKOK,
        "MeetingHeld",
        "2024-01-26/2024-01-27",
        R1,
        title="Sullivan-Wang talks, Bangkok",
        participants=["jake-sullivan", "wang-yi"],
        kind="BILATERAL",
        level="MINISTERIAL",
        location={"name": "Bangkok"},
    )
    chips = ev(
        CHIPS,
        "MeasureImposed",
        "2022-10~",
        R0,
        title="Advanced computing export controls",
        kind="EXPORT_CONTROL",
        imposer="USA",
        targets=["CHN"],
    )
    first = [
        *registrations(R0),
        summit,
        ev(AI_TALKS, "DialogueEstablished", "2023-11-15", R0, name="US-China talks on AI",
           track="TRACK_I", parties=["USA", "CHN"], agreedAt=SUMMIT),
        ev(BLETCHLEY, "InstrumentAdopted", "2023-11-01", R0, title="The Bletchley Declaration",
           kind="DECLARATION", parties=[{"actor": "GBR", "action": "SIGN"},
                                        {"actor": "USA", "action": "SIGN"},
                                        {"actor": "CHN", "action": "SIGN"},
                                        {"actor": "FRA", "action": "SIGN"}]),
        ev(POLITICAL, "InstrumentAdopted", "2023-02", R0,
           title="Political Declaration on Responsible Military Use of AI and Autonomy",
           kind="DECLARATION", parties=[{"actor": "USA", "action": "ENDORSE"}]),
        ev(POLITICAL, "PartyJoined", "2023-11-13", R0, actor="SGP", action="ENDORSE"),
        chips,
        ev(TRACK_II, "DialogueEstablished", "2019", R0, name="Tsinghua CISS-Brookings AI dialogue",
           track="TRACK_II", parties=["USA", "CHN"], convenors=["tsinghua-ciss", "brookings"]),
        ev(STATEMENT, "StatementIssued", "2024-01-27", R0, issuer="CHN",
           summary="Wang Yi and Sullivan had candid, substantive talks", about=["USA"],
           kind="READOUT", stance="COOPERATIVE"),
    ]  # fmt: skip
    await append(store, *first)
    await append(store, bangkok)
    return {"summit": summit, "bangkok": bangkok, "chips": chips}


def contact(stream: str, title: str, held: str, *participants: str) -> Contact:
    return Contact(stream, title, parse(held), tuple(participants), certain=True)


SUMMIT_CONTACT = contact(SUMMIT, "Biden-Xi summit, Woodside", "2023-11-15", "USA", "CHN")
BANGKOK_CONTACT = contact(
    BANGKOK, "Sullivan-Wang talks, Bangkok", "2024-01-26/2024-01-27", "jake-sullivan", "wang-yi"
)
CHIPS_STATE = MeasureState(CHIPS, "EXPORT_CONTROL", "USA", ("CHN",), parse("2022-10~"), True)


def member(
    instrument: str, actor: str, action: str, since: str, certain: bool = True
) -> Membership:
    return Membership(instrument, actor, action, parse(since), None, certain)


async def test_the_article_relation(ask: Ask) -> None:
    await seed(ask.store)
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)

    assert (view.a, view.b, view.as_of) == ("USA", "CHN", ARTICLE_DAY)
    # Sullivan (USA) and Wang (CHN) met: a contact between their countries, the latest one.
    assert view.last_contact == BANGKOK_CONTACT
    assert view.contacts == (SUMMIT_CONTACT, BANGKOK_CONTACT)
    # Both signed Bletchley; only the US endorsed the Political Declaration (Singapore too,
    # which is neither side).
    assert view.shared_instruments == (
        InstrumentStanding(
            BLETCHLEY,
            member(BLETCHLEY, "USA", "SIGN", "2023-11-01"),
            member(BLETCHLEY, "CHN", "SIGN", "2023-11-01"),
        ),
    )
    assert view.only_a == (
        InstrumentStanding(POLITICAL, member(POLITICAL, "USA", "ENDORSE", "2023-02"), None),
    )
    assert view.only_b == ()
    # Both dialogues, by stream id: the Track II one (convened by a think-tank of each side)
    # and the intergovernmental one agreed at the summit.
    assert view.dialogues == (
        DialogueState(TRACK_II, "ESTABLISHED", parse("2019"), True),
        DialogueState(AI_TALKS, "ESTABLISHED", parse("2023-11-15"), True),
    )
    assert view.measures_in_force == (CHIPS_STATE,)
    assert [(s.statement, s.issuer, s.about, s.stance, s.certain) for s in view.statements] == [
        (STATEMENT, "CHN", ("USA",), "COOPERATIVE", True)
    ]
    assert view.statements[0].occurred == parse("2024-01-27")

    # The same relation seen from the other side swaps a and b.
    other = await ask.relation("CHN", "USA", as_of=ARTICLE_DAY)
    assert other.last_contact == BANGKOK_CONTACT
    assert other.only_a == ()
    assert [s.instrument for s in other.only_b] == [POLITICAL]
    assert other.shared_instruments[0].a == member(BLETCHLEY, "CHN", "SIGN", "2023-11-01")

    # The roster views agree.
    assert await ask("dialogue_status", AI_TALKS, as_of=ARTICLE_DAY) == view.dialogues[1]
    assert await ask("measures_in_force", as_of=ARTICLE_DAY, imposer="USA") == (CHIPS_STATE,)
    assert await ask("measures_in_force", as_of=ARTICLE_DAY, target="USA") == ()
    parties = await ask("instrument_parties", POLITICAL, as_of=ARTICLE_DAY)
    assert [(p.actor, p.action, p.certain) for p in parties] == [
        ("SGP", "ENDORSE", True),
        ("USA", "ENDORSE", True),
    ]


async def test_people_and_think_tanks_count_for_their_countries(ask: Ask) -> None:
    await seed(ask.store)
    # Sullivan's side is Sullivan alone; China's side holds Wang Yi.
    view = await ask.relation("jake-sullivan", "CHN", as_of=ARTICLE_DAY)
    assert view.last_contact == BANGKOK_CONTACT
    assert view.contacts == (BANGKOK_CONTACT,)
    assert view.dialogues == ()  # the dialogues' parties are the states, not Sullivan
    assert view.measures_in_force == ()
    # Britain and China: Bletchley only.
    uk = await ask.relation("GBR", "CHN", as_of=ARTICLE_DAY)
    assert [s.instrument for s in uk.shared_instruments] == [BLETCHLEY]
    assert uk.contacts == ()


async def test_knowledge_time_hides_what_was_recorded_later(ask: Ask) -> None:
    await seed(ask.store)
    between = later(R0, 60)
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=between)
    assert view.known_at == between
    assert view.last_contact == SUMMIT_CONTACT
    assert view.contacts == (SUMMIT_CONTACT,)
    # Before anything was recorded the relation is empty.
    empty = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=before(R0))
    assert empty.last_contact is None
    assert empty.contacts == empty.dialogues == empty.measures_in_force == ()
    assert empty.shared_instruments == empty.only_a == empty.only_b == empty.statements == ()
    # Exactly at the Bangkok meeting's recordedAt it is known.
    exactly = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=at(R1))
    assert exactly.last_contact == BANGKOK_CONTACT


async def test_valid_time_before_the_facts(ask: Ask) -> None:
    await seed(ask.store)
    view = await ask.relation("USA", "CHN", as_of=date(2023, 10, 31))
    assert view.last_contact is None
    assert [d.dialogue for d in view.dialogues] == [TRACK_II]
    assert view.shared_instruments == ()
    assert [s.instrument for s in view.only_a] == [POLITICAL]
    assert view.statements == ()
    # The export controls date from "2022-10~": possible during October 2022, certain after.
    assert (await ask.relation("USA", "CHN", as_of=date(2022, 9, 30))).measures_in_force == ()
    october = await ask.relation("USA", "CHN", as_of=date(2022, 10, 15))
    assert [(m.measure, m.certain) for m in october.measures_in_force] == [(CHIPS, False)]
    november = await ask.relation("USA", "CHN", as_of=date(2022, 11, 1))
    assert november.measures_in_force == (CHIPS_STATE,)


async def test_a_bangkok_meeting_of_two_days_is_certain_only_after_both(ask: Ask) -> None:
    await seed(ask.store)
    first_day = await ask.relation("USA", "CHN", as_of=date(2024, 1, 26))
    assert first_day.last_contact == Contact(
        BANGKOK,
        "Sullivan-Wang talks, Bangkok",
        parse("2024-01-26/2024-01-27"),
        ("jake-sullivan", "wang-yi"),
        certain=False,
    )
    second_day = await ask.relation("USA", "CHN", as_of=date(2024, 1, 27))
    assert second_day.last_contact == BANGKOK_CONTACT


# --- the EDTF rule of docs/format.md, "Dates" --------------------------------------------------

GPAI = "instrument/ai-partnership"


async def test_a_party_joined_in_a_month_is_uncertain_during_that_month(ask: Ask) -> None:
    await append(
        ask.store,
        *registrations(R0),
        ev(GPAI, "InstrumentAdopted", "2019-05-20", R0, title="An AI partnership",
           kind="AGREEMENT", parties=[{"actor": "GBR", "action": "SIGN"}]),
        ev(GPAI, "PartyJoined", "2019-12-02", R0, actor="USA", action="ACCEDE",
           effective="2019-10"),
    )  # fmt: skip
    usa = Membership(GPAI, "USA", "ACCEDE", parse("2019-10"), None, certain=False)
    gbr = Membership(GPAI, "GBR", "SIGN", parse("2019-05-20"), None, certain=True)

    assert await ask("instrument_parties", GPAI, as_of=date(2019, 9, 30)) == (gbr,)
    assert await ask("instrument_parties", GPAI, as_of=date(2019, 10, 15)) == (gbr, usa)
    certain = Membership(GPAI, "USA", "ACCEDE", parse("2019-10"), None, certain=True)
    assert await ask("instrument_parties", GPAI, as_of=date(2019, 10, 31)) == (gbr, certain)
    assert await ask("instrument_parties", GPAI, as_of=date(2019, 11, 1)) == (gbr, certain)

    absent = await ask.relation("USA", "GBR", as_of=date(2019, 9, 30))
    assert absent.shared_instruments == absent.only_a == ()
    assert absent.only_b == (InstrumentStanding(GPAI, None, gbr),)
    possible = await ask.relation("USA", "GBR", as_of=date(2019, 10, 15))
    assert possible.shared_instruments == (InstrumentStanding(GPAI, usa, gbr),)
    assert possible.only_b == ()
    sure = await ask.relation("USA", "GBR", as_of=date(2019, 11, 1))
    assert sure.shared_instruments == (InstrumentStanding(GPAI, certain, gbr),)


async def test_withdrawal_and_expiry_end_a_membership(ask: Ask) -> None:
    await append(
        ask.store,
        *registrations(R0),
        ev(GPAI, "InstrumentAdopted", "2019-05-20", R0, title="An AI partnership",
           kind="AGREEMENT", expires="2022", parties=[{"actor": "GBR", "action": "SIGN"},
                                                      {"actor": "USA", "action": "SIGN"}]),
        ev(GPAI, "PartyWithdrew", "2020-06-30", R0, actor="USA"),
        ev(GPAI, "InstrumentExtended", "2021-12-01", R0, expires="2023-06-30"),
    )  # fmt: skip
    parties = await ask("instrument_parties", GPAI, as_of=date(2020, 6, 29))
    assert [(p.actor, p.until, p.certain) for p in parties] == [
        ("GBR", parse("2023-06-30"), True),
        ("USA", parse("2020-06-30"), True),
    ]
    parties = await ask("instrument_parties", GPAI, as_of=date(2020, 6, 30))
    assert [p.actor for p in parties] == ["GBR"]
    assert await ask("instrument_parties", GPAI, as_of=date(2023, 6, 30)) == ()


# --- corrections and retractions ------------------------------------------------------------


async def test_a_correction_moves_the_meeting_for_later_knowledge_only(ask: Ask) -> None:
    seeded = await seed(ask.store)
    moved = ev(BANGKOK, "EventCorrected", "2024-03-01", R2, target=seeded["bangkok"]["id"],
               reason="the talks were in March", occurred="2024-03-01")  # fmt: skip
    await append(ask.store, moved)

    known_before = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=later(R1))
    assert known_before.last_contact == BANGKOK_CONTACT
    known_after = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=later(R2))
    assert known_after.last_contact == SUMMIT_CONTACT
    assert known_after.contacts == (SUMMIT_CONTACT,)
    in_march = await ask.relation("USA", "CHN", as_of=date(2024, 3, 15))
    assert in_march.last_contact == contact(
        BANGKOK, "Sullivan-Wang talks, Bangkok", "2024-03-01", "jake-sullivan", "wang-yi"
    )


async def test_a_correction_of_participants_changes_who_met(ask: Ask) -> None:
    seeded = await seed(ask.store)
    fixed = ev(BANGKOK, "EventCorrected", "2024-02-03", R2, target=seeded["bangkok"]["id"],
               reason="Sullivan met a Chinese firm, not Wang",
               data={"participants": ["jake-sullivan", "tsinghua-ciss"]})  # fmt: skip
    await append(ask.store, fixed)
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)
    assert view.last_contact is not None
    assert view.last_contact.participants == ("jake-sullivan", "tsinghua-ciss")
    wang = await ask.relation("wang-yi", "USA", as_of=ARTICLE_DAY)
    assert wang.contacts == ()
    wang_before = await ask.relation("wang-yi", "USA", as_of=ARTICLE_DAY, known_at=later(R1))
    assert wang_before.contacts == (BANGKOK_CONTACT,)


async def test_a_retraction_removes_the_measure_for_later_knowledge_only(ask: Ask) -> None:
    seeded = await seed(ask.store)
    await append(
        ask.store,
        ev(CHIPS, "EventRetracted", "2024-02-04", R3, target=seeded["chips"]["id"],
           reason="filed under the wrong stream"),
    )  # fmt: skip
    assert await ask("measures_in_force", as_of=ARTICLE_DAY, known_at=later(R2)) == (CHIPS_STATE,)
    assert await ask("measures_in_force", as_of=ARTICLE_DAY, known_at=at(R3)) == ()
    assert await ask("measures_in_force", as_of=ARTICLE_DAY) == ()
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=later(R2))
    assert view.measures_in_force == (CHIPS_STATE,)
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)
    assert view.measures_in_force == ()


async def test_a_measure_lifted_and_targets_amended(ask: Ask) -> None:
    await seed(ask.store)
    await append(
        ask.store,
        ev(CHIPS, "MeasureAmended", "2023-10-17", R2, summary="more firms",
           targetsAdded=["tsinghua-ciss"], effective="2023-11-16"),
        ev(CHIPS, "MeasureLifted", "2024-06", R2, reason="hypothetical"),
    )  # fmt: skip
    states = await ask("measures_in_force", as_of=date(2023, 12, 1), target="tsinghua-ciss")
    assert [(s.targets, s.certain) for s in states] == [(("CHN", "tsinghua-ciss"), True)]
    # In June 2024 the lift is possible, not certain.
    states = await ask("measures_in_force", as_of=date(2024, 6, 15), imposer="USA")
    assert [(s.measure, s.certain) for s in states] == [(CHIPS, False)]
    assert await ask("measures_in_force", as_of=date(2024, 7, 1)) == ()


async def test_dialogue_status_follows_its_events(ask: Ask) -> None:
    await seed(ask.store)
    await append(
        ask.store,
        ev(AI_TALKS, "DialogueRoundHeld", "2024-05-14", R2, round=1,
           summary="First round, Geneva"),
        ev(AI_TALKS, "DialogueSuspended", "2024-07", R2, reason="hypothetical", by="CHN"),
    )  # fmt: skip
    assert await ask("dialogue_status", AI_TALKS, as_of=date(2023, 11, 14)) is None
    assert await ask("dialogue_status", AI_TALKS, as_of=date(2024, 5, 14)) == DialogueState(
        AI_TALKS, "ACTIVE", parse("2024-05-14"), True
    )
    assert await ask("dialogue_status", AI_TALKS, as_of=date(2024, 7, 10)) == DialogueState(
        AI_TALKS, "SUSPENDED", parse("2024-07"), False
    )
    assert await ask("dialogue_status", AI_TALKS, as_of=date(2024, 8, 1)) == DialogueState(
        AI_TALKS, "SUSPENDED", parse("2024-07"), True
    )
    assert await ask("dialogue_status", "dialogue/no-such-thing", as_of=ARTICLE_DAY) is None


async def test_retracting_a_creating_event_removes_the_stream(ask: Ask) -> None:
    seeded = await seed(ask.store)
    planned = "meeting/sullivan-wang-vienna-2023"
    scheduled = ev(
        planned,
        "MeetingScheduled",
        "2023-04",
        R2,
        title="Vienna talks",
        participants=["jake-sullivan", "wang-yi"],
    )
    held = ev(
        planned,
        "MeetingHeld",
        "2023-05-10/2023-05-11",
        R2,
        title="Vienna talks",
        participants=["jake-sullivan", "wang-yi"],
    )
    await append(
        ask.store,
        scheduled,
        held,
        ev(SUMMIT, "EventRetracted", "2024-02-04", R3, target=seeded["summit"]["id"],
           reason="duplicate entry"),
    )  # fmt: skip
    vienna = contact(planned, "Vienna talks", "2023-05-10/2023-05-11", "jake-sullivan", "wang-yi")
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY, known_at=later(R2))
    assert view.contacts == (vienna, SUMMIT_CONTACT, BANGKOK_CONTACT)
    # The summit's only event is retracted: no contact; the dialogue agreed there stays.
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)
    assert view.contacts == (vienna, BANGKOK_CONTACT)
    assert AI_TALKS in [d.dialogue for d in view.dialogues]
    # Retracting the scheduling, the creating event of Vienna's stream, leaves the meeting a
    # contact while its MeetingHeld remains (docs/projections.md, Knowledge: "for a meeting:
    # when no MeetingHeld remains, there is no contact"; see tests/oracle.py MEETING_RULE).
    await append(
        ask.store,
        ev(planned, "EventRetracted", "2024-02-05", "2024-02-05T00:00:00Z",
           target=scheduled["id"], reason="never scheduled"),
    )  # fmt: skip
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)
    assert view.contacts == (vienna, BANGKOK_CONTACT)
    await append(
        ask.store,
        ev(planned, "EventRetracted", "2024-02-06", "2024-02-06T00:00:00Z",
           target=held["id"], reason="never held"),
    )  # fmt: skip
    view = await ask.relation("USA", "CHN", as_of=ARTICLE_DAY)
    assert view.contacts == (BANGKOK_CONTACT,)


async def test_a_party_that_withdrew_and_rejoined_shows_its_latest_membership(ask: Ask) -> None:
    await append(
        ask.store,
        *registrations(R0),
        ev(GPAI, "InstrumentAdopted", "2019-05-20", R0, title="An AI partnership",
           kind="AGREEMENT", parties=[{"actor": "USA", "action": "SIGN"}]),
        ev(GPAI, "PartyWithdrew", "2020-12-20", R0, actor="USA", effective="2020"),
        ev(GPAI, "PartyJoined", "2021-01-20", R0, actor="USA", action="ACCEDE",
           effective="2020-06"),
        # A second withdrawal while not a party is ignored; a second joining while a party too.
        ev(GPAI, "PartyJoined", "2021-02-01", R0, actor="USA", action="RATIFY"),
    )  # fmt: skip
    first = Membership(GPAI, "USA", "SIGN", parse("2019-05-20"), parse("2020"), certain=False)
    again = Membership(GPAI, "USA", "ACCEDE", parse("2020-06"), None, certain=True)
    assert await ask("instrument_parties", GPAI, as_of=date(2020, 5, 31)) == (first,)
    # Both memberships may hold in July 2020; the later one is shown.
    assert await ask("instrument_parties", GPAI, as_of=date(2020, 7, 1)) == (again,)
    view = await ask.relation("USA", "GBR", as_of=date(2020, 7, 1))
    assert view.only_a == (InstrumentStanding(GPAI, again, None),)


async def test_the_instrument_lists_on_their_own(store: EventStore) -> None:
    await seed(store)
    whole = await relation(store.engine, "USA", "CHN", ARTICLE_DAY)
    alone = await instrument_standings(store.engine, "USA", "CHN", ARTICLE_DAY, whole.known_at)
    assert alone == whole.instruments
    assert [s.instrument for s in alone.shared] == [BLETCHLEY]
    assert [s.instrument for s in alone.only_a] == [POLITICAL]
    without = await relation(store.engine, "USA", "CHN", ARTICLE_DAY, instruments=False)
    assert without.instruments is None
    assert without.last_contact == whole.last_contact
    with pytest.raises(ValueError, match="without its instruments"):
        _ = without.shared_instruments
