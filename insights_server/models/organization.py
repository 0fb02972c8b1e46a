"""Organizations and the membership levels of their users."""

import uuid

from django.conf import settings
from django.db import models

from insights_server.access_cache import AccessQuerySet


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64)
    slug = models.SlugField(max_length=48, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members_can_use_personal_api_keys = models.BooleanField(default=True)
    allow_publicly_shared_resources = models.BooleanField(default=True)
    members_can_invite = models.BooleanField(default=True, null=True)
    is_member_join_email_enabled = models.BooleanField(default=True)
    enforce_2fa = models.BooleanField(null=True, blank=True)
    is_ai_data_processing_approved = models.BooleanField(null=True, blank=True)
    default_experiment_stats_method = models.CharField(max_length=20, default="bayesian", blank=True, null=True)
    default_anonymize_ips = models.BooleanField(default=False)

    objects = AccessQuerySet.as_manager()  # bulk updates invalidate the access cache

    class Meta:
        ordering = ["created_at", "name"]

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(models.Model):
    class Level(models.IntegerChoices):
        MEMBER = 1, "member"
        ADMIN = 8, "administrator"
        OWNER = 15, "owner"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccessQuerySet.as_manager()  # bulk updates invalidate the access cache

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_organization_membership")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} ({self.level})"
