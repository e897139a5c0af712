"""The query limits of docs/configuration.md ("Query limits"): tokens, depth, aliases and a
connection cost budget.

A document over a limit is refused before the standard validation rules visit it (see
`rules_for`). Tokens are counted by the parser (`max_tokens`, which counts comments too).
Depth, aliases and cost are one validation rule, so that strawberry's ValidationCache keeps
its verdict: the cache keys on the schema, the document and the tuple of rule classes, so the
rule class for a given `Limits` is made once and reused (`rules_for`), never per request
(strawberry issue #4635).

Cost is GitHub's node count: every connection (a field returning `…Connection`) must say how many
items it wants (`first` or `last`, or a default the schema declares), at most `max_page`; each
connection costs its page size times the page sizes of the connections it sits in, and the
query's cost is the sum. A page size given as a variable counts as `max_page`: the rule runs once
per query text, before variables are known, so it charges the largest page the variable may ask.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    ValidationContext,
    VariableNode,
    get_named_type,
)
from graphql.language import SKIP, Node
from graphql.pyutils import Undefined
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from api.settings import Limits

TOO_COMPLEX = "QUERY_TOO_COMPLEX"
T = TypeVar("T")

# The list fields of __Type: an introspection path may pass through one of them once. The
# standard introspection query (GraphiQL's) does; nesting them (`fields { type { fields … } } }`)
# multiplies the answer by the size of the schema at each level.
INTROSPECTION_FANOUT = frozenset(
    {"fields", "inputFields", "interfaces", "possibleTypes", "enumValues"}
)


# The fields that start a walk of the schema: each one in a query costs about as much as the
# schema is large (GraphiQL's introspection query has one __schema).
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Measure:
    """What a selection set asks for: its depth, its aliases, its cost for one parent, the most
    __Type list fields on one path, its walks of the schema, and the connections lacking or
    exceeding a page size."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    fanout: int = 0
    walks: int = 0  # __schema and __type fields, each spread of a fragment counted
    unbounded: tuple[FieldNode, ...] = ()
    oversized: tuple[tuple[FieldNode, int], ...] = ()

    def beside(self, other: Measure) -> Measure:
        """Two selections of one selection set, taken together."""
        return Measure(
            depth=max(self.depth, other.depth),
            aliases=self.aliases + other.aliases,
            cost=self.cost + other.cost,
            fanout=max(self.fanout, other.fanout),
            walks=self.walks + other.walks,
            unbounded=_union(self.unbounded, other.unbounded),
            oversized=_union(self.oversized, other.oversized),
        )


def _union(first: tuple[T, ...], second: tuple[T, ...]) -> tuple[T, ...]:
    """`first`, then what of `second` it lacks, by identity: a fragment spread twice brings the
    same nodes twice, and fragments spreading fragments would otherwise double them each time."""
    if not second:
        return first
    held = {id(item) for item in first}
    return first + tuple(item for item in second if id(item) not in held)


class _Measurer:
    """Measures the operations of one document, each fragment once."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, max_page: int) -> None:
        self.schema = schema
        self.max_page = max_page
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}
        self.entered: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        """The measure of one operation."""
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root)

    def selections(self, selection_set: SelectionSetNode | None, parent: Any) -> Measure:
        measure = Measure()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                measure = measure.beside(self.field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                measure = measure.beside(self.selections(selection.selection_set, inner))
            elif isinstance(selection, FragmentSpreadNode):
                measure = measure.beside(self.fragment(selection.name.value))
        return measure

    def fragment(self, name: str) -> Measure:
        # A fragment's measure does not depend on where it is spread (cost scales linearly with
        # the enclosing page sizes), so each is measured once: a fragment spread many times, or
        # fragments spreading each other in a tree, cost no more than their text.
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.entered:  # unknown or cyclic: other rules report
            return Measure()
        self.entered.add(name)
        parent = self.schema.get_type(definition.type_condition.name.value)
        measure = self.selections(definition.selection_set, parent)
        self.measured[name] = measure
        return measure

    def field(self, node: FieldNode, parent: Any) -> Measure:
        name = node.name.value
        definition = _field(self.schema, parent, name)
        returns = get_named_type(definition.type) if definition else None
        inner = self.selections(node.selection_set, returns)
        introspective = isinstance(parent, GraphQLNamedType) and parent.name.startswith("__")
        lists_types = introspective and parent.name == "__Type" and name in INTROSPECTION_FANOUT
        unbounded, oversized, cost = inner.unbounded, inner.oversized, inner.cost
        if definition is not None and _is_connection(returns, definition):
            size = self.page_size(node, definition)
            if size is None:
                unbounded = (node, *unbounded)
            else:
                if size > self.max_page:
                    oversized = ((node, size), *oversized)
                cost = size * (1 + inner.cost)
        return Measure(
            # Introspection is bounded by the schema, not by the depth limit: GraphiQL's own
            # introspection query is deeper than a sensible limit for data queries.
            depth=0 if introspective else 1 + inner.depth,
            aliases=inner.aliases + (1 if node.alias else 0),
            cost=cost,
            fanout=inner.fanout + (1 if lists_types else 0),
            walks=inner.walks + (1 if name in INTROSPECTION_ROOTS and not introspective else 0),
            unbounded=unbounded,
            oversized=oversized,
        )

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page a connection asks for: the largest of `first` and `last`, each given, or
        defaulted by the schema; a variable counts as the largest page allowed."""
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes: list[int] = []
        for name in ("first", "last"):
            value = given.get(name)
            if isinstance(value, IntValueNode):
                sizes.append(max(int(value.value), 0))
            elif isinstance(value, VariableNode):
                sizes.append(self.max_page)
            elif value is None and isinstance(default := _default(definition, name), int):
                sizes.append(default)  # an explicit null overrides the default
        return max(sizes) if sizes else None


