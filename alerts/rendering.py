"""The `alerts` field of a full insight (registered with insights.alert_hooks when the app is ready)."""

from collections import defaultdict

from alerts.models import AlertConfiguration

# Where one request keeps the ids of its project's alerts by insight, so rendering a page of insights costs one
# query whatever its size (and nothing more for insights without alerts).
REQUEST_CACHE_ATTRIBUTE = "_alert_ids_by_insight"


def _alert_ids_by_insight(insight, context: dict) -> dict[int, list]:
    request = context.get("request")
    cached = getattr(request, REQUEST_CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is not None:
        return cached
    team = context.get("team") or insight.team
    rows = AlertConfiguration.objects.filter(team__project_id=team.project_id).order_by("-created_at")
    by_insight: dict[int, list] = defaultdict(list)
    for alert_id, insight_id in rows.values_list("id", "insight_id"):
        by_insight[insight_id].append(alert_id)
    if request is not None:
        setattr(request, REQUEST_CACHE_ATTRIBUTE, by_insight)
    return by_insight


def insight_alerts(insight, context: dict) -> list[dict]:
    """Every alert of the insight, newest first, rendered like `GET /alerts/:id` without checks."""
    alert_ids = _alert_ids_by_insight(insight, context).get(insight.id)
    if not alert_ids:
        return []
    # Imported here: the app registers this module at start-up, before the API modules may load.
    from alerts.api.serializers import AlertSerializer
    from alerts.selectors import with_last_value

    alerts = with_last_value(AlertConfiguration.objects.filter(id__in=alert_ids)).order_by("-created_at")
    context = {key: value for key, value in context.items() if key not in ("checks", "list_checks")}
    return AlertSerializer(alerts, many=True, context=context).data  # type: ignore[return-value]  # stubs: many=True data is a list
