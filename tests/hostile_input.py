"""Hypothesis strategies of hostile input for the fuzz tests (docs/fuzzing.md): EDTF-shaped
strings, valid or nearly so, and import lines made from the demo data's by breaking them.

Unlike tests/strategies.py, nothing here is valid by construction: each value may be accepted or
refused, and the tests check only that a refusal is the documented error, naming the reason.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
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


# --- requests a live server must answer with a coded error ----------------------------------


@dataclass(frozen=True, slots=True)
class Hostile:
    """One hostile HTTP request to /graphql (or `path`) and the coded answer it must get:
    `status`, and the `code` of its first error."""

    name: str
    body: bytes | None = None
    status: int = 400
    code: str = "BAD_USER_INPUT"
    method: str = "POST"
    path: str = "/graphql"
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)


DEEP = 200_000
NO_EVENT = "00000000-0000-0000-0000-000000000000"


def _request(query: str, variables: object = None) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def hostile_requests(secret: str) -> list[Hostile]:
    """The corpus: each case the issue of the hardening (and the fuzzers) found reaching a 500
    or an uncoded answer. `secret` is put in every variable and literal a case can carry, so
    that the log can be searched for it afterwards (none may hold it)."""
    events = "query($k: DateTime) { events(first: 1, knownAt: $k) { totalCount } }"
    correct = (
        "mutation($d: JSON) { correctEvent(input: {id: "
        f'"{NO_EVENT}", reason: "{secret}", data: $d}}) {{ userErrors {{ message }} }} }}'
    )
    record = (
        "mutation($input: RecordEventInput!) { recordEvent(input: $input) { userErrors { "
        "field message } } }"
    )
    statement = {
        "stream": f"statement/{secret.lower()[:20]}",
        "occurred": "2024-02-20",
        "data": {"statementIssued": {"issuer": "CHN", "summary": "\ud800" + secret}},
    }
    forged = base64.urlsafe_b64encode(b"2024-01-01|2024-01-01|" + b"9" * 40).decode()
    out_of_range = base64.urlsafe_b64encode(b"1|events|2024-01-01|2024-01-01|" + b"9" * 40)
    contacts_cursor = base64.urlsafe_b64encode(b"1|relation|2024-01-01|2024-01-01|-1").decode()
    return [
        Hostile("body null", b"null"),
        Hostile("body a string", b'"' + secret.encode() + b'"'),
        Hostile("body an array", b'[{"query": "{ logHead { position } }"}]'),
        Hostile("body a number", b"42"),
        Hostile("query not a string", b'{"query": 42}'),
        Hostile("variables not an object", b'{"query": "{ __typename }", "variables": 1}'),
        Hostile("body not JSON", b'{"query": ' + secret.encode()),
        Hostile("body invalid UTF-8", b'{"query": "{ logHead { position } }\xff\xfe"}'),
        Hostile("body nested 200,000 deep", _deep(DEEP)),
        Hostile(
            "variables nested 200,000 deep",
            b'{"query": "' + events.encode() + b'", "variables": {"k": ' + _deep(DEEP) + b"}}",
        ),
        Hostile(
            "correctEvent data nested 200,000 deep",
            b'{"query": '
            + json.dumps(correct).encode()
            + b', "variables": {"d": '
            + _deep(DEEP)
            + b"}}",
        ),
        Hostile(
            "correctEvent data nested 65 deep",
            _request(correct, {"d": _nested(65, secret)}),
        ),
        Hostile(
            "correctEvent data literal nested 900 deep",
            _request(correct.replace("($d: JSON)", "").replace("$d", "[" * 900 + "]" * 900)),
            status=200,
            code="GRAPHQL_PARSE_FAILED",
        ),
        Hostile("lone surrogate in a variable", _request(record, {"input": statement})),
        Hostile(
            "lone surrogate in an id",
            _request("query($id: ID!) { event(id: $id) { id } }", {"id": "\udfff" + secret}),
        ),
        Hostile(
            "invalid UTF-8 in the query string",
            None,
            method="GET",
            path="/graphql?query=%7B%20logHead%20%7B%20position%20%7D%20%7D%ff%fe",
            headers=(),
        ),
        Hostile(
            "variables of a GET nested 200,000 deep",
            None,
            method="GET",
            path="/graphql?query=%7B%20logHead%20%7B%20position%20%7D%20%7D&variables="
            + "%5B" * 5000
            + "%5D" * 5000,
            headers=(),
        ),
        Hostile("knownAt at the end of the calendar", _request(events, {"k": LATE}), status=200),
        Hostile("knownAt at its start", _request(events, {"k": EARLY}), status=200),
        Hostile(
            "knownAt literal at the end of the calendar",
            _request(events.replace("query($k: DateTime)", "").replace("$k", f'"{LATE}"')),
            status=200,
        ),
        Hostile(
            "a cursor of the old form, position past a BIGINT",
            _request(f'{{ events(first: 1, after: "{forged}") {{ totalCount }} }}'),
            status=200,
        ),
        Hostile(
            "a cursor with a position past a BIGINT",
            _request(f'{{ events(first: 1, after: "{out_of_range.decode()}") {{ totalCount }} }}'),
            status=200,
        ),
        Hostile(
            "a negative position in relation.contacts' cursor",
            _request(
                f'{{ relation(a: "USA", b: "CHN") {{ contacts(first: 1, after: '
                f'"{contacts_cursor}") {{ totalCount }} }} }}'
            ),
            status=200,
        ),
        Hostile(
            "an events cursor given to relation.contacts",
            _request(
                f'{{ relation(a: "USA", b: "CHN") {{ contacts(first: 1, after: '
                f'"{out_of_range.decode()}") {{ totalCount }} }} }}'
            ),
            status=200,
        ),
        Hostile(
            "an unknown token",
            _request("{ logHead { position } }"),
            status=401,
            code="UNAUTHENTICATED",
            headers=(("content-type", "application/json"), ("authorization", f"Bearer {secret}")),
        ),
    ]


LATE = "9999-12-31T23:59:59-23:59"
EARLY = "0001-01-01T00:00:00+14:00"


def _nested(depth: int, leaf: str) -> object:
    value: object = leaf
    for _ in range(depth):
        value = {"summary": value}
    return value
