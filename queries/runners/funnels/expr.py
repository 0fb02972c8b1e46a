"""A terse way to build HogQL AST nodes in Python (the funnel expressions are too large to parse in time).

`X` wraps a node: `x[i]` is array access, `x.t(i)` tuple access, `&`/`|` AND/OR, `+`/`-` arithmetic, and
`eq/ne/lt/le/gt/ge` comparisons. Plain Python values become constants, which the printer sends as parameters.
"""

from queries.hogql import ast


class X:
    def __init__(self, node: ast.Expr):
        self.node = node

    def __getitem__(self, index) -> "X":
        return X(ast.ArrayAccess(self.node, lift(index)))

    def t(self, index: int) -> "X":
        return X(ast.TupleAccess(self.node, index))

    def __and__(self, other) -> "X":
        return X(ast.And([self.node, lift(other)]))

    def __or__(self, other) -> "X":
        return X(ast.Or([self.node, lift(other)]))

    def __add__(self, other) -> "X":
        return X(ast.ArithmeticOperation("+", self.node, lift(other)))

    def __sub__(self, other) -> "X":
        return X(ast.ArithmeticOperation("-", self.node, lift(other)))

    # Plain comparison functions, not CompareOperation: the funnel's values are never NULL, and the printer's
    # null-safe wrapping would double the size of the per-event expressions ClickHouse has to analyse.
    def _compare(self, function: str, other) -> "X":
        return X(ast.Call(function, [self.node, lift(other)]))

    def eq(self, other) -> "X":
        return self._compare("equals", other)

    def ne(self, other) -> "X":
        return self._compare("notEquals", other)

    def lt(self, other) -> "X":
        return self._compare("less", other)

    def le(self, other) -> "X":
        return self._compare("lessOrEquals", other)

    def gt(self, other) -> "X":
        return self._compare("greater", other)

    def ge(self, other) -> "X":
        return self._compare("greaterOrEquals", other)

    def alias(self, name: str) -> ast.Alias:
        return ast.Alias(name, self.node)


def lift(value) -> ast.Expr:
    if isinstance(value, X):
        return value.node
    if isinstance(value, ast.Expr):
        return value
    return ast.Constant(value)


def wrap(node) -> X:
    return node if isinstance(node, X) else X(lift(node))


def field(*chain) -> X:
    return X(ast.Field(list(chain)))


def const(value) -> X:
    return X(ast.Constant(value))


def call(name: str, *args, params: list | None = None) -> X:
    return X(ast.Call(name, [lift(a) for a in args], params=[lift(p) for p in params] if params else None))


def array(*items) -> X:
    return X(ast.Array([lift(item) for item in items]))


def tuple_(*items) -> X:
    return call("tuple", *items)


def lam(body, *names: str) -> X:
    """`(names) -> body(*fields)`: body receives one X per argument name."""
    return X(ast.Lambda(list(names), lift(body(*(field(name) for name in names)))))


def all_of(*parts) -> X:
    return X(ast.And([lift(p) for p in parts])) if len(parts) > 1 else wrap(parts[0])


def flags_all(*flags) -> X:
    """The conjunction of 0/1 flags as `bitAnd`: no short-circuit evaluation, which inside a lambda over every
    event of every actor masks and copies the arrays (about 15 ms on 2M events), and less analysis than `and`."""
    result = wrap(flags[0])
    for flag in flags[1:]:
        result = call("bitAnd", result, flag)
    return result


def when(flag, value) -> X:
    """`value` where the 0/1 `flag` is set, else 0: `if(flag, value, 0)` as a product, for the same reason as
    `flags_all` (an `if` inside a lambda is evaluated with masks)."""
    return call("multiply", value, flag)


def any_of(*parts) -> X:
    return X(ast.Or([lift(p) for p in parts])) if len(parts) > 1 else wrap(parts[0])


def not_(value) -> X:
    return call("not", value)


def if_(condition, then, otherwise) -> X:
    return call("if", condition, then, otherwise)


def select(columns: list, source, where=None, group_by: list | None = None, order_by: list | None = None):
    """A SELECT from a table name or a subquery."""
    table = ast.Field([source]) if isinstance(source, str) else source
    return ast.SelectQuery(
        select=[lift(c) if not isinstance(c, ast.Alias) else c for c in columns],
        select_from=ast.JoinExpr(table=table, alias="e" if isinstance(source, str) else None),
        where=lift(where) if where is not None else None,
        group_by=[lift(g) for g in group_by] if group_by else None,
        order_by=[ast.OrderExpr(lift(o), "ASC") for o in order_by] if order_by else None,
    )
