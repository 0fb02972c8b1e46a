"""The one door from insights up to dashboards: what insights asks about the dashboards an insight is on.

Dashboards sit above insights (a tile points at an insight), so insights never imports them. Instead the dashboards
app registers its implementation of `DashboardHooks` in `DashboardsConfig.ready()` (dashboards/insight_hooks.py).
The base class is the safe default when nothing is registered: no insight is on a dashboard, so nothing restricts
editing, no tile is rendered and dashboard filters and ids match nothing.
"""

from django.db.models import Q
from rest_framework import serializers

# The legacy collaboration levels of an insight on no dashboard (spec insights-api §3.1): everyone in the project
# can edit (restriction 21), the user can edit (privilege 37).
EVERYONE_IN_PROJECT_CAN_EDIT = 21
CAN_EDIT = 37
MATCHES_NOTHING = Q(pk__in=[])


def dashboard_does_not_exist(dashboard_id) -> str:
    return f'Invalid pk "{dashboard_id}" - object does not exist.'


class DashboardHooks:
    """The operations insights needs from dashboards; every default answers "there are no dashboards"."""

    # ---- rendering (insights/api/serializers.py) -----------------------------------------------------------

    def render_prefetches(self) -> tuple:
        """Prefetch lookups for a page of insights, so `tiles` and `access_levels` read no rows per insight."""
        return ()

    def tiles(self, insight) -> list[dict]:
        """The insight's active tiles as rendered: `[{"id", "dashboard_id", "deleted"}]`."""
        return []

    def access_levels(self, user, insight) -> tuple[int, int]:
        """`(effective_restriction_level, effective_privilege_level)` of the insight for `user`."""
        return EVERYONE_IN_PROJECT_CAN_EDIT, CAN_EDIT

    # ---- who may edit an insight ---------------------------------------------------------------------------

    def can_edit(self, user, insight) -> bool:
        """False when the insight is only on dashboards that `user` may not edit."""
        return True

    def check_can_edit(self, user, insight) -> None:
        """Raises PermissionDenied (with the dashboards' message) when `can_edit` is false."""

    # ---- reading -------------------------------------------------------------------------------------------

    def on_dashboard(self, dashboard_id: int) -> Q:
        """A filter on insights: those with an active tile on this dashboard."""
        return MATCHES_NOTHING

    def on_listed_dashboard(self) -> Q:
        """A filter on insights: those with a tile on a dashboard that is not unlisted (they count as saved)."""
        return MATCHES_NOTHING

    def tile_context(self, insight, dashboard_id: int) -> dict:
        """`{"dashboard": ..., "tile": ...}` of the insight's tile on that dashboard (`?from_dashboard=`), or {}."""
        return {}

    def effective_filters(self, dashboard, tile, filters_override, tile_filters_override) -> dict:
        """The DashboardFilter dict an insight's query runs with; `{}` when nothing applies.

        Without dashboards only the request's overrides can apply: the tile override when it sets anything, else
        `filters_override` (None values dropped), as dashboards.filters.effective_dashboard_filters answers it.
        """
        for override in (tile_filters_override, filters_override):
            values = {key: value for key, value in dict(override or {}).items() if value is not None}
            if values:
                return values
        return {}

    # ---- writing (insights/services.py) --------------------------------------------------------------------

    def resolve(self, team, dashboard_ids: list[int]) -> list:
        """The dashboards of the team's project with these ids, in order; ValidationError for an unknown id."""
        if dashboard_ids:
            raise serializers.ValidationError(dashboard_does_not_exist(dashboard_ids[0]), code="does_not_exist")
        return []

    def check_can_add(self, user, dashboards: list) -> None:
        """Raises PermissionDenied when `user` may not add insights to one of `dashboards`."""

    def add(self, insight, dashboards: list) -> None:
        """Put the (new) insight on each of `dashboards`."""

    def update(self, insight, user, *, deleted: bool, requested: list | None) -> tuple[list, list] | None:
        """Apply an insight update to its tiles: all soft-deleted when `deleted`, else made to match `requested`.

        `requested` None leaves the tiles alone. Returns `(before, after)` as `[{"id", "name"}]` dashboards when
        the membership changed (for the activity entry), else None. Raises PermissionDenied before any write.
        """
        return None


_registered: dict[str, DashboardHooks] = {"hooks": DashboardHooks()}


def register(hooks: DashboardHooks) -> None:
    """Called by the dashboards app in `AppConfig.ready()`; replaces the default."""
    _registered["hooks"] = hooks


def dashboard_hooks() -> DashboardHooks:
    return _registered["hooks"]
