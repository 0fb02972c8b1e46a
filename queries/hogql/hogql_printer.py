"""Our AST printed back as HogQL text: the `hogql` field of responses and the names of unaliased columns."""

import re

from queries.hogql import ast

SIMPLE_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def identifier(name: str | int) -> str:
    if isinstance(name, int):
        return str(name)
    if SIMPLE_IDENTIFIER.match(name):
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def to_hogql(node: ast.Node | None) -> str:
    if node is None:
        return ""
    method = getattr(_Printer, f"visit_{type(node).__name__}")
    return method(node)


def _list(nodes) -> str:
    return ", ".join(to_hogql(n) for n in nodes or [])


class _Printer:
    @staticmethod
    def visit_Constant(node: ast.Constant) -> str:
        value = node.value
        if value is None:
            return "NULL"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str):
            return string(value)
        return repr(value)

    @staticmethod
    def visit_Field(node: ast.Field) -> str:
        return ".".join("*" if part == "*" else identifier(part) for part in node.chain)

    @staticmethod
    def visit_Placeholder(node: ast.Placeholder) -> str:
        return "{" + to_hogql(node.expr) + "}"

    @staticmethod
    def visit_Alias(node: ast.Alias) -> str:
        return f"{to_hogql(node.expr)} AS {identifier(node.alias)}"

    @staticmethod
    def visit_Call(node: ast.Call) -> str:
        params = f"({_list(node.params)})" if node.params else ""
        distinct = "DISTINCT " if node.distinct else ""
        return f"{node.name}{params}({distinct}{_list(node.args)})"

    @staticmethod
    def visit_ArithmeticOperation(node: ast.ArithmeticOperation) -> str:
        return f"{to_hogql(node.left)} {node.op} {to_hogql(node.right)}"

    @staticmethod
    def visit_CompareOperation(node: ast.CompareOperation) -> str:
        return f"{to_hogql(node.left)} {node.op} {to_hogql(node.right)}"

    @staticmethod
    def visit_And(node: ast.And) -> str:
        return "(" + " AND ".join(to_hogql(e) for e in node.exprs) + ")"

    @staticmethod
    def visit_Or(node: ast.Or) -> str:
        return "(" + " OR ".join(to_hogql(e) for e in node.exprs) + ")"

    @staticmethod
    def visit_Not(node: ast.Not) -> str:
        return f"NOT {to_hogql(node.expr)}"

    @staticmethod
    def visit_BetweenExpr(node: ast.BetweenExpr) -> str:
        negated = "NOT " if node.negated else ""
        return f"{to_hogql(node.expr)} {negated}BETWEEN {to_hogql(node.low)} AND {to_hogql(node.high)}"

    @staticmethod
    def visit_Tuple(node: ast.Tuple) -> str:
        return f"({_list(node.exprs)}{',' if len(node.exprs) == 1 else ''})"

    @staticmethod
    def visit_Array(node: ast.Array) -> str:
        return f"[{_list(node.exprs)}]"

    @staticmethod
    def visit_ArrayAccess(node: ast.ArrayAccess) -> str:
        return f"{to_hogql(node.array)}[{to_hogql(node.property)}]"

    @staticmethod
    def visit_TupleAccess(node: ast.TupleAccess) -> str:
        return f"{to_hogql(node.tuple)}.{node.index}"

    @staticmethod
    def visit_Lambda(node: ast.Lambda) -> str:
        args = ", ".join(identifier(a) for a in node.args)
        return f"({args}) -> {to_hogql(node.expr)}"

    @staticmethod
    def visit_OrderExpr(node: ast.OrderExpr) -> str:
        return f"{to_hogql(node.expr)} {node.order}"

    @staticmethod
    def visit_WindowFunction(node: ast.WindowFunction) -> str:
        over = ""
        if node.over_expr is not None:
            parts = []
            if node.over_expr.partition_by:
                parts.append(f"PARTITION BY {_list(node.over_expr.partition_by)}")
            if node.over_expr.order_by:
                parts.append(f"ORDER BY {_list(node.over_expr.order_by)}")
            over = f" OVER ({' '.join(parts)})"
        return f"{node.name}({_list(node.exprs or node.args)}){over}"

    @staticmethod
    def visit_JoinExpr(node: ast.JoinExpr) -> str:
        parts = []
        join: ast.JoinExpr | None = node
        while join is not None:
            table = to_hogql(join.table)
            if isinstance(join.table, ast.SelectQuery | ast.SelectSetQuery):
                table = f"({table})"
            if join.table_args is not None:
                table += f"({_list(join.table_args)})"
            text = f"{join.join_type} {table}" if join.join_type else table
            if join.alias and join.alias != table:
                text += f" AS {identifier(join.alias)}"
            if join.constraint is not None:
                text += f" {join.constraint.constraint_type} {to_hogql(join.constraint.expr)}"
            parts.append(text)
            join = join.next_join
        return " ".join(parts)

    @staticmethod
    def visit_SelectQuery(node: ast.SelectQuery) -> str:
        text = "SELECT " + ("DISTINCT " if node.distinct else "") + _list(node.select)
        if node.select_from is not None:
            text += " FROM " + to_hogql(node.select_from)
        if node.array_join_list:
            text += f" {node.array_join_op or 'ARRAY JOIN'} {_list(node.array_join_list)}"
        for keyword, value in (("PREWHERE", node.prewhere), ("WHERE", node.where)):
            if value is not None:
                text += f" {keyword} {to_hogql(value)}"
        if node.group_by:
            text += " GROUP BY " + _list(node.group_by)
        if node.having is not None:
            text += " HAVING " + to_hogql(node.having)
        if node.qualify is not None:
            text += " QUALIFY " + to_hogql(node.qualify)
        if node.order_by:
            text += " ORDER BY " + _list(node.order_by)
        if node.limit_by is not None:
            text += f" LIMIT {to_hogql(node.limit_by.n)} BY {_list(node.limit_by.exprs)}"
        if node.limit is not None:
            text += " LIMIT " + to_hogql(node.limit)
        if node.offset is not None:
            text += " OFFSET " + to_hogql(node.offset)
        return text

    @staticmethod
    def visit_SelectSetQuery(node: ast.SelectSetQuery) -> str:
        text = to_hogql(node.initial_select_query)
        for item in node.subsequent_select_queries:
            text += f" {item.set_operator} {to_hogql(item.select_query)}"
        return text
