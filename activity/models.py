"""The activity log: who changed what, with before/after (spec sharing-alerts-auth-activity §3.1-3.2)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ActivityLog(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team_id = models.BigIntegerField(null=True, blank=True)
    organization_id = models.UUIDField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    was_impersonated = models.BooleanField(null=True, blank=True)
    is_system = models.BooleanField(null=True, blank=True)
    activity = models.CharField(max_length=79)
    item_id = models.CharField(max_length=72, null=True, blank=True)
    scope = models.CharField(max_length=79)
    detail = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["team_id", "scope", "item_id"], name="activity_team_scope_item"),
            models.Index(fields=["team_id", "-created_at"], name="activity_team_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_id__isnull=False) | models.Q(organization_id__isnull=False),
                name="activity_has_team_or_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.item_id} {self.activity}"
