"""Which dashboards an insight is on: adding, removing and restoring its tiles, their stacked layout, edit checks."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from dashboards.models import Dashboard, DashboardTile
from dashboards.permissions import can_edit_dashboard

TILE_WIDTH, TILE_HEIGHT, GRID_COLUMNS = 6, 5, 12
ADD_TO_DASHBOARD_DENIED = "You don't have permission to add insights to dashboard: {id}"
REMOVE_FROM_DASHBOARD_DENIED = "You don't have permission to remove insights from dashboard: {id}"


def stacked_layout(index: int) -> dict:
    """The n-th tile of a dashboard: 6x5 tiles filling a 12-column grid left to right, top to bottom."""
    per_row = GRID_COLUMNS // TILE_WIDTH
    layout = {"x": (index % per_row) * TILE_WIDTH, "y": (index // per_row) * TILE_HEIGHT, "w": TILE_WIDTH}
    layout["h"] = TILE_HEIGHT
    return {"sm": layout, "xs": dict(layout)}


def check_dashboard_edit(user, dashboards, message: str) -> None:
    """Raises PermissionDenied(message with the dashboard id) for the first dashboard `user` may not edit."""
    for dashboard in dashboards:
        if not can_edit_dashboard(user, dashboard):
            raise PermissionDenied(message.format(id=dashboard.id))


def add_to_dashboards(insight, dashboards) -> None:
    """An active tile per dashboard: a soft-deleted one is restored with its layout, else a new stacked one."""
    now = timezone.now()
    for dashboard in dashboards:
        tile = DashboardTile.objects_including_soft_deleted.filter(
            dashboard=dashboard, insight=insight, text__isnull=True
        ).first()
        if tile is not None:
            tile.deleted = False
            tile.save(update_fields=["deleted"])
            continue
        index = DashboardTile.objects.filter(dashboard=dashboard).count()
        DashboardTile.objects.create(
            dashboard=dashboard, insight=insight, layouts=stacked_layout(index), last_refresh=now
        )


def active_dashboards(insight) -> list[Dashboard]:
    """The live dashboards the insight has an active tile on, by id."""
    tiles = DashboardTile.objects.filter(insight=insight).select_related("dashboard__team").order_by("dashboard_id")
    return [tile.dashboard for tile in tiles]


def remove_from_all_dashboards(insight) -> None:
    """Soft-delete every tile of the insight (it was deleted); a restore does not bring them back."""
    DashboardTile.objects_including_soft_deleted.filter(insight=insight).update(deleted=True)


def reconcile_dashboards(insight, user, requested, before: list[Dashboard]) -> bool:
    """Make the insight's active tiles match `requested` (spec §3.7); returns whether anything changed.

    Raises PermissionDenied, before writing, when a dashboard to add or remove is not editable by `user`.
    """
    requested = [dashboard for dashboard in requested if not dashboard.deleted]
    current_ids = {dashboard.id for dashboard in before}
    requested_ids = {dashboard.id for dashboard in requested}
    if current_ids == requested_ids:
        return False
    added = [dashboard for dashboard in requested if dashboard.id not in current_ids]
    removed = [dashboard for dashboard in before if dashboard.id not in requested_ids]
    check_dashboard_edit(user, added, ADD_TO_DASHBOARD_DENIED)
    check_dashboard_edit(user, removed, REMOVE_FROM_DASHBOARD_DENIED)
    add_to_dashboards(insight, added)
    DashboardTile.objects_including_soft_deleted.filter(
        insight=insight, dashboard__in=[dashboard.id for dashboard in removed]
    ).update(deleted=True)
    return True


def described(dashboards) -> list[dict]:
    """Dashboards as the activity log shows a membership change: `[{id, name}]`."""
    return [{"id": dashboard.id, "name": dashboard.name} for dashboard in dashboards]


def on_dashboard(dashboard_id: int) -> Q:
    """Insights with an active tile on the dashboard (a join-free subquery)."""
    return Q(Exists(DashboardTile.objects.filter(dashboard_id=dashboard_id, insight=OuterRef("pk"))))


def on_listed_dashboard() -> Q:
    """Insights with an active tile on a dashboard that is not unlisted."""
    listed_tile = DashboardTile.objects.filter(insight=OuterRef("pk")).exclude(dashboard__creation_mode="unlisted")
    return Q(Exists(listed_tile))
