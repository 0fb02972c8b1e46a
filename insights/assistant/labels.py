"""Human labels for query parts: events, properties, maths, filters, date ranges, intervals, and number formats."""

from __future__ import annotations

import re
from typing import Any

# Display names of PostHog's core events and properties (the taxonomy labels its web app shows).
EVENT_LABELS = {
    "$pageview": "Pageview",
    "$pageleave": "Pageleave",
    "$autocapture": "Autocapture",
    "$screen": "Screen",
    "$identify": "Identify",
    "$create_alias": "Alias",
    "$set": "Set person properties",
    "$groupidentify": "Group identify",
    "$rageclick": "Rageclick",
    "$dead_click": "Dead click",
    "$exception": "Exception",
    "$feature_flag_called": "Feature flag called",
    "$web_vitals": "Web vitals",
    "$opt_in": "Opt in",
    "$survey_shown": "Survey shown",
    "$survey_sent": "Survey sent",
    "$survey_dismissed": "Survey dismissed",
    "$snapshot": "Snapshot",
    "$ai_generation": "AI generation",
}

PROPERTY_LABELS = {
    "$browser": "browser",
    "$browser_version": "browser version",
    "$os": "OS",
    "$os_version": "OS version",
    "$device_type": "device type",
    "$device": "device",
    "$current_url": "current URL",
    "$pathname": "path name",
    "$host": "host",
    "$referrer": "referrer",
    "$referring_domain": "referring domain",
    "$initial_referrer": "initial referrer",
    "$initial_referring_domain": "initial referring domain",
    "$screen_name": "screen name",
    "$screen_width": "screen width",
    "$screen_height": "screen height",
    "$lib": "library",
    "$lib_version": "library version",
    "$geoip_country_name": "country",
    "$geoip_country_code": "country code",
    "$geoip_city_name": "city",
    "$geoip_subdivision_1_name": "region",
    "$geoip_continent_name": "continent",
    "$session_duration": "session duration",
    "$entry_current_url": "entry URL",
    "$entry_pathname": "entry path name",
    "$channel_type": "channel type",
    "$app_version": "app version",
    "$event_type": "event type",
    "utm_source": "UTM source",
    "utm_medium": "UTM medium",
    "utm_campaign": "UTM campaign",
    "utm_content": "UTM content",
    "utm_term": "UTM term",
}

# Short math names as PostHog's insight summaries use them; "count" is the default (total) math.
MATH_SHORT_NAMES = {
    "total": "count",
    "dau": "unique users",
    "weekly_active": "weekly active users",
    "monthly_active": "monthly active users",
    "unique_session": "unique sessions",
    "first_time_for_user": "first-time users",
    "first_time_for_user_with_filters": "first-time users",
    "first_matching_event_for_user": "first matching events",
    "unique_group": "unique groups",
    "avg": "average",
    "sum": "sum",
    "min": "minimum",
    "max": "maximum",
    "median": "median",
    "p75": "75th percentile",
    "p90": "90th percentile",
    "p95": "95th percentile",
    "p99": "99th percentile",
}
PROPERTY_MATHS = {"avg", "sum", "min", "max", "median", "p75", "p90", "p95", "p99"}
ACTIVE_USER_MATHS = {"weekly_active": "Weekly active users", "monthly_active": "Monthly active users"}
# Maths whose per-interval values may be added up into a meaningful total.
ADDITIVE_MATHS = {None, "total", "sum"}

OPERATOR_LABELS = {
    "exact": "=",
    "is_not": "≠",
    "icontains": "contains",
    "not_icontains": "doesn't contain",
    "regex": "matches",
    "not_regex": "doesn't match",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "is_date_exact": "on",
    "is_date_before": "before",
    "is_date_after": "after",
    "between": "between",
    "not_between": "not between",
    "min": "≥",
    "max": "≤",
    "in": "in",
    "not_in": "not in",
    "is_cleaned_path_exact": "=",
    "flag_evaluates_to": "evaluates to",
}

