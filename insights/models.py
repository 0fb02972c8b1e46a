"""Saved insights, who viewed them, and the tags put on insights and dashboards (spec insights-api §2)."""

import secrets
import string

from django.conf import settings
from django.db import models
from django.utils import timezone

SHORT_ID_ALPHABET = string.ascii_letters + string.digits
SHORT_ID_LENGTH = 8


def generate_short_id() -> str:
    """8 characters drawn with a secure RNG from A-Z a-z 0-9 (spec §2.5)."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(SHORT_ID_LENGTH))


class ActiveInsightManager(models.Manager):
    """The default manager hides soft-deleted insights."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)


class Insight(models.Model):
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="insights")
    name = models.CharField(max_length=400, null=True, blank=True)
    derived_name = models.CharField(max_length=400, null=True, blank=True)
    description = models.CharField(max_length=400, null=True, blank=True)
    filters = models.JSONField(default=dict)
    filters_hash = models.CharField(max_length=400, null=True, blank=True)
    query = models.JSONField(null=True, blank=True)
    query_metadata = models.JSONField(null=True, blank=True)
    order = models.IntegerField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    saved = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refreshing = models.BooleanField(default=False)
    is_sample = models.BooleanField(default=False)
    short_id = models.CharField(max_length=12, default=generate_short_id, blank=True)
    favorited = models.BooleanField(default=False)
    refresh_attempt = models.IntegerField(null=True, blank=True)
    last_modified_at = models.DateTimeField(default=timezone.now)
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Deprecated model column shown by the basic serializer as `last_refresh`.
    last_refresh = models.DateTimeField(null=True, blank=True)

    objects_including_soft_deleted = models.Manager()
    objects = ActiveInsightManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "short_id"], name="unique_team_short_id")]
        indexes = [
            models.Index(
                "team",
                models.F("last_modified_at").desc(),
                name="insight_team_modified",
                condition=models.Q(deleted=False),
            )
        ]
        base_manager_name = "objects_including_soft_deleted"
        default_manager_name = "objects"

    def __str__(self) -> str:
        return self.name or self.derived_name or self.short_id


class InsightViewed(models.Model):
    """One row per (team, user, insight), upserted with the latest view time (spec §2.2)."""

    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, related_name="views")
    last_viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user", "insight"], name="unique_team_user_insight_view")
        ]
        indexes = [
            models.Index("team", "user", models.F("last_viewed_at").desc(), name="insightviewed_user_recent"),
            models.Index("insight", models.F("last_viewed_at").desc(), name="insightviewed_insight_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.insight_id}"


class Tag(models.Model):
    """A team's tag; names are stored normalised (trimmed, lowercase)."""

    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_team_tag_name")]

    def __str__(self) -> str:
        return self.name


class TaggedItem(models.Model):
    """A tag on one object; exactly one of the object columns is set. `id` order is the tags' insertion order."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_items")
    insight = models.ForeignKey(Insight, on_delete=models.CASCADE, null=True, blank=True, related_name="tagged_items")
    dashboard = models.ForeignKey(
        "dashboards.Dashboard", on_delete=models.CASCADE, null=True, blank=True, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "insight"], name="unique_tag_insight"),
            models.UniqueConstraint(fields=["tag", "dashboard"], name="unique_tag_dashboard"),
        ]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.insight_id or self.dashboard_id}"
