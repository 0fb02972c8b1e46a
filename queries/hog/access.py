"""Reading and writing `a[i]`, `a.key`: 1-based for arrays, tuples and strings, any key for dicts (spec §4)."""

from queries.hog.errors import (
    ARRAYS_START_AT_ONE,
    CANNOT_SET_PROPERTY,
    INDEX_OUT_OF_RANGE,
    INVALID_INDEX,
    HogError,
)
from queries.hog.values import no_attribute, print_value, type_name


def get_property(obj, key):
    """`obj[key]`; null for a null base, a missing key or an index past either end."""
    if obj is None:
        return None
    kind = type(obj)
    if kind is dict:
        try:
            return obj.get(key)
        except TypeError as error:
            raise HogError(str(error)) from None
    if (kind is list or kind is tuple or kind is str) and type(key) is int:
        if key > 0:
            return obj[key - 1] if key <= len(obj) else None
        if key == 0:
            raise HogError(ARRAYS_START_AT_ONE)
        return obj[key] if -key <= len(obj) else None
    raise HogError(no_attribute(obj))


def set_property(obj, key, value) -> None:
    """`obj[key] := value`; a null base is ignored, as in PostHog's VM."""
    if obj is None:
        return
    kind = type(obj)
    if kind is dict:
        try:
            obj[key] = value
        except TypeError as error:
            raise HogError(str(error)) from None
        return
    if kind is list:
        if type(key) is not int:
            raise HogError(INVALID_INDEX.format(index=print_value(key)))
        if key <= 0:
            raise HogError(ARRAYS_START_AT_ONE)
        if key > len(obj):
            raise HogError(INDEX_OUT_OF_RANGE.format(index=key, length=len(obj)))
        obj[key - 1] = value
        return
    raise HogError(CANNOT_SET_PROPERTY.format(key=key if type(key) is str else print_value(key), type=type_name(obj)))
