"""EventDefinition, PropertyDefinition and EventProperty: the project's taxonomy, filled at capture (spec §2.1).

A row belongs to its project (`project`); `team` records the environment that first sent it. The taxonomy fields
PostHog keeps in enterprise child tables (description, verified, hidden, owner...) live on the same rows here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class TaxonomyFields(models.Model):
    """What a person adds to a captured definition: a description, tags, an owner, verified or hidden."""

    description = models.TextField(blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden = models.BooleanField(default=False)

    class Meta:
        abstract = True


PROPERTY_TYPES = ("DateTime", "String", "Numeric", "Boolean", "Duration")


class EventDefinition(TaxonomyFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("insights_server.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=400)
    created_at = models.DateTimeField(default=timezone.now, null=True)
    # Refreshed at most once an hour per event (ingestion de-duplicates the updates).
    last_seen_at = models.DateTimeField(null=True)
    query_usage_30_day = models.IntegerField(null=True, default=None)
    volume_30_day = models.IntegerField(null=True, default=None)
    enforcement_mode = models.CharField(max_length=10, default="allow")
    default_columns = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="event_definition_project_name")]

    def __str__(self) -> str:
        return self.name


class PropertyDefinition(TaxonomyFields):
    class Type(models.IntegerChoices):
        EVENT = 1, "event"
        PERSON = 2, "person"
        GROUP = 3, "group"
        SESSION = 4, "session"

    class PropertyType(models.TextChoices):
        DATETIME = "DateTime", "DateTime"
        STRING = "String", "String"
        NUMERIC = "Numeric", "Numeric"
        BOOLEAN = "Boolean", "Boolean"
        DURATION = "Duration", "Duration"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("insights_server.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=400)
    is_numerical = models.BooleanField(default=False)
    property_type = models.CharField(max_length=50, choices=PropertyType.choices, null=True, blank=True)
    type = models.PositiveSmallIntegerField(choices=Type.choices, default=Type.EVENT)
    group_type_index = models.PositiveSmallIntegerField(null=True, blank=True)
    property_type_format = models.CharField(max_length=50, null=True, blank=True)
    query_usage_30_day = models.IntegerField(null=True, default=None)
    volume_30_day = models.IntegerField(null=True, default=None)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "project", "name", "type", Coalesce("group_type_index", -1), name="property_definition_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(property_type__in=PROPERTY_TYPES) | models.Q(property_type__isnull=True),
                name="property_type_is_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(type=3) | models.Q(group_type_index__isnull=False),
                name="group_type_index_set",
            ),
        ]
        indexes = [models.Index(fields=["project", "type", "name"], name="property_definition_lookup")]

    def __str__(self) -> str:
        return self.name


class EventProperty(models.Model):
    """A property seen on an event: drives `event_names` filtering and `seen_together`."""

    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("insights_server.Project", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=400)
    property = models.CharField(max_length=400)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "event", "property"], name="event_property_unique")]
        indexes = [models.Index(fields=["project", "property"], name="event_property_by_property")]

    def __str__(self) -> str:
        return f"{self.event}.{self.property}"
