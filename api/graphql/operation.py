"""Tells the request being answered (api/request_id.py) which GraphQL operation it runs, for
the access log and the metrics."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from api.request_id import current


class OperationName(SchemaExtension):
    """Notes the name of the operation about to execute ("" for an unnamed one). It runs only
    for a document that parsed and validated, so a name noted is one the schema accepted."""

    def on_execute(self) -> Iterator[None]:
        """Note the operation's name, then let it execute."""
        info = current.get()
        if info is not None:
            info.operation = self.execution_context.operation_name or ""
        yield
