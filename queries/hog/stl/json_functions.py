"""JSON functions (spec §8.5): Python's `json` spacing, tuples as arrays, functions as their printed name."""

import json

from queries.hog.errors import TEXT_TOO_LARGE, HogError
from queries.hog.results import MAX_DEPTH, to_json_data
from queries.hog.values import MAX_TEXT_BYTES

JSON_TOO_DEEP = "JSON nested too deeply"


def json_parse(text):
    try:
        return json.loads(text)
    except RecursionError:
        raise HogError(JSON_TOO_DEEP) from None
    except json.JSONDecodeError as error:
        raise HogError(str(error)) from None


def json_stringify(value, indent=None):
    data = to_json_data(value, closures_as_text=True)
    if not (isinstance(indent, int) and indent > 0):
        return json.dumps(data)
    # Indentation multiplies the size: the text is built piece by piece and bounded like printing.
    parts, size = [], 0
    for chunk in json.JSONEncoder(indent=indent).iterencode(data):
        size += len(chunk)
        if size > MAX_TEXT_BYTES:
            raise HogError(TEXT_TOO_LARGE.format(limit=MAX_TEXT_BYTES))
        parts.append(chunk)
    return "".join(parts)


def is_valid_json(text) -> bool:
    try:
        json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return False
    return True


MISSING = object()


def _at_path(document, path):
    if type(document) is str:
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            return MISSING
    for key in path:
        if type(key) is int and type(document) is list:
            if key == 0 or abs(key) > len(document):
                return MISSING
            document = document[key - 1] if key > 0 else document[key]
        elif type(document) is dict and type(key) is str:
            if key not in document:
                return MISSING
            document = document[key]
        else:
            return MISSING
    return document


def json_has(document, *path) -> bool:
    return _at_path(document, path) is not MISSING


def json_length(document, *path) -> int:
    found = _at_path(document, path)
    return len(found) if type(found) in (list, dict) else 0


def json_extract_bool(document, *path) -> bool:
    return _at_path(document, path) is True


def json_extract_int(document, *path):
    found = _at_path(document, path)
    if type(found) in (int, float):
        return int(found)
    if type(found) is str:
        try:
            return int(float(found))
        except ValueError:
            return None
    return None


def json_extract_float(document, *path):
    found = _at_path(document, path)
    if type(found) in (int, float):
        return float(found)
    if type(found) is str:
        try:
            return float(found)
        except ValueError:
            return None
    return None


def json_extract_string(document, *path):
    found = _at_path(document, path)
    if found is MISSING or found is None:
        return None
    return found if type(found) is str else json.dumps(found)


def json_extract(document, *path_and_type):
    found = _at_path(document, path_and_type[:-1] if path_and_type else ())
    return None if found is MISSING else found


def json_extract_array_raw(document, *path):
    found = _at_path(document, path)
    return found if type(found) is list else None


def functions(ctx) -> dict:
    return {
        "jsonParse": (json_parse, 1, 1),
        "jsonStringify": (json_stringify, 1, 2),
        "isValidJSON": (is_valid_json, 1, 1),
        "JSONHas": (json_has, 1, None),
        "JSONLength": (json_length, 1, None),
        "JSONExtractBool": (json_extract_bool, 1, None),
        "JSONExtractInt": (json_extract_int, 1, None),
        "JSONExtractFloat": (json_extract_float, 1, None),
        "JSONExtractString": (json_extract_string, 1, None),
        "JSONExtract": (json_extract, 1, None),
        "JSONExtractArrayRaw": (json_extract_array_raw, 1, None),
    }


__all__ = ["MAX_DEPTH", "functions"]
