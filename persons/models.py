"""Persons: the source of truth for person properties and distinct-id mappings (mirrored into ClickHouse)."""

import uuid

from django.db import models
from django.utils import timezone


class Person(models.Model):
    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    properties = models.JSONField(default=dict)
    is_identified = models.BooleanField(default=False)
    # Bumped on every change; ClickHouse keeps the row with the highest version.
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "ingestion_person"  # the table predates the persons app
        indexes = [models.Index(fields=["team", "-created_at", "-id"], name="person_team_created")]

    def __str__(self) -> str:
        return str(self.uuid)


class PersonDistinctId(models.Model):
    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    distinct_id = models.CharField(max_length=400)
    # Keyed by the person's uuid so ingestion can write mappings without reading person ids back.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="distinct_id_rows", to_field="uuid", db_column="person_uuid"
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "ingestion_persondistinctid"
        constraints = [models.UniqueConstraint(fields=["team", "distinct_id"], name="unique_team_distinct_id")]

    def __str__(self) -> str:
        return self.distinct_id
