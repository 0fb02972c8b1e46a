"""Writes to alerts: create, update (with its side effects, spec §2.6), delete, snooze, check retention; each write
logs activity (spec §2.12)."""

import re
from datetime import UTC, datetime, timedelta

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from activity.changes import changes_between
from activity.services import log_activity
from alerts.models import AlertCheck, AlertConfiguration, AlertSubscription, AlertWebhook, Threshold
from alerts.schedule import next_check_at
from alerts.states import AlertEvent, transition
from insights_server.models import User

SCOPE = "AlertConfiguration"
CHECK_RETENTION = timedelta(days=14)
# A check still "calculating" after this long died with its worker.
STUCK_AFTER = timedelta(minutes=45)
INVALID_SNOOZE = "Invalid snoozed_until value."
# PostHog's plan limit, as a setting (ALERTS_MAX_PER_TEAM; None = unlimited) with a generous default.
DEFAULT_MAX_ALERTS_PER_TEAM = 500
# Diffed fields; scheduling bookkeeping (last_checked_at, next_check_at, ...) never makes an activity entry.
ACTIVITY_FIELDS = (
    "name",
    "insight",
    "config",
    "condition",
    "detector_config",
    "calculation_interval",
    "enabled",
    "state",
    "snoozed_until",
    "skip_weekend",
    "schedule_restriction",
    "investigation_agent_enabled",
    "investigation_gates_notifications",
    "investigation_inconclusive_action",
)
RELATIVE_SNOOZE = re.compile(r"^\+?(?P<number>\d+)(?P<unit>[hdwmy])$")
SNOOZE_UNITS = {
    "h": relativedelta(hours=1),
    "d": relativedelta(days=1),
    "w": relativedelta(weeks=1),
    "m": relativedelta(months=1),
    "y": relativedelta(years=1),
}


def alert_limit_message(limit: int) -> str:
    return f"Your team has reached the limit of {limit} alerts on your plan."


