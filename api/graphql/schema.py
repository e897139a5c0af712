"""The schema object, built once per process with its extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.graphql.context import SharedReads
from api.graphql.errors import ErrorCodes
from api.graphql.events import OBJECT_TYPES
from api.graphql.introspection import IntrospectionCache
from api.graphql.limits import QueryLimits
from api.graphql.mutations import Mutation
from api.graphql.nul import RefuseNul
from api.graphql.operation import OperationName
from api.graphql.queries import Query
from api.graphql.scalars import EDTF, EDTF_SCALAR
from api.graphql.subscriptions import Subscription
from api.graphql.types import direct_node_ids


class Schema(strawberry.Schema):
    """strawberry's schema, leaving the logging of errors to ErrorCodes: a client's mistake is
    not a server's error."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here; `coded` logs the unexpected errors once."""


# Factories: strawberry makes each extension anew per request; the two caches keep their LRU
# at module level, so they are shared by every request all the same. QueryLimits adds the same
# rule class for the same limits on every request, so the validation cache keeps hitting.
extensions: list[Any] = [
    QueryLimits,
    lambda: ParserCache(maxsize=1024),
    lambda: ValidationCache(maxsize=1024),
    ErrorCodes,
    SharedReads,
    OperationName,
    RefuseNul,
    IntrospectionCache,  # after RefuseNul: a refused request is not answered from the cache
]
schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=list(OBJECT_TYPES.values()),
    extensions=extensions,
    config=StrawberryConfig(scalar_map={EDTF: EDTF_SCALAR}),
)
direct_node_ids(schema._schema)  # graphql-core's schema: see the function
