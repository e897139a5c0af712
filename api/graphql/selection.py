"""What a query selects below the field being resolved: a resolver reads or looks up only what
will be shown (a count, the actors a page names).

Read from graphql-core's syntax tree: strawberry's `Info.selected_fields` converts the whole
subtree (arguments, directives) on every access, which cost more than the look-ups it saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
)
from strawberry.types import Info


class Selected:
    """The selections below one field being resolved."""

    def __init__(self, info: Info[Any, Any]) -> None:
        # strawberry keeps graphql-core's resolve info (the field's nodes, the fragments).
        raw = info._raw_info
        self._fragments: Mapping[str, FragmentDefinitionNode] = raw.fragments
        self._top: list[SelectionNode] = [
            selection
            for node in raw.field_nodes
            if node.selection_set is not None
            for selection in node.selection_set.selections
        ]

    def has(self, *path: str) -> bool:
        """Whether `path` (field names, through fragments, whatever the aliases) is selected.
        A field under @skip or @include counts as selected: at worst something is read that is
        not shown."""
        return self._has(self._top, path)

    def _has(self, selections: Iterable[SelectionNode], path: tuple[str, ...]) -> bool:
        if not path:
            return True
        name, rest = path[0], path[1:]
        for selection in selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name and (
                    not rest
                    or (
                        selection.selection_set is not None
                        and self._has(selection.selection_set.selections, rest)
                    )
                ):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if self._has(selection.selection_set.selections, path):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None and self._has(fragment.selection_set.selections, path):
                    return True
        return False

    def names(self) -> set[str]:
        """The names of the fields selected directly below (through fragments)."""
        found: set[str] = set()
        self._names(self._top, found)
        return found

    def names_below(self, *path: str) -> set[str]:
        """The names of the fields selected directly below the field at `path` (field names
        from here; every selection of each, through fragments)."""
        below: list[SelectionNode] = self._top
        for field in path:
            found_below: list[SelectionNode] = []
            self._below(below, field, found_below)
            below = found_below
        found: set[str] = set()
        self._names(below, found)
        return found

    def _below(
        self, selections: Iterable[SelectionNode], field: str, below: list[SelectionNode]
    ) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == field and selection.selection_set is not None:
                    below.extend(selection.selection_set.selections)
            elif isinstance(selection, InlineFragmentNode):
                self._below(selection.selection_set.selections, field, below)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None:
                    self._below(fragment.selection_set.selections, field, below)

    def _names(self, selections: Iterable[SelectionNode], found: set[str]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                found.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                self._names(selection.selection_set.selections, found)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None:
                    self._names(fragment.selection_set.selections, found)
