"""Parsing HogQL with PostHog's `hogql-parser-rs` (Rust): its JSON output becomes our AST. Nothing else sees the parser.

The parse runs in this process, after the cheap checks of `parse_limits` refused what is pathological; user text
too big for that (see `parse_limits.TextShape.fits_in_process`) goes to the child process of `parse_worker`,
which bounds its time. Text a runner built itself (`internal=True`) is ours and always parses here.
"""

import json
from dataclasses import MISSING, fields
from functools import lru_cache
from typing import Any

import hogql_parser_rs

from queries.hogql import ast, parse_limits, parse_worker
from queries.hogql.errors import HogQLSyntaxError
from queries.hogql.parse_worker import ParseTimeout
from queries.hogql.syntax_errors import posthog_wording

PARSE_TOO_SLOW = "The query is too complex to parse in time. Simplify it."
PARSERS = {
    "select": hogql_parser_rs.parse_select_json,
    "expr": hogql_parser_rs.parse_expr_json,
    "program": hogql_parser_rs.parse_program_json,  # Hog programs (queries/hog)
}

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


def _required_defaults(cls: type) -> dict[str, Any]:
    """Values for a node's fields without a default, used when the parser omits them (it drops null, false and
    empty values): an empty list for list fields, else None."""
    return {
        item.name: [] if str(item.type).startswith("list") else None
        for item in fields(cls)
        if item.default is MISSING and item.default_factory is MISSING and item.name not in ("start", "end")
    }


REQUIRED_DEFAULTS = {name: _required_defaults(cls) for name, cls in SIMPLE_NODES.items()}


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
    for key, default in REQUIRED_DEFAULTS[name].items():
        if key not in kwargs:
            kwargs[key] = list(default) if isinstance(default, list) else default
    if name == "SelectQuery" and isinstance(kwargs.get("ctes"), list):
        kwargs["ctes"] = {cte.name: cte for cte in kwargs["ctes"]}
    try:
        return cls(**kwargs, start=start, end=end)
    except TypeError:
        unknown = sorted(set(kwargs) - set(cls.__dataclass_fields__))
        detail = f" ({', '.join(unknown)})" if unknown else ""
        raise HogQLSyntaxError(f"Unsupported syntax in {name}{detail}", start, end) from None


def _check(raw: str, text: str) -> dict:
    data = json.loads(raw)
    if isinstance(data, dict) and data.get("error"):
        start, end = _position(data.get("start")), _position(data.get("end"))
        message = posthog_wording(data.get("message") or "Syntax error", text, start, end)
        raise HogQLSyntaxError(message, start, end)
    return data


def parse_json(kind: str, text: str) -> str:
    """The parser's JSON for `text` ("select", "expr" or a Hog "program"), parsed in this process; also the parse
    server's work."""
    return PARSERS[kind](text)


def _run_parser(kind: str, text: str, internal: bool = False) -> dict:
    # A runner's own text is neither checked nor sent away: it is ours, and its size is no user's choice.
    if internal or parse_limits.check(text).fits_in_process():
        raw = parse_json(kind, text)
    else:
        try:
            raw = parse_worker.parse(kind, text)
        except ParseTimeout:
            raise HogQLSyntaxError(PARSE_TOO_SLOW) from None
    try:
        return _check(raw, text)
    except RecursionError:
        raise HogQLSyntaxError("The query is nested too deeply.") from None


@lru_cache(maxsize=2048)
def _parse_select_json(text: str, internal: bool = False) -> dict:
    return _run_parser("select", text, internal)


@lru_cache(maxsize=4096)
def _parse_expr_json(text: str) -> dict:
    return _run_parser("expr", text)


def parse_select(text: str, *, internal: bool = False) -> ast.SelectQuery | ast.SelectSetQuery:
    """A SELECT (or UNION/INTERSECT/EXCEPT of SELECTs). Raises HogQLSyntaxError with positions.

    `internal` is for text a runner built itself: it skips the checks and parses in-process, whatever its size.
    """
    try:
        node = _convert(_parse_select_json(text, internal))
    except RecursionError:
        raise HogQLSyntaxError("The query is nested too deeply.") from None
    if not isinstance(node, ast.SelectQuery | ast.SelectSetQuery):
        raise HogQLSyntaxError("Expected a SELECT query")
    return node


def parse_expr(text: str) -> ast.Expr:
    """One expression, e.g. `properties.$browser` or `count()`. Raises HogQLSyntaxError with positions."""
    try:
        return _convert(_parse_expr_json(text))
    except RecursionError:
        raise HogQLSyntaxError("The expression is nested too deeply.") from None
