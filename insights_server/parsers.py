"""Request bodies: JSON objects parsed with orjson, refused when nested deeper than any query needs or holding NUL.

Deeply nested JSON would otherwise reach recursive code (validation, cache keys, printers) and end in a
RecursionError; the depth check is an iterative walk, so it cannot itself overflow the stack. PostgreSQL stores no
NUL character (U+0000) in text or jsonb, so one in any string or key is a 400 here, not a 500 at the first save.
"""

from collections.abc import Iterable
from typing import Any

import orjson
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 100
JSON_TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
JSON_NUL_CHARACTER = "JSON parse error - strings may not contain the NUL character (\\u0000)."
BODY_NOT_AN_OBJECT = "The request body must be a JSON object."


def json_depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists/objects nest deeper than `limit` (iterative, no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_has_nul(value) -> bool:
    """Whether any string or object key in `value` contains a NUL character (iterative, no recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw:
            raise ParseError("JSON parse error - Expecting value: line 1 column 1 (char 0)")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            if "recursion" in str(error):
                raise ParseError(JSON_TOO_DEEP) from None
            raise ParseError(f"JSON parse error - {error}") from None
        if json_depth_exceeds(data):
            raise ParseError(JSON_TOO_DEEP)
        if json_has_nul(data):
            raise ParseError(JSON_NUL_CHARACTER)
        if not isinstance(data, dict):
            # Every endpoint of this API takes an object; `null` or a list would reach code that reads keys.
            raise ValidationError(BODY_NOT_AN_OBJECT)
        return data
