"""Typed property reads (spec exports-definitions-limits §2.3): a property whose definition says Numeric, DateTime
or Boolean is read as that type, so `sum(properties.amount)` or `properties.price > 10` work on numbers.

Properties are stored as JSON text; without a definition (or with String/Duration) a read stays text, as before.
Where a function or operator wants text (`toFloat`, `like`, regex matching...), a property passed to it directly is
passed as the stored text, so wrapping a typed read never turns a working expression into a type error.
"""

from collections.abc import Callable

# (kind, name) -> property type, kind "event" or "person": what a query's print context is given.
PropertyTypes = dict[tuple[str, str], str]
TYPED = ("Numeric", "DateTime", "Boolean")
# Table (HogQL name) -> the kind of definition its `properties.x` reads.
TABLE_PROPERTY_KINDS = {"events": "event", "persons": "person"}
# Comparisons that match text.
TEXT_COMPARISONS = frozenset({"like", "ilike", "not like", "not ilike", "=~", "=~*", "!~", "!~*"})
# ClickHouse functions that take text (besides every `...OrNull`/`...OrZero` conversion).
TEXT_FUNCTIONS = frozenset(
    {
        "like",
        "ilike",
        "notLike",
        "notILike",
        "match",
        "multiMatchAny",
        "lower",
        "upper",
        "lowerUTF8",
        "upperUTF8",
        "length",
        "lengthUTF8",
        "empty",
        "notEmpty",
        "startsWith",
        "endsWith",
        "position",
        "positionCaseInsensitive",
        "replaceAll",
        "replaceOne",
        "replaceRegexpAll",
        "replaceRegexpOne",
        "extract",
        "extractAll",
        "splitByChar",
        "splitByString",
        "splitByRegexp",
        "substring",
        "leftUTF8",
        "rightUTF8",
        "trimLeft",
        "trimRight",
        "trimBoth",
        "base64Decode",
        "domain",
        "path",
        "cutQueryString",
        "isValidJSON",
    }
)


def takes_text(clickhouse_function: str) -> bool:
    """Whether a function's arguments are text: conversions `...OrNull`/`...OrZero`, JSON and string functions."""
    return (
        clickhouse_function.endswith(("OrNull", "OrZero"))
        or clickhouse_function.startswith(("JSON", "parseDateTime"))
        or clickhouse_function in TEXT_FUNCTIONS
    )


def typed_read(property_type: str | None, text_sql: str, timezone: Callable[[], str]) -> str:
    """The read of a property's stored text (`text_sql`, NULL when absent) as its defined type.

    Numeric: a float, NULL when not a number. DateTime: parsed best-effort in the project's timezone (`timezone()`
    gives the printed parameter). Boolean: `true`/`false` text as a bool, anything else NULL.
    """
    if property_type == "Numeric":
        return f"toFloat64OrNull({text_sql})"
    if property_type == "DateTime":
        return f"parseDateTime64BestEffortOrNull({text_sql}, 6, {timezone()})"
    if property_type == "Boolean":
        return f"toBool(transform(toString({text_sql}), ['true', 'false'], [1, 0], NULL))"
    return text_sql
