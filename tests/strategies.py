"""Hypothesis strategies: random but valid logs for the property tests of the views.

A log is a list of transactions, each a list of JSON events (as `event_from_json(...,
restoring=True)` accepts them) sharing one `recordedAt`, strictly increasing across transactions.
The first transaction registers the slugs; the others carry the streams' events, each stream's
events in order but spread over transactions and interleaved with other streams, with dates
drawn independently of recording time (so later transactions back-date), and with corrections
and retractions of earlier events of the same stream (the creating event included).

Everything is valid by construction, so nothing is filtered.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from events.dates import parse
from events.store import EventStore
from events.types import RecordedEvent, event_from_json

STATES = ("USA", "CHN", "GBR", "FRA")
# slug -> (kind, country)
SLUGS = {
    "us-envoy": ("PERSON", "USA"),
    "cn-firm": ("ORGANIZATION", "CHN"),
    "uk-lab": ("ORGANIZATION", "GBR"),
    "eu": ("IGO", None),
}
ACTORS = STATES + tuple(SLUGS)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(hours=1)

ACTIONS = ("SIGN", "ENDORSE", "RATIFY", "ACCEDE", "ACCEPT", "COSPONSOR")
INSTRUMENT_KINDS = ("DECLARATION", "JOINT_STATEMENT", "AGREEMENT", "TREATY")
MEASURE_KINDS = ("EXPORT_CONTROL", "ENTITY_LISTING", "SANCTION", "TARIFF")
TRACKS = ("TRACK_I", "TRACK_1_5", "TRACK_II")
STANCES = ("COOPERATIVE", "NEUTRAL", "CRITICAL")


def recorded_at(index: int) -> datetime:
    """The recordedAt of transaction `index` (0: the registrations)."""
    return T0 + index * STEP


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- dates ----------------------------------------------------------------------------------------

YEARS = st.integers(2018, 2024)
MONTHS = st.integers(1, 12)


@st.composite
def days(draw: st.DrawFn) -> date:
    """A day, biased to month edges so that bounds of different dates collide."""
    year, month = draw(YEARS), draw(MONTHS)
    last = calendar.monthrange(year, month)[1]
    day = draw(st.sampled_from((1, 2, 14, 15, last - 1, last)))
    return date(year, month, day)


def _day(d: date) -> str:
    return d.isoformat()


def _month(d: date) -> str:
    return d.isoformat()[:7]


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    """An EDTF string of mixed precision between 2018 and 2024."""
    d = draw(days())
    form = draw(
        st.sampled_from(
            (
                "day",
                "day",
                "day",
                "month",
                "month",
                "year",
                "qualified",
                "interval",
                "season",
                "unspecified",
                "open",
                "datetime",
            )
        )
    )
    if form == "day":
        text = _day(d)
    elif form == "month":
        text = _month(d)
    elif form == "year":
        text = str(d.year)
    elif form == "qualified":
        base = draw(st.sampled_from((_day(d), _month(d), str(d.year))))
        text = base + draw(st.sampled_from("~?%"))
    elif form == "interval":
        other = draw(days())
        start, end = sorted((d, other))
        if end - start > timedelta(days=400):  # mostly short intervals
            end = start + timedelta(days=draw(st.integers(0, 10)))
        start_text = draw(st.sampled_from((_day(start), _month(start))))
        text = f"{start_text}/{draw(st.sampled_from((_day(end), _month(end))))}"
    elif form == "season":
        text = f"{d.year}-{draw(st.integers(21, 24))}"
    elif form == "unspecified":
        text = draw(
            st.sampled_from(
                (
                    f"{d.year}-1X",
                    f"{d.year}-0X",
                    f"{d.year}-XX",
                    f"{_month(d)}-{d.day // 10}X" if d.day >= 10 else f"{_month(d)}-1X",
                    f"{str(d.year)[:3]}X",
                )
            )
        )
    elif form == "open":
        text = draw(st.sampled_from((f"{_month(d)}/..", f"{_day(d)}/", f"../{_day(d)}")))
    else:
        text = f"{_day(d)}T{draw(st.integers(0, 23)):02d}:30:00Z"
    parse(text)  # valid by construction; fail loudly here if not
    return text


# --- streams --------------------------------------------------------------------------------------


@dataclass
class Stream:
    """The JSON events of one stream, in order, and those of them that may be corrected."""

    id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    base: list[dict[str, Any]] = field(default_factory=list)  # events that may be corrected


def event(stream: str, type_name: str, occurred: str, /, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "stream": stream,
        "type": type_name,
        "occurred": occurred,
        "data": {k: v for k, v in data.items() if v is not None},
        "sources": [{"title": "generated"}],
    }


def subset(draw: st.DrawFn, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    """`low`..`high` distinct actors, in the order drawn."""
    return draw(st.lists(st.sampled_from(pool), min_size=low, max_size=high, unique=True))


def maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any], p_none: int = 2) -> Any:
    """None one time in `p_none`, else a value of `strategy`."""
    return None if draw(st.integers(1, p_none)) == 1 else draw(strategy)


def add(stream: Stream, obj: dict[str, Any]) -> None:
    stream.events.append(obj)
    stream.base.append(obj)


def instrument_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    parties = [
        {"actor": actor, "action": draw(st.sampled_from(ACTIONS))}
        for actor in subset(draw, ACTORS, 0, 3)
    ]
    add(
        stream,
        event(
            sid,
            "InstrumentAdopted",
            draw(edtf_dates()),
            title=f"Instrument {sid}",
            kind=draw(st.sampled_from(INSTRUMENT_KINDS)),
            parties=parties,
            expires=maybe(draw, edtf_dates(), 3),
        ),
    )
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(
            st.sampled_from(
                (
                    "PartyJoined",
                    "PartyJoined",
                    "PartyWithdrew",
                    "PartyWithdrew",
                    "PartyNoticeGiven",
                    "PartyNoticeGiven",
                    "PartyNoticeSuspended",
                    "PartyNoticeRescinded",
                    "PartySuspended",
                    "PartyResumed",
                    "InstrumentExtended",
                    "InstrumentTerminated",
                    "InstrumentAmended",
                )
            )
        )
        occurred = draw(edtf_dates())
        if kind == "PartyJoined":
            data = {
                "actor": draw(st.sampled_from(ACTORS)),
                "action": draw(st.sampled_from(ACTIONS)),
                "effective": maybe(draw, edtf_dates()),
            }
        elif kind == "PartyWithdrew":
            data = {"actor": draw(st.sampled_from(ACTORS)), "effective": maybe(draw, edtf_dates())}
        elif kind == "PartyNoticeGiven":
            data = {"actor": draw(st.sampled_from(ACTORS)), "effective": draw(edtf_dates())}
        elif kind.startswith("Party"):
            data = {"actor": draw(st.sampled_from(ACTORS)), "reason": "because"}
        elif kind == "InstrumentExtended":
            data = {"expires": draw(edtf_dates())}
        elif kind == "InstrumentTerminated":
            data = {"reason": "ended"}
        else:
            data = {"summary": "amended"}
        add(stream, event(sid, kind, occurred, **data))
    for _ in range(draw(st.sampled_from((0, 1, 1, 2)))):
        founders = [party["actor"] for party in parties]
        actor = draw(st.sampled_from(founders or ACTORS))
        if not founders:  # a member first, so that the story has a membership to change
            joined = _day(date(2017, draw(MONTHS), 1))  # before any date the story draws
            joining = {"actor": actor, "action": "ACCEDE", "effective": joined}
            add(stream, event(sid, "PartyJoined", joined, **joining))
        for told in party_story(draw, sid, actor):
            add(stream, told)
    return stream


def around(draw: st.DrawFn, d: date) -> str:
    """An EDTF string for about the day `d`: the day, its month, or either of them uncertain or
    approximate."""
    return draw(st.sampled_from((_day(d), _day(d), _month(d), _day(d) + "?", _month(d) + "~")))


def party_story(draw: st.DrawFn, sid: str, actor: str) -> list[dict[str, Any]]:
    """A party's notice or suspension told in date order, so that the statuses of the rules
    follow one another (the random steps of `instrument_stream` seldom do): a notice given,
    often suspended or rescinded before it falls due or after, perhaps rescinded once
    suspended; or a suspension, perhaps ended by a resumption. Dates at mixed precision, some
    uncertain, so that a step may fall on either side of a notice's effective."""
    start = draw(days())
    d1, d2, d3 = (
        start + timedelta(days=gap)
        for gap in sorted(draw(st.lists(st.integers(1, 400), min_size=3, max_size=3)))
    )
    reason = "reconsidered"
    if draw(st.integers(1, 3)) > 1:
        effective = around(draw, d2)
        told = [
            event(sid, "PartyNoticeGiven", around(draw, start), actor=actor, effective=effective)
        ]
        follow = draw(st.sampled_from((None, "PartyNoticeSuspended", "PartyNoticeRescinded")))
        if follow is not None:
            when = around(draw, draw(st.sampled_from((d1, d1, d3))))
            told.append(event(sid, follow, when, actor=actor, reason=reason))
        if follow == "PartyNoticeSuspended" and draw(st.booleans()):
            told.append(event(sid, "PartyNoticeRescinded", around(draw, d3), actor=actor))
        return told
    told = [event(sid, "PartySuspended", around(draw, start), actor=actor, reason=reason)]
    if draw(st.booleans()):
        when = around(draw, draw(st.sampled_from((d1, d2))))
        told.append(event(sid, "PartyResumed", when, actor=actor, reason=reason))
    return told


