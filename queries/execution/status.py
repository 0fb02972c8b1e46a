"""Status records of asynchronous queries (`query_async:{team_id}:{query_id}`), kept in the Django cache."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import caches

from insights_server.errors import ServiceUnavailableError
from queries.clickhouse.tags import safe_query_id

logger = logging.getLogger(__name__)
STATUS_TTL = timedelta(minutes=20)


def _key(team_id: int, query_id: str) -> str:
    return f"query_async:{team_id}:{safe_query_id(query_id)}"


def new_status(team_id: int, query_id: str | None, **extra: Any) -> dict[str, Any]:
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
    """The status record, or None when there is none or the status store cannot be read (logged)."""
    try:
        value = caches["default"].get(_key(team_id, query_id))
    except Exception as error:  # an unreachable status store reads as "no status"; writes raise instead
        logger.warning("query_status_read_failed team_id=%s error=%s", team_id, error)
        return None
    return value if isinstance(value, dict) else None


class QueryStatusUnavailable(ServiceUnavailableError):
    """The status store (the cache: Redis in production) cannot be written: async work cannot be tracked."""

    default_detail = "Asynchronous queries are unavailable right now. Try again, or use refresh=blocking."


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
