"""The in-process alert scheduler of the embedded default (no Celery): a daemon thread in the web process that
checks due alerts every 2 minutes and does the hourly upkeep; gunicorn.conf.py starts it. With Celery, beat runs
the same work through alerts/tasks.py instead."""

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from alerts.beat import CLEANUP_PERIOD, STUCK_RESET_PERIOD, TICK_PERIOD
from alerts.checks import check_alert
from alerts.selectors import alerts_due
from alerts.services import alert_checks_delete_expired, alerts_reset_stuck

logger = logging.getLogger(__name__)

_scheduler: "AlertScheduler | None" = None
_lock = threading.Lock()


def uses_in_process_scheduler() -> bool:
    return settings.QUERY_ASYNC_BACKEND != "celery"


def run_due_checks(now: datetime | None = None) -> int:
    """Check every due alert one after another (spec §2.8 order). A failing check is logged and the rest go on.
    Returns how many checks ran."""
    ran = 0
    for alert in alerts_due(now or timezone.now()):
        try:
            check_alert(alert.id)
            ran += 1
        except Exception:
            # The check was rolled back (next_check_at unchanged), so the next tick retries it.
            logger.exception("alert_check_failed_in_scheduler alert_id=%s", alert.id)
    return ran


class AlertScheduler(threading.Thread):
    """Ticks until stopped: due checks every tick, retention and stuck-check recovery on their own periods."""

    def __init__(self) -> None:
        super().__init__(name="alert-scheduler", daemon=True)
        self.stopped = threading.Event()
        self.last_cleanup: datetime | None = None
        self.last_stuck_reset: datetime | None = None

    def tick(self, now: datetime) -> None:
        if self.last_stuck_reset is None or now - self.last_stuck_reset >= STUCK_RESET_PERIOD:
            alerts_reset_stuck(now)
            self.last_stuck_reset = now
        run_due_checks(now)
        if self.last_cleanup is None or now - self.last_cleanup >= CLEANUP_PERIOD:
            alert_checks_delete_expired(now)
            self.last_cleanup = now

    def run(self) -> None:
        while not self.stopped.is_set():
            # A thread outside the request cycle must drop broken or expired connections itself.
            close_old_connections()
            try:
                self.tick(timezone.now())
            except Exception:
                # The thread must outlive one bad tick (a database restart, say); the next tick tries again.
                logger.exception("alert_scheduler_tick_failed")
            finally:
                close_old_connections()
            self.stopped.wait(TICK_PERIOD.total_seconds())


def start_scheduler() -> AlertScheduler:
    """Start the scheduler thread once per process; later calls return the running one."""
    global _scheduler
    with _lock:
        if _scheduler is None or not _scheduler.is_alive():
            _scheduler = AlertScheduler()
            _scheduler.start()
            logger.info("alert_scheduler_started")
        return _scheduler


def stop_scheduler(timeout: float = 5) -> None:
    with _lock:
        if _scheduler is not None:
            _scheduler.stopped.set()
            _scheduler.join(timeout)
