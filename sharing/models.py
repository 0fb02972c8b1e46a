"""Sharing configurations (one current per shared insight or dashboard, plus rotated ones in their grace period)
and the passwords of password-protected shares (spec sharing §1.1)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_access_token() -> str:
    return secrets.token_urlsafe(22)


class SharingConfiguration(models.Model):
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    dashboard = models.ForeignKey(
        "dashboards.Dashboard", on_delete=models.CASCADE, null=True, blank=True, related_name="sharing_configurations"
    )
    insight = models.ForeignKey(
        "insights.Insight", on_delete=models.CASCADE, null=True, blank=True, related_name="sharing_configurations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enabled = models.BooleanField(default=False)
    access_token = models.CharField(max_length=400, unique=True, null=True, blank=True, default=new_access_token)
    # null: the current configuration; set: rotated out, still served until then (the grace period).
    expires_at = models.DateTimeField(null=True, blank=True)
    settings = models.JSONField(null=True, blank=True)
    password_required = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["insight", "expires_at"]), models.Index(fields=["dashboard", "expires_at"])]

    def __str__(self) -> str:
        return f"Sharing of {'dashboard' if self.dashboard_id else 'insight'} {self.dashboard_id or self.insight_id}"

    @property
    def resource(self):
        return self.dashboard if self.dashboard_id else self.insight

    def is_live(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class SharePassword(models.Model):
    sharing_configuration = models.ForeignKey(
        SharingConfiguration, on_delete=models.CASCADE, related_name="share_passwords"
    )
    password_hash = models.CharField(max_length=128)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=100, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Password {self.pk} of {self.sharing_configuration_id}"
