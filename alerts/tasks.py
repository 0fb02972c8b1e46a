"""Celery tasks of alerts: the scheduler tick, one check, check retention and stuck-check recovery. Their beat
entries (and the in-process scheduler's jobs of the embedded default) are registered in config/periodic.py."""

from datetime import timedelta
from itertools import groupby

from celery import chain, shared_task
from django.utils import timezone

from alerts.checks import check_alert
from alerts.selectors import alerts_due
from alerts.services import alert_checks_delete_expired, alerts_reset_stuck

CHECK_ALERTS_TASK = "alerts.check_alerts"
CHECK_ALERT_TASK = "alerts.check_alert"
CHECKS_CLEANUP_TASK = "alerts.checks_cleanup"
RESET_STUCK_TASK = "alerts.reset_stuck"
# A queued check older than this is dropped: the next tick queues a fresh one.
CHECK_EXPIRY = timedelta(minutes=30)


@shared_task(name=CHECK_ALERT_TASK, ignore_result=True)
def check_alert_task(alert_id: str) -> None:
    check_alert(alert_id)


@shared_task(name=CHECK_ALERTS_TASK, ignore_result=True)
def check_alerts_task() -> int:
    """Queue every due alert, one chain per team so a team's insight queries run one after another."""
    due = sorted(alerts_due(timezone.now()), key=lambda alert: alert.team_id)
    queued = 0
    for _team_id, alerts in groupby(due, key=lambda alert: alert.team_id):
        signatures = [check_alert_task.si(str(alert.id)).set(expires=CHECK_EXPIRY) for alert in alerts]
        chain(*signatures).apply_async()
        queued += len(signatures)
    return queued


@shared_task(name=CHECKS_CLEANUP_TASK, ignore_result=True)
def checks_cleanup_task() -> int:
    return alert_checks_delete_expired()


@shared_task(name=RESET_STUCK_TASK, ignore_result=True)
def reset_stuck_alerts_task() -> int:
    return alerts_reset_stuck()
