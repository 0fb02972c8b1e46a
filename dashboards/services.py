"""Writes to dashboards: create, update (fields, tags, tiles), soft delete and restore, with activity entries."""

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from dashboards.access import project_dashboards
from dashboards.models import Dashboard, DashboardTile, Text
from dashboards.permissions import can_restrict_dashboard
from insights.models import Insight, TaggedItem
from insights.tags import object_set_tags

RESTRICTION_CHANGE_DENIED = (
    "Only the dashboard owner and project admins have the restriction rights required to change the dashboard's "
    "restriction level."
)
INVALID_TEMPLATE = "Invalid template provided: {template}"
INVALID_SOURCE_DASHBOARD = "Invalid value provided"
TILE_NOT_FOUND = "Tile not found."
TEXT_TILE_NOT_FOUND = "Text tile not found."
TILE_FIELDS = ("layouts", "color", "filters_overrides", "deleted")
ACTIVITY_FIELDS = (
    "name",
    "description",
    "pinned",
    "deleted",
    "creation_mode",
    "filters",
    "variables",
    "breakdown_colors",
    "data_color_theme_id",
    "restriction_level",
    "tags",
)


def dashboard_set_tags(dashboard: Dashboard, names) -> list[str]:
    """Make the dashboard's tags exactly `names` (see insights.tags.object_set_tags)."""
    return object_set_tags(dashboard, names, "dashboard")


def _snapshot(dashboard: Dashboard) -> dict:
    values = {field: getattr(dashboard, field) for field in ACTIVITY_FIELDS if field != "tags"}
    values["tags"] = list(
        TaggedItem.objects.filter(dashboard=dashboard).order_by("id").values_list("tag__name", flat=True)
    )
    return values


def _log(dashboard: Dashboard, user, activity: str, changes: list | None) -> None:
    from activity.services import log_activity

    log_activity(
        team_id=dashboard.team_id,
        organization_id=dashboard.team.organization_id,
        user=user,
        item_id=dashboard.id,
        scope="Dashboard",
        activity=activity,
        detail={"name": dashboard.name, "changes": changes, "type": "dashboard"},
    )


def dashboard_create(
    team, user, fields: dict, *, tags=None, use_template: str | None = None, use_dashboard: int | None = None
) -> Dashboard:
    """Insert a dashboard in `team` created by `user`, set its tags, log `created`. Returns the dashboard.

    `use_template` always fails (no templates ship with this server: 400 attr `use_template`). `use_dashboard`
    duplicates a dashboard of the same project (400 attr `use_dashboard` otherwise): creation mode `duplicate`,
    its filters unless the request gave some, its variables and colors, and its visible tiles (same insights and
    texts, same layouts, colors and tile filters).
    """
    if use_template:
        raise ValidationError({"use_template": INVALID_TEMPLATE.format(template=use_template)})
    source = None
    if use_dashboard:
        source = project_dashboards(team).filter(id=use_dashboard).first()
        if source is None:
            raise ValidationError({"use_dashboard": INVALID_SOURCE_DASHBOARD})
        fields = {**fields, "creation_mode": Dashboard.CreationMode.DUPLICATE}
        if not fields.get("filters"):
            fields["filters"] = source.filters
        for field in ("variables", "breakdown_colors", "data_color_theme_id"):
            if getattr(source, field):
                fields[field] = getattr(source, field)
    with transaction.atomic():
        dashboard = Dashboard.objects.create(team=team, created_by=user, **fields)
        if tags is not None:
            dashboard_set_tags(dashboard, tags)
        if source is not None:
            DashboardTile.objects.bulk_create(
                DashboardTile(
                    dashboard=dashboard,
                    insight_id=tile.insight_id,
                    text_id=tile.text_id,
                    layouts=tile.layouts,
                    color=tile.color,
                    filters_overrides=tile.filters_overrides,
                )
                for tile in DashboardTile.objects.filter(dashboard=source).exclude(insight__deleted=True)
            )
        _log(dashboard, user, "created", None)
    return dashboard


def _soft_delete_tiles(dashboard: Dashboard, delete_insights: bool) -> None:
    """Soft-delete every tile; with `delete_insights`, also the insights that sit on no other dashboard."""
    if delete_insights:
        insight_ids = DashboardTile.objects.filter(dashboard=dashboard, insight__isnull=False).values_list(
            "insight_id", flat=True
        )
        elsewhere = (
            DashboardTile.objects.filter(insight_id__in=insight_ids)
            .exclude(dashboard=dashboard)
            .values_list("insight_id", flat=True)
        )
        Insight.objects.filter(id__in=insight_ids).exclude(id__in=elsewhere).update(deleted=True)
    DashboardTile.objects_including_soft_deleted.filter(dashboard=dashboard).update(deleted=True)


