"""Timestamps in responses as PostHog's JSON renderer writes them: UTC as `...Z`, not `...+00:00`."""

from datetime import datetime
from typing import Any

RESULT_DATETIME_KEYS = (
    "last_refresh",
    "cache_target_age",
    "next_allowed_client_refresh",
    "resolved_date_range",
    "resolved_compare_date_range",
)
STATUS_TIMES = ("start_time", "pickup_time", "end_time", "expiration_time")


def utc_z(value: Any) -> Any:
    """An ISO timestamp (or a dict of them, such as resolved_date_range) with a UTC offset written as `Z`."""
    if isinstance(value, str) and value.endswith("+00:00") and "T" in value:
        return value[: -len("+00:00")] + "Z"
    if isinstance(value, dict):
        return {key: utc_z(item) for key, item in value.items()}
    return value


def status_with_utc_z(status: Any) -> Any:
    """A query_status with its times written as PostHog writes them."""
    if not isinstance(status, dict):
        return status
    return {**status, **{key: utc_z(status[key]) for key in STATUS_TIMES if key in status}}


def response_with_utc_z(response: dict) -> dict:
    """A runner's response with its result and status times written as PostHog writes them."""
    rendered = {**response, **{key: utc_z(response[key]) for key in RESULT_DATETIME_KEYS if key in response}}
    if "query_status" in rendered:
        rendered["query_status"] = status_with_utc_z(rendered["query_status"])
    return rendered


def parse_time(value: Any) -> datetime | None:
    """A datetime, or an ISO text of one (as cached responses store `last_refresh`); None otherwise."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