def _field(schema: GraphQLSchema, parent: Any, name: str) -> GraphQLField | None:
    """The definition of field `name` of `parent`, the meta fields of introspection included."""
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    if name == "__typename":
        return TypeNameMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _default(definition: GraphQLField, name: str) -> object:
    """The default of an argument: strawberry gives it as `default_value`, an SDL-built schema
    as a `default` literal."""
    argument = definition.args.get(name)
    if argument is None:
        return None
    if argument.default_value is not Undefined:
        return argument.default_value
    default = getattr(argument, "default", None)
    if default is not None and isinstance(default.literal, IntValueNode):
        return int(default.literal.value)
    return None if default is None or default.value is Undefined else default.value


def _is_connection(returns: GraphQLNamedType | None, definition: GraphQLField) -> bool:
    return (
        returns is not None
        and returns.name.endswith("Connection")
        and ("first" in definition.args or "last" in definition.args)
    )


def problems(
    schema: GraphQLSchema, document: DocumentNode, limits: Limits
) -> Iterator[GraphQLError]:
    """Every limit each operation of `document` goes over, as QUERY_TOO_COMPLEX errors."""
    measurer = _Measurer(schema, document, limits.max_page)
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        if schema.get_root_type(operation.operation) is None:
            continue  # an operation type the schema lacks: validation reports it
        yield from _problems(operation, measurer.operation(operation), limits)


def _problems(
    operation: OperationDefinitionNode, measure: Measure, limits: Limits
) -> Iterator[GraphQLError]:
    def error(message: str, nodes: Node | list[Node], **details: object) -> GraphQLError:
        return GraphQLError(message, nodes, extensions={"code": TOO_COMPLEX, **details})

    for node in measure.unbounded:
        yield error(
            f"the connection `{node.name.value}` needs `first` or `last` (at most "
            f"{limits.max_page})",
            node,
            field=node.name.value,
        )
    for node, size in measure.oversized:
        yield error(
            f"a page holds at most {limits.max_page} items, not {size}",
            node,
            field=node.name.value,
            limit=limits.max_page,
        )
    for value, limit, message in (
        (measure.depth, limits.max_depth, "the query is {} fields deep"),
        (measure.aliases, limits.max_aliases, "the query uses {} aliases"),
        (
            measure.cost,
            limits.max_cost,
            "the query may ask for {} nodes (the page sizes of its connections, multiplied "
            "down nested connections)",
        ),
    ):
        if value > limit:
            yield error(
                f"{message.format(value)}; at most {limit} are allowed",
                operation,
                limit=limit,
                value=value,
            )
    if measure.walks > limits.max_introspection:
        yield error(
            f"the query walks the schema {measure.walks} times (__schema, __type); at most "
            f"{limits.max_introspection} are allowed",
            operation,
            limit=limits.max_introspection,
            value=measure.walks,
        )
    if measure.fanout > 1:
        yield error(
            "introspection may list the fields, input fields, interfaces, possible types or "
            "enum values of types only once on a path",
            operation,
        )


@lru_cache(maxsize=16)
def rules_for(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """The validation rule enforcing `limits`: one class per distinct Limits, made once, so the
    ValidationCache key stays the same from one request to the next."""

    class QueryLimitsRule(ASTValidationRule):
        """Depth, aliases and connection cost of every operation (see the module)."""

        def enter_document(self, node: DocumentNode, *_: object) -> object:
            context = self.context
            assert isinstance(context, ValidationContext)
            found = list(problems(context.schema, node, limits))
            for problem in found[:-1]:
                self.report_error(problem)
            if found:
                last = found[-1]
                # A refused document is not visited by the other rules at all: on a bomb they
                # cost ten times what the limits do (OverlappingFieldsCanBeMerged, variable
                # usages through every fragment), CPU a flood of bombs would take from others.
                # graphql-core's validate() ends the visit on this error, and keeps it.
                raise ValidationAbortedError(last.message, last.nodes, extensions=last.extensions)
            return SKIP  # the whole document is measured at once; nothing left to visit

    return (QueryLimitsRule,)


class QueryLimits(SchemaExtension):
    """Applies the limits of the request's settings: the parser's token limit, and the
    validation rule of `rules_for` (cached per Limits, see the module)."""

    def on_operation(self) -> Iterator[None]:
        settings = getattr(self.execution_context.context, "settings", None)
        limits = settings.limits if settings is not None else Limits()
        self.execution_context.parse_options["max_tokens"] = limits.max_tokens
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            *rules_for(limits),
        )
        yield
