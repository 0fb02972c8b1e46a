"""The HogQL syntax tree: small dataclasses, one per construct the parser produces.

Nodes are never mutated after parsing (parsed trees are cached and shared); transformations build new nodes.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Node:
    start: int | None = field(default=None, kw_only=True, repr=False)
    end: int | None = field(default=None, kw_only=True, repr=False)


@dataclass(eq=False)
class Expr(Node):
    pass


@dataclass(eq=False)
class Constant(Expr):
    value: Any


@dataclass(eq=False)
class Field(Expr):
    chain: list[str | int]


@dataclass(eq=False)
class Placeholder(Expr):
    expr: Expr


@dataclass(eq=False)
class Alias(Expr):
    alias: str
    expr: Expr
    hidden: bool = False


@dataclass(eq=False)
class Call(Expr):
    name: str
    args: list[Expr]
    params: list[Expr] | None = None
    distinct: bool = False


@dataclass(eq=False)
class ArithmeticOperation(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False)
class CompareOperation(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(eq=False)
class And(Expr):
    exprs: list[Expr]


@dataclass(eq=False)
class Or(Expr):
    exprs: list[Expr]


@dataclass(eq=False)
class Not(Expr):
    expr: Expr


@dataclass(eq=False)
class BetweenExpr(Expr):
    expr: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(eq=False)
class Tuple(Expr):
    exprs: list[Expr]


@dataclass(eq=False)
class Array(Expr):
    exprs: list[Expr]


@dataclass(eq=False)
class ArrayAccess(Expr):
    array: Expr
    property: Expr


@dataclass(eq=False)
class TupleAccess(Expr):
    tuple: Expr
    index: int


@dataclass(eq=False)
class Lambda(Expr):
    args: list[str]
    expr: Expr


@dataclass(eq=False)
class OrderExpr(Node):
    expr: Expr
    order: str = "ASC"


@dataclass(eq=False)
class WindowFrameExpr(Node):
    frame_type: str | None = None
    frame_value: int | None = None


@dataclass(eq=False)
class WindowExpr(Node):
    partition_by: list[Expr] | None = None
    order_by: list[OrderExpr] | None = None
    frame_method: str | None = None
    frame_start: WindowFrameExpr | None = None
    frame_end: WindowFrameExpr | None = None


@dataclass(eq=False)
class WindowFunction(Expr):
    name: str
    args: list[Expr] | None = None
    exprs: list[Expr] | None = None
    over_expr: WindowExpr | None = None


@dataclass(eq=False)
class RatioExpr(Node):
    left: Constant
    right: Constant | None = None


@dataclass(eq=False)
class SampleExpr(Node):
    sample_value: RatioExpr
    offset_value: RatioExpr | None = None


@dataclass(eq=False)
class JoinConstraint(Node):
    expr: Expr
    constraint_type: str = "ON"


@dataclass(eq=False)
class JoinExpr(Node):
    table: Expr | None = None
    table_args: list[Expr] | None = None
    alias: str | None = None
    join_type: str | None = None
    constraint: JoinConstraint | None = None
    next_join: "JoinExpr | None" = None
    sample: SampleExpr | None = None
    table_final: bool | None = None


@dataclass(eq=False)
class LimitByExpr(Node):
    n: Expr
    exprs: list[Expr]
    offset_value: Expr | None = None


@dataclass(eq=False)
class CTE(Node):
    name: str
    expr: Expr
    cte_type: str = "subquery"


@dataclass(eq=False)
class SelectQuery(Expr):
    select: list[Expr]
    select_from: JoinExpr | None = None
    ctes: dict[str, CTE] | None = None
    distinct: bool | None = None
    where: Expr | None = None
    prewhere: Expr | None = None
    having: Expr | None = None
    group_by: list[Expr] | None = None
    order_by: list[OrderExpr] | None = None
    limit: Expr | None = None
    offset: Expr | None = None
    limit_by: LimitByExpr | None = None
    array_join_op: str | None = None
    array_join_list: list[Expr] | None = None
    qualify: Expr | None = None


@dataclass(eq=False)
class SelectSetNode(Node):
    select_query: "SelectQuery | SelectSetQuery"
    set_operator: str


@dataclass(eq=False)
class SelectSetQuery(Expr):
    initial_select_query: "SelectQuery | SelectSetQuery"
    subsequent_select_queries: list[SelectSetNode]
