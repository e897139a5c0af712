"""Answers of introspection-only operations, kept: the schema does not change while a process
runs, so an operation that selects nothing but `__schema`, `__type` and `__typename` at its root
has one answer per text, operation name and variables. GraphiQL's introspection query costs a
walk of the whole schema (a 220 KB answer, most of a second of CPU on a busy machine); clients
that ask it again and again (GraphiQL opened in many browsers, a tool polling the schema) then
cost no more than the encoding of the answer, and leave the process free for the others.

The cache is small (CACHE_ENTRIES answers) and per process; what it holds is the schema's
description, which every client may read anyway.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

CACHE_ENTRIES = 16
META_FIELDS = frozenset({"__schema", "__type", "__typename"})

_answers: OrderedDict[tuple[str, str | None, str], dict[str, Any]] = OrderedDict()


def introspection_only(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether the operation of `document` that runs is a query selecting only meta fields at
    its root (through fragments too)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _only_meta(operations[0].selection_set, fragments, set())


def _only_meta(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    entered: set[str],
) -> bool:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value not in META_FIELDS:
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _only_meta(selection.selection_set, fragments, entered):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in entered:
                continue
            entered.add(name)
            fragment = fragments.get(name)
            if fragment is None or not _only_meta(fragment.selection_set, fragments, entered):
                return False
    return True


class IntrospectionCache(SchemaExtension):
    """Answers an introspection-only operation from the cache when it can, and keeps the
    answer of one that executed without errors."""

    def on_execute(self) -> Iterator[None]:
        """Look the answer up before execution; keep it after."""
        context = self.execution_context
        document = context.graphql_document
        key = None
        if (
            context.result is None
            and document is not None
            and context.query is not None
            and introspection_only(document, context.operation_name)
        ):
            key = (
                context.query,
                context.operation_name,
                json.dumps(context.variables or {}, sort_keys=True),
            )
            found = _answers.get(key)
            if found is not None:
                _answers.move_to_end(key)
                context.result = ExecutionResult(data=found, errors=None)
                key = None  # nothing to keep
        yield
        result = context.result
        if (
            key is not None
            and isinstance(result, ExecutionResult | GraphQLExecutionResult)
            and not result.errors
            and result.data is not None
        ):
            _answers[key] = result.data
            while len(_answers) > CACHE_ENTRIES:
                _answers.popitem(last=False)
