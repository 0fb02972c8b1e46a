"""Property filters (the `properties` of queries) as HogQL expressions (spec query-engine §1.3)."""

from collections.abc import Callable
from typing import Any

from queries.hogql import ast
from queries.hogql.elements import ELEMENT_KEYS, chain, href_expr, selector_regex, tag_name_regex, texts_expr
from queries.hogql.errors import QueryError
from queries.hogql.parser import parse_expr

COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "min": ">=", "max": "<="}
DATE_COMPARISONS = {"is_date_before": "<", "is_date_after": ">", "is_date_exact": "=="}
# Operators whose list values are AND-ed (every value must hold); the others are OR-ed.
NEGATIVE_OPERATORS = {"is_not", "not_icontains", "not_regex", "not_in"}
# Event columns an `event_metadata` filter may name.
EVENT_COLUMNS = {"distinct_id", "event", "timestamp", "uuid", "person_id", "elements_chain", "created_at"}


def between_error(operator: str, problem: str) -> str:
    return f"{operator} operator requires {problem}"


def _field(filter_type: str, key: str, scope: str = "event") -> ast.Expr:
    if filter_type == "person" and scope == "person":
        return ast.Field(["properties", key])
    if filter_type == "event":
        if key == "$elements_chain":
            return ast.Field(["elements_chain"])
        return ast.Field(["properties", key])
    if filter_type == "person":
        return ast.Field(["person", "properties", key])
    if filter_type == "event_metadata":
        if key not in EVENT_COLUMNS:
            raise QueryError(f"Unknown event column '{key}' in an event_metadata filter.")
        return ast.Field([key])
    raise QueryError(f"Property filters of type '{filter_type}' are not supported yet.")


