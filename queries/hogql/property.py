"""Property filters (the `properties` of queries) as HogQL expressions."""

from typing import Any

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.parser import parse_expr

NUMERIC = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _field(filter_type: str, key: str) -> ast.Expr:
    if filter_type == "event":
        return ast.Field(["properties", key])
    if filter_type == "person":
        return ast.Field(["person", "properties", key])
    if filter_type == "element" and key in ("tag_name", "text", "href", "selector"):
        return ast.Field(["elements_chain"])
    raise QueryError(f"Property filters of type '{filter_type}' are not supported yet.")


def _values(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _string(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def property_to_expr(item: Any) -> ast.Expr:
    """One filter, a list of filters (AND), or a `{type: AND|OR, values: [...]}` group."""
    if isinstance(item, list):
        return _combine("AND", [property_to_expr(i) for i in item])
    if hasattr(item, "model_dump"):
        item = item.model_dump(exclude_none=True, by_alias=True)
    if not isinstance(item, dict):
        raise QueryError("Invalid property filter")
    if "values" in item and item.get("type") in ("AND", "OR"):
        return _combine(item["type"], [property_to_expr(v) for v in item["values"]])
    filter_type = item.get("type") or "event"
    if filter_type == "hogql":
        return parse_expr(str(item.get("key", "")))
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise QueryError("A property filter needs a key")
    operator = item.get("operator") or "exact"
    field = _field(filter_type, key)
    value = item.get("value")
    if operator == "is_set":
        return ast.CompareOperation("!=", field, ast.Constant(None))
    if operator == "is_not_set":
        return ast.CompareOperation("==", field, ast.Constant(None))
    if operator in NUMERIC:
        number = _values(value)[0]
        try:
            number = float(number)
        except (TypeError, ValueError):
            raise QueryError(f"Operator '{operator}' needs a number") from None
        return ast.CompareOperation(NUMERIC[operator], ast.Call("toFloat", [field]), ast.Constant(number))
    values = [_string(v) for v in _values(value)]
    if operator in ("exact", "is_not"):
        if not values:
            return ast.Constant(operator == "is_not")
        compare = "==" if operator == "exact" else "!="
        parts = [ast.CompareOperation(compare, field, ast.Constant(v)) for v in values]
        return _combine("OR" if operator == "exact" else "AND", parts)
    if operator in ("icontains", "not_icontains"):
        escaped = values[0].replace("%", "\\%").replace("_", "\\_")
        pattern = ast.Constant(f"%{escaped}%")
        return ast.CompareOperation("ilike" if operator == "icontains" else "not ilike", field, pattern)
    if operator in ("regex", "not_regex"):
        return ast.CompareOperation("=~" if operator == "regex" else "!~", field, ast.Constant(values[0]))
    if operator in ("is_date_before", "is_date_after", "is_date_exact"):
        compare = {"is_date_before": "<", "is_date_after": ">", "is_date_exact": "=="}[operator]
        return ast.CompareOperation(
            compare, ast.Call("toDateTime", [field]), ast.Call("toDateTime", [ast.Constant(values[0])])
        )
    raise QueryError(f"Unsupported property operator '{operator}'")


def _combine(kind: str, exprs: list[ast.Expr]) -> ast.Expr:
    if not exprs:
        return ast.Constant(True)
    if len(exprs) == 1:
        return exprs[0]
    return ast.And(exprs) if kind == "AND" else ast.Or(exprs)