def measure_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    add(
        stream,
        event(
            sid,
            "MeasureImposed",
            draw(edtf_dates()),
            title=f"Measure {sid}",
            kind=draw(st.sampled_from(MEASURE_KINDS)),
            imposer=draw(st.sampled_from(ACTORS)),
            targets=subset(draw, ACTORS, 1, 3),
            effective=maybe(draw, edtf_dates()),
        ),
    )
    for _ in range(draw(st.integers(0, 4))):
        occurred = draw(edtf_dates())
        if draw(st.integers(1, 4)) == 1:
            add(
                stream,
                event(sid, "MeasureLifted", occurred, effective=maybe(draw, edtf_dates())),
            )
            continue
        changed = subset(draw, ACTORS, 1, 3)
        split = draw(st.integers(0, len(changed)))
        add(
            stream,
            event(
                sid,
                "MeasureAmended",
                occurred,
                summary="amended",
                targetsAdded=changed[:split] or None,
                targetsRemoved=changed[split:] or None,
                effective=maybe(draw, edtf_dates()),
            ),
        )
    return stream


def dialogue_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    add(
        stream,
        event(
            sid,
            "DialogueEstablished",
            draw(edtf_dates()),
            name=f"Dialogue {sid}",
            track=draw(st.sampled_from(TRACKS)),
            parties=subset(draw, ACTORS, 1, 3),
            convenors=subset(draw, ACTORS, 0, 1) or None,
        ),
    )
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(
                ("DialogueRoundHeld", "DialogueSuspended", "DialogueResumed", "DialogueEnded")
            )
        )
        data: dict[str, Any] = {}
        if kind == "DialogueRoundHeld":
            data = {"round": draw(st.integers(1, 9)), "summary": "a round"}
        elif kind == "DialogueSuspended":
            data = {"reason": "tension", "by": maybe(draw, st.sampled_from(ACTORS))}
        add(stream, event(sid, kind, draw(edtf_dates()), **data))
    return stream


