"""Parsing HogQL with PostHog's `hogql-parser` (C++): its JSON output becomes our AST. Nothing else sees the parser.

The extension imports `posthog.hogql.errors` when it loads; the PyPI `posthog` SDK owns the top-level
`posthog` name, so only the two submodules it needs are registered, and only if absent.
"""

import json
import sys
import types
from functools import lru_cache
from typing import Any

from queries.hogql import ast, parse_worker
from queries.hogql.errors import HogQLSyntaxError
from queries.hogql.parse_worker import ParseTimeout

MAX_QUERY_LENGTH = 65_536
# The C++ parser's time grows much faster than linearly with nesting: refuse deep input before it starts.
MAX_NESTING = 64


def _load_parser():
    for name in ("posthog.hogql", "posthog.hogql.errors"):
        if name not in sys.modules:
            module = types.ModuleType(name)
            if name.endswith("errors"):
                for error in ("SyntaxError", "ParsingError", "NotImplementedError", "BaseHogQLError", "QueryError"):
                    setattr(module, error, type(error, (Exception,), {}))
            sys.modules[name] = module
    import hogql_parser

    return hogql_parser


_parser = _load_parser()

# Node names the parser emits that we accept, and how to build each from its JSON fields.
SIMPLE_NODES: dict[str, type[ast.Node]] = {
    "Constant": ast.Constant,
    "Field": ast.Field,
    "Placeholder": ast.Placeholder,
    "Alias": ast.Alias,
    "ArithmeticOperation": ast.ArithmeticOperation,
    "CompareOperation": ast.CompareOperation,
    "And": ast.And,
    "Or": ast.Or,
    "Not": ast.Not,
    "BetweenExpr": ast.BetweenExpr,
    "Tuple": ast.Tuple,
    "Array": ast.Array,
    "ArrayAccess": ast.ArrayAccess,
    "TupleAccess": ast.TupleAccess,
    "Lambda": ast.Lambda,
    "OrderExpr": ast.OrderExpr,
    "WindowExpr": ast.WindowExpr,
    "WindowFrameExpr": ast.WindowFrameExpr,
    "WindowFunction": ast.WindowFunction,
    "RatioExpr": ast.RatioExpr,
    "SampleExpr": ast.SampleExpr,
    "JoinConstraint": ast.JoinConstraint,
    "JoinExpr": ast.JoinExpr,
    "LimitByExpr": ast.LimitByExpr,
    "SelectQuery": ast.SelectQuery,
    "SelectSetNode": ast.SelectSetNode,
    "SelectSetQuery": ast.SelectSetQuery,
    "CTE": ast.CTE,
    "Call": ast.Call,
}
# Fields of the parser's JSON we do not model (the constructs they express are rejected or meaningless here).
IGNORED_KEYS = {"is_null_comparison_style", "column_aliases", "columns", "materialized", "using_key"}


def _position(value: Any) -> int | None:
    return value.get("offset") if isinstance(value, dict) else None


def _convert(value: Any) -> Any:
    if isinstance(value, list):
        return [_convert(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "node" not in value:
        return {key: _convert(item) for key, item in value.items()}
    name = value["node"]
    cls = SIMPLE_NODES.get(name)
    start, end = _position(value.get("start")), _position(value.get("end"))
    if cls is None:
        raise HogQLSyntaxError(f"Unsupported syntax: {name}", start, end)
    kwargs = {}
    if name == "Constant" and value.get("value_type") == "number":
        # Numbers beyond 64 bits arrive as text.
        text = str(value.get("value"))
        return ast.Constant(int(text) if text.lstrip("-").isdigit() else float(text), start=start, end=end)
    for key, item in value.items():
        if key in ("node", "start", "end"):
            continue
        if key in IGNORED_KEYS:
            continue
        if name == "Call" and key in ("filter_expr", "order_by"):
            if item:
                raise HogQLSyntaxError(f"Unsupported in a function call: {key}", start, end)
            continue
        kwargs[key] = _convert(item)
    if name == "SelectQuery" and isinstance(kwargs.get("ctes"), list):
        kwargs["ctes"] = {cte.name: cte for cte in kwargs["ctes"]}
    try:
        return cls(**kwargs, start=start, end=end)
    except TypeError:
        unknown = sorted(set(kwargs) - set(cls.__dataclass_fields__))
        detail = f" ({', '.join(unknown)})" if unknown else ""
        raise HogQLSyntaxError(f"Unsupported syntax in {name}{detail}", start, end) from None


def _check(raw: str) -> dict:
    data = json.loads(raw)
    if isinstance(data, dict) and data.get("error"):
        raise HogQLSyntaxError(
            data.get("message") or "Syntax error", _position(data.get("start")), _position(data.get("end"))
        )
    return data


def _parse_raw(kind: str, text: str) -> str:
    """Runs in the parse worker process: the parser's JSON text."""
    functions = {"select": _parser.parse_select_json, "program": _parser.parse_program_json}
    return functions.get(kind, _parser.parse_expr_json)(text, is_internal=False)


def _run_parser(kind: str, text: str, internal: bool = False) -> dict:
    if max_nesting(text) > MAX_NESTING:
        raise HogQLSyntaxError(f"The query is nested more than {MAX_NESTING} levels deep.")
    timeout = parse_worker.INTERNAL_PARSE_TIMEOUT_SECONDS if internal else parse_worker.PARSE_TIMEOUT_SECONDS
    try:
        raw = parse_worker.parse(kind, text, timeout)
    except ParseTimeout:
        raise HogQLSyntaxError("The query is too complex to parse in time. Simplify it.") from None
    try:
        return _check(raw)
    except RecursionError:
        raise HogQLSyntaxError("The query is nested too deeply.") from None


@lru_cache(maxsize=2048)
def _parse_select_json(text: str, internal: bool = False) -> dict:
    return _run_parser("select", text, internal)


@lru_cache(maxsize=4096)
def _parse_expr_json(text: str) -> dict:
    return _run_parser("expr", text)


def max_nesting(text: str) -> int:
    """The deepest bracket nesting outside string literals (a cheap guard before the real parser)."""
    depth = deepest = 0
    quote = None
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "'`\"":
            quote = char
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def parse_select(text: str, *, internal: bool = False) -> ast.SelectQuery | ast.SelectSetQuery:
    """A SELECT (or UNION/INTERSECT/EXCEPT of SELECTs). Raises HogQLSyntaxError with positions.

    `internal` is for text a runner built itself: it gets a generous parse time limit instead of the user one.
    """
    if len(text.encode()) > MAX_QUERY_LENGTH:
        raise HogQLSyntaxError(f"Query is longer than {MAX_QUERY_LENGTH} bytes")
    try:
        node = _convert(_parse_select_json(text, internal))
    except RecursionError:
        raise HogQLSyntaxError("The query is nested too deeply.") from None
    if not isinstance(node, ast.SelectQuery | ast.SelectSetQuery):
        raise HogQLSyntaxError("Expected a SELECT query")
    return node


def parse_expr(text: str) -> ast.Expr:
    """One expression, e.g. `properties.$browser` or `count()`."""
    try:
        return _convert(_parse_expr_json(text))
    except RecursionError:
        raise HogQLSyntaxError("The expression is nested too deeply.") from None
