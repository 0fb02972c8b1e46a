"""Property filters (event and person) as parameterised ClickHouse conditions, for the legacy events list.

Values and keys always travel as parameters. The HogQL engine has its own translation for insights;
this one serves only `/events/`'s `properties=` filter.
"""

from dataclasses import dataclass, field
from typing import Any

OPERATORS = {
    "exact",
    "is_not",
    "icontains",
    "not_icontains",
    "regex",
    "not_regex",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_set",
    "is_not_set",
}
NUMERIC = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
COLUMN_FOR_TYPE = {"event": "properties", "person": "person_properties"}


class UnsupportedFilter(ValueError):
    pass


@dataclass
class Conditions:
    """SQL fragments joined with AND, and the parameters they use."""

    sql: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    def parameter(self, value: Any, type_: str = "String") -> str:
        name = f"p{len(self.parameters)}"
        self.parameters[name] = value
        return f"{{{name}:{type_}}}"


def property_condition(conditions: Conditions, item: dict) -> str:
    """One filter `{key, value, operator, type}` as a condition; raises UnsupportedFilter when it cannot be read."""
    column = COLUMN_FOR_TYPE.get(item.get("type") or "event")
    if column is None:
        raise UnsupportedFilter(f"Property filters of type {item.get('type')!r} are not supported here.")
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise UnsupportedFilter("A property filter needs a key.")
    operator = item.get("operator") or "exact"
    if operator not in OPERATORS:
        raise UnsupportedFilter(f"Unsupported operator {operator!r}.")
    raw = f"JSONExtractRaw({column}, {conditions.parameter(key)})"
    text = f"replaceRegexpAll({raw}, '^\"|\"$', '')"
    value = item.get("value")
    if operator == "is_set":
        return f"({raw} != '' AND {raw} != 'null')"
    if operator == "is_not_set":
        return f"({raw} = '' OR {raw} = 'null')"
    if operator in NUMERIC:
        try:
            number = float(value[0] if isinstance(value, list) else value)
        except (TypeError, ValueError, IndexError):
            raise UnsupportedFilter(f"Operator {operator} needs a number.") from None
        return f"toFloat64OrNull({text}) {NUMERIC[operator]} {conditions.parameter(number, 'Float64')}"
    values = [
        str(v).lower() if isinstance(v, bool) else str(v) for v in (value if isinstance(value, list) else [value])
    ]
    if operator in ("exact", "is_not"):
        match = f"{text} IN {conditions.parameter(values, 'Array(String)')}"
        return match if operator == "exact" else f"NOT ({match})"
    if operator in ("icontains", "not_icontains"):
        match = f"positionCaseInsensitiveUTF8({text}, {conditions.parameter(values[0])}) > 0"
        return match if operator == "icontains" else f"NOT ({match})"
    match = f"match({text}, {conditions.parameter(values[0])})"
    return match if operator == "regex" else f"NOT ({match})"


def flatten_filters(value: Any) -> list[dict]:
    """A list of filters, or a `{"type": "AND", "values": [...]}` group (nested groups flattened)."""
    if isinstance(value, dict) and "values" in value:
        return [leaf for item in value["values"] for leaf in flatten_filters(item)]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [leaf for item in value for leaf in flatten_filters(item)]
    raise UnsupportedFilter("Properties must be a list of filters.")
