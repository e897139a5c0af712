"""A deterministic synthetic log in the JSON Lines interchange format (`timeline import`).

Run `python -m bench.synthetic --events N --seed S -o FILE.jsonl`. The same N and seed give the
same file byte for byte. The log is written as it is generated (constant memory):

- ~200 actors: the first 150 states of pycountry (alpha-3, plus USA) and 50 registered slugs
  (people and organisations, each with a `country`; 12 are American and 12 Chinese), whose
  `ActorRegistered` events come first;
- a mix of types: meetings ~41% (MeetingHeld, some scheduled first, a few cancelled),
  statements ~25%, instruments ~15% (adoptions, PartyJoined, PartyWithdrew, a few extensions
  and terminations), measures ~10% (imposed, amended, lifted), dialogues ~7% (established,
  rounds, suspended, resumed, ended), corrections ~1%, retractions ~1%;
- streams of realistic length: a meeting 1-2 events, an instrument up to ~50, a dialogue up to
  ~30 rounds, a measure a few amendments;
- a history of constant density: PER_YEAR events a simulated year, ending at the end of 2024,
  so a larger log covers a longer history (10k events 10 years, 1M events 1,000 years) rather
  than crowding more into the same years; a simulated clock runs through it: `recordedAt`
  follows it and only grows; one transaction is a run of equal `recordedAt` (1-20 events, mean
  ~4); an event occurs a few days before it is recorded, except 5% of the new streams, whose
  whole story is back-dated by 1-25 years (an archive back-filled);
- facts of bounded life, so that what stands at a date does not grow with the history before
  it: every measure is lifted after its amendments, every instrument expires (1-8 years after
  its adoption, extensions by 1-4 years), every dialogue ends after its rounds; the longest
  lives last a few years (LONGEST_LIFE bounds nearly all of them);
- dates mostly days, some months and years, some approximate (`~`) or uncertain (`?`), some
  intervals;
- one heavy pair: USA and CHN (or their people and organisations) are the two sides of ~5% of
  all events: meetings, statements, measures and dialogues between them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import pycountry

# Bump when the output for a given (events, seed) changes, so that cached files are remade.
VERSION = 2

HEAVY = ("USA", "CHN")
STATE_COUNT = 150
END = date(2024, 12, 31)
PER_YEAR = 1000  # events a simulated year: the span of a log grows with its size
# Nearly every measure, instrument membership and dialogue status has ended this long after it
# began: a date this far into the log sees what stands as it would deep into a longer one.
LONGEST_LIFE = timedelta(days=8 * 366)

# Share of each kind of event (the rest of a category's streams follow from stream lengths).
MIX = (
    ("meeting", 0.41),
    ("statement", 0.25),
    ("instrument", 0.15),
    ("measure", 0.10),
    ("dialogue", 0.07),
    ("correction", 0.01),
    ("retraction", 0.01),
)
# Chance that a new meeting, statement, measure or dialogue is between the heavy pair: about
# 0.83 of all events belong to such streams, so this puts ~5% of the log between USA and CHN.
HEAVY_SHARE = 0.06
BACKDATED = 0.05  # share of new streams recorded long after they occurred
MAX_OPEN = {"instrument": 60, "measure": 40, "dialogue": 30}
RECENT = 4000  # events remembered as targets for corrections and retractions

FIRST_NAMES = (
    "anna", "bo", "carlos", "dmitri", "elena", "fatima", "george", "hiro", "ines", "jun",
    "kofi", "lena", "mei", "nadia", "omar", "priya", "quentin", "rosa", "sven", "tomas",
)  # fmt: skip
LAST_NAMES = (
    "adams", "bauer", "chen", "diaz", "evans", "fischer", "garcia", "huang", "ito", "jones",
    "kim", "li", "martin", "nguyen", "okafor", "park", "rossi", "smith", "wang", "zhou",
)  # fmt: skip
ORG_WORDS = (
    "institute", "ministry", "council", "agency", "forum", "foundation", "bank", "office",
)  # fmt: skip
CITIES = (
    "Geneva", "Vienna", "Beijing", "Washington", "New York", "Brussels", "Singapore", "Tokyo",
    "Nairobi", "Jakarta", "Bangkok", "Doha", "Paris", "London", "Buenos Aires", "Canberra",
)  # fmt: skip
TOPICS = (
    "trade", "climate", "AI governance", "export controls", "maritime security", "health",
    "energy", "nuclear non-proliferation", "cyber security", "development finance",
)  # fmt: skip
PUBLISHERS = ("Reuters", "AP", "The Straits Times", "Le Monde", "Xinhua", "Al Jazeera")
RECORDERS = ("analyst-anna", "analyst-bo", "importer", "analyst-kofi")


def _states() -> list[str]:
    states = [str(country.alpha_3) for country in pycountry.countries][:STATE_COUNT]
    states.extend(code for code in HEAVY if code not in states)
    return states


@dataclass(slots=True)
class _Slug:
    slug: str
    name: str
    kind: str
    country: str


@dataclass(slots=True)
class _Open:
    """A stream that still takes events: an instrument, measure or dialogue."""

    stream: str
    planned: int  # events it will take in all
    taken: int = 1
    members: set[str] = field(default_factory=set)  # parties or targets
    imposer: str = ""
    heavy: bool = False  # between the heavy pair
    back: int = 0  # days its story lies behind the clock (back-dated streams)
    suspended: bool = False
    rounds: int = 0


@dataclass(slots=True)
class _Target:
    """A recent event a correction or retraction may name."""

    id: str
    stream: str
    type: str
    day: date
    heavy: bool


class Generator:
    """Yields the events of the synthetic log, as JSON-ready dicts, in log order."""

    def __init__(self, events: int, seed: int) -> None:
        if events < 100:
            raise ValueError("the synthetic log needs at least 100 events")
        self.count = events
        self.rng = Random(seed)
        self.start, self.recording_start, self.recording_end = span(events)
        self.states = _states()
        self.slugs = self._slugs()
        self.actors = self.states + [s.slug for s in self.slugs]
        self.heavy_sides = {
            code: [code, code, code, *(s.slug for s in self.slugs if s.country == code)]
            for code in HEAVY
        }
        self.emitted = 0
        self.serial = 0
        # Scheduled meetings: stream, title, participants, between the heavy pair.
        self.pending: deque[tuple[str, str, list[str], bool]] = deque()
        self.open: dict[str, list[_Open]] = {kind: [] for kind in MAX_OPEN}
        self.recent: deque[_Target] = deque(maxlen=RECENT)
        self.retracted: set[str] = set()
        self.now = self.start
        self.types: Counter[str] = Counter()
        self.heavy = 0  # events on streams between the heavy pair
        self.is_heavy = False  # the event being made is
        self.backdated = False  # the event being made is back-dated
        kinds, weights = zip(*MIX, strict=True)
        self.kinds: Sequence[str] = kinds
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]

    def _slugs(self) -> list[_Slug]:
        rng = Random(0)  # the same actors whatever the seed
        others = [s for s in self.states if s not in HEAVY]
        slugs: list[_Slug] = []
        for index in range(50):
            country = HEAVY[index % 2] if index < 24 else rng.choice(others)
            if index % 2 == 0:
                person = index // 2
                first = FIRST_NAMES[person % 20]
                last = LAST_NAMES[(person * 7 + person // 20) % 20]
                slugs.append(
                    _Slug(f"{first}-{last}", f"{first.title()} {last.title()}", "PERSON", country)
                )
            else:
                word = ORG_WORDS[index % len(ORG_WORDS)]
                slug = f"{country.lower()}-{word}-{index}"
                slugs.append(
                    _Slug(slug, f"{country} {word.title()} {index}", "ORGANIZATION", country)
                )
        return slugs

    # --- the log ---------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        length = (self.recording_end - self.recording_start) // timedelta(microseconds=1)
        last = -1
        while self.emitted < self.count:
            offset = length * self.emitted // self.count
            last = max(offset, last + 1)
            recorded = self.recording_start + timedelta(microseconds=last)
            recorded_at = recorded.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self.now = recorded.date()
            recorded_by = RECORDERS[rng.randrange(len(RECORDERS))]
            size = min(self._transaction_size(), self.count - self.emitted)
            for _ in range(size):
                self.is_heavy = self.backdated = False
                event = self._next()
                event["recordedAt"] = recorded_at
                event["recordedBy"] = recorded_by
                if self.backdated:
                    event["note"] = "back-filled from an archive"
                self.emitted += 1
                self.heavy += self.is_heavy
                self.types[event["type"]] += 1
                yield event

    def _transaction_size(self) -> int:
        if self.emitted < len(self.slugs):
            return min(20, len(self.slugs) - self.emitted)
        size = 1
        while size < 20 and self.rng.random() < 0.75:
            size += 1
        return size

    def _next(self) -> dict[str, Any]:
        if self.emitted < len(self.slugs):
            slug = self.slugs[self.emitted]
            data = {"name": slug.name, "kind": slug.kind, "country": slug.country}
            born = self.start.isoformat()
            return self._event(f"actor/{slug.slug}", "ActorRegistered", born, data)
        draw = self.rng.random()
        pairs = zip(self.kinds, self.cumulative, strict=True)
        kind = next((k for k, c in pairs if draw < c), "meeting")
        if kind in ("correction", "retraction") and not self.recent:
            kind = "statement"
        make: Callable[[], dict[str, Any]] = getattr(self, f"_{kind}")
        return make()

    # --- building blocks -------------------------------------------------------------------------

    def _event(
        self,
        stream: str,
        type_name: str,
        occurred: str,
        data: dict[str, Any],
        note: str | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        source = {
            "title": f"{type_name} on {stream}",
            "publisher": PUBLISHERS[rng.randrange(len(PUBLISHERS))],
            "published": self.now.isoformat(),
            "url": f"https://news.example.org/{stream}/{self.serial}",
        }
        return {
            "id": event_id,
            "stream": stream,
            "type": type_name,
            "schemaVersion": 1,
            "occurred": occurred,
            "data": data,
            "sources": [source],
            "note": note,
        }

    def _remember(self, event: dict[str, Any], day: date) -> dict[str, Any]:
        target = _Target(event["id"], event["stream"], event["type"], day, self.is_heavy)
        self.recent.append(target)
        return event

    def _slug(self, prefix: str, day: date) -> str:
        self.serial += 1
        return f"{prefix}/{day.year}-{self.serial:x}"

    def _day(self, backdate: bool = False, back: int = 0) -> date:
        """When a new event occurred: a few days before now, or 1-25 years before when a new
        stream is back-dated; `back` days earlier still for the later events of a back-dated
        stream, whose whole story lies in the past."""
        rng = self.rng
        earliest = (self.now - self.start).days
        if backdate and earliest > 365 and rng.random() < BACKDATED:
            self.backdated = True
            return self.now - timedelta(days=rng.randint(365, min(25 * 365, earliest)))
        recent = self.now - timedelta(days=back + int(rng.expovariate(1 / 6)))
        return max(self.start, recent)

    def _continue(self, item: _Open) -> date:
        """The day of an open stream's next event, in the past as far as the stream is."""
        if item.back:
            self.backdated = True
        return self._day(back=item.back)

    def _back(self, day: date) -> int:
        """How many days a new stream occurring on `day` lies behind the clock."""
        return max(0, (self.now - day).days - 60) if self.backdated else 0

    def _edtf(self, day: date) -> str:
        """`day` at a mixed precision: mostly the day, some months, years, qualifiers and
        intervals."""
        draw = self.rng.random()
        if draw < 0.75:
            return day.isoformat()
        if draw < 0.85:
            return f"{day:%Y-%m}"
        if draw < 0.89:
            return str(day.year)
        if draw < 0.92:
            return f"{day.isoformat()}~"
        if draw < 0.94:
            return f"{day:%Y-%m}?"
        if draw < 0.95:
            return f"{day.year}~"
        # Capped at the clock, but never before its start (a day the clock has not reached
        # yet, a plan, makes a one-day interval).
        end = max(day, min(day + timedelta(days=self.rng.randint(1, 5)), self.now))
        return f"{day.isoformat()}/{end.isoformat()}"

    def _pair_sides(self, size: int) -> tuple[list[str], bool]:
        """`size` distinct actors; with HEAVY_SHARE chance, from both sides of the heavy pair."""
        rng = self.rng
        if rng.random() < HEAVY_SHARE:
            self.is_heavy = True
            first, second = HEAVY if rng.random() < 0.5 else HEAVY[::-1]
            chosen = [rng.choice(self.heavy_sides[first]), rng.choice(self.heavy_sides[second])]
            while len(chosen) < size:
                extra = rng.choice(self.actors)
                if extra not in chosen:
                    chosen.append(extra)
            return chosen, True
        return rng.sample(self.actors, size), False

    def _others(self, count: int, exclude: set[str]) -> list[str]:
        found: list[str] = []
        while len(found) < count:
            actor = self.rng.choice(self.actors)
            if actor not in exclude and actor not in found:
                found.append(actor)
        return found

    def _size(self, low: int, high: int, mean: float) -> int:
        """A length between low and high, geometric around `mean`."""
        size = low
        keep = 1 - 1 / max(mean - low + 1, 1)
        while size < high and self.rng.random() < keep:
            size += 1
        return size

    def _choose_open(self, kind: str, new_chance: float) -> _Open | None:
        """An open stream of `kind` to continue, or None to start a new one."""
        pool = self.open[kind]
        if not pool or (len(pool) < MAX_OPEN[kind] and self.rng.random() < new_chance):
            return None
        return pool[self.rng.randrange(len(pool))]

    def _advance(self, kind: str, item: _Open) -> None:
        item.taken += 1
        if item.taken >= item.planned:
            self.open[kind].remove(item)

    # --- meetings and statements ---------------------------------------------------------------

    def _meeting(self) -> dict[str, Any]:
        rng = self.rng
        if self.pending and rng.random() < 0.2:
            stream, title, participants, self.is_heavy = self.pending.popleft()
            day = self._day()
            if rng.random() < 0.1:
                return self._event(stream, "MeetingCancelled", day.isoformat(), {"reason": "-"})
            return self._held(stream, title, participants, day)
        participants, _ = self._pair_sides(2 if rng.random() < 0.7 else rng.randint(3, 5))
        day = self._day(backdate=True)
        stream = self._slug("meeting", day)
        title = f"{' / '.join(participants[:3])} talks on {rng.choice(TOPICS)}"
        if rng.random() < 0.15 and not self.backdated:
            self.pending.append((stream, title, participants, self.is_heavy))
            planned = (day + timedelta(days=rng.randint(3, 60))).isoformat()
            data = {"title": title, "participants": participants, "planned": planned}
            return self._event(stream, "MeetingScheduled", day.isoformat(), data)
        return self._held(stream, title, participants, day)

    def _held(self, stream: str, title: str, participants: list[str], day: date) -> dict[str, Any]:
        rng = self.rng
        data: dict[str, Any] = {
            "title": title,
            "participants": participants,
            "kind": "BILATERAL" if len(participants) == 2 else "MULTILATERAL",
            "level": rng.choice(("HEAD_OF_STATE", "MINISTERIAL", "SENIOR_OFFICIAL", "WORKING")),
            "location": {"name": rng.choice(CITIES)},
            "topics": rng.sample(TOPICS, 2),
        }
        event = self._event(stream, "MeetingHeld", self._edtf(day), data)
        return self._remember(event, day)

    def _statement(self) -> dict[str, Any]:
        rng = self.rng
        actors, _ = self._pair_sides(2 if rng.random() < 0.8 else 3)
        day = self._day(backdate=True)
        data = {
            "issuer": actors[0],
            "summary": f"{actors[0]} on {rng.choice(TOPICS)}",
            "about": actors[1:],
            "kind": rng.choice(("READOUT", "SPEECH", "POSITION")),
            "stance": rng.choice(("COOPERATIVE", "NEUTRAL", "CRITICAL")),
        }
        event = self._event(self._slug("statement", day), "StatementIssued", self._edtf(day), data)
        return self._remember(event, day)

    # --- instruments -----------------------------------------------------------------------------

    def _instrument(self) -> dict[str, Any]:
        rng = self.rng
        item = self._choose_open("instrument", 0.12)
        day = self._day(backdate=True) if item is None else self._continue(item)
        if item is None:
            founders = rng.sample(self.actors, rng.randint(2, 8))
            stream = self._slug("instrument", day)
            planned = 1 + self._size(0, 50, 9)
            if planned > 1:
                self.open["instrument"].append(
                    _Open(stream, planned, members=set(founders), back=self._back(day))
                )
            data: dict[str, Any] = {
                "title": f"Agreement on {rng.choice(TOPICS)} {self.serial}",
                "kind": rng.choice(("DECLARATION", "AGREEMENT", "TREATY", "MEMORANDUM")),
                "parties": [{"actor": actor, "action": "SIGN"} for actor in founders],
                "expires": f"{day.year + rng.randint(1, 8)}-12-31",
            }
            return self._event(stream, "InstrumentAdopted", self._edtf(day), data)
        self._advance("instrument", item)
        draw = rng.random()
        if draw < 0.1 and item.members:
            actor = rng.choice(sorted(item.members))
            item.members.discard(actor)
            data = {"actor": actor}
            event = self._event(item.stream, "PartyWithdrew", self._edtf(day), data)
        elif draw < 0.12 and item.taken >= item.planned:
            event = self._event(item.stream, "InstrumentTerminated", day.isoformat(), {})
        elif draw < 0.14:
            expires = f"{day.year + rng.randint(1, 4)}-12-31"
            event = self._event(
                item.stream, "InstrumentExtended", day.isoformat(), {"expires": expires}
            )
        else:
            (actor,) = self._others(1, item.members)
            item.members.add(actor)
            data = {"actor": actor, "action": rng.choice(("RATIFY", "ACCEDE", "SIGN", "ACCEPT"))}
            if rng.random() < 0.2:
                data["effective"] = (day + timedelta(days=rng.randint(10, 120))).isoformat()
            event = self._event(item.stream, "PartyJoined", self._edtf(day), data)
        return self._remember(event, day)

    # --- measures --------------------------------------------------------------------------------

    def _measure(self) -> dict[str, Any]:
        rng = self.rng
        item = self._choose_open("measure", 0.35)
        day = self._day(backdate=True) if item is None else self._continue(item)
        if item is None:
            actors, _ = self._pair_sides(2 if rng.random() < 0.7 else 3)
            imposer, targets = actors[0], actors[1:]
            stream = self._slug("measure", day)
            planned = 2 + self._size(0, 11, 2)  # the last is its lift
            self.open["measure"].append(
                _Open(
                    stream,
                    planned,
                    members=set(targets),
                    imposer=imposer,
                    heavy=self.is_heavy,
                    back=self._back(day),
                )
            )
            data: dict[str, Any] = {
                "title": f"{imposer} measure on {', '.join(targets)}",
                "kind": rng.choice(("EXPORT_CONTROL", "SANCTION", "TARIFF", "ENTITY_LISTING")),
                "imposer": imposer,
                "targets": targets,
            }
            if rng.random() < 0.3:
                data["effective"] = (day + timedelta(days=rng.randint(1, 90))).isoformat()
            return self._event(stream, "MeasureImposed", self._edtf(day), data)
        self._advance("measure", item)
        self.is_heavy = item.heavy
        if item.taken >= item.planned:
            return self._event(item.stream, "MeasureLifted", self._edtf(day), {"reason": "-"})
        data = {"summary": f"amendment {item.taken}"}
        if item.members and rng.random() < 0.3:
            removed = rng.choice(sorted(item.members))
            item.members.discard(removed)
            data["targetsRemoved"] = [removed]
        else:
            added = self._others(1, item.members | {item.imposer})
            item.members.update(added)
            data["targetsAdded"] = added
        event = self._event(item.stream, "MeasureAmended", self._edtf(day), data)
        return self._remember(event, day)

    # --- dialogues -------------------------------------------------------------------------------

    def _dialogue(self) -> dict[str, Any]:
        rng = self.rng
        item = self._choose_open("dialogue", 0.1)
        day = self._day(backdate=True) if item is None else self._continue(item)
        if item is None:
            parties, _ = self._pair_sides(2 if rng.random() < 0.8 else 3)
            stream = self._slug("dialogue", day)
            planned = 2 + self._size(0, 31, 10)  # the last is its end
            self.open["dialogue"].append(
                _Open(stream, planned, heavy=self.is_heavy, back=self._back(day))
            )
            data: dict[str, Any] = {
                "name": f"{' / '.join(parties)} dialogue on {rng.choice(TOPICS)}",
                "track": rng.choice(("TRACK_I", "TRACK_1_5", "TRACK_II")),
                "parties": parties,
            }
            return self._event(stream, "DialogueEstablished", self._edtf(day), data)
        self._advance("dialogue", item)
        self.is_heavy = item.heavy
        if item.taken >= item.planned:
            return self._event(item.stream, "DialogueEnded", day.isoformat(), {})
        if item.suspended:
            item.suspended = False
            return self._event(item.stream, "DialogueResumed", day.isoformat(), {})
        if rng.random() < 0.08:
            item.suspended = True
            return self._event(item.stream, "DialogueSuspended", day.isoformat(), {"reason": "-"})
        item.rounds += 1
        data = {"round": item.rounds, "location": {"name": rng.choice(CITIES)}}
        event = self._event(item.stream, "DialogueRoundHeld", self._edtf(day), data)
        return self._remember(event, day)

    # --- corrections and retractions -------------------------------------------------------------

    def _target(self) -> _Target:
        rng = self.rng
        while True:
            target = self.recent[rng.randrange(len(self.recent))]
            if target.id not in self.retracted:
                self.is_heavy = target.heavy
                return target

    def _correction(self) -> dict[str, Any]:
        rng = self.rng
        target = self._target()
        data: dict[str, Any] = {"target": target.id, "reason": "a better source"}
        if rng.random() < 0.6 or target.type not in ("MeetingHeld", "StatementIssued"):
            shifted = max(self.start, target.day + timedelta(days=rng.randint(-20, 20)))
            data["occurred"] = self._edtf(shifted)
        elif target.type == "MeetingHeld":
            data["data"] = {"title": f"Talks corrected {self.serial}"}
        else:
            data["data"] = {"stance": rng.choice(("COOPERATIVE", "NEUTRAL", "CRITICAL"))}
        return self._event(target.stream, "EventCorrected", self.now.isoformat(), data)

    def _retraction(self) -> dict[str, Any]:
        target = self._target()
        self.retracted.add(target.id)
        data = {"target": target.id, "reason": "the source was wrong"}
        return self._event(target.stream, "EventRetracted", self.now.isoformat(), data)


