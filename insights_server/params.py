"""Query-string parameters read one way everywhere: JSON values, booleans, bounded integers, limit/offset pages."""

import json
from dataclasses import dataclass

from rest_framework.exceptions import ValidationError

from insights_server.parsers import json_has_nul

TRUTHY = frozenset({"y", "yes", "t", "true", "on", "1"})
NOT_A_JSON_ARRAY = "Must be a JSON array."
NOT_A_JSON_INT_ARRAY = "Must be a JSON array of integers."
NOT_AN_INTEGER = "A valid integer is required."
LIMIT_OFFSET_INTEGERS = "limit and offset must be integers."
NUL_NOT_ALLOWED = "Null characters are not allowed."
# Integers bigger than this are refused before they reach a database: 2**63 - 1 overflows PostgreSQL's bigint.
MAX_INTEGER = 2**31 - 1


MAX_BIGINT = 2**63 - 1


def parse_id(raw) -> int | None:
    """A database id from URL or JSON text: ASCII digits only (`"²".isdigit()` is true, `int("²")` fails) and
    within PostgreSQL's bigint, else None, which callers answer with their usual 404/400."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_BIGINT else None


def text_param(params, name: str) -> str | None:
    """The text of parameter `name` (None when absent or empty); 400 (attr = name) when it holds a NUL character,
    which PostgreSQL cannot compare (DRF's CharField refuses it with the same message)."""
    value = params.get(name)
    if value and "\x00" in value:
        raise ValidationError({name: [NUL_NOT_ALLOWED]})
    return value or None


def invalid_json_message(name: str) -> str:
    return f"Invalid JSON passed in {name} parameter"


def is_truthy(value) -> bool:
    """PostHog's `str_to_bool`: y, yes, t, true, on and 1 (any case) are true; anything else is false."""
    return str(value).strip().lower() in TRUTHY


def bool_param(params, name: str, default: bool = False) -> bool:
    raw = params.get(name)
    return default if raw is None else is_truthy(raw)


def json_param(params, name: str) -> dict | None:
    """The JSON object in parameter `name`; None when absent, empty or JSON `null`; 400 (attr = name) otherwise."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValidationError({name: [invalid_json_message(name)]}) from None
    if value is not None and not isinstance(value, dict):
        raise ValidationError({name: [invalid_json_message(name)]})
    if json_has_nul(value):
        raise ValidationError({name: [NUL_NOT_ALLOWED]})
    return value


def json_list_param(params, name: str) -> list:
    """The JSON array in parameter `name`; [] when absent or empty; 400 when it is not a JSON array."""
    raw = params.get(name)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValidationError({name: [NOT_A_JSON_ARRAY]}) from None
    if not isinstance(value, list):
        raise ValidationError({name: [NOT_A_JSON_ARRAY]})
    if json_has_nul(value):
        raise ValidationError({name: [NUL_NOT_ALLOWED]})
    return value


def json_int_list_param(params, name: str) -> list[int]:
    values = json_list_param(params, name)
    if not all(isinstance(value, int | str) and _is_int(value) for value in values):
        raise ValidationError({name: [NOT_A_JSON_INT_ARRAY]})
    return [int(value) for value in values]


def _is_int(value) -> bool:
    try:
        return abs(int(value)) <= MAX_INTEGER
    except (TypeError, ValueError):
        return False


def int_param(params, name: str, default: int, *, minimum: int = 0, maximum: int = MAX_INTEGER) -> int:
    """A whole number in [minimum, maximum]; `default` when absent; 400 (attr = name) otherwise.

    Only ASCII digits count: `str.isdigit()` accepts digits such as "²" that `int()` refuses.
    """
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip()
    body = text[1:] if text[:1] in "+-" else text
    if not (body.isascii() and body.isdigit()) or len(body) > 12:
        raise ValidationError({name: [NOT_AN_INTEGER]})
    value = int(text)
    if value < minimum:
        raise ValidationError({name: [f"Ensure this value is greater than or equal to {minimum}."]})
    if value > maximum:
        raise ValidationError({name: [f"Ensure this value is less than or equal to {maximum}."]})
    return value


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    def slice(self, sequence):
        return sequence[self.offset : self.offset + self.limit]


def limit_offset_page(params, *, default_limit: int, max_limit: int) -> Page:
    """`limit` (1..max_limit, default default_limit) and `offset` (>= 0) of a list request."""
    return Page(
        limit=int_param(params, "limit", default_limit, minimum=1, maximum=max_limit),
        offset=int_param(params, "offset", 0, minimum=0),
    )
