"""The periodic jobs, registered once for both schedulers: Celery beat runs each job's task in production, and the
in-process scheduler (config/scheduler.py) calls each job's function in the embedded default. Standard library
only: config/celery.py reads this before Django is set up."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: str  # dotted path of a callable taking no arguments (the in-process scheduler)
    task: str  # the Celery task name of the same work (beat)
    period: float  # seconds between runs


def _seconds(variable: str, default: float) -> float:
    return float(os.environ.get(variable) or default)


# Alerts are checked every 2 minutes (spec sharing-alerts-auth-activity §2.8); ALERTS_CHECK_PERIOD_SECONDS shortens
# it (tests start a server that must check within seconds).
ALERTS_CHECK_PERIOD = _seconds("ALERTS_CHECK_PERIOD_SECONDS", 120)

JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("alerts-reset-stuck", "alerts.services.alerts_reset_stuck", "alerts.reset_stuck", 15 * 60),
    PeriodicJob("alerts-check", "alerts.checks.alerts_check_due", "alerts.check_alerts", ALERTS_CHECK_PERIOD),
    PeriodicJob("alerts-checks-cleanup", "alerts.services.alert_checks_delete_expired", "alerts.checks_cleanup", 3600),
    PeriodicJob(
        "cohorts-recalculate-due", "queries.cohorts.tasks.cohorts_recalculate_due", "cohorts.recalculate_due", 120
    ),
)


def beat_schedule(jobs: tuple[PeriodicJob, ...] = JOBS) -> dict:
    """Celery's `beat_schedule` for the jobs."""
    return {job.name: {"task": job.task, "schedule": job.period} for job in jobs}
