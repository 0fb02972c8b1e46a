"""Which type a captured property value gets, and which names capture records (spec §2.2), as pure functions."""

import re
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

# Names longer than this (in UTF-8 bytes) are not recorded; neither are events named so.
MAX_NAME_BYTES = 200
SKIPPED_EVENTS = frozenset({"$$plugin_metrics"})
# Event properties that are person or group updates, not properties of the event.
SKIPPED_EVENT_PROPERTIES = frozenset(
    {"$set", "$set_once", "$unset", "$groups", "$group_0", "$group_1", "$group_2", "$group_3", "$group_4"}
)
PERSON_UPDATE_KEYS = ("$set", "$set_once")
# An integer under a time-like key is a timestamp only if it is at most this old (six months, in seconds).
RECENT_TIMESTAMP_SECONDS = 15_768_000
DATE_KEY_PARTS = ("time", "timestamp", "date", "_at", "-at", "createdat", "updatedat")
STRING_KEY_PREFIXES = ("utm_", "$feature/", "$survey_response")
BOOLEAN_STRINGS = frozenset({"true", "false", "TRUE", "FALSE"})
DATE_PATTERN = re.compile(
    r"^(([0-9]{4}[/-][0-2][0-9][/-][0-3][0-9])|([0-2][0-9][/-][0-3][0-9][/-][0-9]{4}))"
    r"([ T][0-2][0-9]:[0-6][0-9]:[0-6][0-9].*)?$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def clean_name(name: str) -> str | None:
    """The name as stored (NUL becomes U+FFFD), or None when it is too long to record."""
    if len(name) * 4 > MAX_NAME_BYTES and len(name.encode()) > MAX_NAME_BYTES:
        return None
    return name.replace("\x00", "\ufffd") if "\x00" in name else name


def looks_like_date(text: str) -> bool:
    """RFC 3339, RFC 2822, or a `YYYY-MM-DD`/`DD-MM-YYYY` date (optionally with a time) as ingestion sees dates."""
    if DATE_PATTERN.match(text):
        return True
    if RFC3339.match(text):
        try:
            datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
            return True
        except ValueError:
            return False
    if "," in text or ":" in text:
        try:
            return parsedate_to_datetime(text) is not None
        except (TypeError, ValueError, IndexError):
            return False
    return False


def detect_property_type(key: str, value: Any, now: float | None = None) -> str | None:
    """`DateTime`, `String`, `Numeric`, `Boolean`, or None (null, object, array): the first matching rule wins."""
    lowered = key.lower()
    if lowered.startswith(STRING_KEY_PREFIXES) or lowered == "$feature_flag_response":
        return "String"
    is_integer = isinstance(value, int) and not isinstance(value, bool)
    if any(part in lowered for part in DATE_KEY_PARTS):
        if isinstance(value, str) and looks_like_date(value.strip()):
            return "DateTime"
        if is_integer and value >= 0 and value >= (now if now is not None else time.time()) - RECENT_TIMESTAMP_SECONDS:
            return "DateTime"
    if isinstance(value, str):
        text = value.strip()
        if text in BOOLEAN_STRINGS:
            return "Boolean"
        return "DateTime" if looks_like_date(text) else "String"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int | float):
        return "Numeric"
    return None
