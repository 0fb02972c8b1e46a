"""Refresh values -> execution modes, and the status code a query response gets."""

EXECUTION_MODES = (
    "blocking",
    "async",
    "async_except_on_cache_miss",
    "lazy_async",
    "force_blocking",
    "force_async",
    "force_cache",
)
INSIGHT_REFRESH_NAMES = ("async", "blocking", "force_async", "force_blocking", "force_cache", "lazy_async")


def query_endpoint_mode(refresh, legacy_async: bool | None = None) -> str:
    """`/query/`'s refresh: `true` forces a recompute, `async: true` asks for async; it always computes on a miss."""
    if legacy_async:
        return "async"
    if refresh is True:
        mode = "force_blocking"
    elif refresh in EXECUTION_MODES:
        mode = refresh
    else:
        mode = "blocking"
    return "blocking" if mode == "force_cache" else mode


def insight_mode(refresh) -> str:
    """An insight endpoint's `refresh` (query string or body): default force_cache, never computing by surprise."""
    if isinstance(refresh, bool):
        return "force_blocking" if refresh else "force_cache"
    if isinstance(refresh, str):
        if refresh in INSIGHT_REFRESH_NAMES:
            return refresh
        lowered = refresh.lower()
        if lowered in ("true", "1", "yes", ""):
            return "force_blocking"
    return "force_cache"


def response_status(response: dict) -> int:
    status = response.get("query_status")
    return 202 if isinstance(status, dict) and status.get("complete") is False else 200
