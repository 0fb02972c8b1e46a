"""Reads for the alert API: filtered lists with each alert's last value, and an alert's checks page."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from rest_framework.exceptions import ValidationError

from alerts.models import AlertCheck, AlertConfiguration, AlertSubscription
from queries.dates import relative_date_parse

SEARCH_MAX_LENGTH = 200
SEARCH_TOO_LONG = f"Search must be at most {SEARCH_MAX_LENGTH} characters."
INVALID_CREATED_BY = "created_by must be a valid user UUID."
DEFAULT_CHECKS_LIMIT = 5
DATE_FILTERED_CHECKS_LIMIT = 500
MAX_CHECKS_LIMIT = 500


def with_last_value(queryset: QuerySet[AlertConfiguration]) -> QuerySet[AlertConfiguration]:
    """Annotate `last_value` (the calculated value of each alert's newest check) and load what rendering reads:
    the insight with its tiles and tags, the threshold, the creator and `active_subscriptions` with their users,
    so a page of alerts costs a fixed number of queries."""
    newest = AlertCheck.objects.filter(alert_configuration=OuterRef("pk")).order_by("-created_at")
    subscriptions = AlertSubscription.objects.filter(subscribed=True).select_related("user").order_by("user_id")
    return (
        queryset.annotate(last_value=Subquery(newest.values("calculated_value")[:1]))
        .select_related(
            "insight__created_by", "insight__last_modified_by", "insight__team", "threshold", "created_by", "team"
        )
        .prefetch_related(
            "insight__dashboard_tiles__dashboard__team",
            "insight__tagged_items__tag",
            "webhooks",
            Prefetch("alertsubscription_set", subscriptions, to_attr="active_subscriptions"),
        )
    )


def alert_list_filter(queryset: QuerySet, params) -> QuerySet[AlertConfiguration]:
    """Narrow by `?insight=` (or `insight_id`), `?search=` (name substring) and `?created_by=<user uuid>`.

    Raises ValidationError with attr `search` or `created_by` for a too long search or a malformed uuid. Each
    alert carries `anomaly_checks`: its checks with triggered points, newest first.
    """
    insight = params.get("insight") or params.get("insight_id")
    if insight:
        queryset = queryset.filter(insight_id=int(insight)) if str(insight).isdigit() else queryset.none()
    search = params.get("search")
    if search:
        if len(search) > SEARCH_MAX_LENGTH:
            raise ValidationError({"search": [SEARCH_TOO_LONG]})
        queryset = queryset.filter(name__icontains=search)
    created_by = params.get("created_by")
    if created_by:
        try:
            creator = uuid.UUID(created_by)
        except ValueError:
            raise ValidationError({"created_by": [INVALID_CREATED_BY]}) from None
        queryset = queryset.filter(created_by__uuid=creator)
    anomalies = (
        AlertCheck.objects.exclude(triggered_points__isnull=True).exclude(triggered_points=[]).order_by("-created_at")
    )
    return with_last_value(queryset).prefetch_related(Prefetch("checks", anomalies, to_attr="anomaly_checks"))


@dataclass(frozen=True)
class ChecksPage:
    checks: list[AlertCheck]
    total: int


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def alert_checks_page(alert: AlertConfiguration, params, now: datetime | None = None) -> ChecksPage:
    """The alert's checks, newest first, for retrieve (spec §2.4).

    `checks_date_from` / `checks_date_to` are relative or absolute dates in UTC; `checks_limit` defaults to 5
    (500 with a date filter) and is clamped to [1, 500] (non-integers give the default); `checks_offset`
    defaults to 0, negatives become 0 and it is capped at the total.
    """
    now = now or datetime.now(UTC)
    checks = AlertCheck.objects.filter(alert_configuration=alert)
    date_from, date_to = params.get("checks_date_from"), params.get("checks_date_to")
    if date_from:
        checks = checks.filter(created_at__gte=relative_date_parse(date_from, "UTC", now))
    if date_to:
        checks = checks.filter(created_at__lte=relative_date_parse(date_to, "UTC", now))
    default = DATE_FILTERED_CHECKS_LIMIT if (date_from or date_to) else DEFAULT_CHECKS_LIMIT
    limit = min(max(_int_or(params.get("checks_limit"), default), 1), MAX_CHECKS_LIMIT)
    total = checks.count()
    offset = min(max(_int_or(params.get("checks_offset"), 0), 0), total)
    return ChecksPage(list(checks.order_by("-created_at")[offset : offset + limit]), total)


# Short intervals are checked first at each tick: they fall behind soonest.
INTERVAL_PRIORITY: dict[str | None, int] = {"real_time": 0, "every_15_minutes": 1, "hourly": 2, "daily": 3}


def alerts_due(now: datetime) -> list[AlertConfiguration]:
    """Alerts to check at a scheduler tick (spec §2.8 `check_alerts_task`).

    Enabled, not being checked, due (`next_check_at` null or past) and not snoozed (`snoozed_until` null or
    past); ordered by `next_check_at` (never checked first), then stably: real time, 15 minutes, hourly, daily,
    then the rest.
    """
    from django.db.models import F, Q

    due = (
        AlertConfiguration.objects.filter(enabled=True, is_calculating=False, insight__deleted=False)
        .filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lt=now))
        .order_by(F("next_check_at").asc(nulls_first=True), "created_at")
    )
    return sorted(due, key=lambda alert: INTERVAL_PRIORITY.get(alert.calculation_interval, len(INTERVAL_PRIORITY)))
