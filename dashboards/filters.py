"""The DashboardFilter a tile's insight runs with: dashboard filters, request overrides, tile overrides (§5.8)."""

from typing import Any


def _as_dict(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) else {}


def effective_dashboard_filters(
    dashboard=None,
    tile=None,
    filters_override: dict | None = None,
    tile_filters_override: dict | None = None,
) -> dict:
    """The DashboardFilter dict to lay over an insight's query in a dashboard (or override) context.

    1. Tile filters = the tile's stored `filters_overrides` with `tile_filters_override` merged over them.
       When non-empty they replace the dashboard's filters completely (PostHog's baseline behaviour).
    2. Otherwise `filters_override` is merged over the dashboard's filters (or used alone without a dashboard).
    3. Otherwise the dashboard's own filters.
    Keys whose value is None are dropped, so `{}` means "nothing to apply". Pure: reads, never writes.
    """
    tile_filters = {**_as_dict(getattr(tile, "filters_overrides", None)), **_as_dict(tile_filters_override)}
    tile_filters = {key: value for key, value in tile_filters.items() if value is not None}
    if tile_filters:
        return tile_filters
    merged = {**_as_dict(getattr(dashboard, "filters", None)), **_as_dict(filters_override)}
    return {key: value for key, value in merged.items() if value is not None}
