"""Cohorts (spec actors-cohorts §3.1) and the Postgres record of static cohort members."""

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
