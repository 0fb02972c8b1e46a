"""Our small Hog AST: statements and expressions as dataclasses, built from the parser's JSON by `parse`."""

from dataclasses import dataclass, field
from typing import Any


class Node:
    pass


# ---- statements ------------------------------------------------------------------------------------------


@dataclass
class Program(Node):
    body: list[Node]


@dataclass
class Block(Node):
    body: list[Node]


@dataclass
class VarDecl(Node):
    name: str
    expr: Node | None


@dataclass
class Assign(Node):
    target: Node
    value: Node


@dataclass
class FunctionDecl(Node):
    name: str
    params: list[str]
    body: Node


@dataclass
class If(Node):
    cond: Node
    then: Node
    else_: Node | None


@dataclass
class While(Node):
    cond: Node
    body: Node


@dataclass
class For(Node):
    init: Node | None
    cond: Node | None
    step: Node | None
    body: Node


@dataclass
class ForIn(Node):
    key: str | None
    value: str
    expr: Node
    body: Node


@dataclass
class Return(Node):
    expr: Node | None


@dataclass
class Catch:
    var: str | None
    type: str | None
    body: Node


@dataclass
class TryCatch(Node):
    body: Node
    catches: list[Catch]
    finally_: Node | None


@dataclass
class Throw(Node):
    expr: Node


@dataclass
class ExprStmt(Node):
    expr: Node


# ---- expressions ------------------------------------------------------------------------------------------


@dataclass
class Const(Node):
    value: Any


@dataclass
class Field(Node):
    chain: list[str | int]


@dataclass
class BinaryOp(Node):
    """Arithmetic (`+ - * / %`) and comparison operators."""

    op: str
    left: Node
    right: Node


@dataclass
class And(Node):
    exprs: list[Node]


@dataclass
class Or(Node):
    exprs: list[Node]


@dataclass
class Not(Node):
    expr: Node


@dataclass
class Between(Node):
    expr: Node
    low: Node
    high: Node
    negated: bool


@dataclass
class Call(Node):
    name: str
    args: list[Node]
    params: list[Node] | None = None


@dataclass
class ExprCall(Node):
    callee: Node
    args: list[Node]


@dataclass
class Lambda(Node):
    params: list[str]
    body: Node  # an expression, or a Block


@dataclass
class ArrayLit(Node):
    items: list[Node]


@dataclass
class TupleLit(Node):
    items: list[Node]


@dataclass
class DictLit(Node):
    items: list[tuple[Node, Node]]


@dataclass
class Access(Node):
    """`a[i]`, `a.i`, `a?.[i]`: 1-based for arrays, tuples and strings; any key for dicts."""

    base: Node
    key: Node
    nullish: bool = False


@dataclass
class Tag(Node):
    kind: str
    attributes: list[tuple[str, Node]] = field(default_factory=list)
