"""Answers of introspection-only operations, kept: the schema does not change while a process
runs, so an operation that selects nothing but `__schema`, `__type` and `__typename` at its root
has one answer per text, operation name and variables. GraphiQL's introspection query costs a
walk of the whole schema (a 220 KB answer, most of a second of CPU on a busy machine); clients
that ask it again and again (GraphiQL opened in many browsers, a tool polling the schema) then
cost no more than the encoding of the answer, and leave the process free for the others. An
answer not held yet (a new text) is computed by graphql-core in a thread, one at a time: the
event loop goes on answering other requests meanwhile, rather than stopping for the walk.

The cache is small (CACHE_ENTRIES answers) and per process; what it holds is the schema's
description, which every client may read anyway.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
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
    execute_sync,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

CACHE_ENTRIES = 16
META_FIELDS = frozenset({"__schema", "__type", "__typename"})

_answers: OrderedDict[tuple[str, str | None, str], dict[str, Any]] = OrderedDict()
# One walk of the schema at a time per process, the others queued: graphql-core's introspection
# is synchronous CPU work, run in a thread of its own so that the event loop goes on answering
# the other requests meanwhile.
_walker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="introspection")


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
    """Answers an introspection-only operation from the cache when it can; otherwise runs it
    in a thread, one at a time per process, and keeps its answer."""

    async def on_execute(self) -> AsyncIterator[None]:
        """Answer from the cache, or from a walk in a thread, before strawberry executes."""
        context = self.execution_context
        document = context.graphql_document
        if (
            context.result is not None
            or document is None
            or context.query is None
            or not introspection_only(document, context.operation_name)
        ):
            yield
            return
        key = (
            context.query,
            context.operation_name,
            json.dumps(context.variables or {}, sort_keys=True),
        )
        found = _answers.get(key)
        if found is None:
            walk = partial(
                execute_sync,
                context.schema._schema,
                document,
                variable_values=context.variables,
                operation_name=context.operation_name,
            )
            result = await asyncio.get_running_loop().run_in_executor(_walker, walk)
            if result.errors or result.data is None:
                context.result = ExecutionResult(data=result.data, errors=result.errors)
                yield
                return
            found = _answers[key] = result.data
            while len(_answers) > CACHE_ENTRIES:
                _answers.popitem(last=False)
        _answers.move_to_end(key)
        context.result = ExecutionResult(data=found, errors=None)
        yield
