"""Hypothesis strategies of hostile input for the fuzz tests (docs/fuzzing.md): EDTF-shaped
strings, valid or nearly so, and import lines made from the demo data's by breaking them.

Unlike tests/strategies.py, nothing here is valid by construction: each value may be accepted or
refused, and the tests check only that a refusal is the documented error, naming the reason.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from hypothesis import strategies as st

from events.demo import DATASET

# --- EDTF strings ---------------------------------------------------------------------------------

YEARS = ("0000", "0001", "1999", "2023", "2024", "9999", "20XX", "XXXX", "199X", "1X99")
MONTHS = ("00", "01", "02", "04", "12", "13", "21", "24", "25", "41", "99", "XX", "1X", "0X")
DAYS = ("00", "01", "28", "29", "30", "31", "32", "XX", "2X", "3X", "X1")
TIMES = ("T10:00:00Z", "T23:59:59+05:30", "T24:00:00Z", "T10:00", "T10:00:00", "T1:2:3Z")
ODD_YEARS = (
    "-2023",
    "Y12345",
    "Y-100",
    "10000",
    "123",
    "\uff12\uff10\uff12\uff14",
)  # the last in full-width digits


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    """One EDTF-like date: a year, maybe a month or season, maybe a day, a time, a qualifier;
    the parts drawn from edges and just-outside values (2023-02-29, month 13, season 25)."""
    text = draw(st.sampled_from(YEARS) | st.sampled_from(ODD_YEARS))
    if draw(st.booleans()):
        text += "-" + draw(st.sampled_from(MONTHS) | st.integers(0, 99).map("{:02d}".format))
        if draw(st.booleans()):
            text += "-" + draw(st.sampled_from(DAYS) | st.integers(0, 39).map("{:02d}".format))
            if draw(st.integers(0, 4)) == 0:
                text += draw(st.sampled_from(TIMES))
    qualifier = draw(st.sampled_from(("", "", "?", "~", "%", "?~", "~?", "??")))
    if draw(st.integers(0, 5)) == 0 and len(text) > 4:  # a qualifier inside: level 2
        return text[:4] + qualifier + text[4:]
    return text + qualifier


def edtf_strings() -> st.SearchStrategy[str]:
    """EDTF-like strings: single dates, intervals with open (..) or unknown ('') sides, sets,
    stray slashes and whitespace, and arbitrary text."""
    side = edtf_dates() | st.sampled_from(("..", ""))
    intervals = st.builds("{}/{}".format, side, side)
    shaped = edtf_dates() | intervals
    return st.one_of(
        shaped,
        shaped,
        st.builds("{}/{}".format, intervals, side),  # two slashes
        st.builds("[{}]".format, shaped),  # a set (level 2)
        st.builds("{}{}".format, shaped, st.sampled_from((" ", "\t", "\n", "\x00", "/"))),
        st.text(max_size=40),
        st.text(alphabet="0123456789X-/?~%.TZ:+Y[]{},", max_size=30),
    )


# --- import lines ---------------------------------------------------------------------------------


def demo_events() -> list[dict[str, Any]]:
    """The demo data's events, as JSON objects."""
    text = resources.files("events.demo").joinpath(DATASET).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


DEMO = demo_events()
JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities too: json.dumps writes them and json.loads reads them
    | st.text(max_size=20)
    | st.sampled_from(
        ("", "USA", "not-an-actor", "ZZZ", "2023-02-29", "..", "a\x00b", "x" * 100_000)
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into `value` (keys of objects, indexes of lists), `value` itself first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _replaced(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    """`value` with what lies at `path` replaced by `new` (deleted when `new` is _DROP)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if not rest and new is _DROP:
        del copy[head]
    else:
        copy[head] = _replaced(value[head], rest, new)
    return copy


_DROP = object()


@st.composite
def broken_events(draw: st.DrawFn, most: int = 3) -> Any:
    """A demo event with up to `most` of its parts dropped, retyped, or replaced by junk, bad
    dates, unknown actors or huge strings; its id changed or dropped more often than not, so
    that it is a new event rather than a conflicting copy."""
    event: Any = draw(st.sampled_from(DEMO))
    if draw(st.integers(0, 2)):
        new_id = draw(st.uuids().map(str) | st.just(_DROP) | st.text(max_size=10))
        event = _replaced(event, ("id",), new_id)
    if draw(st.booleans()):
        event = _replaced(event, ("recordedAt",), _DROP)  # else it goes back in time, refused
    for _ in range(draw(st.integers(min(1, most), most))):
        paths = [p for p in _paths(event) if p] if isinstance(event, dict | list) else []
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        new = draw(
            st.just(_DROP)
            | JUNK
            | st.sampled_from(("2023-02-29", "2024-13", "2024-25", "0000", "2024-02-30/.."))
            | st.sampled_from(("ZZZ", "nobody", "actor/nobody", "usa", "USA"))
        )
        event = _replaced(event, path, new)
    return event


@st.composite
def fresh_events(draw: st.DrawFn) -> dict[str, Any]:
    """A demo event made new: a new id and stream, recorded now, and at most one part of its
    data broken, so that many import and the others fail on one named thing."""
    event = dict(draw(st.sampled_from(DEMO)))
    event["id"] = str(draw(st.uuids()))
    event["stream"] += "-" + draw(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=6)
    )
    del event["recordedAt"]
    if draw(st.booleans()):
        path = draw(st.sampled_from([p for p in _paths(event["data"]) if p]))
        new = draw(JUNK | st.just(_DROP) | st.sampled_from(("2023-02-29", "ZZZ", "actor/nobody")))
        event["data"] = _replaced(event["data"], path, new)
    return event


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


def _cut(line: str) -> st.SearchStrategy[str]:
    return st.integers(0, len(line)).map(lambda n: line[:n])


def import_lines() -> st.SearchStrategy[str]:
    """One line of a JSON Lines import: a demo event as is or broken, JSON that is no event,
    JSON cut short, or any text."""
    return st.one_of(
        st.sampled_from(DEMO).map(_json),
        fresh_events().map(_json),
        fresh_events().map(_json),
        broken_events().map(_json),
        broken_events().map(_json),
        JUNK.map(_json),
        broken_events().map(_json).flatmap(_cut),
        st.text(max_size=80),
    )
