"""Output, types, conversions, logic, errors, math and `run()` (spec §8.1, §8.4, §8.8)."""

import math
import random
import time
import uuid

from queries.hog.errors import RUN_NEEDS_STRING, HogError
from queries.hog.values import make_error, print_value, truthy, typeof


def to_string(value) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is str:
        return value
    if type(value) is dict and value.get("__hogDateTime__"):
        from queries.hog.stl.dates import datetime_iso

        return datetime_iso(value)
    if type(value) is dict and value.get("__hogDate__"):
        return f"{value['year']:04d}-{value['month']:02d}-{value['day']:02d}"
    return print_value(value)


def _number(value, convert):
    from queries.hog.stl.dates import date_days

    if type(value) is dict and value.get("__hogDateTime__"):
        return convert(value["dt"])
    if type(value) is dict and value.get("__hogDate__"):
        return convert(date_days(value))
    if type(value) in (int, float, bool):
        return convert(value)
    if type(value) is str:
        try:
            return convert(value)
        except ValueError:
            return None
    return None


def to_int(value):
    return _number(value, int)


def to_float(value):
    return _number(value, float)


def empty(value) -> bool:
    if type(value) in (int, float, bool):
        return False
    return not truthy(value)


def assume_not_null(value):
    if value is None:
        raise HogError("Value is null in assumeNotNull")
    return value


def contains_in(value, array) -> bool:
    return type(array) in (list, tuple) and value in array


def error_constructor(type_: str):
    return lambda message=None, payload=None: make_error(type_, message, payload)


def hog_error(type_, message=None, payload=None):
    return make_error(type_, message, payload)


def floor(value):
    return int(math.floor(value))


def hog_round(value):
    return round(value)


def hog_range(start, stop=None):
    if stop is None:
        start, stop = 0, start
    return list(range(start, stop))


def functions(ctx) -> dict:
    def hog_print(*args):
        ctx.print_line(" ".join(a if type(a) is str else print_value(a) for a in args))

    def run(query):
        if type(query) is not str:
            raise HogError(RUN_NEEDS_STRING)
        from queries.hog.results import from_python

        response = ctx.run_query(query)
        rows = from_python(response.get("results") or [])
        ctx.alloc(8 * len(rows), rows)
        return rows

    def sleep(seconds):
        time.sleep(max(0.0, min(float(seconds), ctx.deadline - time.monotonic())))
        ctx.check()

    def checked_range(start, stop=None):
        count = max(0, (start if stop is None else stop - start))
        ctx.alloc(8 * count)
        return hog_range(start, stop)

    return {
        "print": (hog_print, 0, None),
        "typeof": (typeof, 1, 1),
        "toString": (to_string, 1, 1),
        "toUUID": (to_string, 1, 1),
        "toInt": (to_int, 1, 1),
        "toFloat": (to_float, 1, 1),
        "isNull": (lambda value: value is None, 1, 1),
        "isNotNull": (lambda value: value is not None, 1, 1),
        "coalesce": (lambda *values: next((v for v in values if v is not None), None), 1, None),
        "assumeNotNull": (assume_not_null, 1, 1),
        "empty": (empty, 1, 1),
        "notEmpty": (lambda value: not empty(value), 1, 1),
        "tuple": (lambda *values: tuple(values), 0, None),
        "equals": (lambda a, b: a == b, 2, 2),
        "notEquals": (lambda a, b: a != b, 2, 2),
        "greater": (lambda a, b: a > b, 2, 2),
        "greaterOrEquals": (lambda a, b: a >= b, 2, 2),
        "less": (lambda a, b: a < b, 2, 2),
        "lessOrEquals": (lambda a, b: a <= b, 2, 2),
        "and": (lambda *values: all(truthy(v) for v in values), 1, None),
        "or": (lambda *values: any(truthy(v) for v in values), 1, None),
        "not": (lambda value: not truthy(value), 1, 1),
        "in": (contains_in, 2, 2),
        "if": (lambda cond, then, other=None: then if truthy(cond) else other, 2, 3),
        "ifNull": (lambda value, other: other if value is None else value, 2, 2),
        "Error": (error_constructor("Error"), 0, 2),
        "RetryError": (error_constructor("RetryError"), 0, 2),
        "NotImplementedError": (error_constructor("NotImplementedError"), 0, 2),
        "HogError": (hog_error, 1, 3),
        "floor": (floor, 1, 1),
        "round": (hog_round, 1, 1),
        "plus": (lambda a, b: a + b, 2, 2),
        "minus": (lambda a, b: a - b, 2, 2),
        "min2": (lambda a, b: a if a < b else b, 2, 2),
        "max2": (lambda a, b: a if a > b else b, 2, 2),
        "range": (checked_range, 1, 2),
        "run": (run, 1, 1),
        "sleep": (sleep, 1, 1),
        "generateUUIDv4": (lambda: str(uuid.uuid4()), 0, 0),
        "randomFloat": (random.random, 0, 0),
    }