def dispute_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    add(
        stream,
        event(
            sid,
            "DisputeFiled",
            draw(edtf_dates()),
            title=f"Dispute {sid}",
            forum=draw(st.sampled_from(("WTO", "ICJ", "PCA"))),
            complainants=subset(draw, ACTORS, 1, 2),
            respondents=subset(draw, ACTORS, 1, 2),
        ),
    )
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            data: dict[str, Any] = {"summary": "a ruling", "favours": subset(draw, ACTORS, 0, 1)}
            add(stream, event(sid, "DisputeRuled", draw(edtf_dates()), **data))
        else:
            how = draw(st.sampled_from(("SETTLED", "WITHDRAWN", "RULING_FINAL", "LAPSED")))
            add(stream, event(sid, "DisputeClosed", draw(edtf_dates()), how=how))
    return stream


def meeting_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    participants = subset(draw, ACTORS, 2, 3)
    title = f"Meeting {sid}"
    if draw(st.booleans()):
        add(
            stream,
            event(
                sid,
                "MeetingScheduled",
                draw(edtf_dates()),
                title=title,
                participants=participants,
                planned=maybe(draw, edtf_dates()),
            ),
        )
        if draw(st.integers(1, 4)) == 1:
            add(stream, event(sid, "MeetingPostponed", draw(edtf_dates()), reason="later"))
        if draw(st.integers(1, 5)) == 1:
            return stream  # only planned, never held
    for _ in range(draw(st.integers(1, 2))):  # a second MeetingHeld supersedes the first
        add(
            stream,
            event(
                sid,
                "MeetingHeld",
                draw(edtf_dates()),
                title=draw(st.sampled_from((title, title + " (held)"))),
                participants=draw(st.sampled_from((participants, subset(draw, ACTORS, 2, 3)))),
                kind=maybe(draw, st.sampled_from(("BILATERAL", "SUMMIT", "CALL"))),
                location=draw(st.sampled_from((None, None, {"name": "Capital"})))
                or maybe(draw, st.sampled_from(STATES).map(lambda c: {"name": "A", "country": c})),
            ),
        )
    return stream


