"""What a query selects below the field being resolved: a resolver reads or looks up only what
will be shown (a count, the actors a page names)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def selects(info: Info[Any, Any], *path: str) -> bool:
    """Whether the query selects `path` (field names, through fragments, whatever the aliases)
    below the field being resolved. A field under @skip or @include counts as selected: at
    worst something is read that is not shown."""
    # selected_fields holds the field itself (once per node of its response key).
    return any(
        _selects(field.selections, path)
        for field in info.selected_fields
        if isinstance(field, SelectedField)
    )


def _selects(selections: Iterable[Selection], path: tuple[str, ...]) -> bool:
    if not path:
        return True
    name, rest = path[0], path[1:]
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name and _selects(selection.selections, rest):
                return True
        elif isinstance(selection, FragmentSpread | InlineFragment) and _selects(
            selection.selections, path
        ):
            return True
    return False
