"""Turning one raw SDK event into the stored shape: uuid, corrected timestamp, person updates inside properties."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson

from ingestion.errors import MISSING_DISTINCT_ID, MISSING_EVENT_NAME, EventRejected
from queries.clickhouse.elements import elements_to_chain

MAX_DISTINCT_ID_LENGTH = 200
MAX_EVENT_NAME_LENGTH = 200
# Timestamps further ahead than this are clock errors: PostHog stores them at ingestion time.
MAX_FUTURE = timedelta(hours=23)
PERSON_UPDATE_KEYS = ("$set", "$set_once", "$unset")
REMOVED_PROPERTY_KEYS = frozenset(("token", "$token", "api_key", "distinct_id"))
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO-8601 string (a missing zone means UTC) or epoch milliseconds; None when unusable."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            parsed = datetime.fromtimestamp(value / 1000, tz=UTC)
        elif isinstance(value, str):
            return parse_timestamp_text(value)
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@lru_cache(maxsize=256)  # a batch's sent_at, and SDK timestamps, repeat from one event to the next
def parse_timestamp_text(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def event_timestamp(raw: dict, batch_sent_at: Any, now: datetime) -> datetime:
    """PostHog's rule: correct the client clock with sent_at, else apply offset, else trust timestamp, else now."""
    raw_properties = raw.get("properties")
    properties = raw_properties if isinstance(raw_properties, dict) else {}
    timestamp = parse_timestamp(raw.get("timestamp"))
    sent_at = None if properties.get("$ignore_sent_at") else parse_timestamp(raw.get("sent_at") or batch_sent_at)
    offset = raw.get("offset")
    if timestamp is not None and sent_at is not None:
        result = now + (timestamp - sent_at)
    elif isinstance(offset, int | float) and not isinstance(offset, bool):
        result = now - timedelta(milliseconds=offset)
    elif timestamp is not None:
        result = timestamp
    else:
        result = now
    if result > now + MAX_FUTURE or result.year < 1970:
        return now
    return result


def clean_distinct_id(raw: dict, properties: dict) -> str:
    value = raw.get("distinct_id", properties.get("distinct_id", raw.get("$distinct_id")))
    if value is None or value == "":
        raise EventRejected(MISSING_DISTINCT_ID, attr="distinct_id", code="required")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise EventRejected("`distinct_id` must be a string or a number.", attr="distinct_id")
    value = str(value).strip()
    if not value or value.lower() in ("null", "undefined", "none", "[object object]", "nan"):
        raise EventRejected(f"Distinct id {value!r} is not allowed.", attr="distinct_id")
    if len(value) > MAX_DISTINCT_ID_LENGTH:
        raise EventRejected(f"`distinct_id` is longer than {MAX_DISTINCT_ID_LENGTH} characters.", attr="distinct_id")
    return value


def clean_uuid(raw: dict) -> str:
    value = raw.get("uuid")
    if value in (None, ""):
        return str(uuid.uuid4())
    if isinstance(value, str) and CANONICAL_UUID.fullmatch(value):
        return value  # what str(uuid.UUID(value)) gives, without its cost
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise EventRejected("`uuid` must be a valid UUID.", attr="uuid") from None


def normalize_event(
    raw: Any, team_id: int, batch: dict, now: datetime, engage: bool = False, now_text: str | None = None
) -> dict:
    """The stored form of one event, as a JSON-ready dict. Raises EventRejected with the reason. `now_text` is
    `now.isoformat()` when the caller has it already (one per request)."""
    if not isinstance(raw, dict):
        raise EventRejected("Each event must be a JSON object.")
    properties = raw.get("properties", {})
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise EventRejected("`properties` must be a JSON object.", attr="properties")
    properties = dict(properties)
    event = "$identify" if engage else raw.get("event")
    if event is None or event == "":
        raise EventRejected(MISSING_EVENT_NAME, attr="event", code="required")
    if not isinstance(event, str):
        raise EventRejected("`event` must be a string.", attr="event")
    if len(event) > MAX_EVENT_NAME_LENGTH:
        raise EventRejected(f"`event` is longer than {MAX_EVENT_NAME_LENGTH} characters.", attr="event")
    distinct_id = clean_distinct_id(raw, properties)
    for key in PERSON_UPDATE_KEYS:
        # SDKs put person updates at the top level (posthog-python) or inside properties (posthog-js/node).
        top_level = raw.get(key)
        if isinstance(top_level, dict) and isinstance(properties.get(key, {}), dict):
            properties[key] = {**(properties.get(key) or {}), **top_level}
        elif top_level is not None and key not in properties:
            properties[key] = top_level
        value = properties.get(key)
        if value is None:
            properties.pop(key, None)
        elif key == "$unset":
            if not isinstance(value, list | dict):
                raise EventRejected("`$unset` must be a list of property names.", attr=key)
        elif not isinstance(value, dict):
            raise EventRejected(f"`{key}` must be a JSON object.", attr=key)
    for key in REMOVED_PROPERTY_KEYS:
        properties.pop(key, None)
    elements_chain = properties.pop("$elements_chain", None)
    elements = properties.pop("$elements", None)
    if not isinstance(elements_chain, str):
        elements_chain = elements_to_chain(elements) if isinstance(elements, list) else ""
    timestamp = event_timestamp(raw, batch.get("sent_at"), now)
    return {
        "uuid": clean_uuid(raw),
        "event": event,
        "distinct_id": distinct_id,
        "properties": properties,
        "timestamp": timestamp.isoformat(),
        "team_id": team_id,
        "elements_chain": elements_chain,
        "now": now_text or now.isoformat(),
    }


