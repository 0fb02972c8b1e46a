"""Dashboards and their tiles, as far as insights need them (spec insights-api §2.3, §5.8)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RestrictionLevel(models.IntegerChoices):
    EVERYONE_IN_PROJECT_CAN_EDIT = 21
    ONLY_COLLABORATORS_CAN_EDIT = 37


class PrivilegeLevel(models.IntegerChoices):
    CAN_VIEW = 21
    CAN_EDIT = 37


class ActiveDashboardManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)


class Dashboard(models.Model):
    class CreationMode(models.TextChoices):
        DEFAULT = "default"
        TEMPLATE = "template"
        DUPLICATE = "duplicate"
        UNLISTED = "unlisted"

    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="dashboards")
    name = models.CharField(max_length=400, null=True, blank=True)
    description = models.TextField(blank=True, default="")
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_accessed_at = models.DateTimeField(null=True, blank=True)
    last_refresh = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    creation_mode = models.CharField(max_length=16, choices=CreationMode.choices, default=CreationMode.DEFAULT)
    restriction_level = models.PositiveSmallIntegerField(
        choices=RestrictionLevel.choices, default=RestrictionLevel.EVERYONE_IN_PROJECT_CAN_EDIT
    )
    # DashboardFilter: {date_from, date_to, explicitDate, properties, breakdown_filter, interval, filterTestAccounts}
    filters = models.JSONField(default=dict, blank=True)
    variables = models.JSONField(default=dict, blank=True, null=True)
    breakdown_colors = models.JSONField(default=list, blank=True, null=True)
    data_color_theme_id = models.IntegerField(null=True, blank=True)
    is_shared = models.BooleanField(default=False)

    objects_including_soft_deleted = models.Manager()
    objects = ActiveDashboardManager()

    class Meta:
        base_manager_name = "objects_including_soft_deleted"
        default_manager_name = "objects"

    def __str__(self) -> str:
        return self.name or f"Dashboard {self.pk}"


class Text(models.Model):
    """The body of a text tile."""

    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    body = models.CharField(max_length=4000, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_modified_at = models.DateTimeField(default=timezone.now)
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return (self.body or "")[:40]


class ActiveTileManager(models.Manager):
    """Hides soft-deleted tiles and the tiles of deleted dashboards (spec §2.3)."""

    def get_queryset(self):
        return super().get_queryset().exclude(deleted=True).filter(dashboard__deleted=False)


class DashboardTile(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="tiles")
    insight = models.ForeignKey(
        "insights.Insight", on_delete=models.CASCADE, null=True, blank=True, related_name="dashboard_tiles"
    )
    text = models.ForeignKey(Text, on_delete=models.CASCADE, null=True, blank=True, related_name="tiles")
    layouts = models.JSONField(default=dict, blank=True)
    color = models.CharField(max_length=400, null=True, blank=True)
    # null for a tile never soft-deleted, false once restored (DashboardTileBasicSerializer shows it as is).
    deleted = models.BooleanField(null=True, blank=True)
    last_refresh = models.DateTimeField(null=True, blank=True)
    filters_overrides = models.JSONField(default=dict, blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects_including_soft_deleted = models.Manager()
    objects = ActiveTileManager()

    class Meta:
        base_manager_name = "objects_including_soft_deleted"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["dashboard", "insight"], name="unique_dashboard_insight", condition=models.Q(text__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"Tile {self.pk} of dashboard {self.dashboard_id}"
