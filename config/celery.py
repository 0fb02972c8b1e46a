"""The Celery application: broker and result backend come from REDIS_URL."""

import os

from celery import Celery
from django.conf import settings

from alerts.beat import BEAT_SCHEDULE as ALERTS_BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("insights_server")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules outside `<app>.tasks`: the async query worker and the cohort calculations.
app.conf.imports = ("queries.execution.worker", "queries.cohorts.tasks")
# Periodic work (the `beat` service): the settings' entries (cohort recalculation) and the alert checks, their
# retention and stuck-check recovery. Assigning `beat_schedule` replaces the CELERY_BEAT_SCHEDULE setting, so
# both are named here.
app.conf.beat_schedule = {**settings.CELERY_BEAT_SCHEDULE, **ALERTS_BEAT_SCHEDULE}
