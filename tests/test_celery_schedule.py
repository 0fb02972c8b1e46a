"""The Celery app's beat schedule is every registered periodic job (config/periodic.py), the cohorts' included:
an assignment of `beat_schedule` once replaced the settings' entry and beat ran no cohort recalculation."""

from config.celery import app
from config.periodic import JOBS


def test_beat_schedule_has_every_periodic_job_with_its_task_and_period():
    schedule = app.conf.beat_schedule
    assert schedule["cohorts-recalculate-due"]["task"] == "cohorts.recalculate_due"
    assert {"alerts-check", "alerts-checks-cleanup", "alerts-reset-stuck"} <= set(schedule)
    assert schedule == {job.name: {"task": job.task, "schedule": job.period} for job in JOBS}
