"""The events table's property columns (`$session_id`, `mat_$browser`, ...) computed at capture, in Python.

ClickHouse fills these MATERIALIZED columns with `schema.trimmed_property`: JSONExtractRaw, which re-serializes
the value, then one surrounding pair of quotes removed. Letting it do so parses the properties JSON once per
column on every insert (15 parses per row, the larger part of the insert's cost); writing the values with the
rows (`insert_allow_materialized_columns`) skips that. The values must be byte-identical to what ClickHouse
would compute, so only values whose text is certain are computed here: strings (orjson escapes them as
ClickHouse does, except control characters and U+2028/U+2029), integers, booleans and null. A row with any
other value in one of these properties (a float, an object, a string with a control character) returns None,
and its batch is inserted without the columns so that ClickHouse computes them. tests/test_property_columns.py
compares both ways on the real engine.
"""

import orjson

from queries.clickhouse.schema import MATERIALIZED_PROPERTIES, PROPERTY_COLUMNS, materialized_column_name

COLUMN_PROPERTIES = (*PROPERTY_COLUMNS, *MATERIALIZED_PROPERTIES)
COLUMN_NAMES = (*PROPERTY_COLUMNS, *(materialized_column_name(name) for name in MATERIALIZED_PROPERTIES))
# Text ClickHouse escapes differently from orjson (\u001F against \u001f, U+2028 escaped or not).
_UNCERTAIN = frozenset(chr(code) for code in range(0x20)) | {"\u2028", "\u2029"}
_MAX_INT = 2**64


def column_value(value: object) -> str | None:
    """The column text of one property value ('' when absent), or None when only ClickHouse knows it."""
    if type(value) is str:
        if value.isprintable() and '"' not in value and "\\" not in value:
            return value  # nothing to escape (isprintable is False for control characters, U+2028 and U+2029)
        if _UNCERTAIN.isdisjoint(value):
            return orjson.dumps(value).decode()[1:-1]
        return None
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int and -_MAX_INT < value < _MAX_INT:
        return str(value)
    return None


def property_columns(properties: dict) -> list[str] | None:
    """The values of COLUMN_NAMES for an event's properties, or None when one of them must come from ClickHouse."""
    values = [""] * len(COLUMN_PROPERTIES)
    for name in _INDEX.keys() & properties.keys():
        value = column_value(properties[name])
        if value is None:
            return None
        values[_INDEX[name]] = value
    return values


_INDEX = {name: index for index, name in enumerate(COLUMN_PROPERTIES)}
