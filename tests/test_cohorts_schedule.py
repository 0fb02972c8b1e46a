"""`cohorts_recalculate_due()`, which a scheduler calls every 2 minutes: cheap when nothing is due, and the cohorts
it picks (stale, idle, past their error back-off, least recently calculated first, 5 per run)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from cohorts.models import Cohort
from queries.cohorts.tasks import cohorts_recalculate_due, due_cohorts

pytestmark = pytest.mark.usefixtures("clickhouse")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FILTERS = {"properties": {"type": "AND", "values": [{"type": "person", "key": "city", "value": "x",
                                                    "operator": "exact"}]}}  # fmt: skip


def make(world, name: str, **fields) -> Cohort:
    defaults = {"filters": FILTERS, "last_calculation": NOW - timedelta(minutes=5)}
    return Cohort.objects.create(team=world.team, name=name, **{**defaults, **fields})


def test_nothing_due_costs_two_small_queries(world):
    make(world, "fresh")
    make(world, "static", is_static=True, last_calculation=None)
    make(world, "deleted", deleted=True, last_calculation=None)
    make(world, "busy", is_calculating=True, last_calculation=NOW - timedelta(minutes=30))
    with freeze_time(NOW), CaptureQueriesContext(connection) as queries:
        assert cohorts_recalculate_due() == []
    assert len(queries.captured_queries) <= 2


def test_due_cohorts_in_order_past_their_back_off(world):
    never = make(world, "never", last_calculation=None)
    old = make(world, "old", last_calculation=NOW - timedelta(days=2))
    stale = make(world, "stale", last_calculation=NOW - timedelta(minutes=20))
    make(world, "fresh", last_calculation=NOW - timedelta(minutes=10))
    # 3 errors: back-off 4 hours after the last error.
    waiting = make(world, "waiting", last_calculation=NOW - timedelta(days=3), errors_calculating=3,
                   last_error_at=NOW - timedelta(hours=3))  # fmt: skip
    retried = make(world, "retried", last_calculation=NOW - timedelta(days=3), errors_calculating=3,
                   last_error_at=NOW - timedelta(hours=5))  # fmt: skip
    make(world, "given up", last_calculation=None, errors_calculating=21, last_error_at=NOW - timedelta(days=400))
    assert [c.name for c in due_cohorts(NOW, limit=10)] == [never.name, retried.name, old.name, stale.name]
    assert waiting.name not in [c.name for c in due_cohorts(NOW, limit=10)]
    assert len(due_cohorts(NOW, limit=2)) == 2


def test_many_cohorts_backing_off_do_not_starve_a_due_one(world):
    for index in range(30):
        make(world, f"b{index}", last_calculation=None, errors_calculating=1, last_error_at=NOW - timedelta(minutes=1))
    due = make(world, "due", last_calculation=NOW - timedelta(hours=2))
    assert [c.pk for c in due_cohorts(NOW)] == [due.pk]