# The fast path leaves events with any of these keys to normalize_event: each needs work the common event does not.
GENERAL_EVENT_KEYS = frozenset(("$set", "$set_once", "$unset", "sent_at", "offset"))
GENERAL_PROPERTY_KEYS = frozenset(("$unset", "$elements_chain", "$elements", "$ignore_sent_at"))
UNUSABLE_DISTINCT_IDS = frozenset(("null", "undefined", "none", "[object object]", "nan"))
NO_PERSON_UPDATE: dict = {}


def common_properties(properties: Any) -> dict | None:
    """The properties of an event for the fast path ({} when absent): None unless they are a dict whose `$set` and
    `$set_once` are dicts when present, without keys that need the general path."""
    if properties is None:
        return {}
    if type(properties) is not dict or not GENERAL_PROPERTY_KEYS.isdisjoint(properties):
        return None
    if type(properties.get("$set", NO_PERSON_UPDATE)) is not dict:
        return None
    if type(properties.get("$set_once", NO_PERSON_UPDATE)) is not dict:
        return None
    return properties


class BatchNormalizer:
    """normalize_event for the events of one request: per-request values are worked out once, and the common
    well-formed event takes a fast path with the same result."""

    def __init__(self, batch: dict, now: datetime, engage: bool = False):
        self.batch = batch
        self.now = now
        self.now_text = now.isoformat()
        self.engage = engage
        self.sent_at = batch.get("sent_at")
        self.timestamps: dict[str | None, str] = {}  # timestamp as sent -> stored text, for this request

    def normalize(self, raw: Any, team_id: int) -> dict:
        """What normalize_event gives (or raises) for `raw`."""
        event = None if self.engage else self.common_event(raw, team_id)
        if event is None:
            event = normalize_event(raw, team_id, self.batch, self.now, engage=self.engage, now_text=self.now_text)
        return event

    def common_event(self, raw: Any, team_id: int) -> dict | None:
        """normalize_event's result for a well-formed event (string event, distinct_id and timestamp, canonical
        uuid, properties absent or without keys that need work); None for any other event. Does not change `raw`;
        the result may share its properties."""
        if type(raw) is not dict or not GENERAL_EVENT_KEYS.isdisjoint(raw):
            return None
        event = raw.get("event")
        uuid_text = raw.get("uuid")
        timestamp = raw.get("timestamp")
        properties = common_properties(raw.get("properties"))
        if properties is None or type(event) is not str or type(uuid_text) is not str:
            return None
        distinct_id = raw.get("distinct_id") if "distinct_id" in raw else properties.get("distinct_id")
        if type(distinct_id) is not str or (timestamp is not None and type(timestamp) is not str):
            return None
        distinct_id = distinct_id.strip()
        if not 0 < len(distinct_id) <= MAX_DISTINCT_ID_LENGTH or distinct_id.lower() in UNUSABLE_DISTINCT_IDS:
            return None
        if not 0 < len(event) <= MAX_EVENT_NAME_LENGTH or not CANONICAL_UUID.fullmatch(uuid_text):
            return None
        if REMOVED_PROPERTY_KEYS.isdisjoint(properties):
            stored_properties = properties
        else:
            stored_properties = {key: value for key, value in properties.items() if key not in REMOVED_PROPERTY_KEYS}
        return {
            "uuid": uuid_text,
            "event": event,
            "distinct_id": distinct_id,
            "properties": stored_properties,
            "timestamp": self.timestamp_text(timestamp),
            "team_id": team_id,
            "elements_chain": "",
            "now": self.now_text,
        }

    def timestamp_text(self, timestamp: str | None) -> str:
        """The stored timestamp of an event without its own sent_at or offset (events of a batch share these)."""
        text = self.timestamps.get(timestamp)
        if text is None:
            text = event_timestamp({"timestamp": timestamp}, self.sent_at, self.now).isoformat()
            self.timestamps[timestamp] = text
        return text


def properties_json(properties: dict) -> str:
    """Properties as stored: JSON text (orjson writes non-finite floats, which JSON lacks, as null)."""
    return orjson.dumps(properties, option=orjson.OPT_NON_STR_KEYS).decode()
