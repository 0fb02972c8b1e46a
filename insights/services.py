"""Insight writes: create, update (incl. soft delete and restore), dashboard membership and their activity entries."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from activity.changes import changes_between
from activity.services import log_activity
from dashboards.models import Dashboard, DashboardTile
from dashboards.permissions import can_edit_dashboard
from insights.models import Insight, InsightViewed
from insights.tags import insight_set_tags, tags_of_from_db
from insights_server.models import Team, User

# Writing one of these bumps last_modified_at/by; `query` deliberately is not one (spec §3.6, PostHog's constant).
MATERIAL_FIELDS = ("name", "description", "filters")
# Model columns a client may write (spec §3.4); the rest of the payload is handled separately.
WRITABLE_COLUMNS = ("name", "derived_name", "description", "query", "filters", "order", "deleted", "saved", "favorited")
TILE_WIDTH, TILE_HEIGHT, GRID_COLUMNS = 6, 5, 12
ADD_TO_DASHBOARD_DENIED = "You don't have permission to add insights to dashboard: {id}"
REMOVE_FROM_DASHBOARD_DENIED = "You don't have permission to remove insights from dashboard: {id}"
SCOPE = "Insight"


def query_metadata(query: dict | None) -> dict | None:
    """What the list filter `events` reads: the event names the query uses (null without a query)."""
    if not query:
        return None
    events: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("kind") == "EventsNode" and isinstance(value.get("event"), str):
                events.add(value["event"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(query)
    return {"events": sorted(events)}


def _stacked_layout(index: int) -> dict:
    """The n-th tile of a dashboard: 6x5 tiles filling a 12-column grid left to right, top to bottom."""
    per_row = GRID_COLUMNS // TILE_WIDTH
    layout = {"x": (index % per_row) * TILE_WIDTH, "y": (index // per_row) * TILE_HEIGHT, "w": TILE_WIDTH}
    layout["h"] = TILE_HEIGHT
    return {"sm": layout, "xs": dict(layout)}


def _check_dashboard_edit(user: User, dashboards, message: str) -> None:
    for dashboard in dashboards:
        if not can_edit_dashboard(user, dashboard):
            raise PermissionDenied(message.format(id=dashboard.id))


def _add_to_dashboards(insight: Insight, dashboards) -> None:
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
            dashboard=dashboard, insight=insight, layouts=_stacked_layout(index), last_refresh=now
        )


def _active_dashboards(insight: Insight) -> list[Dashboard]:
    tiles = DashboardTile.objects.filter(insight=insight).select_related("dashboard__team").order_by("dashboard_id")
    return [tile.dashboard for tile in tiles]


def _described(dashboards) -> list[dict]:
    return [{"id": dashboard.id, "name": dashboard.name} for dashboard in dashboards]


def _snapshot(insight: Insight) -> dict:
    """The insight's fields as the activity diff compares them (tags by name)."""
    values = {field.name: getattr(insight, field.attname) for field in Insight._meta.concrete_fields}
    values["tags"] = tags_of_from_db(insight)
    return values


def _log(insight: Insight, team: Team, user: User, activity: str, changes: list[dict] | None) -> None:
    """One activity entry; insights without a name or derived name are not logged (spec §3.10)."""
    name = insight.name or insight.derived_name
    if not name:
        return
    log_activity(
        team_id=insight.team_id,
        organization_id=team.organization_id,
        user=user,
        item_id=insight.id,
        scope=SCOPE,
        activity=activity,
        detail={"name": name, "short_id": insight.short_id, "changes": changes, "trigger": None, "type": None},
    )


