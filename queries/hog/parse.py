"""Hog source -> our AST: PostHog's C++ parser (`parse_program_json`) and a conversion of its JSON."""

import json
from collections.abc import Callable
from typing import Any

from queries.hog import nodes as n
from queries.hog.errors import (
    FINALLY_UNSUPPORTED,
    PROGRAM_TOO_DEEP,
    PROGRAM_TOO_LONG,
    UNSUPPORTED_SYNTAX,
    HogCompileError,
)
from queries.hogql.parser import max_nesting

MAX_PROGRAM_LENGTH = 65_536
# Bounds the Python frames one Hog function body can need (the compiler and the closures it builds recurse).
MAX_NESTING = 120
# The C++ parser's time grows much faster than linearly with bracket nesting: deeper text is refused before it.
MAX_BRACKET_NESTING = 64


def rewrite_single_line(code: str) -> str:
    """PostHog's HogQuery rule: one line becomes `return <line>;` (unless it returns or assigns already)."""
    code = code.strip()
    if "\n" in code:
        return code
    if not code.startswith("return") and ":=" not in code:
        code = "return " + code
    if not code.endswith(";"):
        code += ";"
    return code


def default_parse_json(code: str) -> str:
    from queries.hogql.parser import _parser

    return _parser.parse_program_json(code)


def parse_program(code: str, parse_json: Callable[[str], str] | None = None) -> n.Program:
    """The program's AST. Raises HogCompileError (syntax errors carry the parser's message)."""
    if len(code.encode()) > MAX_PROGRAM_LENGTH:
        raise HogCompileError(PROGRAM_TOO_LONG.format(limit=MAX_PROGRAM_LENGTH))
    if max_nesting(code) > MAX_BRACKET_NESTING:
        raise HogCompileError(PROGRAM_TOO_DEEP.format(limit=MAX_BRACKET_NESTING))
    try:
        data = json.loads((parse_json or default_parse_json)(code))
    except RecursionError:
        raise HogCompileError(PROGRAM_TOO_DEEP.format(limit=MAX_NESTING)) from None
    if isinstance(data, dict) and data.get("error"):
        raise HogCompileError(data.get("message") or "Syntax error")
    return Converter().program(data)


class Converter:
    """Parser JSON -> nodes, refusing nesting deeper than MAX_NESTING."""

    def __init__(self):
        self.depth = 0

    def program(self, data: dict) -> n.Program:
        return n.Program([self.node(d) for d in data.get("declarations") or []])

    def node(self, data: Any) -> Any:
        if data is None:
            return None
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise HogCompileError(PROGRAM_TOO_DEEP.format(limit=MAX_NESTING))
            kind = data.get("node")
            method = getattr(self, "_" + kind, None) if isinstance(kind, str) and kind.isidentifier() else None
            if method is None:
                raise HogCompileError(UNSUPPORTED_SYNTAX.format(node=kind))
            return method(data)
        finally:
            self.depth -= 1

    def nodes(self, items: list | None) -> list:
        return [self.node(item) for item in items or []]

    # statements
    def _Program(self, d):
        return self.program(d)

    def _Block(self, d):
        return n.Block(self.nodes(d.get("declarations")))

    def _VariableDeclaration(self, d):
        return n.VarDecl(d["name"], self.node(d.get("expr")))

    def _VariableAssignment(self, d):
        return n.Assign(self.node(d["left"]), self.node(d["right"]))

    def _Function(self, d):
        return n.FunctionDecl(d["name"], list(d.get("params") or []), self.node(d["body"]))

    def _IfStatement(self, d):
        return n.If(self.node(d["expr"]), self.node(d["then"]), self.node(d.get("else_")))

    def _WhileStatement(self, d):
        return n.While(self.node(d["expr"]), self.node(d["body"]))

    def _ForStatement(self, d):
        parts = (self.node(d.get(key)) for key in ("initializer", "condition", "increment", "body"))
        return n.For(*parts)

    def _ForInStatement(self, d):
        return n.ForIn(d.get("keyVar"), d["valueVar"], self.node(d["expr"]), self.node(d["body"]))

    def _ReturnStatement(self, d):
        return n.Return(self.node(d.get("expr")))

    def _TryCatchStatement(self, d):
        if d.get("finally_stmt") is not None:
            raise HogCompileError(FINALLY_UNSUPPORTED)
        catches = [n.Catch(var, type_, self.node(body)) for var, type_, body in d.get("catches") or []]
        return n.TryCatch(self.node(d["try_stmt"]), catches, None)

    def _ThrowStatement(self, d):
        return n.Throw(self.node(d["expr"]))

    def _ExprStatement(self, d):
        return n.ExprStmt(self.node(d["expr"]))

    # expressions
    def _Constant(self, d):
        value = d.get("value")
        if d.get("value_type") == "number" and isinstance(value, str):
            value = int(value) if value.lstrip("-").isdigit() else float(value)
        return n.Const(value)

    def _Field(self, d):
        return n.Field(list(d["chain"]))

    def _ArithmeticOperation(self, d):
        return n.BinaryOp(d["op"], self.node(d["left"]), self.node(d["right"]))

    _CompareOperation = _ArithmeticOperation

    def _And(self, d):
        return n.And(self.nodes(d["exprs"]))

    def _Or(self, d):
        return n.Or(self.nodes(d["exprs"]))

    def _Not(self, d):
        return n.Not(self.node(d["expr"]))

    def _BetweenExpr(self, d):
        return n.Between(self.node(d["expr"]), self.node(d["low"]), self.node(d["high"]), bool(d.get("negated")))

    def _Call(self, d):
        params = d.get("params")
        return n.Call(d["name"], self.nodes(d.get("args")), self.nodes(params) if params is not None else None)

    def _ExprCall(self, d):
        return n.ExprCall(self.node(d["expr"]), self.nodes(d.get("args")))

    def _Lambda(self, d):
        return n.Lambda(list(d.get("args") or []), self.node(d["expr"]))

    def _Array(self, d):
        return n.ArrayLit(self.nodes(d.get("exprs")))

    def _Tuple(self, d):
        return n.TupleLit(self.nodes(d.get("exprs")))

    def _Dict(self, d):
        return n.DictLit([(self.node(k), self.node(v)) for k, v in d.get("items") or []])

    def _ArrayAccess(self, d):
        return n.Access(self.node(d["array"]), self.node(d["property"]), bool(d.get("nullish")))

    def _TupleAccess(self, d):
        return n.Access(self.node(d["tuple"]), n.Const(d["index"]), bool(d.get("nullish")))

    def _HogQLXTag(self, d):
        attributes = [(a["name"], self.node(a.get("value"))) for a in d.get("attributes") or []]
        return n.Tag(d["kind"], attributes)
