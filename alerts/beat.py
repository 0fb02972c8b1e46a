"""When the alert tasks run: the Celery beat entries (config/celery.py merges them) and the in-process
scheduler's periods. No imports beyond the standard library: config loads this before Django is set up."""

from datetime import timedelta

TICK_PERIOD = timedelta(minutes=2)
CLEANUP_PERIOD = timedelta(hours=1)
STUCK_RESET_PERIOD = timedelta(minutes=15)

CHECK_ALERTS_TASK = "alerts.check_alerts"
CHECK_ALERT_TASK = "alerts.check_alert"
CHECKS_CLEANUP_TASK = "alerts.checks_cleanup"
RESET_STUCK_TASK = "alerts.reset_stuck"

BEAT_SCHEDULE = {
    "alerts-check": {"task": CHECK_ALERTS_TASK, "schedule": TICK_PERIOD},
    "alerts-checks-cleanup": {"task": CHECKS_CLEANUP_TASK, "schedule": CLEANUP_PERIOD},
    "alerts-reset-stuck": {"task": RESET_STUCK_TASK, "schedule": STUCK_RESET_PERIOD},
}
