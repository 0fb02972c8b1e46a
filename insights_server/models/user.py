"""The user model: email login, a public uuid and distinct id, and the current organization and team."""

import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from insights_server.access_cache import AccessQuerySet
from insights_server.tokens import random_token

ROLE_AT_ORGANIZATION_CHOICES = [
    "engineering",
    "data",
    "product",
    "founder",
    "leadership",
    "marketing",
    "sales",
    "other",
]


def default_distinct_id() -> str:
    return random_token(24)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> AccessQuerySet:
        """Bulk updates invalidate the access cache (AccessQuerySet)."""
        return AccessQuerySet(self.model, using=self._db)

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True, default="")
    distinct_id = models.CharField(max_length=200, unique=True, null=True, default=default_distinct_id)
    is_email_verified = models.BooleanField(null=True, blank=True)
    role_at_organization = models.CharField(max_length=64, null=True, blank=True)
    hedgehog_config = models.JSONField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    current_organization = models.ForeignKey(
        "insights_server.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_team = models.ForeignKey(
        "insights_server.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Preferences persisted and echoed back by /api/users/@me/.
    anonymize_data = models.BooleanField(default=False, null=True)
    toolbar_mode = models.CharField(max_length=20, default="toolbar", null=True, blank=True)
    theme_mode = models.CharField(max_length=20, null=True, blank=True)
    notification_settings = models.JSONField(default=dict)
    events_column_config = models.JSONField(default=dict)
    has_seen_product_intro_for = models.JSONField(null=True, blank=True)
    allow_sidebar_suggestions = models.BooleanField(null=True, blank=True)
    shortcut_position = models.CharField(max_length=10, null=True, blank=True)
    allow_impersonation = models.BooleanField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.email
