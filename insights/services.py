"""Insight writes: create, update (incl. soft delete and restore) and their activity entries.

Dashboard membership is applied through the dashboard hooks (insights/dashboard_hooks.py): dashboards sit above us.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from activity.changes import changes_between
from activity.services import log_activity
from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight, InsightViewed
from insights.tags import insight_set_tags, tags_of_from_db
from insights_server.models import Team, User

# Writing one of these bumps last_modified_at/by; `query` deliberately is not one (spec §3.6, PostHog's constant).
MATERIAL_FIELDS = ("name", "description", "filters")
# Model columns a client may write (spec §3.4); the rest of the payload is handled separately.
WRITABLE_COLUMNS = ("name", "derived_name", "description", "query", "filters", "order", "deleted", "saved", "favorited")
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
    dashboard_hooks().check_can_add(user, dashboards)
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
        dashboard_hooks().add(insight, dashboards)
        if data.get("tags"):
            insight_set_tags(insight, data["tags"])
        _log(insight, team, user, "created", None)
    return insight


def insight_update(insight: Insight, *, team: Team, user: User, data: dict) -> Insight:
    """Update an insight from validated serializer data (spec §3.6), in one transaction.

    0. Refuse (PermissionDenied) when the insight's dashboards do not let the user edit it.
    1. Snapshot the state for the activity diff. 2. `is_sample` false; `saved` true unless given.
    3. Bump last_modified_at/by only when a material field (name, description, filters) is written.
    4. `deleted: true` soft-deletes every tile of the insight; otherwise a given `dashboards` list is reconciled
       (both through the dashboard hooks).
    5. Save the columns, set tags. 6. Log `deleted`, `restored` or `updated` with the field changes and a
       synthetic `dashboards` change ([{id, name}] before/after) when membership changed.
    Raises PermissionDenied when a dashboard to add or remove is not editable by the user.
    """
    dashboard_hooks().check_can_edit(user, insight)
    with transaction.atomic():
        before = _snapshot(insight)
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
        dashboards_change = dashboard_hooks().update(
            insight, user, deleted=bool(data.get("deleted")), requested=data.get("dashboards")
        )
        insight.save()
        if "tags" in data:
            insight_set_tags(insight, data["tags"])
        changes = [
            change for change in changes_between(SCOPE, before, _snapshot(insight)) if change["field"] != "dashboards"
        ]
        if dashboards_change is not None:
            dashboards_before, dashboards_after = dashboards_change
            changes.append(
                {
                    "type": SCOPE,
                    "action": "changed",
                    "field": "dashboards",
                    "before": dashboards_before,
                    "after": dashboards_after,
                }
            )
        activity = "updated"
        deleted_change = next((change for change in changes if change["field"] == "deleted"), None)
        if deleted_change is not None:
            activity = "deleted" if deleted_change["after"] else "restored"
        _log(insight, team, user, activity, changes)
    return insight