def statement_stream(draw: st.DrawFn, sid: str) -> Stream:
    stream = Stream(sid)
    add(
        stream,
        event(
            sid,
            "StatementIssued",
            draw(edtf_dates()),
            issuer=draw(st.sampled_from(ACTORS)),
            summary="said something",
            about=subset(draw, ACTORS, 0, 2) or None,
            stance=maybe(draw, st.sampled_from(STANCES)),
        ),
    )
    return stream


def correction_data(draw: st.DrawFn, target: dict[str, Any]) -> dict[str, Any]:
    """A change of `data` that keeps the target valid for its type (may be empty)."""
    kind = target["type"]
    current = target["data"]
    options: list[dict[str, Any]] = [{}]
    if kind in ("MeetingHeld", "MeetingScheduled"):
        options += [
            {"participants": subset(draw, ACTORS, 2, 3)},
            {"title": f"{current['title']} (corrected)"},
        ]
    if kind in ("PartyJoined", "PartyWithdrew", "MeasureImposed", "MeasureAmended"):
        options += [{"effective": draw(edtf_dates())}, {"effective": None}]
    if kind == "PartyNoticeGiven":
        options += [{"effective": draw(edtf_dates())}, {"actor": draw(st.sampled_from(ACTORS))}]
    if kind in (
        "PartyNoticeSuspended",
        "PartyNoticeRescinded",
        "PartySuspended",
        "PartyResumed",
    ):
        options.append({"actor": draw(st.sampled_from(ACTORS))})
    if kind == "DisputeFiled":
        options += [
            {"complainants": subset(draw, ACTORS, 1, 2)},
            {"respondents": subset(draw, ACTORS, 1, 2)},
        ]
    if kind == "MeasureLifted":
        options.append({"effective": draw(edtf_dates())})
    if kind == "MeasureImposed":
        options.append({"targets": subset(draw, ACTORS, 1, 3)})
    if kind == "MeasureAmended":
        removed = set(current.get("targetsRemoved", ()))
        added = [a for a in subset(draw, ACTORS, 1, 2) if a not in removed]
        options.append({"targetsAdded": added})
    if kind == "PartyJoined":
        options.append({"actor": draw(st.sampled_from(ACTORS))})
    if kind == "InstrumentAdopted":
        parties = [
            {"actor": actor, "action": draw(st.sampled_from(ACTIONS))}
            for actor in subset(draw, ACTORS, 0, 3)
        ]
        options += [{"expires": draw(edtf_dates())}, {"parties": parties}]
    if kind == "InstrumentExtended":
        options.append({"expires": draw(edtf_dates())})
    if kind == "DialogueEstablished":
        options.append({"parties": subset(draw, ACTORS, 1, 3)})
    if kind == "StatementIssued":
        options += [
            {"about": subset(draw, ACTORS, 1, 2)},
            {"issuer": draw(st.sampled_from(ACTORS))},
            {"stance": draw(st.sampled_from(STANCES))},
        ]
    return draw(st.sampled_from(options))