def insight_create(*, team: Team, user: User, data: dict) -> Insight:
    """Create an insight from validated serializer data (spec §3.5).

    1. Check the user may edit every target dashboard (PermissionDenied before anything is written).
    2. Insert the insight (team = URL team, created_by = last_modified_by = user).
    3. Record a view by the creator. 4. Add a tile per dashboard. 5. Set tags.
    6. Log `created` (only for a named insight). `_create_in_folder` is accepted and ignored (no file tree).
    """
    dashboards = list(data.get("dashboards") or [])
    _check_dashboard_edit(user, dashboards, ADD_TO_DASHBOARD_DENIED)
    with transaction.atomic():
        fields = {name: data[name] for name in WRITABLE_COLUMNS if name in data}
        insight = Insight.objects.create(
            team=team,
            created_by=user,
            last_modified_by=user,
            query_metadata=query_metadata(fields.get("query")),
            **fields,
        )
        InsightViewed.objects.create(team=team, user=user, insight=insight, last_viewed_at=timezone.now())
        _add_to_dashboards(insight, dashboards)
        if data.get("tags"):
            insight_set_tags(insight, data["tags"])
        _log(insight, team, user, "created", None)
    return insight


def _reconcile_dashboards(insight: Insight, user: User, requested, before: list[Dashboard]) -> bool:
    """Make the insight's active tiles match `requested` (spec §3.7); returns whether anything changed."""
    requested = [dashboard for dashboard in requested if not dashboard.deleted]
    current_ids = {dashboard.id for dashboard in before}
    requested_ids = {dashboard.id for dashboard in requested}
    if current_ids == requested_ids:
        return False
    added = [dashboard for dashboard in requested if dashboard.id not in current_ids]
    removed = [dashboard for dashboard in before if dashboard.id not in requested_ids]
    _check_dashboard_edit(user, added, ADD_TO_DASHBOARD_DENIED)
    _check_dashboard_edit(user, removed, REMOVE_FROM_DASHBOARD_DENIED)
    _add_to_dashboards(insight, added)
    DashboardTile.objects_including_soft_deleted.filter(
        insight=insight, dashboard__in=[dashboard.id for dashboard in removed]
    ).update(deleted=True)
    return True


def insight_update(insight: Insight, *, team: Team, user: User, data: dict) -> Insight:
    """Update an insight from validated serializer data (spec §3.6), in one transaction.

    1. Snapshot the state for the activity diff. 2. `is_sample` false; `saved` true unless given.
    3. Bump last_modified_at/by only when a material field (name, description, filters) is written.
    4. `deleted: true` soft-deletes every tile of the insight; otherwise a given `dashboards` list is reconciled.
    5. Save the columns, set tags. 6. Log `deleted`, `restored` or `updated` with the field changes and a
       synthetic `dashboards` change ([{id, name}] before/after) when membership changed.
    Raises PermissionDenied when a dashboard to add or remove is not editable by the user.
    """
    with transaction.atomic():
        before = _snapshot(insight)
        dashboards_before = _active_dashboards(insight)
        for name in WRITABLE_COLUMNS:
            if name in data:
                setattr(insight, name, data[name])
        insight.is_sample = False
        if "saved" not in data:
            insight.saved = True
        if "query" in data:
            insight.query_metadata = query_metadata(insight.query)
        if any(name in data for name in MATERIAL_FIELDS):
            insight.last_modified_at = timezone.now()
            insight.last_modified_by = user
        dashboards_changed = False
        if data.get("deleted"):
            DashboardTile.objects_including_soft_deleted.filter(insight=insight).update(deleted=True)
        elif "dashboards" in data:
            dashboards_changed = _reconcile_dashboards(insight, user, data["dashboards"], dashboards_before)
        insight.save()
        if "tags" in data:
            insight_set_tags(insight, data["tags"])
        changes = [
            change for change in changes_between(SCOPE, before, _snapshot(insight)) if change["field"] != "dashboards"
        ]
        if dashboards_changed:
            changes.append(
                {
                    "type": SCOPE,
                    "action": "changed",
                    "field": "dashboards",
                    "before": _described(dashboards_before),
                    "after": _described(_active_dashboards(insight)),
                }
            )
        activity = "updated"
        deleted_change = next((change for change in changes if change["field"] == "deleted"), None)
        if deleted_change is not None:
            activity = "deleted" if deleted_change["after"] else "restored"
        _log(insight, team, user, activity, changes)
    return insight
