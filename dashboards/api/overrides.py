"""Request-supplied dashboard overrides (`filters_override`, `variables_override`, `tile_filters_override`)."""

from insights_server.params import json_param


def override_param(request, name: str) -> dict | None:
    """The JSON object of an override parameter; None without a request or when absent; 400 when not JSON."""
    return json_param(request.query_params, name) if request is not None else None


def filters_requested_by_client(request, dashboard) -> dict:
    """The dashboard's filters with `filters_override` merged over them (what the response's `filters` shows)."""
    override = override_param(request, "filters_override")
    return {**(dashboard.filters or {}), **(override or {})}


def variables_requested_by_client(request, dashboard) -> dict:
    """The dashboard's variables with `variables_override` merged over them."""
    override = override_param(request, "variables_override")
    return {**(dashboard.variables or {}), **(override or {})}
