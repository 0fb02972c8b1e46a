"""Keeping dynamic cohorts fresh (spec actors-cohorts §3.5 "Schedule"): the cohorts due for a calculation, the
Celery tasks, and the plain function an in-process scheduler calls.

Schedule `cohorts_recalculate_due()` every 2 minutes (Celery beat entry `cohorts-recalculate-due` in
config/settings.py; in the embedded default, the in-process scheduler should call the function itself).
"""

from datetime import timedelta

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.services import cohort_enqueue_calculation
from queries.cohorts.calculation import CALCULATE_TASK, calculate

RECALCULATE_DUE_TASK = "cohorts.recalculate_due"
STALE_AFTER = timedelta(minutes=15)
STUCK_AFTER = timedelta(hours=1)
MAX_ERRORS = 20
PER_RUN = 5
BACKOFF = timedelta(minutes=30)


def due_cohorts(now=None, limit: int = PER_RUN) -> list[Cohort]:
    """Dynamic, live, idle cohorts last calculated over 15 minutes ago (or never), with at most 20 errors in a row
    and past their back-off (30 min x 2^errors after the last error), least recently calculated first. One query."""
    now = now or timezone.now()
    backing_off = Q()
    for errors in range(MAX_ERRORS + 1):
        backing_off |= Q(errors_calculating=errors, last_error_at__gt=now - BACKOFF * (2**errors))
    candidates = (
        Cohort.objects.filter(is_static=False, deleted=False, is_calculating=False, errors_calculating__lte=MAX_ERRORS)
        .filter(Q(last_calculation__isnull=True) | Q(last_calculation__lt=now - STALE_AFTER))
        .exclude(backing_off)
        .order_by(F("last_calculation").asc(nulls_first=True), "id")
    )
    return list(candidates.select_related("team")[:limit])


def reset_stuck_cohorts(now=None) -> int:
    """Dynamic cohorts calculating for over an hour are released with one more error (at most 3 per run)."""
    now = now or timezone.now()
    stuck = Cohort.objects.filter(is_static=False, is_calculating=True).filter(
        Q(last_calculation__isnull=True, created_at__lt=now - STUCK_AFTER) | Q(last_calculation__lt=now - STUCK_AFTER)
    )
    ids = list(stuck.values_list("id", flat=True)[:3])
    Cohort.objects.filter(id__in=ids).update(
        is_calculating=False, errors_calculating=F("errors_calculating") + 1, last_error_at=now
    )
    return len(ids)


def cohorts_recalculate_due(limit: int = PER_RUN) -> list[int]:
    """Releases stuck cohorts, then enqueues the calculation of those due. Returns their ids."""
    reset_stuck_cohorts()
    due = due_cohorts(limit=limit)
    for cohort in due:
        cohort_enqueue_calculation(cohort)
    return [cohort.id for cohort in due]


@shared_task(name=CALCULATE_TASK, ignore_result=True, acks_late=True)
def calculate_cohort_task(cohort_id: int, pending_version: int) -> None:
    calculate(cohort_id, pending_version)


@shared_task(name=RECALCULATE_DUE_TASK, ignore_result=True)
def recalculate_due_task() -> None:
    cohorts_recalculate_due()
