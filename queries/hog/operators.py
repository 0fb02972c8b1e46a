"""Hog operator semantics (spec §3): arithmetic, comparisons with type unification, like, regex, `in`."""

import math
import re as py_re
from functools import lru_cache

from queries.hog.errors import (
    DIVISION_BY_ZERO,
    INVALID_REGEX,
    NOT_ITERABLE,
    REGEX_NEEDS_STRING,
    HogError,
)
from queries.hog.values import type_name

try:  # RE2 runs in linear time: a hostile pattern cannot stall the worker.
    import re2

    RE2_OPTIONS = re2.Options()
    RE2_OPTIONS.log_errors = False

    def _compile(pattern: str):
        return re2.compile(pattern, RE2_OPTIONS)

except ImportError:  # pragma: no cover - google-re2 is a dependency; plain `re` only as a fallback
    _compile = py_re.compile


def divide(a, b):
    if b == 0 and type(b) in (int, float, bool):
        raise HogError(DIVISION_BY_ZERO)
    return a / b


def modulo(a, b):
    """The sign of the dividend (truncated), as the fixtures (shared with the JS VM) expect: -7 % 3 = -1."""
    if b == 0 and type(b) in (int, float, bool):
        raise HogError(DIVISION_BY_ZERO)
    if type(a) is int and type(b) is int:
        result = abs(a) % abs(b)
        return -result if a < 0 else result
    if type(a) in (int, float) and type(b) in (int, float):
        return math.fmod(a, b)
    return a % b


def _to_float(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def unify(a, b):
    """The two sides of a comparison after Hog's type unification."""
    ta, tb = type(a), type(b)
    if ta is tb:
        return a, b
    if ta is bool and tb is str:
        return a, _string_bool(b)
    if tb is bool and ta is str:
        return _string_bool(a), b
    if ta is bool and tb in (int, float):
        return int(a), b
    if tb is bool and ta in (int, float):
        return a, int(b)
    if ta in (int, float) and tb is str:
        number = _to_float(b)
        return a, (b if number is None else number)
    if tb in (int, float) and ta is str:
        number = _to_float(a)
        return (a if number is None else number), b
    return a, b


def _string_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return len(text) > 0


def equals(a, b) -> bool:
    a, b = unify(a, b)
    return a == b


def not_equals(a, b) -> bool:
    a, b = unify(a, b)
    return a != b


def _ordered(a, b):
    a, b = unify(a, b)
    # [DIVERGENCE] fixture nulls.hog: null orders like 0 against numbers (`length(null) < 3` is true).
    if a is None and type(b) in (int, float, bool):
        a = 0
    elif b is None and type(a) in (int, float, bool):
        b = 0
    return a, b


def less(a, b) -> bool:
    a, b = _ordered(a, b)
    return a < b


def less_or_equal(a, b) -> bool:
    a, b = _ordered(a, b)
    return a <= b


def greater(a, b) -> bool:
    a, b = _ordered(a, b)
    return a > b


def greater_or_equal(a, b) -> bool:
    a, b = _ordered(a, b)
    return a >= b


@lru_cache(maxsize=256)
def like_pattern(pattern: str, case_insensitive: bool):
    parts = ["(?si)" if case_insensitive else "(?s)"]
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(py_re.escape(char))
    return _compile("".join(parts))


def like(text, pattern, case_insensitive: bool = False) -> bool:
    """SQL LIKE as Hog does it: a search anywhere in the text (not anchored)."""
    if text is None or pattern is None:
        return False
    return like_pattern(str(pattern), case_insensitive).search(str(text)) is not None


def regex_search(text, pattern, case_insensitive: bool = False) -> bool:
    if text is None or pattern is None or text == "" or pattern == "":
        return False
    for side in (text, pattern):
        if type(side) is not str:
            raise HogError(REGEX_NEEDS_STRING.format(type=type_name(side)))
    return compile_regex(pattern, case_insensitive).search(text) is not None


@lru_cache(maxsize=256)
def compile_regex(pattern: str, case_insensitive: bool = False):
    try:
        return _compile(("(?i)" if case_insensitive else "") + pattern)
    except Exception as error:
        detail = error.args[0] if error.args else error
        detail = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        raise HogError(INVALID_REGEX.format(error=detail)) from None


def regex_not(text, pattern, case_insensitive: bool = False) -> bool:
    """`!~`: false (not true) when either side is null or empty, as `=~`."""
    if text is None or pattern is None or text == "" or pattern == "":
        return False
    return not regex_search(text, pattern, case_insensitive)


def contains(container, item) -> bool:
    """`item in container`: a substring, an element, or a dict key."""
    if container is None:
        raise HogError(NOT_ITERABLE)
    if type(container) is str:
        if type(item) is not str:
            raise HogError(f"'in <string>' requires string as left operand, not {type_name(item)}")
        return item in container
    if type(container) in (list, tuple, dict):
        try:
            return item in container
        except TypeError as error:
            raise HogError(str(error)) from None
    raise HogError(f"argument of type '{type_name(container)}' is not iterable")


COMPARISONS = {
    "==": equals,
    "!=": not_equals,
    "<": less,
    "<=": less_or_equal,
    ">": greater,
    ">=": greater_or_equal,
    "like": lambda a, b: like(a, b),
    "ilike": lambda a, b: like(a, b, True),
    "not like": lambda a, b: not like(a, b),
    "not ilike": lambda a, b: not like(a, b, True),
    "in": lambda a, b: contains(b, a),
    "not in": lambda a, b: not contains(b, a),
    "=~": lambda a, b: regex_search(a, b),
    "=~*": lambda a, b: regex_search(a, b, True),
    "~*": lambda a, b: regex_search(a, b, True),
    "!~": lambda a, b: regex_not(a, b),
    "!~*": lambda a, b: regex_not(a, b, True),
}
