"""What a share shows: the shared insight or dashboard with results from the cache (computed when missing),
as PostHog's `exported_data` (spec sharing §1.4.2) and as pictures for the server-rendered page."""

from dataclasses import dataclass, field

from charts.render import render_png, render_svg
from dashboards.models import DashboardTile
from insights.api.serializers import InsightSerializer, insight_render_queryset
from insights.models import Insight
from insights.results import insight_result, stored_or_converted_query
from sharing.models import SharingConfiguration
from sharing.settings_schema import display_flags

# A shared insight is view-only whoever looks at it.
SHARED_RESTRICTION_LEVEL, SHARED_PRIVILEGE_LEVEL = 37, 21
EXTRA_DETAILS = ("created_by", "last_modified_by", "created_at", "last_modified_at")


@dataclass
class SharedInsight:
    insight: Insight
    result: dict
    layout: dict = field(default_factory=dict)

    @property
    def query(self) -> dict | None:
        return stored_or_converted_query(self.insight)

    @property
    def title(self) -> str:
        return self.insight.name or self.insight.derived_name or "Untitled insight"

    def chart_input(self) -> dict:
        """The runner-response shape the chart renderer reads."""
        result = self.result
        return {key: result.get(source) for key, source in CHART_KEYS.items()}

    def error(self) -> str | None:
        status = self.result.get("query_status") or {}
        return status.get("error_message") if status.get("error") else None


CHART_KEYS = {"results": "result", "columns": "columns", "types": "types", "timezone": "timezone", "hasMore": "hasMore"}


def shared_result(insight: Insight, *, dashboard=None, tile=None) -> dict:
    """The insight's result fields: the cached answer when there is one, else computed now (spec §1.4.2's
    restricted refresh, read for a page that must show numbers without JavaScript)."""
    context = {"dashboard": dashboard, "tile": tile}
    result = insight_result(insight, insight.team, mode="force_cache", raise_exposed_errors=False, **context)
    if result.get("result") is None and not (result.get("query_status") or {}).get("error"):
        result = insight_result(insight, insight.team, mode="blocking", raise_exposed_errors=False, **context)
    return result


def shared_insights(config: SharingConfiguration) -> list[SharedInsight]:
    """The insight of an insight share, or the dashboard's insights in layout order."""
    insight = config.insight
    if insight is not None:
        return [SharedInsight(insight, shared_result(insight))]
    return dashboard_insights(config.dashboard)


def dashboard_insights(dashboard) -> list[SharedInsight]:
    """A dashboard's insights with their results, in layout order (top to bottom, left to right)."""
    tiles = (
        DashboardTile.objects.filter(dashboard=dashboard, insight__isnull=False, insight__deleted=False)
        .select_related("insight__team")
        .order_by("id")
    )

    def position(tile: DashboardTile) -> tuple:
        layout = (tile.layouts or {}).get("sm", {}) if isinstance(tile.layouts, dict) else {}
        return (layout.get("y", 0), layout.get("x", 0), tile.id)

    shared = []
    for tile in sorted(tiles, key=position):
        assert tile.insight is not None  # the query keeps insight tiles only
        shared.append(
            SharedInsight(tile.insight, shared_result(tile.insight, dashboard=dashboard, tile=tile), tile.layouts)
        )
    return shared


def insight_payload(shared: SharedInsight, config: SharingConfiguration) -> dict:
    """PostHog's InsightSerializer output of a shared insight: view-only levels, no alerts, and without the
    authorship fields when the share hides extra details."""
    insight = insight_render_queryset(Insight.objects.filter(pk=shared.insight.pk)).get()
    context = {"team": insight.team, "insight_results": {insight.id: shared.result}, "request": None}
    data = dict(InsightSerializer(insight, context=context).data)
    data.update(effective_restriction_level=SHARED_RESTRICTION_LEVEL, effective_privilege_level=SHARED_PRIVILEGE_LEVEL)
    data["alerts"] = []
    if (config.settings or {}).get("hideExtraDetails"):
        for key in EXTRA_DETAILS:
            data.pop(key, None)
    return data


def exported_data(config: SharingConfiguration, kind: str, insights: list[SharedInsight]) -> dict:
    """`exported_data` of a share: type, token, the resource, and the display flags that are on."""
    data: dict = {"type": kind, "accessToken": config.access_token, **display_flags(config.settings)}
    if config.insight_id:
        data["insight"] = insight_payload(insights[0], config)
    else:
        dashboard = config.dashboard
        assert dashboard is not None  # a live share without an insight is a dashboard's (sharing_by_token)
        data["dashboard"] = {
            "id": dashboard.id,
            "name": dashboard.name,
            "description": dashboard.description,
            "tiles": [{"layouts": shared.layout, "insight": insight_payload(shared, config)} for shared in insights],
        }
    data["themes"] = []
    return data


def chart_svg(shared: SharedInsight, *, width: int = 800, height: int = 420) -> str:
    query = shared.query
    if query is None:
        return render_svg({}, None, error="This insight has no query.", width=width, height=height)
    timezone = shared.result.get("timezone") or shared.insight.team.timezone
    return render_svg(query, shared.chart_input(), timezone=timezone, error=shared.error(), width=width, height=height)


def chart_png(shared: SharedInsight, *, width: int = 1200, height: int = 630) -> bytes:
    query = shared.query or {}
    timezone = shared.result.get("timezone") or shared.insight.team.timezone
    return render_png(query, shared.chart_input(), timezone=timezone, error=shared.error(), width=width, height=height)
