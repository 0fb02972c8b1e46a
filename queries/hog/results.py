"""Hog values <-> JSON data: the HogQuery `results`, `jsonStringify`, and HogQL rows coming back from `run()`."""

import datetime as dt
import math
import uuid
from decimal import Decimal

from queries.hog.errors import RESULT_TOO_DEEP, HogError
from queries.hog.values import MAX_PRINT_DEPTH, Closure, Walk, closure_text

# Deeper values are refused rather than walked (the walk and json.dumps recurse).
MAX_DEPTH = MAX_PRINT_DEPTH


def closure_marker(value: Closure) -> dict:
    callable_ = {"__hogCallable__": "stl" if value.builtin else "local", "name": value.name,
                 "argCount": value.arg_count, "upvalueCount": len(value.cells), "ip": 0, "chunk": "root"}  # fmt: skip
    return {"__hogClosure__": True, "callable": callable_, "upvalues": []}


def to_json_data(value, closures_as_text: bool = False, seen: Walk | None = None):
    """Plain JSON data: tuples become arrays, dict keys strings, functions marker dicts (or their printed name
    for jsonStringify), non-finite floats null, cycles null."""
    kind = type(value)
    if kind is str:
        if seen is not None:
            seen.grow(len(value))
        return value
    if value is None or kind in (bool, int):
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is Closure:
        return closure_text(value) if closures_as_text else closure_marker(value)
    seen = seen if seen is not None else Walk()
    if not seen.enter(value, len(value) if kind in (list, tuple, dict) else 1):
        return None
    try:
        if kind is list or kind is tuple:
            return [to_json_data(v, closures_as_text, seen) for v in value]
        if kind is dict:
            return {_key(k): to_json_data(v, closures_as_text, seen) for k, v in value.items()}
    finally:
        seen.discard(id(value))
    return None


def _key(key) -> str:
    if type(key) is str:
        return key
    if key is None:
        return "null"
    if type(key) is bool:
        return "true" if key else "false"
    return str(key)


def from_python(value, depth: int = 0):
    """HogQL result cells as Hog values: datetimes and dates as Hog's marker dicts, UUIDs as text."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if depth > MAX_DEPTH:
        raise HogError(RESULT_TOO_DEEP.format(limit=MAX_DEPTH))
    if isinstance(value, list | tuple):
        return [from_python(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {from_python(k, depth + 1): from_python(v, depth + 1) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        zone = getattr(aware.tzinfo, "key", None) or "UTC"
        return {"__hogDateTime__": True, "dt": aware.timestamp(), "zone": zone}
    if isinstance(value, dt.date):
        return {"__hogDate__": True, "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID | bytes):
        return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return str(value)
