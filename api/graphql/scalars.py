"""Scalars beyond GraphQL's own: `EDTF`, validated; `Date` and `DateTime` are strawberry's.

`EDTF` is the type to annotate with; the schema maps it to `EDTF_SCALAR`.
"""

from __future__ import annotations

from typing import NewType

import strawberry

from api.graphql.errors import RefusedValue
from events import dates


def _parse_edtf(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("an EDTF date is a string, e.g. 2024-01-27, 2024-01, 2019-10~")
    try:
        dates.parse(value)
    except dates.InvalidDate as error:
        # The message names what is wrong; the error's extensions carry the parts too.
        raise RefusedValue(str(error), value, "EDTF date") from None
    return value


EDTF = NewType("EDTF", str)

EDTF_SCALAR = strawberry.scalar(
    name="EDTF",
    description=(
        "A date in the Extended Date/Time Format (Library of Congress EDTF, levels 0 and 1): "
        "2024-01-27, 2024-01, 2024, 2024-21 (spring), 2019-10~, 2024-05?, 2024-01-2X, "
        "2024-01-26/2024-01-27, 2024-01/..; validated."
    ),
    serialize=str,
    parse_value=_parse_edtf,
)
