"""The field-by-field diff recorded in activity entries (spec sharing-alerts-auth-activity §3.4)."""

from django.db import models

COMMON_FIELD_EXCLUSIONS = frozenset(
    {
        "id",
        "uuid",
        "short_id",
        "created_at",
        "created_by",
        "last_modified_at",
        "last_modified_by",
        "updated_at",
        "updated_by",
        "team",
        "team_id",
    }
)

FIELD_EXCLUSIONS: dict[str, frozenset[str]] = {
    "Insight": frozenset(
        {
            "filters_hash",
            "refreshing",
            "dive_dashboard",
            "type",
            "funnel",
            "layouts",
            "color",
            "order",
            "result",
            "dashboard",
            "last_refresh",
            "saved",
            "is_sample",
            "refresh_attempt",
            "short_id",
            "insightviewed",
            "views",
            "dashboardtile",
            "caching_states",
            "query_metadata",
        }
    ),
    "Dashboard": frozenset(
        {
            "insights",
            "refresh_attempt",
            "last_accessed_at",
            "last_refresh",
            "deprecated_tags",
            "sharingconfiguration",
            "is_shared",
        }
    ),
}


# Tags are logged by PostHog's tagging code as a list that changed, from [] on the first tag and to [] when the
# last one goes, not as a field that was created or deleted.
ALWAYS_CHANGED_LISTS = frozenset({"tags"})


def _is_empty(value) -> bool:
    """None and empty strings/lists/dicts count as "no value"; False and 0 are values."""
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def _normalise(value):
    """Related objects as their id, string lists sorted (so a reordering is not a change)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _renamed(scope: str, values: dict) -> dict:
    values = dict(values)
    if "tagged_items" in values:
        values["tags"] = values.pop("tagged_items")
    if "dashboard_tiles" in values:
        values.pop("dashboards", None)
        if scope == "Insight":
            values["dashboards"] = values.pop("dashboard_tiles")
    return values


def changes_between(scope: str, before: dict | None, after: dict | None) -> list[dict]:
    """The changes from `before` to `after`, both `{field: value}` snapshots of one object.

    Fields in the common and per-scope exclusions are ignored. `tagged_items` is reported as `tags` and, for
    insights, `dashboard_tiles` as `dashboards`. Both values empty (None, "", [], {}) → no change; only `after` set →
    `created`; only `before` set → `deleted`; otherwise `changed`. Returns `[{type, action, field, before, after}]`
    in field order.
    """
    before = _renamed(scope, before or {})
    after = _renamed(scope, after or {})
    excluded = COMMON_FIELD_EXCLUSIONS | FIELD_EXCLUSIONS.get(scope, frozenset())
    fields = list(before) + [field for field in after if field not in before]
    changes = []
    for field in fields:
        if field in excluded:
            continue
        old, new = _normalise(before.get(field)), _normalise(after.get(field))
        old_empty, new_empty = _is_empty(old), _is_empty(new)
        if old_empty and new_empty:
            continue
        if field in ALWAYS_CHANGED_LISTS:
            if old != new:
                before_list, after_list = old or [], new or []
                changes.append(
                    {"type": scope, "action": "changed", "field": field, "before": before_list, "after": after_list}
                )
        elif old_empty:
            changes.append({"type": scope, "action": "created", "field": field, "before": None, "after": new})
        elif new_empty:
            changes.append({"type": scope, "action": "deleted", "field": field, "before": old, "after": None})
        elif old != new:
            changes.append({"type": scope, "action": "changed", "field": field, "before": old, "after": new})
    return changes