def add_fixes(draw: st.DrawFn, stream: Stream) -> None:
    """0-2 corrections or retractions of earlier non-correction events of the stream."""
    for _ in range(draw(st.sampled_from((0, 0, 1, 1, 2)))):
        target = draw(st.sampled_from(stream.base))
        insert_at = draw(st.integers(stream.events.index(target) + 1, len(stream.events)))
        if draw(st.integers(1, 4)) == 1:
            fix = event(
                stream.id, "EventRetracted", "2024-02-19", target=target["id"], reason="wrong"
            )
        else:
            change = correction_data(draw, target)
            occurred = draw(edtf_dates()) if not change or draw(st.booleans()) else None
            fix = event(
                stream.id,
                "EventCorrected",
                "2024-02-19",
                target=target["id"],
                reason="mistake",
                occurred=occurred,
                data=change or None,
            )
        stream.events.insert(insert_at, fix)


BUILDERS = {
    "instrument": instrument_stream,
    "measure": measure_stream,
    "dialogue": dialogue_stream,
    "meeting": meeting_stream,
    "statement": statement_stream,
    "dispute": dispute_stream,
}


def registrations() -> list[dict[str, Any]]:
    return [
        event(f"actor/{slug}", "ActorRegistered", "2000", name=slug, kind=kind, country=country)
        for slug, (kind, country) in SLUGS.items()
    ]


@st.composite
def logs(draw: st.DrawFn, min_streams: int = 3, max_streams: int = 6) -> list[list[dict[str, Any]]]:
    """A log as transactions of JSON events; see the module docstring."""
    streams: list[Stream] = []
    for kind, build in BUILDERS.items():
        for n in range(draw(st.integers(min_streams, max_streams))):
            stream = build(draw, f"{kind}/{kind[0]}{n}")
            add_fixes(draw, stream)
            streams.append(stream)
    # Spread each stream over transactions 1..count, in order (non-decreasing indices).
    count = draw(st.integers(1, 6))
    batches: list[list[tuple[int, dict[str, Any]]]] = [[] for _ in range(count + 1)]
    for number, stream in enumerate(streams):
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(1, count), min_size=len(stream.events), max_size=len(stream.events)
                )
            )
        )
        for tx, obj in zip(cuts, stream.events, strict=True):
            batches[tx].append((number, obj))
    # Interleave the streams inside each transaction, keeping each stream's order.
    transactions = [registrations()]
    for batch in batches[1:]:
        if not batch:
            continue
        order = draw(st.permutations([number for number, _ in batch]))
        queues: dict[int, list[dict[str, Any]]] = {}
        for number, obj in batch:
            queues.setdefault(number, []).append(obj)
        transactions.append([queues[number].pop(0) for number in order])
    result = []
    for index, tx in enumerate(transactions):
        stamp = timestamp(recorded_at(index))
        result.append([{**obj, "data": dict(obj["data"]), "recordedAt": stamp} for obj in tx])
    return result


# --- query points ---------------------------------------------------------------------------------


