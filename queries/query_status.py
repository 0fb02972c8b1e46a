"""Status records of asynchronous queries (`query_async:{team_id}:{query_id}`), kept in the Django cache."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import caches

STATUS_TTL = timedelta(minutes=20)
SAFE_ID = re.compile(r"[^A-Za-z0-9_\-]")


def safe_query_id(query_id: str) -> str:
    """Query ids travel into SQL comments and cache keys: letters, digits, `_` and `-` only."""
    return SAFE_ID.sub("_", str(query_id))[:200]


def _key(team_id: int, query_id: str) -> str:
    return f"query_async:{team_id}:{safe_query_id(query_id)}"


def new_status(team_id: int, query_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": query_id,
        "query_async": True,
        "team_id": team_id,
        "insight_id": None,
        "dashboard_id": None,
        "error": False,
        "complete": False,
        "error_message": None,
        "results": None,
        "start_time": datetime.now(UTC).isoformat(),
        "pickup_time": None,
        "end_time": None,
        "expiration_time": None,
        "task_id": None,
        "query_progress": None,
        **extra,
    }


def get_status(team_id: int, query_id: str) -> dict[str, Any] | None:
    try:
        value = caches["default"].get(_key(team_id, query_id))
    except Exception:
        return None
    return value if isinstance(value, dict) else None


class QueryStatusUnavailable(Exception):
    """The status store (the cache: Redis in production) cannot be written: async work cannot be tracked."""


def save_status(status: dict[str, Any]) -> dict[str, Any]:
    status["expiration_time"] = (datetime.now(UTC) + STATUS_TTL).isoformat()
    try:
        caches["default"].set(_key(status["team_id"], status["id"]), status, int(STATUS_TTL.total_seconds()))
    except Exception as error:
        raise QueryStatusUnavailable(str(error)) from error
    return status


def delete_status(team_id: int, query_id: str) -> None:
    caches["default"].delete(_key(team_id, query_id))


def incomplete_status(team_id: int, query_id: str) -> dict[str, Any] | None:
    """The status to attach to a response: one still running for this query id, else None."""
    status = get_status(team_id, query_id)
    return status if status is not None and not status.get("complete") else None