def _restore_tiles(dashboard: Dashboard) -> None:
    """Undo a dashboard delete: every tile comes back, and so do the insights on them."""
    DashboardTile.objects_including_soft_deleted.filter(dashboard=dashboard).update(deleted=False)
    insight_ids = DashboardTile.objects_including_soft_deleted.filter(
        dashboard=dashboard, insight__isnull=False
    ).values_list("insight_id", flat=True)
    Insight.objects_including_soft_deleted.filter(id__in=insight_ids, deleted=True).update(deleted=False)


def _update_tile(dashboard: Dashboard, data: dict, user) -> None:
    if not isinstance(data, dict):
        raise ValidationError({"tiles": TILE_NOT_FOUND})
    text = data.get("text")
    tile_id = data.get("id")
    tile = None
    if tile_id is not None:
        tile = DashboardTile.objects_including_soft_deleted.filter(dashboard=dashboard, id=tile_id).first()
        if tile is None:
            raise ValidationError({"tiles": TILE_NOT_FOUND})
    if isinstance(text, dict):
        tile = _upsert_text_tile(dashboard, tile, text, user)
    elif tile is None:
        return  # neither an existing tile nor a new text tile: nothing PostHog would write either
    changed = [field for field in TILE_FIELDS if field in data]
    for field in changed:
        setattr(tile, field, data[field])
    if changed:
        tile.save(update_fields=changed)


def _upsert_text_tile(dashboard: Dashboard, tile: DashboardTile | None, text: dict, user) -> DashboardTile:
    body = text.get("body")
    if body is not None and (not isinstance(body, str) or len(body) > 4000):
        raise ValidationError({"text": "Text body cannot exceed 4000 characters"})
    if tile is not None and tile.text is not None:
        tile.text.body = body
        tile.text.last_modified_by = user
        tile.text.last_modified_at = timezone.now()
        tile.text.save(update_fields=["body", "last_modified_by", "last_modified_at"])
        return tile
    if text.get("id") is not None:
        existing = Text.objects.filter(id=text["id"], team_id=dashboard.team_id, tiles__dashboard=dashboard).first()
        if existing is None:
            raise ValidationError({"text": TEXT_TILE_NOT_FOUND})
        existing.body, existing.last_modified_by, existing.last_modified_at = body, user, timezone.now()
        existing.save(update_fields=["body", "last_modified_by", "last_modified_at"])
        return DashboardTile.objects_including_soft_deleted.get(dashboard=dashboard, text=existing)
    created = Text.objects.create(team_id=dashboard.team_id, body=body, created_by=user)
    return DashboardTile.objects.create(dashboard=dashboard, text=created)


def dashboard_update(dashboard: Dashboard, user, fields: dict, *, tags=None, tiles=None, delete_insights=False):
    """Apply a PATCH to a dashboard and log the change (spec: PostHog's dashboard update).

    1. A `restriction_level` change needs the creator or a project admin (PermissionDenied otherwise).
    2. `deleted` false -> true soft-deletes every tile (and, with `delete_insights`, insights on no other
       dashboard) and clears it as the team's primary dashboard; true -> false restores tiles and their insights.
    3. Plain fields are saved, tags replaced when given, tile layouts/colors/overrides/deleted updated and text
       tiles created or edited from `tiles`.
    4. One activity entry: `deleted`/`restored` when the flag flipped, else `updated` (only with changes).
    Returns the dashboard.
    """
    restriction_changes = fields.get("restriction_level", dashboard.restriction_level) != dashboard.restriction_level
    if restriction_changes and not can_restrict_dashboard(user, dashboard):
        raise PermissionDenied(RESTRICTION_CHANGE_DENIED)
    with transaction.atomic():
        before = _snapshot(dashboard)
        was_deleted = dashboard.deleted
        for field, value in fields.items():
            setattr(dashboard, field, value)
        if fields.get("deleted") and not was_deleted:
            _soft_delete_tiles(dashboard, delete_insights)
            type(dashboard.team).objects.filter(id=dashboard.team_id, primary_dashboard_id=dashboard.id).update(
                primary_dashboard_id=None
            )
        elif was_deleted and fields.get("deleted") is False:
            _restore_tiles(dashboard)
        dashboard.save()
        if tags is not None:
            dashboard_set_tags(dashboard, tags)
        for tile in tiles or []:
            _update_tile(dashboard, tile, user)
        from activity.changes import changes_between

        changes = changes_between("Dashboard", before, _snapshot(dashboard))
        activity = "updated"
        if was_deleted != dashboard.deleted:
            activity = "deleted" if dashboard.deleted else "restored"
        _log(dashboard, user, activity, changes)
    getattr(dashboard, "_prefetched_objects_cache", {}).clear()
    return dashboard


def dashboard_mark_accessed(dashboard: Dashboard) -> None:
    """Record that the dashboard was just opened (`last_accessed_at`)."""
    dashboard.last_accessed_at = timezone.now()
    Dashboard.objects_including_soft_deleted.filter(id=dashboard.id).update(last_accessed_at=dashboard.last_accessed_at)
