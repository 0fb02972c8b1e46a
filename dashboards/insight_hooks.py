"""What insights asks of dashboards (insights/dashboard_hooks.py), answered; registered in DashboardsConfig.ready().

Rendering reads the insight's `dashboard_tiles` prefetch (see `render_prefetches`); an insight fetched without it
(an update's edit check) has its dashboards looked up in one query instead.
"""

from django.db.models import Prefetch, Q
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from dashboards import membership
from dashboards.filters import effective_dashboard_filters
from dashboards.models import Dashboard, DashboardTile, PrivilegeLevel
from dashboards.permissions import (
    RESTRICTED_DASHBOARD_EDIT_DENIED,
    effective_privilege_level,
    effective_restriction_level,
)
from insights.dashboard_hooks import DashboardHooks, dashboard_does_not_exist


def _active_tiles(insight) -> list[DashboardTile]:
    return [tile for tile in insight.dashboard_tiles.all() if tile.deleted is not True]


def _prefetched_dashboards(insight) -> list[Dashboard] | None:
    """The dashboards of the insight's prefetched tiles; None when they were not prefetched."""
    if "dashboard_tiles" not in getattr(insight, "_prefetched_objects_cache", {}):
        return None
    return [tile.dashboard for tile in _active_tiles(insight)]


class InsightDashboardHooks(DashboardHooks):
    def render_prefetches(self) -> tuple:
        tiles = DashboardTile.objects.select_related("dashboard__team").order_by("id")
        return (Prefetch("dashboard_tiles", queryset=tiles),)

    def tiles(self, insight) -> list[dict]:
        return [{"id": t.id, "dashboard_id": t.dashboard_id, "deleted": t.deleted} for t in _active_tiles(insight)]

    def access_levels(self, user, insight) -> tuple[int, int]:
        dashboards = [tile.dashboard for tile in _active_tiles(insight)]
        return effective_restriction_level(insight, dashboards), effective_privilege_level(user, insight, dashboards)

    def can_edit(self, user, insight) -> bool:
        level = effective_privilege_level(user, insight, _prefetched_dashboards(insight))
        return level >= PrivilegeLevel.CAN_EDIT

    def check_can_edit(self, user, insight) -> None:
        if not self.can_edit(user, insight):
            raise PermissionDenied(RESTRICTED_DASHBOARD_EDIT_DENIED)

    def on_dashboard(self, dashboard_id: int) -> Q:
        return membership.on_dashboard(dashboard_id)

    def on_listed_dashboard(self) -> Q:
        return membership.on_listed_dashboard()

    def tile_context(self, insight, dashboard_id: int) -> dict:
        tile = (
            DashboardTile.objects.select_related("dashboard").filter(dashboard_id=dashboard_id, insight=insight).first()
        )
        return {"dashboard": tile.dashboard, "tile": tile} if tile is not None else {}

    def effective_filters(self, dashboard, tile, filters_override, tile_filters_override) -> dict:
        return effective_dashboard_filters(
            dashboard, tile=tile, filters_override=filters_override, tile_filters_override=tile_filters_override
        )

    def resolve(self, team, dashboard_ids: list[int]) -> list:
        found = {d.id: d for d in Dashboard.objects.filter(team__project_id=team.project_id, id__in=dashboard_ids)}
        for dashboard_id in dashboard_ids:
            if dashboard_id not in found:
                raise serializers.ValidationError(dashboard_does_not_exist(dashboard_id), code="does_not_exist")
        return [found[dashboard_id] for dashboard_id in dashboard_ids]

    def check_can_add(self, user, dashboards: list) -> None:
        membership.check_dashboard_edit(user, dashboards, membership.ADD_TO_DASHBOARD_DENIED)

    def add(self, insight, dashboards: list) -> None:
        membership.add_to_dashboards(insight, dashboards)

    def update(self, insight, user, *, deleted: bool, requested: list | None) -> tuple[list, list] | None:
        if deleted:
            membership.remove_from_all_dashboards(insight)
            return None
        if requested is None:
            return None
        before = membership.active_dashboards(insight)
        if not membership.reconcile_dashboards(insight, user, requested, before):
            return None
        return membership.described(before), membership.described(membership.active_dashboards(insight))