def stamps(log: list[list[dict[str, Any]]]) -> list[datetime]:
    return [datetime.fromisoformat(tx[0]["recordedAt"].replace("Z", "+00:00")) for tx in log]


def known_at_points(log: list[list[dict[str, Any]]]) -> st.SearchStrategy[datetime]:
    """Before the first transaction, exactly at one, between two, after the last."""
    times = stamps(log)
    return st.one_of(
        st.just(times[0] - timedelta(minutes=1)),
        st.sampled_from(times),
        st.sampled_from(times).map(lambda t: t + timedelta(minutes=30)),
        st.just(times[-1] + timedelta(days=1)),
    )


def _dates_in(value: Any) -> list[str]:
    """Every string in the event JSON that is an EDTF date we generated."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("occurred", "effective", "expires", "planned") and isinstance(item, str):
                found.append(item)
            else:
                found += _dates_in(item)
    elif isinstance(value, list):
        for item in value:
            found += _dates_in(item)
    return found


def boundary_days(log: list[list[dict[str, Any]]]) -> list[date]:
    """Each generated date's earliest and latest, and the days either side."""
    result: set[date] = set()
    for tx in log:
        for obj in tx:
            for text in _dates_in(obj):
                bounds = parse(text)
                for bound in (bounds.earliest, bounds.latest):
                    if date(2010, 1, 1) <= bound <= date(2030, 12, 31):
                        result.update((bound - timedelta(days=1), bound, bound + timedelta(days=1)))
    return sorted(result)


def as_of_points(log: list[list[dict[str, Any]]]) -> st.SearchStrategy[date]:
    edges = boundary_days(log)
    return st.one_of(
        st.sampled_from(edges),
        st.sampled_from(edges),
        st.dates(date(2017, 6, 1), date(2025, 6, 1)),
    )


def _actor_groups(log: list[list[dict[str, Any]]]) -> list[list[str]]:
    """The actors that some event names together (participants, parties, imposer and targets,
    issuer and about), so that drawn pairs often meet in the log."""
    groups: list[list[str]] = []
    for tx in log:
        for obj in tx:
            data = obj["data"]
            names: list[str] = []
            for field_name in ("participants", "targets", "about", "targetsAdded"):
                names += data.get(field_name) or []
            names += [p["actor"] if isinstance(p, dict) else p for p in data.get("parties") or []]
            names += [data[f] for f in ("imposer", "issuer", "actor") if f in data]
            names = sorted(set(names))
            if len(names) >= 2:
                groups.append(names)
    return groups


def countries(actor: str) -> str:
    """The actor's country, or the actor itself."""
    return SLUGS[actor][1] or actor if actor in SLUGS else actor


def pairs(log: list[list[dict[str, Any]]] | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """Two distinct actors (states and slugs): uniformly, or (given the log) two that an event
    names together, each sometimes replaced by its country."""
    uniform = st.lists(st.sampled_from(ACTORS), min_size=2, max_size=2, unique=True).map(tuple)
    groups = _actor_groups(log) if log else []
    if not groups:
        return uniform

    @st.composite
    def together(draw: st.DrawFn) -> tuple[str, str]:
        group = draw(st.sampled_from(groups))
        a, b = draw(st.lists(st.sampled_from(group), min_size=2, max_size=2, unique=True))
        a = countries(a) if draw(st.booleans()) else a
        b = countries(b) if draw(st.booleans()) else b
        return (a, b) if a != b else draw(uniform)

    return st.one_of(uniform, together(), together())


Log = list[list[dict[str, Any]]]  # transactions of JSON events


async def load_log(engine: AsyncEngine, log: Log) -> list[RecordedEvent]:
    """Append a generated log transaction by transaction; return it as the store recorded it."""
    store = EventStore(engine)
    try:
        for tx in log:
            await store.append([event_from_json(e, restoring=True) for e in tx], recorded_by="test")
        return await store.read_all(limit=10**9)
    finally:
        await store.close()