def _values(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _string(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def cohort_filter_to_expr(item: dict, scope: str = "event") -> ast.Expr:
    """`person_id IN COHORT <id>` (`NOT IN` for `not_in` or a negated filter); the printer resolves the cohort."""
    value = item.get("value")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
        raise QueryError("A cohort filter needs the cohort's id as its value.")
    negated = (item.get("operator") == "not_in") != bool(item.get("negation"))
    person = ast.Field(["id"] if scope == "person" else ["person_id"])
    return ast.CompareOperation("not in cohort" if negated else "in cohort", person, ast.Constant(int(value)))


def property_to_expr(item: Any, scope: str = "event") -> ast.Expr:
    """One filter, a list of filters (AND), or a `{type: AND|OR, values: [...]}` group.

    `scope` is `event` (filters on events, persons through `person.`) or `person` (filters on the persons table).
    """
    if isinstance(item, list):
        return _combine("AND", [property_to_expr(i, scope) for i in item])
    if hasattr(item, "model_dump"):
        item = item.model_dump(exclude_none=True, by_alias=True)
    if not isinstance(item, dict):
        raise QueryError("Invalid property filter")
    if "values" in item and item.get("type") in ("AND", "OR"):
        return _combine(item["type"], [property_to_expr(v, scope) for v in item["values"]])
    filter_type = item.get("type") or "event"
    if filter_type == "cohort":
        return cohort_filter_to_expr(item, scope)
    if filter_type == "hogql":
        return parse_expr(str(item.get("key", "")))
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise QueryError("A property filter needs a key")
    operator = item.get("operator") or "exact"
    if filter_type == "element":
        return element_filter_to_expr(key, operator, _values(item.get("value")), _combine)
    return field_filter_to_expr(_field(filter_type, key, scope), operator, item.get("value"))


def field_filter_to_expr(field: ast.Expr, operator: str, value: Any) -> ast.Expr:
    """`field <operator> value` with PostHog's list-value rules (empty list: no filter; one value: a scalar)."""
    if operator == "is_set":
        return ast.CompareOperation("!=", field, ast.Constant(None))
    if operator == "is_not_set":
        return ast.CompareOperation("==", field, ast.Constant(None))
    if operator in ("between", "not_between"):
        return _between(field, operator, value)
    values = _values(value)
    if not values:
        return ast.Constant(True)
    if operator in ("exact", "is_not", "in", "not_in") and len(values) > 1:
        compare = "in" if operator in ("exact", "in") else "not in"
        return ast.CompareOperation(compare, field, ast.Tuple([ast.Constant(_string(v)) for v in values]))
    parts = [_compare(field, operator, v) for v in values]
    return _combine("AND" if operator in NEGATIVE_OPERATORS else "OR", parts)


def _compare(field: ast.Expr, operator: str, value: Any) -> ast.Expr:
    if operator in ("exact", "in"):
        return ast.CompareOperation("==", field, ast.Constant(_string(value)))
    if operator in ("is_not", "not_in"):
        return ast.CompareOperation("!=", field, ast.Constant(_string(value)))
    if operator in COMPARISONS:
        return ast.CompareOperation(
            COMPARISONS[operator], ast.Call("toFloat", [field]), ast.Constant(_number(operator, value))
        )
    if operator in ("icontains", "not_icontains"):
        escaped = _string(value).replace("%", "\\%").replace("_", "\\_")
        compare = "ilike" if operator == "icontains" else "not ilike"
        return ast.CompareOperation(compare, field, ast.Constant(f"%{escaped}%"))
    if operator in ("regex", "not_regex"):
        compare = "=~" if operator == "regex" else "!~"
        return ast.CompareOperation(compare, field, ast.Constant(_string(value)))
    if operator in DATE_COMPARISONS:
        return ast.CompareOperation(
            DATE_COMPARISONS[operator],
            ast.Call("parseDateTime64BestEffortOrNull", [field]),
            ast.Call("parseDateTime64BestEffortOrNull", [ast.Constant(_string(value))]),
        )
    if operator == "is_cleaned_path_exact":
        # Path cleaning rules are not modelled yet: the raw path is compared.
        return ast.CompareOperation("==", field, ast.Constant(_string(value)))
    raise QueryError(f"Unsupported property operator '{operator}'")


def _number(operator: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise QueryError(f"Operator '{operator}' needs a number") from None


def _between(field: ast.Expr, operator: str, value: Any) -> ast.Expr:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise QueryError(between_error(operator, "a two-element array [min, max]"))
    try:
        low, high = float(value[0]), float(value[1])
    except (TypeError, ValueError):
        raise QueryError(between_error(operator, "numeric values")) from None
    if low > high:
        raise QueryError(between_error(operator, "min value to be less than or equal to max value"))
    number = ast.Call("toFloat", [field])
    if operator == "between":
        return ast.And(
            [
                ast.CompareOperation(">=", number, ast.Constant(low)),
                ast.CompareOperation("<=", number, ast.Constant(high)),
            ]
        )
    return ast.Or(
        [ast.CompareOperation("<", number, ast.Constant(low)), ast.CompareOperation(">", number, ast.Constant(high))]
    )


def _combine(kind: str, exprs: list[ast.Expr]) -> ast.Expr:
    if not exprs:
        return ast.Constant(True)
    if len(exprs) == 1:
        return exprs[0]
    return ast.And(exprs) if kind == "AND" else ast.Or(exprs)


def element_filter_to_expr(
    key: str, operator: str, values: list, combine: Callable[[str, list[ast.Expr]], ast.Expr]
) -> ast.Expr:
    """An `element` property filter: tag_name/selector (exact or is_not), href, text (any operator)."""
    if key not in ELEMENT_KEYS:
        raise QueryError(f"Element filters support the keys {', '.join(ELEMENT_KEYS)}, not '{key}'.")
    values = [v for v in values if v is not None]
    if key in ("tag_name", "selector"):
        if operator not in ("exact", "is_not"):
            raise QueryError(f"Element filters on {key} support only the operators exact and is_not.")
        if not values:
            return ast.Constant(True)
        to_regex = tag_name_regex if key == "tag_name" else selector_regex
        matches: list[ast.Expr] = [ast.CompareOperation("=~", chain(), ast.Constant(to_regex(str(v)))) for v in values]
        matched = combine("OR", matches)
        return matched if operator == "exact" else ast.Not(matched)
    if key == "href":
        return field_filter_to_expr(href_expr(), operator, values)
    # text: the filter holds for one of the element texts.
    each = field_filter_to_expr(ast.Field(["element_text"]), operator, values)
    if operator in NEGATIVE_OPERATORS:
        return ast.Not(ast.Call("arrayExists", [ast.Lambda(["element_text"], _negate(each)), texts_expr()]))
    return ast.Call("arrayExists", [ast.Lambda(["element_text"], each), texts_expr()])


def _negate(expr: ast.Expr) -> ast.Expr:
    """The positive form of a negative text filter: `NOT arrayExists(positive)` reads as 'no text matches'."""
    if isinstance(expr, ast.CompareOperation):
        flipped = {"!=": "==", "not ilike": "ilike", "!~": "=~", "not in": "in"}.get(expr.op)
        if flipped:
            return ast.CompareOperation(flipped, expr.left, expr.right)
    if isinstance(expr, ast.And):
        return ast.Or([_negate(e) for e in expr.exprs])
    return ast.Not(expr)
