"""Personal API keys: the secret is shown once and stored only as a sha256 hash."""

from django.conf import settings
from django.db import models

from insights_server.access_cache import AccessQuerySet
from insights_server.tokens import random_token


def default_key_id() -> str:
    return random_token(16)


class PersonalAPIKey(models.Model):
    id = models.CharField(primary_key=True, max_length=50, default=default_key_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_api_keys")
    label = models.CharField(max_length=40)
    mask_value = models.CharField(max_length=11, editable=False)
    secure_value = models.CharField(max_length=300, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_rolled_at = models.DateTimeField(null=True, blank=True)
    # Lists rather than database arrays so SQLite (embedded default) and PostgreSQL share one schema.
    scopes = models.JSONField(null=True, blank=True)
    scoped_teams = models.JSONField(null=True, blank=True)
    scoped_organizations = models.JSONField(null=True, blank=True)

    objects = AccessQuerySet.as_manager()  # bulk updates invalidate the access cache

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.mask_value})"
