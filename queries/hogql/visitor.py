"""Walking a HogQL tree: child nodes of any node, and whether an expression aggregates."""

from collections.abc import Iterator

from queries.hogql import ast
from queries.hogql.functions import AGGREGATE, PARAMETRIC_AGGREGATE


def children(node: ast.Node) -> Iterator[ast.Node]:
    for value in node.__dict__.values():
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, ast.Node))
        elif isinstance(value, dict):
            yield from (item for item in value.values() if isinstance(item, ast.Node))


def is_aggregate(node: ast.Node) -> bool:
    """True when the expression calls an aggregate function outside any subquery."""
    if isinstance(node, ast.SelectQuery | ast.SelectSetQuery):
        return False
    if isinstance(node, ast.Call) and (node.name in AGGREGATE or (node.params and node.name in PARAMETRIC_AGGREGATE)):
        return True
    return any(is_aggregate(child) for child in children(node))


def table_names(node: ast.Node) -> list[str]:
    """Names of the tables a query reads, in order of appearance."""
    names: list[str] = []
    if isinstance(node, ast.JoinExpr) and isinstance(node.table, ast.Field):
        names.append(".".join(str(part) for part in node.table.chain))
    for child in children(node):
        names += [name for name in table_names(child) if name not in names]
    return names
