"""A dashboard's tiles as clients read them: each insight rendered in the dashboard's context, text tiles as text."""

from django.db.models import Prefetch, Q
from rest_framework import serializers

from dashboards.api.overrides import override_param
from dashboards.models import DashboardTile, Text
from insights.api.serializers import InsightSerializer, parsed_layouts
from insights.models import Insight, TaggedItem
from insights.refresh import refresh_mode, refresh_requested, refresh_value
from insights.results import insight_result
from insights_server.api.shared import UserBasicSerializer, membership_level_in_context

DEFAULT_LAYOUT_SIZE = "sm"
UNPLACED = 100  # tiles without a position sort after placed ones, as PostHog does


def active_tiles(dashboard):
    """The dashboard's visible tiles: not soft-deleted, and for insight tiles the insight not deleted."""
    return (
        DashboardTile.objects.filter(dashboard=dashboard)
        .filter(Q(insight__isnull=True) | Q(insight__deleted=False))
        .select_related(
            "insight",
            "insight__team",
            "insight__created_by",
            "insight__last_modified_by",
            "text",
            "text__created_by",
            "text__last_modified_by",
        )
        .prefetch_related(
            Prefetch(
                "insight__dashboard_tiles",
                queryset=DashboardTile.objects.select_related("dashboard__team").order_by("id"),
            ),
            Prefetch("insight__tagged_items", queryset=TaggedItem.objects.select_related("tag").order_by("id")),
            "text__tiles",
        )
        .order_by("insight__order", "id")
    )


def _layouts(tile: DashboardTile) -> dict:
    layouts = parsed_layouts(tile.layouts)
    return layouts if isinstance(layouts, dict) else {}


def sort_tiles_by_layout(tiles, layout_size: str = DEFAULT_LAYOUT_SIZE) -> list[DashboardTile]:
    """Top to bottom, then left to right, in the given layout size."""

    def position(tile):
        layout = _layouts(tile).get(layout_size) or {}
        return (layout.get("y", UNPLACED), layout.get("x", UNPLACED))

    return sorted(tiles, key=position)


def text_data(text: Text) -> dict:
    """PostHog's TextSerializer shape."""
    return {
        "id": text.id,
        "created_by": UserBasicSerializer(text.created_by).data if text.created_by else None,
        "last_modified_by": UserBasicSerializer(text.last_modified_by).data if text.last_modified_by else None,
        "body": text.body,
        "dashboard_tiles": [
            {"id": tile.id, "dashboard_id": tile.dashboard_id, "deleted": tile.deleted} for tile in text.tiles.all()
        ],
        "last_modified_at": serializers.DateTimeField().to_representation(text.last_modified_at),
        "team": text.team_id,
    }


def _insight_data(tile: DashboardTile, insight: Insight, context: dict) -> dict:
    """The tile's insight rendered by insights-core's InsightSerializer in this dashboard's and tile's context.

    Without `refresh` the serializer reads the cached result (force_cache); with it, the result is computed
    here in the requested mode and handed over as `insight_results`. Calculation errors never fail the whole
    dashboard: they show as a null result with an error `query_status`.
    """
    request = context.get("request")
    tile_context = {**context, "tile": tile}
    if request is not None and refresh_value(request) is not None:
        result = insight_result(
            insight,
            context["team"],
            mode=refresh_mode(request),
            dashboard=context["dashboard"],
            tile=tile,
            filters_override=context.get("filters_override"),
            variables_override=context.get("variables_override"),
            raise_exposed_errors=False,
        )
        tile_context["insight_results"] = {tile.insight_id: result}
    return InsightSerializer(insight, context=tile_context).data


def tile_data(tile: DashboardTile, order: int, context: dict) -> dict:
    """One tile: `{id, insight, text, layouts, color, filters_overrides, order, last_refresh, is_cached}`."""
    insight = None
    if tile.insight is not None:
        insight = _insight_data(tile, tile.insight, context)
    return {
        "id": tile.id,
        "insight": insight,
        "text": text_data(tile.text) if tile.text is not None else None,
        "layouts": _layouts(tile),
        "color": tile.color,
        "filters_overrides": tile.filters_overrides,
        "order": order,
        "last_refresh": (insight or {}).get("last_refresh"),
        "is_cached": (insight or {}).get("is_cached", False),
    }


def dashboard_tiles_data(dashboard, context: dict) -> list[dict]:
    """Every visible tile of the dashboard in layout order, each insight computed in the dashboard's context."""
    request = context.get("request")
    context = {
        **context,
        "dashboard": dashboard,
        "filters_override": override_param(request, "filters_override"),
        "variables_override": override_param(request, "variables_override"),
        "refresh_requested": request is not None and refresh_requested(request),
    }
    if "team" not in context:
        context["team"] = dashboard.team
    # Loaded once here so every tile's serializer context shares the memo instead of querying per insight.
    membership_level_in_context(context, context["team"].organization)
    tiles = sort_tiles_by_layout(active_tiles(dashboard))
    return [tile_data(tile, order, context) for order, tile in enumerate(tiles)]
