"""The Celery app's beat schedule holds every periodic task: the settings' own and the alerts'."""

from alerts.beat import BEAT_SCHEDULE as ALERTS_BEAT_SCHEDULE
from config.celery import app


def test_beat_schedule_has_cohort_recalculation_and_alert_checks():
    schedule = app.conf.beat_schedule
    assert schedule["cohorts-recalculate-due"]["task"] == "cohorts.recalculate_due"
    assert {name: schedule[name] for name in ALERTS_BEAT_SCHEDULE} == ALERTS_BEAT_SCHEDULE
