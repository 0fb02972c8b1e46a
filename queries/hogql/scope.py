"""What names mean while printing one SELECT: its tables (by alias), select aliases, lambda arguments, CTEs."""

from dataclasses import dataclass, field

from queries.hogql import ast
from queries.hogql.database import Table


@dataclass
class TableRef:
    """A table in a FROM clause: a known table, a subquery (with its output columns), or a table function."""

    alias: str
    table: Table | None = None
    # The alias in the printed SQL: always one of ours, so user aliases can never shadow it.
    sql_alias: str = ""
    columns: list[str] | None = None
    # The first-position events table resolves merged persons through a lazily added LEFT JOIN.
    needs_override: bool = False
    # Wrapped events (joined, not first) carry an already resolved person_id column.
    wrapped: bool = False

    def has_field(self, name: str) -> bool:
        if self.table is not None:
            table = self.table
            if name in table.fields or name in table.json_fields:
                return True
            return table.physical == "events" and name in ("person_id", "person", "poe", "pdi")
        return self.columns is None or name in self.columns


@dataclass
class Scope:
    parent: "Scope | None" = None
    ctes: dict[str, ast.CTE] = field(default_factory=dict)
    tables: dict[str, TableRef] = field(default_factory=dict)
    select_aliases: set[str] = field(default_factory=set)
    lambda_args: set[str] = field(default_factory=set)
    array_join_aliases: set[str] = field(default_factory=set)
    # The alias whose expression is being printed: inside it, its own name means the column, not itself.
    printing_alias: str | None = None

    def child(self, ctes: dict[str, ast.CTE] | None = None) -> "Scope":
        return Scope(parent=self, ctes={**self.ctes, **(ctes or {})})

    def with_lambda(self, args: list[str]) -> "Scope":
        scope = Scope(
            parent=self.parent,
            ctes=self.ctes,
            tables=self.tables,
            select_aliases=self.select_aliases,
            lambda_args=self.lambda_args | set(args),
            array_join_aliases=self.array_join_aliases,
            printing_alias=self.printing_alias,
        )
        return scope

    def selects_from(self, physical: str) -> bool:
        return any(ref.table is not None and ref.table.physical == physical for ref in self.tables.values())


def output_columns(node: ast.Expr) -> list[str] | None:
    """The column names a subquery exposes to its outer query (None when they cannot be known)."""
    while isinstance(node, ast.SelectSetQuery):
        node = node.initial_select_query
    if not isinstance(node, ast.SelectQuery):
        return None
    names = []
    for expr in node.select:
        if isinstance(expr, ast.Alias):
            names.append(expr.alias)
        elif isinstance(expr, ast.Field) and isinstance(expr.chain[-1], str):
            if expr.chain[-1] == "*":
                return None
            names.append(expr.chain[-1])
    return names
