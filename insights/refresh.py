"""The `refresh` parameter of the insight endpoints (spec insights-api §5.3): execution mode and the timezone rule."""

from typing import Any

from insights_server.routing import sharing_grant
from queries.execution.modes import insight_mode

FALSY_REFRESH = ("false", "0", "no")


def refresh_value(request) -> Any:
    """The raw `refresh`: the query string first, else the JSON body; None when absent."""
    if "refresh" in request.query_params:
        return request.query_params.get("refresh")
    data = getattr(request, "data", None) if request.method not in ("GET", "HEAD") else None
    if isinstance(data, dict):
        return data.get("refresh")
    return None


# A share token may not force computations: spec sharing §1.4.2's restricted modes.
SHARED_MODES = {"force_cache": "lazy_async", "force_blocking": "blocking", "async": "async"}


def refresh_mode(request) -> str:
    """The execution mode for the request: `force_cache` unless `refresh` asks for another (spec §5.3); a request
    with a share token gets the restricted mode of its ask (never an unconditional recomputation)."""
    value = refresh_value(request)
    mode = "force_cache" if value is None else insight_mode(value)
    if sharing_grant(request) is not None:
        return SHARED_MODES.get(mode, "lazy_async")
    return mode


def refresh_requested(request) -> bool:
    """Whether the request carries a truthy `refresh` (a mode name counts): responses then show the team timezone."""
    value = refresh_value(request)
    if isinstance(value, bool):
        return value
    return bool(value) and str(value).lower() not in FALSY_REFRESH
