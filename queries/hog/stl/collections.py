"""Array and dict functions (spec §8.3); the higher-order ones call Hog functions through the runtime."""

from queries.hog.errors import TEXT_TOO_LARGE, HogError
from queries.hog.values import MAX_TEXT_BYTES, print_value


def keys(value) -> list:
    if type(value) is dict:
        return list(value.keys())
    if type(value) in (list, tuple):
        return list(range(len(value)))
    return []


def values(value) -> list:
    if type(value) is dict:
        return list(value.values())
    if type(value) in (list, tuple):
        return list(value)
    return []


def has(array, item) -> bool:
    return type(array) is list and item in array


def index_of(array, item) -> int:
    if type(array) is not list:
        return 0
    for index, element in enumerate(array):
        if element == item:
            return index + 1
    return 0


def array_string_concat(array, separator="") -> str:
    if type(array) is not list:
        return ""
    parts = [str(v) if type(v) in (str, int, float, bool) or v is None else print_value(v) for v in array]
    separator = str(separator)
    if sum(len(p) for p in parts) + len(separator) * max(0, len(parts) - 1) > MAX_TEXT_BYTES:
        raise HogError(TEXT_TOO_LARGE.format(limit=MAX_TEXT_BYTES))
    return separator.join(parts)


def functions(ctx) -> dict:
    call = ctx.call

    def grown(array: list) -> list:
        ctx.alloc(8 * len(array))
        return array

    def array_map(function, array):
        return [call(function, [item]) for item in values(array)]

    def array_filter(function, array):
        return [item for item in values(array) if call(function, [item])]

    def array_exists(function, array):
        return any(call(function, [item]) for item in values(array))

    def array_count(function, array):
        return sum(1 for item in values(array) if call(function, [item]))

    def array_reduce(function, array, initial):
        accumulator = initial
        for item in values(array):
            accumulator = call(function, [accumulator, item])
        return accumulator

    return {
        "keys": (keys, 1, 1),
        "values": (values, 1, 1),
        "has": (has, 2, 2),
        "indexOf": (index_of, 2, 2),
        "arrayPushBack": (lambda array, item: grown([*array, item] if type(array) is list else [item]), 2, 2),
        "arrayPushFront": (lambda array, item: grown([item, *array] if type(array) is list else [item]), 2, 2),
        "arrayPopBack": (lambda array: list(array[:-1]) if type(array) is list else [], 1, 1),
        "arrayPopFront": (lambda array: list(array[1:]) if type(array) is list else [], 1, 1),
        "arraySort": (lambda array: sorted(array), 1, 1),
        "arrayReverseSort": (lambda array: sorted(array, reverse=True), 1, 1),
        "arrayReverse": (lambda array: list(array)[::-1] if type(array) in (list, tuple) else [], 1, 1),
        "arrayStringConcat": (array_string_concat, 1, 2),
        "arrayMap": (array_map, 2, 2, True),
        "arrayFilter": (array_filter, 2, 2, True),
        "arrayExists": (array_exists, 2, 2, True),
        "arrayCount": (array_count, 2, 2, True),
        "arrayReduce": (array_reduce, 3, 3, True),
    }
