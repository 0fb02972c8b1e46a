"""An exported file of an insight, a dashboard or a query (spec exports §1.1), with PostHog's expiry and filename."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

FORMATS = {
    "image/png": "png",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "video/webm": "webm",
    "video/mp4": "mp4",
    "image/gif": "gif",
    "application/json": "json",
}
TABULAR = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LONG_LIVED = ("video/mp4", "video/webm", "image/gif")


def expiry_for(export_format: str, now: datetime) -> datetime:
    """7 days for tables, 365 for videos, 180 for the rest; at 00:00 UTC (spec §1.4)."""
    days = 7 if export_format in TABULAR else 365 if export_format in LONG_LIVED else 180
    return (now + timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


class LiveAssetManager(models.Manager):
    def get_queryset(self):
        now = timezone.now()
        return super().get_queryset().filter(models.Q(expires_after__gte=now) | models.Q(expires_after__isnull=True))


class ExportedAsset(models.Model):
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    dashboard = models.ForeignKey("dashboards.Dashboard", on_delete=models.CASCADE, null=True, blank=True)
    insight = models.ForeignKey("insights.Insight", on_delete=models.CASCADE, null=True, blank=True)
    export_format = models.CharField(max_length=100, choices=[(value, value) for value in FORMATS])
    content = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_after = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    export_context = models.JSONField(null=True, blank=True)
    exception = models.TextField(null=True, blank=True)
    exception_type = models.CharField(max_length=255, null=True, blank=True)
    failure_type = models.CharField(max_length=255, null=True, blank=True)

    # Two managers: the default hides expired assets.
    objects = LiveAssetManager()
    objects_including_ttl_deleted = models.Manager()  # noqa: DJ012

    class Meta:
        base_manager_name = "objects_including_ttl_deleted"

    def __str__(self) -> str:
        return self.filename

    def save(self, *args, **kwargs) -> None:
        if self.expires_after is None:
            self.expires_after = expiry_for(self.export_format, timezone.now())
        super().save(*args, **kwargs)

    @property
    def has_content(self) -> bool:
        return self.content is not None

    @property
    def filename(self) -> str:
        """PostHog's rule (spec §1.5): the context's filename, else the dashboard's or insight's name, a timestamp."""
        base = "export"
        context_name = (self.export_context or {}).get("filename") if isinstance(self.export_context, dict) else None
        dashboard, insight = self.dashboard, self.insight
        if context_name:
            base = slugify(str(context_name))
        elif dashboard is not None and dashboard.name is not None:
            base = f"export-{slugify(dashboard.name)}"
        elif insight is not None:
            base = f"export-{slugify(insight.name or insight.derived_name or 'insight')}"
        if self.created_at:
            base += "-" + self.created_at.strftime("%Y-%m-%d-%H%M%S")
        return f"{base}.{FORMATS.get(self.export_format, 'bin')}"
