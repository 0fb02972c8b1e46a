"""The Celery application: broker and result backend come from REDIS_URL."""

import os

from celery import Celery

from config.periodic import beat_schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("insights_server")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules outside `<app>.tasks`: the async query worker and the cohort calculations.
app.conf.imports = ("queries.execution.worker", "queries.cohorts.tasks")
# Periodic work (the `beat` service): alert checks, their retention, stuck-check recovery and cohort
# recalculation, the same jobs the in-process scheduler runs without Celery.
app.conf.beat_schedule = beat_schedule()
