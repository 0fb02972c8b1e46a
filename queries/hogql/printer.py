"""Printing resolved HogQL as ClickHouse SQL: the one place where the team guard, the function allow-list,
string parameters and row limits are applied. Every SELECT, at any depth, gets its own guards.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from queries.hogql import ast
from queries.hogql.cohorts import CONSTANT_ONLY, find_cohort, membership_sql
from queries.hogql.database import (
    EVENTS,
    MAX_TABLE_FUNCTION_ROWS,
    OVERRIDES_SUBQUERY,
    TABLE_FUNCTION_TOO_LARGE,
    TABLE_FUNCTIONS,
    TABLES,
)
from queries.hogql.errors import QueryError
from queries.hogql.functions import find_function
from queries.hogql.hogql_printer import to_hogql
from queries.hogql.property_types import TABLE_PROPERTY_KINDS, TEXT_COMPARISONS, PropertyTypes, takes_text, typed_read
from queries.hogql.scope import Scope, TableRef, output_columns

DEFAULT_LIMIT = 100
MAX_LIMIT = 50_000
RESERVED_ALIASES = {"team_id"}
RESERVED_PREFIX = "__"


def check_user_name(name: str | None, what: str = "Alias") -> None:
    """Names users choose may not be reserved: `team_id`, or anything starting with `__` (our own aliases)."""
    if name is None:
        return
    if name in RESERVED_ALIASES:
        raise QueryError(f'{what} "{name}" is reserved')
    if name.startswith(RESERVED_PREFIX):
        raise QueryError(f'{what} "{name}" is reserved: names may not start with "{RESERVED_PREFIX}"')


JOIN_TYPES = {
    "JOIN",
    "INNER JOIN",
    "LEFT JOIN",
    "LEFT OUTER JOIN",
    "RIGHT JOIN",
    "RIGHT OUTER JOIN",
    "FULL JOIN",
    "FULL OUTER JOIN",
    "CROSS JOIN",
    "LEFT ANY JOIN",
    "LEFT SEMI JOIN",
    "LEFT ANTI JOIN",
    "INNER ANY JOIN",
    "ANY LEFT JOIN",
    "ANY INNER JOIN",
    "ASOF JOIN",
    "LEFT ASOF JOIN",
    ",",
}
# Comparisons print null-safe, as PostHog's do: a missing property never equals a value, and is "not equal".
COMPARISONS = {
    "==": ("equals", "0"),
    "!=": ("notEquals", "1"),
    "<": ("less", "0"),
    ">": ("greater", "0"),
    "<=": ("lessOrEquals", "0"),
    ">=": ("greaterOrEquals", "0"),
    "like": ("like", "0"),
    "ilike": ("ilike", "0"),
    "not like": ("notLike", "1"),
    "not ilike": ("notILike", "1"),
    "in": ("in", "0"),
    "not in": ("notIn", "1"),
}
# Columns of the physical events table declared without Nullable (queries/clickhouse/schema.py EVENT_COLUMNS).
# ClickHouse's default join_use_nulls=0 (nothing here changes it) keeps them non-NULL on the outer side of a join.
NEVER_NULL_EVENT_COLUMNS = frozenset(
    {"uuid", "event", "timestamp", "team_id", "distinct_id", "elements_chain", "created_at"}
)
# HogQL functions that never return NULL when none of their arguments is NULL (toDateTime prints as toDateTime64,
# now as now64; none of these map to an ...OrNull variant).
NEVER_NULL_FUNCTIONS = frozenset(
    {
        "toDateTime",
        "toDateTime64",
        "toDate",
        "toTimeZone",
        "toStartOfMinute",
        "toStartOfHour",
        "toStartOfDay",
        "toStartOfWeek",
        "toStartOfMonth",
        "toStartOfQuarter",
        "toStartOfYear",
        "toStartOfInterval",
        "toIntervalSecond",
        "toIntervalMinute",
        "toIntervalHour",
        "toIntervalDay",
        "toIntervalWeek",
        "toIntervalMonth",
        "toIntervalQuarter",
        "toIntervalYear",
        "now",
        "today",
        "plus",
        "minus",
        "multiply",
        "lower",
        "upper",
        "toString",
    }
)
# Comparisons printed without ifNull when neither operand can be NULL (as PostHog does for non-nullable types).
NULL_SAFE_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">="})
CLICKHOUSE_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def identifier(name: str) -> str:
    """A ClickHouse identifier, backquoted unless it is plain letters, digits and underscores."""
    if CLICKHOUSE_IDENTIFIER.match(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


ARITHMETIC = {"+": "plus", "-": "minus", "*": "multiply", "/": "divide", "%": "modulo"}


@dataclass
class PrintContext:
    """Everything a query is printed against; collects the parameters the SQL refers to."""

    team_id: int
    timezone: str = "UTC"
    values: dict[str, Any] = field(default_factory=dict)
    # Builds the `{filters}` expression for a scope (set by the runner that knows the filters).
    filters: Callable[[], ast.Expr] | None = None
    filter_bounds: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    # False when the project has no merged persons: person_id then needs no overrides join (the common case).
    person_overrides: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    table_aliases: int = 0
    # Types of properties from their definitions, loaded once per query by the runner; empty: every read is text.
    property_types: PropertyTypes = field(default_factory=dict)
    # (kind, name, type, start, end) of every property read as a type, for HogQL metadata notices.
    typed_reads: list[tuple[str, str, str, int | None, int | None]] = field(default_factory=list)
    # Engine settings the runner adds to QUERY_SETTINGS for its statements (tuning only: never a change of answer).
    settings: dict[str, Any] = field(default_factory=dict)

    def table_alias(self) -> str:
        """A fresh alias for a table in the printed SQL. Users cannot name anything `__...`, so no alias of
        theirs can shadow it (and with it the team guard, which refers to the table by this alias)."""
        self.table_aliases += 1
        return f"__t{self.table_aliases}"

    def parameter(self, value: Any, type_: str = "String") -> str:
        name = f"hogql_val_{len(self.parameters)}"
        self.parameters[name] = value
        return f"{{{name}:{type_}}}"


def json_read(column: str, keys: list[str | int], context: PrintContext) -> str:
    """A JSON value as PostHog reads properties: text without surrounding quotes, NULL when absent or null."""
    path = ", ".join(str(k) if isinstance(k, int) else context.parameter(k) for k in keys)
    raw = f"JSONExtractRaw({column}, {path})"
    return f"replaceRegexpAll(nullIf(nullIf({raw}, ''), 'null'), '^\"|\"$', '')"


class ClickHousePrinter:
    def __init__(self, context: PrintContext):
        self.context = context
        # CTEs being printed right now: one that reaches itself again is a cycle.
        self.expanding_ctes: set[str] = set()
        # Inside JOIN ... ON, equality prints plainly: ClickHouse must recognise the join keys.
        self.in_join_condition = False
        # True while printing a property passed straight to a function or operator that wants its text.
        self.reading_text = False

    # ---- queries -------------------------------------------------------------------------------------

    def print_top(self, node: ast.SelectQuery | ast.SelectSetQuery, default_limit: int = DEFAULT_LIMIT,
                  max_limit: int = MAX_LIMIT) -> str:  # fmt: skip
        """The outermost query: its SELECTs get the default LIMIT when none is given, and at most `max_limit`.

        A UNION/INTERSECT/EXCEPT is capped as a whole too, not only each of its SELECTs.
        """
        sql = self.print_query(node, Scope(), limits=(default_limit, max_limit))
        if isinstance(node, ast.SelectSetQuery):
            sql = f"SELECT * FROM ({sql}) LIMIT {int(max_limit)}"
        return sql

    def print_query(self, node: ast.Expr, parent: Scope, limits: tuple[int, int] | None = None) -> str:
        if isinstance(node, ast.SelectSetQuery):
            parts = [self.print_query(node.initial_select_query, parent, limits)]
            for item in node.subsequent_select_queries:
                operator = item.set_operator.upper()
                if operator not in ("UNION ALL", "UNION DISTINCT", "INTERSECT", "EXCEPT", "INTERSECT DISTINCT"):
                    raise QueryError(f"Unsupported set operator: {item.set_operator}")
                parts.append(f"{operator} {self.print_query(item.select_query, parent, limits)}")
            return " ".join(parts)
        if not isinstance(node, ast.SelectQuery):
            raise QueryError("Expected a SELECT query")
        return self.print_select(node, parent, limits)

    def print_select(self, node: ast.SelectQuery, parent: Scope, limits: tuple[int, int] | None) -> str:
        scope = parent.child(node.ctes)
        from_pieces, where_guards = self.print_from(node.select_from, scope)
        scope.select_aliases = {e.alias for e in node.select if isinstance(e, ast.Alias)}
        for expr in node.select:
            if isinstance(expr, ast.Alias) and not expr.hidden:
                check_user_name(expr.alias)
        for name in node.ctes or {}:
            check_user_name(name, "CTE name")
        array_join = ""
        if node.array_join_list:
            array_join = f" {node.array_join_op or 'ARRAY JOIN'} " + ", ".join(
                self.visit(e, scope) for e in node.array_join_list
            )
            scope.array_join_aliases = {e.alias for e in node.array_join_list if isinstance(e, ast.Alias)}
        columns = ", ".join(self.print_column(e, scope) for e in node.select)
        clauses = []
        if node.prewhere is not None:
            clauses.append(f"PREWHERE {self.visit(node.prewhere, scope)}")
        conditions = list(where_guards)
        if node.where is not None:
            conditions.append(self.visit(node.where, scope))
        if conditions:
            clauses.append("WHERE " + (conditions[0] if len(conditions) == 1 else f"and({', '.join(conditions)})"))
        if node.group_by:
            clauses.append("GROUP BY " + ", ".join(self.visit(e, scope) for e in node.group_by))
        if node.having is not None:
            clauses.append(f"HAVING {self.visit(node.having, scope)}")
        if node.qualify is not None:
            clauses.append(f"QUALIFY {self.visit(node.qualify, scope)}")
        if node.order_by:
            clauses.append("ORDER BY " + ", ".join(self.visit(e, scope) for e in node.order_by))
        if node.limit_by is not None:
            by = ", ".join(self.visit(e, scope) for e in node.limit_by.exprs)
            offset = node.limit_by.offset_value
            offset_sql = f" OFFSET {self.limit_value(offset, scope)}" if offset is not None else ""
            clauses.append(f"LIMIT {self.limit_value(node.limit_by.n, scope)}{offset_sql} BY {by}")
        clauses += self.print_limit(node, scope, limits)
        sql = "SELECT " + ("DISTINCT " if node.distinct else "") + columns
        if from_pieces:
            sql += " FROM " + self.assemble_from(from_pieces, scope)
        sql += array_join
        return " ".join([sql, *clauses])

    def print_limit(self, node: ast.SelectQuery, scope: Scope, limits: tuple[int, int] | None) -> list[str]:
        clauses = []
        limit = self.limit_value(node.limit, scope) if node.limit is not None else None
        if limits is not None:
            default_limit, max_limit = limits
            limit = default_limit if limit is None else min(limit, max_limit)
        if limit is not None:
            clauses.append(f"LIMIT {limit}")
        if node.offset is not None:
            clauses.append(f"OFFSET {self.limit_value(node.offset, scope)}")
        return clauses

    def limit_value(self, node: ast.Expr, scope: Scope) -> int:
        value = node
        if isinstance(node, ast.Placeholder):
            value = ast.Constant(self.placeholder_value(node))
        if not isinstance(value, ast.Constant) or isinstance(value.value, bool) or not isinstance(value.value, int):
            raise QueryError("LIMIT, OFFSET and LIMIT BY take a whole number")
        if value.value < 0:
            raise QueryError("LIMIT and OFFSET cannot be negative")
        return value.value

    # ---- FROM ----------------------------------------------------------------------------------------

    def print_from(self, join: ast.JoinExpr | None, scope: Scope) -> tuple[list[tuple[str, TableRef]], list[str]]:
        """The FROM pieces (each with the table it introduces) and the team guards for the WHERE."""
        pieces: list[tuple[str, TableRef]] = []
        guards: list[str] = []
        first = True
        while join is not None:
            sql, ref = self.print_table(join, scope, first)
            if ref.alias in scope.tables:
                raise QueryError(f'Duplicate table alias "{ref.alias}"')
            scope.tables[ref.alias] = ref
            if first and ref.table is not None and ref.table.physical:
                guards.append(f"equals({ref.sql_alias}.team_id, {int(self.context.team_id)})")
            if not first:
                join_type = (join.join_type or "JOIN").upper()
                if join_type not in JOIN_TYPES:
                    raise QueryError(f"Unsupported join type: {join.join_type}")
                sql = f", {sql}" if join_type == "," else f"{join_type} {sql}"
                if join.constraint is not None:
                    keyword = join.constraint.constraint_type.upper()
                    if keyword not in ("ON", "USING"):
                        raise QueryError(f"Unsupported join constraint: {keyword}")
                    if keyword == "USING":
                        sql += f" USING ({self.using_columns(join.constraint.expr)})"
                    else:
                        self.in_join_condition = True
                        try:
                            sql += f" ON {self.visit(join.constraint.expr, scope)}"
                        finally:
                            self.in_join_condition = False
            pieces.append((sql, ref))
            first = False
            join = join.next_join
        return pieces, guards

    def using_columns(self, expr: ast.Expr) -> str:
        """`USING (a, b)` names columns both sides have: bare names, never qualified."""
        fields = expr.exprs if isinstance(expr, ast.Tuple) else [expr]
        names = []
        for column in fields:
            if not isinstance(column, ast.Field) or len(column.chain) != 1 or not isinstance(column.chain[0], str):
                raise QueryError("USING takes column names")
            names.append(identifier(column.chain[0]))
        return ", ".join(names)

    def print_table(self, join: ast.JoinExpr, scope: Scope, first: bool) -> tuple[str, TableRef]:
        table = join.table
        check_user_name(join.alias, "Table alias")
        sql_alias = self.context.table_alias()
        if isinstance(table, ast.SelectQuery | ast.SelectSetQuery):
            sql = f"({self.print_query(table, scope)})"
            ref = TableRef(join.alias or "", columns=output_columns(table), sql_alias=sql_alias)
            return f"{sql} AS {sql_alias}", ref
        if not isinstance(table, ast.Field):
            raise QueryError("Unsupported table expression")
        name = ".".join(str(part) for part in table.chain)
        alias = join.alias or name
        if join.table_args is not None:
            sql = self.print_table_function(name, join.table_args, sql_alias, scope)
            return sql, TableRef(alias, columns=["number"], sql_alias=sql_alias)
        cte = self.find_cte(name, scope)
        if cte is not None:
            if name in self.expanding_ctes:
                raise QueryError(f"CTE `{name}` refers to itself")
            self.expanding_ctes.add(name)
            try:
                # A CTE body sees the other CTEs of its WITH (and outer ones), but none of this SELECT's tables.
                # Its own name inside its body means the table of that name (WITH is not recursive).
                visible = {key: value for key, value in scope.ctes.items() if key != name}
                body = self.print_query(cte.expr, Scope(parent=scope.parent, ctes=visible))
            finally:
                self.expanding_ctes.discard(name)
            return f"({body}) AS {sql_alias}", TableRef(alias, columns=output_columns(cte.expr), sql_alias=sql_alias)
        definition = TABLES.get(name)
        if definition is None:
            known = ", ".join(sorted(TABLES))
            raise QueryError(f"Unknown table `{name}`. Tables you can query: {known}.")
        if join.table_final:
            raise QueryError("FINAL is not supported")
        if definition.subquery:
            sql = definition.subquery.format(team_id=int(self.context.team_id))
            return f"{sql} AS {sql_alias}", TableRef(alias, table=definition, sql_alias=sql_alias)
        if first:
            sql = f"{definition.physical} AS {sql_alias}"
            if join.sample is not None:
                sql += " SAMPLE " + self.print_ratio(join.sample.sample_value)
                if join.sample.offset_value is not None:
                    sql += " OFFSET " + self.print_ratio(join.sample.offset_value)
            return sql, TableRef(alias, table=definition, sql_alias=sql_alias)
        ref = TableRef(alias, table=definition, wrapped=True, sql_alias=sql_alias)
        return f"{self.wrapped_events()} AS {sql_alias}", ref

    def wrapped_events(self) -> str:
        """Events joined to something else: a guarded subquery whose person_id already follows merges."""
        columns = [f"events.{identifier(c)} AS {identifier(name)}" for name, c in EVENTS.fields.items()]
        columns += [f"events.{identifier(c)} AS {identifier(c)}" for c in EVENTS.materialized.values()]
        columns += [
            "if(notEmpty(overrides.distinct_id), overrides.person_id, events.person_id) AS person_id",
            "events.person_id AS poe_person_id",
            "events.person_properties AS person_properties",
            "events.person_created_at AS person_created_at",
        ]
        overrides = OVERRIDES_SUBQUERY.format(team_id=int(self.context.team_id))
        return (
            f"(SELECT {', '.join(columns)} FROM events LEFT JOIN {overrides} AS overrides "
            f"ON equals(events.distinct_id, overrides.distinct_id) "
            f"WHERE equals(events.team_id, {int(self.context.team_id)}))"
        )

    def print_table_function(self, name: str, args: list[ast.Expr], alias: str, scope: Scope) -> str:
        if name not in TABLE_FUNCTIONS:
            raise QueryError(f"Table function `{name}` is not available.")
        low, high = TABLE_FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise QueryError(f"Table function '{name}' expects {low} to {high} arguments, found {len(args)}")
        values = []
        for arg in args:
            if not isinstance(arg, ast.Constant) or not isinstance(arg.value, int) or isinstance(arg.value, bool):
                raise QueryError(f"Table function '{name}' takes whole numbers")
            if not 0 <= arg.value <= MAX_TABLE_FUNCTION_ROWS:
                raise QueryError(
                    TABLE_FUNCTION_TOO_LARGE.format(name=name, limit=MAX_TABLE_FUNCTION_ROWS, value=arg.value)
                )
            values.append(str(arg.value))
        return f"{name}({', '.join(values)}) AS {alias}"

    def print_ratio(self, ratio: ast.RatioExpr) -> str:
        parts = [ratio.left] + ([ratio.right] if ratio.right is not None else [])
        for part in parts:
            if not isinstance(part, ast.Constant) or not isinstance(part.value, int | float):
                raise QueryError("SAMPLE takes numbers")
        return "/".join(repr(p.value) for p in parts)

    def find_cte(self, name: str, scope: Scope) -> ast.CTE | None:
        cte = scope.ctes.get(name)
        return cte if cte is not None and cte.cte_type == "subquery" else None

    def assemble_from(self, pieces: list[tuple[str, TableRef]], scope: Scope) -> str:
        parts = []
        for sql, ref in pieces:
            parts.append(sql)
            if ref.needs_override:
                overrides = OVERRIDES_SUBQUERY.format(team_id=int(self.context.team_id))
                alias = f"{ref.sql_alias}_override"
                condition = f"equals({ref.sql_alias}.distinct_id, {alias}.distinct_id)"
                parts.append(f"LEFT JOIN {overrides} AS {alias} ON {condition}")
        return " ".join(parts)

    # ---- expressions ---------------------------------------------------------------------------------

    def visit(self, node: ast.Node, scope: Scope) -> str:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise QueryError(f"Unsupported syntax: {type(node).__name__}")
        return method(node, scope)

    def visit_Constant(self, node: ast.Constant, scope: Scope) -> str:
        return self.constant(node.value)

    def constant(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return f"toFloat64({self.context.parameter(str(value))})"
            return repr(value)
        if isinstance(value, str):
            return self.context.parameter(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self.constant(v) for v in value) + "]"
        raise QueryError(f"Unsupported constant: {type(value).__name__}")

    def print_column(self, expr: ast.Expr, scope: Scope) -> str:
        """A selected expression; a field printed as an expression (person_id following merges) keeps its name,
        so an outer query can still read `sub.person_id`."""
        printed = self.visit(expr, scope)
        if isinstance(expr, ast.Field) and expr.chain[-1] == "person_id" and "(" in printed:
            return f"{printed} AS {identifier(str(expr.chain[-1]))}"
        return printed

    def visit_Alias(self, node: ast.Alias, scope: Scope) -> str:
        if not node.hidden:
            check_user_name(node.alias)
        previous, scope.printing_alias = scope.printing_alias, node.alias
        try:
            inner = self.visit(node.expr, scope)
        finally:
            scope.printing_alias = previous
        if node.hidden and inner == identifier(node.alias):
            return inner  # `x AS x` would define the name twice
        return f"{inner} AS {identifier(node.alias)}"

    def visit_Field(self, node: ast.Field, scope: Scope) -> str:
        chain = node.chain
        if chain == ["*"]:
            return self.star(list(scope.tables.values()), scope)
        head = chain[0]
        if not isinstance(head, str):
            raise QueryError(f"Unable to resolve field: {to_hogql(node)}")
        if len(chain) == 1 and (head in scope.lambda_args or head in scope.array_join_aliases):
            return identifier(head)
        ref = scope.tables.get(head)
        if ref is not None and len(chain) > 1:
            if chain[1:] == ["*"]:
                return self.star([ref], scope)
            return self.field_in_table(ref, chain[1:], node)
        if head in scope.select_aliases and head != scope.printing_alias:
            if len(chain) == 1:
                return identifier(head)
            return json_read(identifier(head), chain[1:], self.context)
        column_cte = scope.ctes.get(head)
        if column_cte is not None and column_cte.cte_type == "column" and len(chain) == 1:
            return self.visit(column_cte.expr, scope)
        for candidate in scope.tables.values():
            if candidate.has_field(head):
                return self.field_in_table(candidate, chain, node)
        raise QueryError(f"Unable to resolve field: {to_hogql(node)}", node.start, node.end)

    def star(self, refs: list[TableRef], scope: Scope) -> str:
        if not refs:
            raise QueryError("Cannot select * without a FROM clause")
        columns = []
        for ref in refs:
            if ref.table is not None:
                columns += [
                    self.field_in_table(ref, [name], None) + f" AS {identifier(name)}" for name in ref.table.star
                ]
            else:
                columns.append(f"{ref.sql_alias}.*")
        return ", ".join(columns)

    def field_in_table(self, ref: TableRef, chain: list[str | int], node: ast.Field | None) -> str:
        alias = ref.sql_alias
        head = chain[0]
        table = ref.table
        if table is None:
            assert isinstance(head, str)  # parsed chains hold names (numeric parts parse as TupleAccess)
            column = f"{alias}.{identifier(head)}"
            return column if len(chain) == 1 else json_read(column, chain[1:], self.context)
        if table.physical == "events" and head in ("person_id", "person", "poe", "pdi"):
            return self.events_person_field(ref, chain, node)
        if isinstance(head, str) and head in table.json_fields:
            keys = chain[1:]
            column = f"{alias}.{identifier(table.fields[head])}"
            if not keys:
                return column
            if len(keys) == 1 and isinstance(keys[0], str) and keys[0] in table.materialized:
                text = f"nullIf(nullIf({alias}.{identifier(table.materialized[keys[0]])}, ''), 'null')"
            else:
                text = json_read(column, keys, self.context)
            return self.typed_property(TABLE_PROPERTY_KINDS.get(table.name), keys, text, node)
        if isinstance(head, str) and head in table.fields and len(chain) == 1:
            return f"{alias}.{identifier(table.fields[head])}"
        text = ".".join(str(part) for part in chain)
        raise QueryError(f"Unable to resolve field: {text}", node.start if node else None, node.end if node else None)

    def events_person_field(self, ref: TableRef, chain: list[str | int], node: ast.Field | None) -> str:
        alias = ref.sql_alias
        head, rest = chain[0], chain[1:]
        if head == "person_id" and not rest:
            return self.person_id(ref)
        if head == "pdi" and len(rest) == 1 and rest[0] in ("distinct_id", "person_id"):
            return f"{alias}.distinct_id" if rest[0] == "distinct_id" else self.person_id(ref)
        if head in ("person", "poe") and rest:
            if rest == ["id"]:
                if head == "person":
                    return self.person_id(ref)
                return f"{alias}.poe_person_id" if ref.wrapped else f"{alias}.person_id"
            if rest == ["created_at"]:
                return f"{alias}.person_created_at"
            if rest[0] == "properties":
                column = f"{alias}.person_properties"
                if len(rest) == 1:
                    return column
                return self.typed_property("person", rest[1:], json_read(column, rest[1:], self.context), node)
        text = ".".join(str(part) for part in chain)
        raise QueryError(f"Unable to resolve field: {text}", node.start if node else None, node.end if node else None)

    def typed_property(self, kind: str | None, keys: list[str | int], text: str, node: ast.Field | None) -> str:
        """A top-level property read as the type its definition gives it (text when it has none)."""
        if self.reading_text or kind is None or len(keys) != 1 or not self.context.property_types:
            return text
        property_type = self.context.property_types.get((kind, str(keys[0])))
        if property_type is None:
            return text
        start, end = (node.start, node.end) if node is not None else (None, None)
        self.context.typed_reads.append((kind, str(keys[0]), property_type, start, end))
        return typed_read(property_type, text, lambda: self.context.parameter(self.context.timezone))

    def visit_as_text(self, node: ast.Expr, scope: Scope) -> str:
        """`node` printed; a property given directly is printed as its stored text, whatever its type."""
        if not isinstance(node, ast.Field | ast.ArrayAccess):
            return self.visit(node, scope)
        previous, self.reading_text = self.reading_text, True
        try:
            return self.visit(node, scope)
        finally:
            self.reading_text = previous

    def person_id(self, ref: TableRef) -> str:
        alias = ref.sql_alias
        if ref.wrapped or not self.context.person_overrides:
            return f"{alias}.person_id"
        ref.needs_override = True
        override = f"{ref.sql_alias}_override"
        return f"if(notEmpty({override}.distinct_id), {override}.person_id, {alias}.person_id)"

    def visit_ArrayAccess(self, node: ast.ArrayAccess, scope: Scope) -> str:
        # properties['a b'] and properties.a['b'] read JSON keys like properties.a.b does.
        if isinstance(node.array, ast.Field) and isinstance(node.property, ast.Constant):
            key = node.property.value
            if isinstance(key, str) and self.is_json_chain(node.array, scope):
                return self.visit_Field(ast.Field([*node.array.chain, key], start=node.start, end=node.end), scope)
        return f"arrayElement({self.visit(node.array, scope)}, {self.visit(node.property, scope)})"

    def is_json_chain(self, field: ast.Field, scope: Scope) -> bool:
        chain = field.chain
        for ref in scope.tables.values():
            tail = chain[1:] if chain[0] == ref.alias and len(chain) > 1 else chain
            if (
                ref.table is not None
                and tail
                and (tail[0] in ref.table.json_fields or (tail[0] in ("person", "poe") and "properties" in tail))
            ):
                return True
        return False

    def visit_TupleAccess(self, node: ast.TupleAccess, scope: Scope) -> str:
        return f"tupleElement({self.visit(node.tuple, scope)}, {int(node.index)})"

    def visit_Tuple(self, node: ast.Tuple, scope: Scope) -> str:
        inner = ", ".join(self.visit(e, scope) for e in node.exprs)
        return f"tuple({inner})"

    def visit_Array(self, node: ast.Array, scope: Scope) -> str:
        return "[" + ", ".join(self.visit(e, scope) for e in node.exprs) + "]"

    def visit_Lambda(self, node: ast.Lambda, scope: Scope) -> str:
        for name in node.args:
            check_user_name(name, "Lambda argument")
        inner = scope.with_lambda(node.args)
        args = ", ".join(identifier(a) for a in node.args)
        return f"({args}) -> {self.visit(node.expr, inner)}"

    def visit_And(self, node: ast.And, scope: Scope) -> str:
        return "and(" + ", ".join(self.visit(e, scope) for e in node.exprs) + ")"

    def visit_Or(self, node: ast.Or, scope: Scope) -> str:
        return "or(" + ", ".join(self.visit(e, scope) for e in node.exprs) + ")"

    def visit_Not(self, node: ast.Not, scope: Scope) -> str:
        return f"not({self.visit(node.expr, scope)})"

    def visit_BetweenExpr(self, node: ast.BetweenExpr, scope: Scope) -> str:
        expr, low, high = (self.visit(e, scope) for e in (node.expr, node.low, node.high))
        inside = f"and(greaterOrEquals({expr}, {low}), lessOrEquals({expr}, {high}))"
        return f"not({inside})" if node.negated else inside

    def visit_ArithmeticOperation(self, node: ast.ArithmeticOperation, scope: Scope) -> str:
        function = ARITHMETIC.get(node.op)
        if function is None:
            raise QueryError(f"Unsupported operator: {node.op}")
        return f"{function}({self.visit(node.left, scope)}, {self.visit(node.right, scope)})"

    def visit_CompareOperation(self, node: ast.CompareOperation, scope: Scope) -> str:
        op = node.op
        if op in ("in cohort", "not in cohort"):
            return self.in_cohort(node, scope)
        left = self.visit_as_text(node.left, scope) if op in TEXT_COMPARISONS else self.visit(node.left, scope)
        if isinstance(node.right, ast.Constant) and node.right.value is None and op in ("==", "!="):
            return f"isNull({left})" if op == "==" else f"isNotNull({left})"
        if op in ("in", "not in") and isinstance(node.right, ast.SelectQuery | ast.SelectSetQuery):
            right = f"({self.print_query(node.right, scope)})"
        else:
            right = self.visit(node.right, scope)
        if op == "==" and self.in_join_condition:
            return f"equals({left}, {right})"
        if op in COMPARISONS:
            function, default = COMPARISONS[op]
            if op in NULL_SAFE_OPERATORS and self.never_null(node.left, scope) and self.never_null(node.right, scope):
                return f"{function}({left}, {right})"  # ifNull(cmp, d) == cmp when no operand can be NULL
            return f"ifNull({function}({left}, {right}), {default})"
        if op in ("=~", "=~*", "!~", "!~*"):
            pattern = f"concat('(?i)', {right})" if op.endswith("*") else right
            matched = f"match({left}, {pattern})"
            return f"ifNull({matched}, 0)" if op.startswith("=") else f"ifNull(not({matched}), 1)"
        raise QueryError(f"Unsupported comparison: {op}")

    def never_null(self, node: ast.Expr, scope: Scope) -> bool:
        """True when `node` provably never prints to NULL: a non-NULL scalar constant, a non-Nullable column of
        the events table, or an allow-listed function of such operands. Anything else may be NULL."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, bool | int | float | str)
        if isinstance(node, ast.Field):
            return self.never_null_field(node.chain, scope)
        if isinstance(node, ast.ArithmeticOperation):
            return (
                node.op in ("+", "-", "*") and self.never_null(node.left, scope) and self.never_null(node.right, scope)
            )
        if isinstance(node, ast.Call):
            return (
                node.name in NEVER_NULL_FUNCTIONS
                and not node.params
                and not node.distinct
                and all(self.never_null(arg, scope) for arg in node.args or [])
            )
        return False

    def never_null_field(self, chain: list[str | int], scope: Scope) -> bool:
        """Resolves `chain` as visit_Field does: only a plain non-Nullable events column counts; lambda arguments,
        array-join and select aliases and column CTEs that the name could mean are treated as nullable."""
        head = chain[0]
        if not isinstance(head, str) or chain == ["*"]:
            return False
        if len(chain) == 1 and (head in scope.lambda_args or head in scope.array_join_aliases):
            return False
        ref = scope.tables.get(head)
        if ref is not None and len(chain) > 1:
            return self.never_null_column(ref, chain[1:])
        if head in scope.select_aliases and head != scope.printing_alias:
            return False
        column_cte = scope.ctes.get(head)
        if column_cte is not None and column_cte.cte_type == "column" and len(chain) == 1:
            return False
        for candidate in scope.tables.values():
            if candidate.has_field(head):
                return self.never_null_column(candidate, chain)
        return False

    @staticmethod
    def never_null_column(ref: TableRef, chain: list[str | int]) -> bool:
        # The events table itself, or its guarded wrapper when joined (events LEFT JOIN overrides: same columns).
        # A CTE or subquery named `events` has no `table`.
        if ref.table is not EVENTS or len(chain) != 1:
            return False
        name = chain[0]
        return isinstance(name, str) and name in NEVER_NULL_EVENT_COLUMNS and EVENTS.fields.get(name) == name

    def in_cohort(self, node: ast.CompareOperation, scope: Scope) -> str:
        """`expr IN COHORT x`: expr among the members of the project's cohort x (an id or a name)."""
        if not isinstance(node.right, ast.Constant):
            raise QueryError(CONSTANT_ONLY)
        cohort = find_cohort(self.context.team_id, node.right.value)
        left = self.visit(node.left, scope)
        if node.op == "in cohort":
            return f"ifNull(in({left}, ({membership_sql(cohort)})), 0)"
        return f"ifNull(notIn({left}, ({membership_sql(cohort)})), 1)"

    def visit_Placeholder(self, node: ast.Placeholder, scope: Scope) -> str:
        chain = node.expr.chain if isinstance(node.expr, ast.Field) else None
        if chain == ["filters"]:
            if self.context.filters is None:
                return "true"
            if not scope.selects_from("events"):
                raise QueryError(
                    "Cannot use 'filters' placeholder in a SELECT clause that does not select from the events table."
                )
            return self.visit(self.context.filters(), scope)
        if chain and chain[0] == "filters":
            key = ".".join(str(c) for c in chain[1:])
            if key not in ("dateRange.from", "dateRange.to"):
                raise QueryError(f"Unsupported filters placeholder: {{filters.{key}}}")
            value = self.context.filter_bounds.get(key)
            return "NULL" if value is None else f"toDateTime64({self.context.parameter(value.isoformat())}, 6, 'UTC')"
        if chain and chain[0] == "variables" and len(chain) == 2:
            name = chain[1]
            if not isinstance(name, str) or name not in self.context.variables:
                raise QueryError(f"Variable {chain[1]} is missing from query")
            return self.constant(self.context.variables[name])
        return self.constant(self.placeholder_value(node))

    def placeholder_value(self, node: ast.Placeholder) -> Any:
        name = to_hogql(node.expr)
        if not self.context.values:
            raise QueryError(f"Unresolved placeholder: {{{name}}}")
        if name not in self.context.values:
            available = ", ".join(sorted(self.context.values))
            raise QueryError(
                f"Placeholder {{{name}}} is not available in this context. You can use the following: {available}"
            )
        return self.context.values[name]

    def visit_OrderExpr(self, node: ast.OrderExpr, scope: Scope) -> str:
        order = (node.order or "ASC").upper()
        if order not in ("ASC", "DESC"):
            raise QueryError(f"Unsupported order: {node.order}")
        return f"{self.visit(node.expr, scope)} {order}"

    def visit_SelectQuery(self, node: ast.SelectQuery, scope: Scope) -> str:
        return f"({self.print_query(node, scope)})"

    def visit_SelectSetQuery(self, node: ast.SelectSetQuery, scope: Scope) -> str:
        return f"({self.print_query(node, scope)})"

    def visit_Call(self, node: ast.Call, scope: Scope) -> str:
        name = node.name
        args = node.args or []
        if name == "_caseWithExpression":
            name = "caseWithExpression"
            return f"caseWithExpression({', '.join(self.visit(a, scope) for a in args)})"
        if any(isinstance(a, ast.Field) and a.chain == ["*"] for a in args):
            if name == "count" and len(args) == 1:
                return "count()"
            raise QueryError(f"`*` cannot be an argument of {name}(...)")
        function, _ = find_function(name, len(args), len(node.params or []))
        visit_arg = self.visit_as_text if takes_text(function.clickhouse) else self.visit
        printed = [visit_arg(a, scope) for a in args]
        if name == "now":
            return "now64(6, 'UTC')"
        if name == "toDateTime" and len(printed) == 1:
            return f"toDateTime64({printed[0]}, 6, {self.context.parameter(self.context.timezone)})"
        if name == "toDateTime":
            return f"toDateTime64({printed[0]}, 6, {printed[1]})"
        params = f"({', '.join(self.visit(p, scope) for p in node.params)})" if node.params else ""
        distinct = "DISTINCT " if node.distinct else ""
        return f"{function.clickhouse}{params}({distinct}{', '.join(printed)})"

    def visit_WindowFunction(self, node: ast.WindowFunction, scope: Scope) -> str:
        args = node.exprs or node.args or []
        function, _ = find_function(node.name, len(args), 0, in_window=True)
        printed = ", ".join(self.visit(a, scope) for a in args)
        over = node.over_expr
        parts = []
        if over is not None:
            if over.partition_by:
                parts.append("PARTITION BY " + ", ".join(self.visit(e, scope) for e in over.partition_by))
            if over.order_by:
                parts.append("ORDER BY " + ", ".join(self.visit(e, scope) for e in over.order_by))
            if over.frame_method:
                frame = self.frame(over.frame_start)
                if over.frame_end is not None:
                    frame = f"BETWEEN {frame} AND {self.frame(over.frame_end)}"
                method = over.frame_method.upper()
                if method not in ("ROWS", "RANGE"):
                    raise QueryError(f"Unsupported window frame: {over.frame_method}")
                parts.append(f"{method} {frame}")
        return f"{function.clickhouse}({printed}) OVER ({' '.join(parts)})"

    def frame(self, frame: ast.WindowFrameExpr | None) -> str:
        if frame is None:
            return "UNBOUNDED PRECEDING"
        kind = (frame.frame_type or "").upper()
        if kind == "CURRENT ROW":
            return "CURRENT ROW"
        if kind not in ("PRECEDING", "FOLLOWING"):
            raise QueryError(f"Unsupported window frame: {frame.frame_type}")
        value = "UNBOUNDED" if frame.frame_value is None else str(int(frame.frame_value))
        return f"{value} {kind}"
