"""String functions (spec §8.2)."""

import base64
import re
import urllib.parse

from queries.hog.operators import compile_regex, like, regex_search
from queries.hog.values import string_form

BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def length(value):
    # [DIVERGENCE] fixture nulls.hog: length(null) is null (the Python source read raised an error).
    if value is None:
        return None
    return len(value)


def _trim(text, chars, strip):
    if text is None:
        return None
    if chars is None:
        return strip(text)
    if len(chars) != 1:
        return ""
    return strip(text, chars)


def trim(text, chars=None):
    return _trim(text, chars, str.strip)


def trim_left(text, chars=None):
    return _trim(text, chars, str.lstrip)


def trim_right(text, chars=None):
    return _trim(text, chars, str.rstrip)


def reverse(value):
    if value is None:
        return None
    return value[::-1]


def position(text, needle) -> int:
    return text.find(needle) + 1 if type(text) is str and type(needle) is str else 0


def position_case_insensitive(text, needle) -> int:
    return position(text.lower(), needle.lower()) if type(text) is str and type(needle) is str else 0


def split_by_string(separator, text, max_parts=None):
    parts = text.split(separator)
    return parts[:max_parts] if max_parts is not None else parts


def substring(text, start, length_=None):
    if type(text) is not str or start < 1 or (length_ is not None and length_ < 0) or start > len(text):
        return ""
    return text[start - 1 :] if length_ is None else text[start - 1 : start - 1 + length_]


def extract_regex(text, pattern) -> str:
    try:
        match = compile_regex(pattern).search(text)
    except Exception:
        return ""
    if match is None:
        return ""
    return match.group(1) if match.re.groups else match.group(0)


def multi_search_any_case_insensitive(text, needles) -> int:
    lowered = text.lower()
    return 1 if any(str(needle).lower() in lowered for needle in needles) else 0


def encode_url_component(text) -> str:
    return urllib.parse.quote(text, safe="-_.!~*'()")


def decode_url_component(text) -> str:
    return urllib.parse.unquote(text)


def try_decode_url_component(text):
    if type(text) is not str or BAD_PERCENT.search(text):
        return None
    try:
        return urllib.parse.unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def base64_encode(text) -> str:
    return base64.b64encode(text.encode()).decode()


def base64_decode(text) -> str:
    return base64.b64decode(text.encode()).decode()


def functions(ctx) -> dict:
    def concat(*values):
        parts = [string_form(v) for v in values if v is not None]
        ctx.alloc(sum(len(p) for p in parts))
        return "".join(parts)

    def replace(text, old, new, count=-1):
        if type(text) is not str or type(old) is not str or type(new) is not str:
            return text.replace(old, new, count)
        found = len(text) + 1 if old == "" else text.count(old)
        found = found if count < 0 else min(found, count)
        ctx.alloc(len(text) + found * max(0, len(new) - len(old)))
        return text.replace(old, new, count)

    return {
        "concat": (concat, 1, None),
        "length": (length, 1, 1),
        "lower": (lambda text: None if text is None else text.lower(), 1, 1),
        "upper": (lambda text: None if text is None else text.upper(), 1, 1),
        "reverse": (reverse, 1, 1),
        "trim": (trim, 1, 2),
        "trimLeft": (trim_left, 1, 2),
        "trimRight": (trim_right, 1, 2),
        "replaceOne": (lambda text, old, new: replace(text, old, new, 1), 3, 3),
        "replaceAll": (lambda text, old, new: replace(text, old, new), 3, 3),
        "position": (position, 2, 2),
        "positionCaseInsensitive": (position_case_insensitive, 2, 2),
        "splitByString": (split_by_string, 2, 3),
        "substring": (substring, 2, 3),
        "startsWith": (
            lambda text, prefix: type(text) is str and type(prefix) is str and text.startswith(prefix),
            2,
            2,
        ),  # fmt: skip
        "like": (lambda text, pattern: like(text, pattern), 2, 2),
        "ilike": (lambda text, pattern: like(text, pattern, True), 2, 2),
        "notLike": (lambda text, pattern: not like(text, pattern), 2, 2),
        "notILike": (lambda text, pattern: not like(text, pattern, True), 2, 2),
        "match": (lambda text, pattern: regex_search(text, pattern), 2, 2),
        "extractRegex": (extract_regex, 2, 2),
        "multiSearchAnyCaseInsensitive": (multi_search_any_case_insensitive, 2, 2),
        "encodeURLComponent": (encode_url_component, 1, 1),
        "decodeURLComponent": (decode_url_component, 1, 1),
        "tryDecodeURLComponent": (try_decode_url_component, 1, 1),
        "base64Encode": (base64_encode, 1, 1),
        "base64Decode": (base64_decode, 1, 1),
    }
