"""Small constructors for HogQL nodes the runners build often."""

from datetime import UTC, datetime

from queries.hogql import ast


def and_all(exprs: list[ast.Expr]) -> ast.Expr:
    """The conditions AND-ed: `true` when there are none, the condition itself when there is one."""
    if not exprs:
        return ast.Constant(True)
    return exprs[0] if len(exprs) == 1 else ast.And(exprs)


def datetime_constant(moment: datetime) -> ast.Expr:
    """A moment as a UTC DateTime64; the text travels as a query parameter, never inside the SQL."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return ast.Call("toDateTime", [ast.Constant(text), ast.Constant("UTC")])