INTERVAL_ADVERBS = {"minute": "per minute", "hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}
_RELATIVE_DATE = re.compile(r"^-?(\d+)([hdwmqyM])(Start|End)?$")
_UNITS = {"h": "hour", "d": "day", "w": "week", "m": "month", "q": "quarter", "y": "year", "M": "minute"}
_PERIOD_STARTS = {
    "dStart": "today",
    "wStart": "this week",
    "mStart": "this month",
    "qStart": "this quarter",
    "yStart": "this year",
}


def plural(count: int | float, noun: str) -> str:
    return f"{format_number(count)} {noun}{'' if count == 1 else 's'}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def event_label(event: str | None) -> str:
    """`$pageview` -> "Pageview"; other `$` events lose the dollar and underscores; custom events stay as named."""
    if event is None:
        return "All events"
    if event in EVENT_LABELS:
        return EVENT_LABELS[event]
    if event.startswith("$"):
        return capitalize(event[1:].replace("_", " "))
    return event


def property_label(key: Any) -> str:
    """`$browser` -> "browser"; unknown `$` keys lose the dollar and underscores; custom keys stay as named."""
    key = str(key)
    if key in PROPERTY_LABELS:
        return PROPERTY_LABELS[key]
    for prefix in ("properties.", "person.properties."):
        if key.startswith(prefix):
            return property_label(key[len(prefix) :])
    if key.startswith("$"):
        return key[1:].replace("_", " ")
    return key


def entity_label(node: dict | None) -> str:
    """The display name of a series node: custom name, else the event/action/table name (PostHog's rule)."""
    node = node or {}
    if node.get("custom_name"):
        return str(node["custom_name"])
    kind = node.get("kind")
    if kind == "ActionsNode" or node.get("type") == "actions":
        return str(node.get("name") or f"Action {node.get('id')}")
    if kind in ("DataWarehouseNode", "FunnelsDataWarehouseNode", "LifecycleDataWarehouseNode"):
        return str(node.get("table_name") or node.get("id"))
    if kind == "GroupNode":
        joiner = " or " if node.get("operator") == "OR" else " and "
        return str(node.get("name") or joiner.join(entity_label(child) for child in node.get("nodes") or []))
    if "event" in node or kind == "EventsNode":
        return event_label(node.get("event"))
    if "id" in node:  # a retention entity: {id, type}
        return event_label(node.get("id")) if node.get("type") in (None, "events") else str(node.get("name") or "")
    return str(node.get("name") or "All events")


def breakdown_keys(breakdown_filter: dict | None) -> list[Any]:
    """The properties a breakdown filter splits by (single, list-valued or multiple breakdowns)."""
    breakdown_filter = breakdown_filter or {}
    if breakdown_filter.get("breakdowns"):
        return [item.get("property") for item in breakdown_filter["breakdowns"]]
    value = breakdown_filter.get("breakdown")
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def breakdown_label(breakdown_filter: dict | None) -> str | None:
    """ "browser", "browser and OS", "cohort" — or None when there is no breakdown."""
    breakdown_filter = breakdown_filter or {}
    keys = breakdown_keys(breakdown_filter)
    if not keys:
        return None
    if breakdown_filter.get("breakdown_type") == "cohort":
        return "cohort"
    return join_words([property_label(key) for key in keys])


def join_words(words: list[str], conjunction: str = "and") -> str:
    words = [word for word in words if word]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def property_filters(properties: Any) -> list[dict]:
    """Flatten a property list or an AND/OR property group into its leaf filters."""
    if not properties:
        return []
    if isinstance(properties, dict):
        if "values" in properties and properties.get("type") in ("AND", "OR"):
            return [leaf for value in properties["values"] for leaf in property_filters(value)]
        return [properties]
    return [leaf for item in properties for leaf in property_filters(item)]


def filter_label(prop: dict) -> str:
    """One property filter as text: "browser = Chrome or Firefox", "email is set", "in cohort 3"."""
    kind = prop.get("type")
    value = prop.get("value")
    if kind == "cohort":
        return f"{'not ' if prop.get('operator') == 'not_in' else ''}in cohort {value}"
    if kind == "hogql":
        return str(prop.get("key"))
    if kind == "empty":
        return ""
    operator = prop.get("operator") or "exact"
    key = property_label(prop.get("key"))
    if kind == "person":
        key = f"person {key}"
    if operator == "is_set":
        return f"{key} is set"
    if operator == "is_not_set":
        return f"{key} is not set"
    values = value if isinstance(value, list) else [value]
    text = " or ".join(str(item) for item in values if item is not None)
    return f"{key} {OPERATOR_LABELS.get(operator, operator.replace('_', ' '))} {text}".strip()


def filters_phrase(properties: Any) -> str:
    """All leaf filters joined with "and": "browser = Chrome and country = France"."""
    return join_words([filter_label(prop) for prop in property_filters(properties)])


def date_range_phrase(date_range: dict | None, default_from: str = "-7d") -> str:
    """The date range as a phrase that follows a verb: "in the last 7 days", "this month", "since 2024-01-01"."""
    date_range = date_range or {}
    date_from = date_range.get("date_from") or default_from
    date_to = date_range.get("date_to")
    if date_from == "all":
        return "across all time"
    if date_from == "-1dStart" and date_to == "-1dEnd":
        return "yesterday"
    start = _relative_phrase(date_from)
    if date_to in (None, "", "now", "dEnd"):
        if date_from in _PERIOD_STARTS:
            return _PERIOD_STARTS[date_from]
        return f"in {start}" if start else f"since {date_from}"
    end = _relative_phrase(date_to)
    start_text = start.replace("the last ", "") + " ago" if start else date_from
    end_text = end.replace("the last ", "") + " ago" if end else date_to
    return f"from {start_text} to {end_text}"


def _relative_phrase(value: str | None) -> str | None:
    text = value or ""
    match = _RELATIVE_DATE.match(text)
    if not match or not text.startswith("-"):
        return None
    amount, unit = int(match.group(1)), _UNITS[match.group(2)]
    return f"the last {unit}" if amount == 1 else f"the last {amount} {unit}s"


def format_number(value: Any) -> str:
    """Thousands separators; at most two decimals, none for whole numbers."""
    if value is None:
        return "0"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def format_percent(ratio: float) -> str:
    """A ratio (0.256) as a percentage with one decimal: "25.6%"."""
    return f"{ratio * 100:.1f}%"


def format_duration(seconds: float | None) -> str:
    """Seconds as "45s", "3m 20s", "2h 5m", "3d 4h"."""
    if seconds is None:
        return "unknown"
    seconds = int(round(seconds))
    for size, unit, sub_size, sub_unit in ((86400, "d", 3600, "h"), (3600, "h", 60, "m"), (60, "m", 1, "s")):
        if seconds >= size:
            rest = (seconds % size) // sub_size
            return f"{seconds // size}{unit}" + (f" {rest}{sub_unit}" if rest else "")
    return f"{seconds}s"


def breakdown_value_label(value: Any) -> str:
    """A breakdown value as text: lists joined with " / ", the null and "other" markers spelled out."""
    if isinstance(value, list):
        return " / ".join(breakdown_value_label(item) for item in value)
    if value in (None, "", "$$_posthog_breakdown_null_$$"):
        return "(none)"
    if value == "$$_posthog_breakdown_other_$$":
        return "Other"
    return str(value)
