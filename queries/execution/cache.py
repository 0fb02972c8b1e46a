"""The query result cache: Django's cache (Redis in production, in-process in the embedded default).

A cache that fails is a cache that misses: every error is logged and the caller computes instead.
"""

import logging
from typing import Any

from django.core.cache import caches

logger = logging.getLogger(__name__)

RESULT_TTL_SECONDS = 7 * 24 * 3600
PREFIX = "query_result:"


def get_cached_response(cache_key: str) -> dict[str, Any] | None:
    try:
        value = caches["default"].get(PREFIX + cache_key)
    except Exception as error:  # an unreachable cache must not fail the query
        logger.warning("query_cache_read_failed key=%s error=%s", cache_key, error)
        return None
    return value if isinstance(value, dict) else None


def set_cached_response(cache_key: str, response: dict[str, Any]) -> None:
    try:
        caches["default"].set(PREFIX + cache_key, response, RESULT_TTL_SECONDS)
    except Exception as error:
        logger.warning("query_cache_write_failed key=%s error=%s", cache_key, error)
