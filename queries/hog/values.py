"""Hog values beyond Python's plain ones (closures), typeof, truthiness and Hog's printed form (spec §2, §7)."""

import math
import re

from queries.hog.datetimes import datetime_iso
from queries.hog.errors import NO_ATTRIBUTE, RESULT_TOO_DEEP, TEXT_TOO_LARGE, HogError

# Printing recurses once per nesting level: deeper values are refused, never a Python RecursionError.
MAX_PRINT_DEPTH = 100
MAX_TEXT_BYTES = 64 * 1024 * 1024
IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


class Closure:
    """A Hog function value: a compiled body with captured cells, or a standard library function.

    `invoke(args)` runs it; only the interpreter and the standard library call it. It has no attributes a
    program can reach: property access on a function fails like on any non-container.
    """

    __slots__ = ("name", "arg_count", "invoke", "cells", "builtin")

    def __init__(self, name: str, arg_count: int, invoke, cells: tuple = (), builtin: bool = False):
        self.name = name
        self.arg_count = arg_count
        self.invoke = invoke
        self.cells = cells
        self.builtin = builtin


def type_name(value) -> str:
    """Python VM type names, as its error texts show them."""
    if isinstance(value, Closure):
        return "function"
    return {type(None): "NoneType", bool: "bool", int: "int", float: "float", str: "str", list: "list",
            tuple: "tuple", dict: "dict"}.get(type(value), "object")  # fmt: skip


def no_attribute(value) -> str:
    return NO_ATTRIBUTE.format(type=type_name(value))


def typeof(value) -> str:
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        return "float"
    if kind is str:
        return "string"
    if kind is list:
        return "array"
    if kind is tuple:
        return "tuple"
    if kind is Closure:
        return "function"
    if kind is dict:
        if value.get("__hogDateTime__"):
            return "datetime"
        if value.get("__hogDate__"):
            return "date"
        if value.get("__hogError__"):
            return "error"
        return "object"
    return "unknown"


def truthy(value) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    kind = type(value)
    if kind is int or kind is float:
        return value != 0
    if kind is str or kind is list or kind is dict or kind is tuple:
        return len(value) > 0
    return True


def make_error(type_: str, message, payload=None) -> dict:
    return {"__hogError__": True, "type": type_, "message": message or "An error occurred", "payload": payload}


def is_error(value) -> bool:
    return type(value) is dict and value.get("__hogError__") is True


def escape_string(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace("'", "\\'").replace("\b", "\\b").replace("\f", "\\f")
        .replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t").replace("\0", "\\0")
        .replace("\a", "\\a").replace("\v", "\\v")
    )  # fmt: skip


def error_text(value: dict) -> str:
    """An uncaught throw's message: `Type('message')`."""
    return f"{value.get('type')}('{escape_string(str(value.get('message')))}')"


def closure_text(value: Closure) -> str:
    name = value.name if IDENTIFIER.match(value.name) else f"`{value.name}`"
    return f"fn<{name}({value.arg_count})>"


def number_text(value) -> str:
    if type(value) is float and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return str(value)


class Walk(set):
    """The containers being walked (a value met again inside itself is a cycle), and the size of the text or
    data produced so far: a value shared many times can print far larger than it is, so that is bounded too."""

    __slots__ = ("size",)

    def __init__(self):
        super().__init__()
        self.size = 0

    def enter(self, value, elements: int) -> bool:
        """False for a cycle; raises when too deep or too large."""
        if id(value) in self:
            return False
        if len(self) >= MAX_PRINT_DEPTH:
            raise HogError(RESULT_TOO_DEEP.format(limit=MAX_PRINT_DEPTH))
        self.grow(8 + 4 * elements)
        self.add(id(value))
        return True

    def grow(self, size: int) -> None:
        self.size += size
        if self.size > MAX_TEXT_BYTES:
            raise HogError(TEXT_TOO_LARGE.format(limit=MAX_TEXT_BYTES))


def print_value(value, seen: Walk | None = None) -> str:
    """The printed form of a value nested in a container (strings quoted); cycles print `null`."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return number_text(value)
    if kind is str:
        if seen is not None:
            seen.grow(len(value))
        return f"'{escape_string(value)}'"
    if kind is Closure:
        return closure_text(value)
    seen = seen if seen is not None else Walk()
    if not seen.enter(value, len(value) if kind in (list, tuple, dict) else 1):
        return "null"
    try:
        if kind is list:
            return "[" + ", ".join(print_value(v, seen) for v in value) + "]"
        if kind is tuple:
            if len(value) < 2:
                return "tuple(" + ", ".join(print_value(v, seen) for v in value) + ")"
            return "(" + ", ".join(print_value(v, seen) for v in value) + ")"
        if kind is dict:
            if value.get("__hogDateTime__"):
                return f"DateTime({number_text(float(value['dt']))}, {print_value(value.get('zone', 'UTC'))})"
            if value.get("__hogDate__"):
                return f"Date({value['year']}, {value['month']}, {value['day']})"
            if value.get("__hogError__"):
                args = [print_value(value.get("message"), seen)]
                if value.get("payload") is not None:
                    args.append(print_value(value["payload"], seen))
                return f"{value.get('type')}({', '.join(args)})"
            return "{" + ", ".join(f"{print_value(k, seen)}: {print_value(v, seen)}" for k, v in value.items()) + "}"
    finally:
        seen.discard(id(value))
    return "null"


def string_form(value) -> str:
    """`print`/`concat` form: strings raw, datetimes as ISO text (fixture date.stdout), the rest printed."""
    if type(value) is str:
        return value
    if type(value) is dict and value.get("__hogDateTime__"):
        return datetime_iso(value)
    return print_value(value)


class Cell:
    """A variable captured by a closure: the closure keeps the variable, not its value."""

    __slots__ = ("v",)

    def __init__(self, v=None):
        self.v = v
