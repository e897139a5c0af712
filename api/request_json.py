"""The JSON of a GraphQL request, checked before strawberry or GraphQL sees it: valid UTF-8,
nested no deeper than a bound, strings of Unicode scalar values only (no lone surrogate, which
no database driver can encode), and the shape of a GraphQL-over-HTTP request (an object whose
`query` is a string, `variables` and `extensions` objects, `operationName` a string).

Every refusal is a `BadRequest` naming what is wrong; the transport answers it with HTTP 400
and `BAD_USER_INPUT` (api/app.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

# The parameters of a GraphQL request and the JSON types each may have (None: null or absent).
_SHAPE: dict[str, tuple[type, ...]] = {
    "query": (str,),
    "variables": (dict,),
    "operationName": (str,),
    "extensions": (dict,),
}


class BadRequest(ValueError):
    """A request that is not a well-formed GraphQL request; the message says why."""


def loads(data: bytes | str, max_depth: int, what: str = "the request body") -> object:
    """`data` parsed as JSON, or BadRequest: not UTF-8, not JSON, nested deeper than
    `max_depth` arrays and objects, or holding a string that is not valid Unicode."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(f"{what} is not valid UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(data)
    except RecursionError:
        raise BadRequest(f"{what} is JSON nested deeper than {max_depth} levels") from None
    except ValueError as error:
        raise BadRequest(f"{what} is not valid JSON: {error}") from None
    check_value(value, max_depth, what)
    return value


def check_value(value: object, max_depth: int, what: str) -> None:
    """BadRequest if `value` (parsed JSON) nests deeper than `max_depth` or holds a string (or
    key) with a lone surrogate. Walked with a stack of its own, not recursion."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, what)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise BadRequest(f"{what} is JSON nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key in item:
                    _check_text(key, what)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str, what: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(
                f"{what} holds a string that is not valid Unicode (a lone surrogate, "
                "such as \\ud800)"
            ) from None


def graphql_request(value: object) -> Mapping[str, object]:
    """`value` if it is the JSON object of one GraphQL request, else BadRequest."""
    if isinstance(value, list):
        raise BadRequest("batched requests (a JSON array) are not accepted: send one object")
    if not isinstance(value, dict):
        raise BadRequest(
            'the request body must be a JSON object: {"query": "...", "variables": {...}}'
        )
    for name, types in _SHAPE.items():
        item = value.get(name)
        if item is not None and not isinstance(item, types):
            kind = "an object" if types == (dict,) else "a string"
            raise BadRequest(f"`{name}` must be {kind} or null")
    return value


def query_params(query_string: bytes, max_depth: int) -> dict[str, str]:
    """The parameters of a URL's query string, each decoded strictly as UTF-8, with
    `variables` and `extensions` checked as JSON (see `loads`) and of the right shape; or
    BadRequest."""
    params: dict[str, str] = {}
    # Percent-escapes decoded to one char per byte (latin-1), then the bytes as strict UTF-8.
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    for raw_name, raw_value in pairs:
        params[_utf8(raw_name)] = _utf8(raw_value)
    shaped: dict[str, object] = {}
    for name in _SHAPE:
        text = params.get(name)
        if text is None or text == "":
            continue
        if _SHAPE[name] == (dict,):
            shaped[name] = loads(text, max_depth, f"the `{name}` parameter")
        else:
            shaped[name] = text
    graphql_request(shaped)
    return params


def _utf8(latin1: str) -> str:
    try:
        return latin1.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadRequest("the query string is not valid UTF-8") from None
