"""Refuses a request whose strings hold a NUL character (U+0000), in the document or in the
variables, or a lone surrogate in the variables (the parser refuses one in the document; the
transport one in a request's JSON, api/request_json.py): the log stores neither
(events/types.py, `unstorable_strings`), and PostgreSQL's driver fails on one in a query's
parameters, so a lookup by such an id would end as an internal error there while
SQLite answered. Refused alike on both backends, before anything executes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import BREAK, DocumentNode, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from api.graphql.errors import bad_input
from events.types import NUL, unstorable_strings


class _Nul(Visitor):
    """Finds a string literal holding NUL."""

    found = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> object:
        if "\x00" in node.value:
            self.found = True
            return BREAK
        return None


def _in_document(document: DocumentNode, source: str | None) -> bool:
    # A string value holds NUL only if the source does, or writes it as an escape (\u0000,
    # \u{0}): a source with neither, as nearly every query is, need not be walked.
    if source is not None and "\x00" not in source and "\\u" not in source:
        return False
    finder = _Nul()
    visit(document, finder)
    return finder.found


class RefuseNul(SchemaExtension):
    """Answers BAD_USER_INPUT, executing nothing, when a string of the request holds NUL; the
    error's field names the first variable at fault (`input.data.summary`), if one is."""

    def on_execute(self) -> Iterator[None]:
        """Check the variables and the document's literals, then let it execute (or not)."""
        context = self.execution_context
        variable, reason = next(unstorable_strings(context.variables or {}), (None, NUL))
        document = context.graphql_document
        if variable is not None or (document is not None and _in_document(document, context.query)):
            error = bad_input(f"a string contains {reason}", field=variable)
            context.result = ExecutionResult(data=None, errors=[error])
        yield
