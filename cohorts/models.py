"""Cohorts (spec actors-cohorts §3.1) and the Postgres record of static cohort members."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from persons.models import Person

COHORT_TYPES = ("static", "person_property", "behavioral", "realtime", "analytical")


class Cohort(models.Model):
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=400, null=True, blank=True)
    description = models.CharField(max_length=1000, blank=True, default="")
    deleted = models.BooleanField(default=False)
    # The filter tree `{properties: {type: AND|OR, values: [...]}}` (spec §3.4), or null for legacy `groups`.
    filters = models.JSONField(null=True, blank=True)
    # An ActorsQuery or HogQLQuery whose persons a static cohort was filled from.
    query = models.JSONField(null=True, blank=True)
    groups = models.JSONField(default=list, blank=True)
    # `version`: the last completed calculation, `pending_version`: the last requested one (spec §3.5).
    version = models.IntegerField(null=True, blank=True)
    pending_version = models.IntegerField(null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_calculating = models.BooleanField(default=False)
    last_calculation = models.DateTimeField(null=True, blank=True)
    errors_calculating = models.IntegerField(default=0)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(null=True, blank=True)
    is_static = models.BooleanField(default=False)
    cohort_type = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["team", "deleted"], name="cohort_team_deleted")]

    def __str__(self) -> str:
        return self.name or "Untitled cohort"


class CohortPeople(models.Model):
    """A member of a static cohort (dynamic members live in ClickHouse only)."""

    id = models.BigAutoField(primary_key=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="static_members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    version = models.IntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "person"], name="unique_cohort_person")]

    def __str__(self) -> str:
        return f"{self.cohort_id}:{self.person_id}"


class CohortCalculationHistory(models.Model):
    """One calculation of a dynamic cohort (spec actors-cohorts §3.5 step 7): the filters it ran, when, the count or
    the error, and its ClickHouse statements (`queries`: `{query, query_id, query_ms, read_rows, written_rows}`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="calculations")
    filters = models.JSONField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    queries = models.JSONField(null=True, blank=True, default=None)
    error = models.TextField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cohort", "-started_at"], name="cohort_calc_started")]

    def __str__(self) -> str:
        return f"{self.cohort_id}@{self.started_at.isoformat()}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def is_completed(self) -> bool:
        return self.finished_at is not None

    @property
    def is_successful(self) -> bool:
        return self.finished_at is not None and self.error is None

    def _total(self, name: str) -> int | None:
        if not self.queries:
            return None
        return sum(int(query.get(name) or 0) for query in self.queries)

    @property
    def total_query_ms(self) -> int | None:
        return self._total("query_ms")

    @property
    def total_memory_mb(self) -> int | None:
        return self._total("memory_mb")

    @property
    def total_read_rows(self) -> int | None:
        return self._total("read_rows")

    @property
    def total_written_rows(self) -> int | None:
        return self._total("written_rows")

    @property
    def main_query(self) -> str | None:
        return self.queries[0].get("query") if self.queries else None
