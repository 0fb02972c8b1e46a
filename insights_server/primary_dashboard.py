"""Validating a project's `primary_dashboard` id: the core stores it, the dashboards app (a higher layer) checks it.

The core must not import `dashboards`, so `dashboards` registers its check in `AppConfig.ready()`. Until one is
registered no dashboard exists, and every id is refused as an unknown primary key.
"""

from collections.abc import Callable
from typing import Any

from rest_framework import serializers

# (team being edited or None, dashboard id) -> the id; raises serializers.ValidationError.
PrimaryDashboardValidator = Callable[[Any, int], int]

_registered: dict[str, PrimaryDashboardValidator] = {}


def primary_dashboard_does_not_exist(dashboard_id) -> str:
    return f'Invalid pk "{dashboard_id}" - object does not exist.'


def register_primary_dashboard_validator(validator: PrimaryDashboardValidator) -> None:
    """Called once by the dashboards app; a later registration replaces the earlier one."""
    _registered["validator"] = validator


def validate_primary_dashboard(team, dashboard_id):
    """The id itself when it names a dashboard of `team` (or is None); serializers.ValidationError otherwise."""
    if dashboard_id is None:
        return None
    validator = _registered.get("validator")
    if validator is None:
        raise serializers.ValidationError(primary_dashboard_does_not_exist(dashboard_id), code="does_not_exist")
    return validator(team, dashboard_id)
