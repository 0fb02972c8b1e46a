"""Request-supplied dashboard overrides (`filters_override`, `variables_override`, `tile_filters_override`)."""

import json

from rest_framework.exceptions import ValidationError


def invalid_json_message(param: str) -> str:
    return f"Invalid JSON passed in {param} parameter"


def json_param(request, param: str) -> dict | None:
    """The parsed JSON object of a query parameter; None when absent; 400 (attr = param) when not JSON."""
    if request is None:
        return None
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValidationError({param: invalid_json_message(param)}) from None
    if value is not None and not isinstance(value, dict):
        raise ValidationError({param: invalid_json_message(param)})
    return value


def filters_requested_by_client(request, dashboard) -> dict:
    """The dashboard's filters with `filters_override` merged over them (what the response's `filters` shows)."""
    override = json_param(request, "filters_override")
    return {**(dashboard.filters or {}), **(override or {})}


def variables_requested_by_client(request, dashboard) -> dict:
    """The dashboard's variables with `variables_override` merged over them."""
    override = json_param(request, "variables_override")
    return {**(dashboard.variables or {}), **(override or {})}
