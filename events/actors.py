"""Actor ids: ISO 3166 states and registered slugs.

A state is named by its ISO 3166-1 alpha-3 code in upper case (`USA`); alpha-2 (`US`, `cn`) is
accepted on input and canonicalised, and former states of ISO 3166-3 (`SUN`, `YUG`) are accepted
too. Everything else (organisations, people, groups) is a lower-case slug (`eu`, `brookings`) that
an `ActorRegistered` event must create before any other event names it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


class InvalidActor(ValueError):
    """An actor id that is neither a known ISO 3166 state nor a well-formed slug."""


@lru_cache(maxsize=4096)
def state_code(text: str) -> str | None:
    """The alpha-3 code of the state `text` names (alpha-2 in any case, alpha-3 in upper case),
    or None when it names no state."""
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        if country is None:  # a former state's alpha-2 (`SU`) that no current state reuses
            country = pycountry.historic_countries.get(alpha_2=text.upper())
        return None if country is None else str(country.alpha_3)
    if len(text) == 3 and text.isalpha() and text.isupper():
        country = pycountry.countries.get(alpha_3=text) or pycountry.historic_countries.get(
            alpha_3=text
        )
        return None if country is None else str(country.alpha_3)
    return None


def canonical_actor(text: str) -> str:
    """The canonical actor id for `text`: a state's alpha-3 code, or the slug itself.

    Upper-case codes must name a state; lower-case two-letter codes that are ISO alpha-2 codes
    (`cn`) are states too; any other lower-case text must be a slug.
    """
    code = state_code(text)
    if code is not None:
        return code
    if SLUG.match(text):
        return text
    if text.isalpha() and text.isupper() and len(text) in (2, 3):
        raise InvalidActor(f"unknown country code {text!r} (ISO 3166-1 alpha-2 or alpha-3)")
    raise InvalidActor(
        f"{text!r} is not an actor id: use an ISO 3166 country code (USA, CN) "
        "or a lower-case slug of letters, digits and hyphens"
    )


def canonical_state(text: str) -> str:
    """The alpha-3 code of the state `text` names; InvalidActor when it names none."""
    code = state_code(text)
    if code is None:
        raise InvalidActor(f"unknown country code {text!r} (ISO 3166-1 alpha-2 or alpha-3)")
    return code


def is_state(actor_id: str) -> bool:
    """True when the canonical id `actor_id` is a state (states need no registration)."""
    return state_code(actor_id) == actor_id


def state_name(code: str) -> str:
    """The English short name of the state `code` (alpha-3)."""
    country = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(
        alpha_3=code
    )
    if country is None:
        raise InvalidActor(f"unknown country code {code!r}")
    return str(country.name)