def span(events: int) -> tuple[date, datetime, datetime]:
    """The first day of a log of `events` events and the first and last instants it is
    recorded at: PER_YEAR events a year, ending at the end of 2024."""
    start = END - timedelta(days=round(events / PER_YEAR * 365.25))
    if start.year < 2:
        raise ValueError(f"{events:,} events at {PER_YEAR:,} a year reach back before year 1")
    first = datetime(start.year, start.month, start.day, 8, 0, tzinfo=UTC) + timedelta(days=1)
    last = datetime(END.year, END.month, END.day, 20, 0, tzinfo=UTC)
    return start, first, last


def write(path: Path, events: int, seed: int) -> Counter[str]:
    """Write the synthetic log to `path` (via a temporary file, renamed when complete);
    return the number of events of each type."""
    generator = Generator(events, seed)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("w", encoding="utf-8") as out:
        buffer: list[str] = []
        for event in generator:
            buffer.append(encode(event))
            if len(buffer) >= 10_000:
                out.write("\n".join(buffer) + "\n")
                buffer = []
        if buffer:
            out.write("\n".join(buffer) + "\n")
    partial.replace(path)
    generator.types["between USA and CHN"] = generator.heavy
    return generator.types


def main(argv: Sequence[str] | None = None) -> None:
    """Write the file and print what it holds to stderr."""
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__)
    parser.add_argument("--events", type=int, required=True, help="events to write (>= 100)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .jsonl file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write(args.output, args.events, args.seed)
    took = time.perf_counter() - started
    heavy = counts.pop("between USA and CHN")
    print(f"{args.events:,} events to {args.output} in {took:.1f} s", file=sys.stderr)
    for name, count in counts.most_common():
        print(f"  {name:22} {count:>9,}  {count / args.events:6.1%}", file=sys.stderr)
    print(f"  between USA and CHN sides {heavy:>9,}  {heavy / args.events:6.1%}", file=sys.stderr)


if __name__ == "__main__":
    main()
