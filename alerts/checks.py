"""One alert check (spec sharing-alerts-auth-activity §2.8 `check_alert`): run the insight, judge it, record an
AlertCheck, move the state machine and schedule the next check. Notifications go through registered notifiers."""

import logging
import traceback
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from alerts.evaluation import CheckOutcome, evaluate_alert
from alerts.models import AlertCheck, AlertConfiguration
from alerts.notifications import notify
from alerts.schedule import is_weekend, next_check_at
from alerts.schema import AlertState
from alerts.selectors import alerts_due
from alerts.states import AlertEvent, check_event, notifies, transition
from insights_server.errors import DomainError

logger = logging.getLogger(__name__)


def _next_check(alert: AlertConfiguration, now: datetime) -> datetime:
    return next_check_at(
        alert.calculation_interval or "daily",
        now,
        alert.team.timezone,
        previous_next_check_at=alert.next_check_at,
        restriction=alert.schedule_restriction,
    )


def _skip_reason(alert: AlertConfiguration, now: datetime) -> str | None:
    if alert.next_check_at is not None and alert.next_check_at > now:
        return "not_due"
    if alert.is_calculating:
        return "calculating"
    if alert.snoozed_until is not None and alert.snoozed_until > now:
        return "snoozed"
    return None


def _claim(alert_id, now: datetime) -> AlertConfiguration | None:
    """Lock the alert's row and mark it calculating, or None when another scheduler holds it or it is not to be
    checked now. The row lock (`skip_locked` on PostgreSQL; SQLite's write lock, taken at BEGIN, serialises
    this on SQLite) makes the read of `is_calculating` and its write one step, so two schedulers or workers never
    both claim one alert."""
    with transaction.atomic():
        alert = (
            AlertConfiguration.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("team", "insight", "threshold")
            .filter(id=alert_id, enabled=True)
            .first()
        )
        if alert is None or _skip_reason(alert, now) is not None:
            return None
        if alert.skip_weekend and is_weekend(now, alert.team.timezone):
            alert.next_check_at = _next_check(alert, now)
            alert.save(update_fields=["next_check_at"])
            return None
        alert.snoozed_until = None  # past, or the check would have been skipped
        if alert.state == AlertState.SNOOZED:
            alert.state = transition(alert.state, AlertEvent.SNOOZE_EXPIRED)
        alert.last_checked_at, alert.is_calculating = now, True
        alert.save(update_fields=["last_checked_at", "is_calculating", "snoozed_until", "state"])
        return alert


def check_alert(alert_id, now: datetime | None = None) -> AlertCheck | None:
    """Check one alert now, unless it is disabled, not yet due, already being checked (or locked by another
    scheduler) or snoozed.

    1. Claim it: lock the row, skip it if another scheduler has it; on a weekend (project timezone) with
       `skip_weekend`, only `next_check_at` moves on; an expired snooze is cleared ("Not firing");
       `last_checked_at` and `is_calculating` are committed, so a concurrent tick skips the alert.
    2. The insight runs fresh and is judged; any failure is kept as `error = {message, traceback}`.
    3. One AlertCheck is written with the state the machine moves to; the alert gets that state, the check time
       and the next check time. Firing and Errored checks call the notifiers; `targets_notified` and
       `last_notified_at` record a delivery. The alert stays enabled whatever happens.
    4. `is_calculating` is cleared in every case.
    Returns the check, or None when the alert was skipped.
    """
    now = now or timezone.now()
    alert = _claim(alert_id, now)
    if alert is None:
        return None
    try:
        return _run_and_record(alert, now)
    finally:
        AlertConfiguration.objects.filter(id=alert.id).update(is_calculating=False)


def alerts_check_due(now: datetime | None = None) -> int:
    """Check every due alert one after another (spec §2.8 order), as the in-process scheduler does at each tick.
    A failing check is logged and the rest go on. Returns how many checks ran."""
    ran = 0
    for alert in alerts_due(now or timezone.now()):
        try:
            ran += check_alert(alert.id) is not None
        except Exception:
            # The check was rolled back (next_check_at unchanged), so the next tick retries it.
            logger.exception("alert_check_failed_in_scheduler alert_id=%s", alert.id)
    return ran


def _evaluate(alert: AlertConfiguration) -> tuple[CheckOutcome | None, dict | None]:
    try:
        return evaluate_alert(alert), None
    except DomainError as error:
        logger.info("alert_check_failed alert_id=%s error=%s", alert.id, error.detail)
        return None, {"message": error.detail, "traceback": traceback.format_exc()}
    except Exception as error:
        logger.exception("alert_check_crashed alert_id=%s", alert.id)
        return None, {"message": str(error), "traceback": traceback.format_exc()}


def _run_and_record(alert: AlertConfiguration, now: datetime) -> AlertCheck:
    outcome, error = _evaluate(alert)
    breaches = outcome.breaches if outcome is not None else []
    state = transition(alert.state, check_event(errored=error is not None, breaches=breaches))
    with transaction.atomic():
        check = AlertCheck.objects.create(
            alert_configuration=alert,
            calculated_value=outcome.value if outcome is not None else None,
            condition=alert.condition,
            targets_notified={},
            error=error,
            state=state,
            anomaly_scores=outcome.anomaly_scores if outcome is not None else None,
            triggered_points=outcome.triggered_points if outcome is not None else None,
            triggered_dates=outcome.triggered_dates if outcome is not None else None,
            interval=outcome.interval if outcome is not None else None,
            triggered_metadata=outcome.triggered_metadata if outcome is not None else None,
        )
        fields = ["state", "last_checked_at", "next_check_at"]
        if notifies(state):
            delivered = notify(alert, check, [error["message"]] if error else breaches)
            if delivered:
                check.targets_notified = delivered
                check.notification_sent_at = now
                check.save(update_fields=["targets_notified", "notification_sent_at"])
                alert.last_notified_at = now
                fields.append("last_notified_at")
        alert.state, alert.last_checked_at = state, now
        alert.next_check_at = _next_check(alert, now)
        alert.save(update_fields=fields)
    return check