def snooze_until(text: str, now: datetime) -> datetime:
    """A snooze end from `"2h"`, `"1d"`, ... (now plus that, rounded up to the hour, or to the day for days and
    longer) or an absolute date (UTC when naive). Raises ValidationError when neither."""
    match = RELATIVE_SNOOZE.match(text.strip())
    if match:
        moment = now.astimezone(UTC) + SNOOZE_UNITS[match["unit"]] * int(match["number"])
        unit = timedelta(hours=1) if match["unit"] == "h" else timedelta(days=1)
        start = moment.replace(minute=0, second=0, microsecond=0)
        if match["unit"] != "h":
            start = start.replace(hour=0)
        return start if start == moment else start + unit
    try:
        parsed = isoparse(text.strip())
    except ValueError:
        raise ValidationError({"snoozed_until": [INVALID_SNOOZE]}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _snapshot(alert: AlertConfiguration) -> dict:
    return {field: getattr(alert, field if field != "insight" else "insight_id") for field in ACTIVITY_FIELDS}


def _log(
    alert: AlertConfiguration, user, activity: str, changes: list | None, context: dict | None = None, **extra_detail
) -> None:
    insight = alert.insight
    insight_name = insight.name or insight.derived_name
    log_activity(
        team_id=alert.team_id,
        organization_id=alert.team.organization_id,
        user=user,
        item_id=alert.id,
        scope=SCOPE,
        activity=activity,
        detail={
            "name": alert.name or f"Alert for {insight_name}",
            "changes": changes,
            "context": {
                "insight_id": insight.id,
                "insight_short_id": insight.short_id,
                "insight_name": insight_name,
                "alert_id": str(alert.id),
                "alert_name": alert.name,
                **(context or {}),
            },
            **extra_detail,
        },
    )


def _set_subscribers(alert: AlertConfiguration, user_ids: list[int], actor) -> None:
    """Make the subscriptions exactly `user_ids`; each one added or removed is logged on the alert."""
    existing = set(AlertSubscription.objects.filter(alert_configuration=alert).values_list("user_id", flat=True))
    wanted = set(user_ids)
    removed, added = sorted(existing - wanted), sorted(wanted - existing)
    AlertSubscription.objects.filter(alert_configuration=alert, user_id__in=removed).delete()
    AlertSubscription.objects.bulk_create(
        AlertSubscription(alert_configuration=alert, user_id=user_id, created_by=actor) for user_id in added
    )
    users = {user.id: user for user in User.objects.filter(id__in=[*removed, *added])}
    for activity, ids in (("deleted", removed), ("created", added)):
        for user_id in ids:
            subscriber = users[user_id]
            name = f"{subscriber.first_name} {subscriber.last_name}".strip()
            context = {"subscriber_name": name, "subscriber_email": subscriber.email}
            _log(alert, actor, activity, None, context, type="alert_subscription_change")


def _set_webhooks(alert: AlertConfiguration, webhooks: list[dict]) -> bool:
    """Make the alert's destinations exactly `webhooks` (validated: `id` names an existing one of this alert,
    whose secret stays unless `secret` is given). True when anything changed."""
    existing = {webhook.id: webhook for webhook in alert.webhooks.all()}
    kept = {item["id"] for item in webhooks if "id" in item}
    removed = [webhook_id for webhook_id in existing if webhook_id not in kept]
    changed = bool(removed)
    AlertWebhook.objects.filter(id__in=removed).delete()
    for item in webhooks:
        webhook = existing[item["id"]] if "id" in item else AlertWebhook(alert_configuration=alert)
        before = (webhook.url, webhook.enabled, webhook.secret)
        webhook.url, webhook.enabled = item["url"], item.get("enabled", True)
        if "secret" in item:
            webhook.secret = item["secret"]
        if webhook._state.adding or (webhook.url, webhook.enabled, webhook.secret) != before:
            webhook.save()
            changed = True
    return changed


def _log_threshold_change(alert: AlertConfiguration, user, before, after) -> None:
    change = {"type": SCOPE, "action": "changed", "field": "threshold", "before": before, "after": after}
    _log(alert, user, "updated", [change], type="threshold_change")


def _check_count_limit(team) -> None:
    limit = getattr(settings, "ALERTS_MAX_PER_TEAM", DEFAULT_MAX_ALERTS_PER_TEAM)
    if limit is not None and AlertConfiguration.objects.filter(team=team).count() >= limit:
        raise ValidationError({"alert": [alert_limit_message(limit)]})


def alert_create(team, user, data: dict) -> AlertConfiguration:
    """Insert an alert (state "Not firing", due at the next tick), its threshold and subscriptions; log `created`.

    `data` is validated serializer data: `insight` an Insight, `threshold` `{name?, configuration}` or None,
    `subscribed_users` user ids, the rest model fields. Raises ValidationError (attr `alert`) past the team's
    alert limit (setting ALERTS_MAX_PER_TEAM, None = unlimited).
    """
    data = dict(data)
    threshold_data = data.pop("threshold", None)
    subscribers = data.pop("subscribed_users", [])
    snooze = data.pop("snoozed_until", None)
    webhooks = data.pop("webhooks", [])
    with transaction.atomic():
        _check_count_limit(team)
        threshold = None
        if threshold_data:
            threshold = Threshold.objects.create(
                team=team,
                insight=data["insight"],
                name=threshold_data.get("name") or "",
                configuration=threshold_data.get("configuration") or {},
                created_by=user,
            )
        alert = AlertConfiguration(team=team, created_by=user, threshold=threshold, **data)
        if snooze:
            alert.snoozed_until = snooze_until(snooze, timezone.now())
            alert.state = transition(alert.state, AlertEvent.SNOOZED)
        alert.save()
        _log(alert, user, "created", None)
        _set_subscribers(alert, subscribers, user)
        _set_webhooks(alert, webhooks)
    return alert


def _update_threshold(alert: AlertConfiguration, threshold_data, user) -> bool:
    """Apply `threshold` from a PATCH; True when it changed. `{}` (or null) detaches the threshold."""
    if not threshold_data:
        changed = alert.threshold_id is not None
        alert.threshold = None
        return changed
    configuration = threshold_data.get("configuration") or {}
    threshold = alert.threshold
    if threshold is None:
        alert.threshold = Threshold.objects.create(
            team_id=alert.team_id,
            insight_id=alert.insight_id,
            name=threshold_data.get("name") or "",
            configuration=configuration,
            created_by=user,
        )
        return True
    changed = threshold.configuration != configuration
    threshold.configuration = configuration
    if "name" in threshold_data:
        threshold.name = threshold_data.get("name") or ""
    threshold.save(update_fields=["configuration", "name"])
    return changed


def _threshold_configuration(alert: AlertConfiguration) -> dict | None:
    threshold = alert.threshold
    return threshold.configuration if threshold is not None else None


def _record_snooze(alert: AlertConfiguration, snooze, now: datetime) -> None:
    if snooze is None:
        alert.snoozed_until = None
        alert.state = transition(alert.state, AlertEvent.UNSNOOZED)
    else:
        alert.snoozed_until = snooze_until(snooze, now)
        alert.state = transition(alert.state, AlertEvent.SNOOZED)


def alert_update(alert: AlertConfiguration, user, data: dict) -> AlertConfiguration:
    """Apply a PATCH/PUT (spec §2.6) and log `updated` with the field diff.

    1. `snoozed_until`: null unsnoozes ("Not firing"), a string snoozes ("Snoozed"); either way an AlertCheck
       records the new state.
    2. `threshold`: `{}` detaches, an existing one is updated in place, else a new one is created.
    3. `subscribed_users` replaces the subscriptions.
    4. Threshold or condition changed: due now and "Not firing"; only the interval changed: due now.
    5. A changed schedule restriction recomputes `next_check_at` from now, out of the blocked windows.
    """
    data = dict(data)
    now = timezone.now()
    with transaction.atomic():
        before = _snapshot(alert)
        threshold_before = _threshold_configuration(alert)
        threshold_changed = "threshold" in data and _update_threshold(alert, data.pop("threshold"), user)
        subscribers = data.pop("subscribed_users", None)
        webhooks = data.pop("webhooks", None)
        snoozing = "snoozed_until" in data
        snooze = data.pop("snoozed_until", None)
        condition_changed = "condition" in data and data["condition"] != alert.condition
        interval_changed = "calculation_interval" in data and data["calculation_interval"] != alert.calculation_interval
        restriction_changed = (
            "schedule_restriction" in data and data["schedule_restriction"] != alert.schedule_restriction
        )
        enabling_changed = "enabled" in data and data["enabled"] != alert.enabled
        for field, value in data.items():
            setattr(alert, field, value)
        if threshold_changed or condition_changed:
            alert.mark_for_recheck(reset_state=True)
        elif interval_changed:
            alert.mark_for_recheck(reset_state=False)
        if snoozing:
            _record_snooze(alert, snooze, now)
        if enabling_changed and not alert.enabled:
            alert.state = transition(alert.state, AlertEvent.DISABLED)
        alert.save()
        if restriction_changed:
            alert.next_check_at = next_check_at(
                alert.calculation_interval, now, alert.team.timezone, restriction=alert.schedule_restriction
            )
            alert.save(update_fields=["next_check_at"])
        if subscribers is not None:
            _set_subscribers(alert, subscribers, user)
        webhooks_changed = webhooks is not None and _set_webhooks(alert, webhooks)
        if snoozing:
            AlertCheck.objects.create(
                alert_configuration=alert,
                calculated_value=None,
                condition=alert.condition,
                targets_notified={},
                state=alert.state,
                error=None,
            )
        changes = changes_between(SCOPE, before, _snapshot(alert))
        if webhooks_changed:
            # Which destinations changed is not logged: a URL may itself be a credential.
            changes = [
                *(changes or []),
                {"type": SCOPE, "action": "changed", "field": "webhooks", "before": None, "after": None},
            ]
        _log(alert, user, "updated", changes)
        if threshold_changed:
            threshold_after = _threshold_configuration(alert)
            _log_threshold_change(alert, user, threshold_before, threshold_after)
    return alert


def alert_delete(alert: AlertConfiguration, user) -> None:
    """Delete the alert with its checks and subscriptions (its threshold stays with the insight); log `deleted`."""
    with transaction.atomic():
        _log(alert, user, "deleted", None)
        alert.delete()


def alert_checks_delete_expired(now: datetime | None = None) -> int:
    """Delete checks older than 14 days (spec §2.8 `checks_cleanup_task`). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - CHECK_RETENTION
    deleted, _ = AlertCheck.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def alerts_reset_stuck(now: datetime | None = None) -> int:
    """Clear `is_calculating` on alerts stuck in it for 45 minutes or more (by `last_checked_at`, else
    `created_at`). Returns how many were reset."""
    from django.db.models import Q

    cutoff = (now or timezone.now()) - STUCK_AFTER
    stuck = AlertConfiguration.objects.filter(is_calculating=True).filter(
        Q(last_checked_at__lte=cutoff) | Q(last_checked_at__isnull=True, created_at__lte=cutoff)
    )
    return stuck.update(is_calculating=False)
