"""Thresholds, alert configurations, their subscribers and checks (spec sharing-alerts-auth-activity §2.2)."""

import os
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from pydantic import ValidationError as PydanticValidationError

from alerts.schema import AlertState, CalculationInterval, InsightThreshold

INVALID_THRESHOLD_PREFIX = "Invalid threshold configuration: "
LOWER_ABOVE_UPPER = "Lower threshold must be less than upper threshold"


def time_ordered_uuid() -> uuid.UUID:
    """A version-7 UUID: 48 bits of Unix milliseconds then random bits, so ids sort by creation time."""
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class AlertStateChoices(models.TextChoices):
    FIRING = AlertState.FIRING.value, "Firing"
    NOT_FIRING = AlertState.NOT_FIRING.value, "Not firing"
    ERRORED = AlertState.ERRORED.value, "Errored"
    SNOOZED = AlertState.SNOOZED.value, "Snoozed"


INTERVAL_CHOICES = [(interval.value, interval.value) for interval in CalculationInterval]


class Threshold(models.Model):
    """Bounds attached to an insight, shared by the alerts that point at it."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    insight = models.ForeignKey("insights.Insight", on_delete=models.CASCADE, related_name="thresholds")
    name = models.CharField(max_length=255, blank=True)
    configuration = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.name or str(self.id)

    def clean(self) -> None:
        """The configuration must be an InsightThreshold whose lower bound is not above its upper bound."""
        try:
            parsed = InsightThreshold.model_validate(self.configuration)
        except PydanticValidationError as error:
            raise ValidationError(f"{INVALID_THRESHOLD_PREFIX}{error}") from None
        bounds = parsed.bounds
        if bounds is not None and bounds.lower is not None and bounds.upper is not None and bounds.lower > bounds.upper:
            raise ValidationError(LOWER_ABOVE_UPPER)


class AlertConfiguration(models.Model):
    class InconclusiveAction(models.TextChoices):
        NOTIFY = "notify"
        SUPPRESS = "suppress"

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="+")
    insight = models.ForeignKey("insights.Insight", on_delete=models.CASCADE, related_name="alerts")
    name = models.CharField(max_length=255, blank=True)
    subscribed_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="alerts.AlertSubscription",
        through_fields=("alert_configuration", "user"),
        related_name="alert_configurations",
    )
    config = models.JSONField(default=dict, null=True, blank=True)
    calculation_interval = models.CharField(
        max_length=20, choices=INTERVAL_CHOICES, default=CalculationInterval.DAILY.value, null=True, blank=True
    )
    threshold = models.ForeignKey(Threshold, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts")
    condition = models.JSONField(default=dict)
    detector_config = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=AlertStateChoices.choices, default=AlertStateChoices.NOT_FIRING)
    enabled = models.BooleanField(default=True)
    is_calculating = models.BooleanField(default=False)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    skip_weekend = models.BooleanField(null=True, blank=True, default=False)
    schedule_restriction = models.JSONField(null=True, blank=True, default=None)
    investigation_agent_enabled = models.BooleanField(default=False)
    investigation_gates_notifications = models.BooleanField(default=False)
    investigation_inconclusive_action = models.CharField(
        max_length=10, choices=InconclusiveAction.choices, default=InconclusiveAction.NOTIFY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["enabled", "next_check_at"], name="alert_due"),
            models.Index(fields=["team", "-created_at"], name="alert_team_recent"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    def save(self, *args, **kwargs) -> None:
        # A disabled alert is never firing, errored or snoozed.
        if not self.enabled:
            self.state = AlertStateChoices.NOT_FIRING
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "state" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "state"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The detector config and schedule restriction must validate (their own messages)."""
        from alerts.detectors.config import parse_detector_config
        from alerts.errors import DetectorConfigError
        from alerts.schedule import ScheduleRestrictionError, normalize_schedule_restriction

        try:
            if self.detector_config is not None:
                parse_detector_config(self.detector_config)
            self.schedule_restriction = normalize_schedule_restriction(self.schedule_restriction)
        except (DetectorConfigError, ScheduleRestrictionError) as error:
            raise ValidationError(error.detail) from None

    def mark_for_recheck(self, reset_state: bool = True) -> None:
        """Due at the next scheduler tick; with `reset_state`, back to "Not firing". Not saved."""
        self.next_check_at = None
        if reset_state:
            self.state = AlertStateChoices.NOT_FIRING

    def get_subscribed_users_emails(self) -> list[str]:
        """Emails of subscribers who are (still) members of the team's organization."""
        return list(
            AlertSubscription.objects.filter(
                alert_configuration=self,
                subscribed=True,
                user__is_active=True,
                user__memberships__organization_id=self.team.organization_id,
            )
            .order_by("user__email")
            .values_list("user__email", flat=True)
            .distinct()
        )


class AlertSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    alert_configuration = models.ForeignKey(AlertConfiguration, on_delete=models.CASCADE)
    subscribed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "alert_configuration"], name="unique_user_alert_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.alert_configuration_id}"


class AlertCheck(models.Model):
    """One evaluation of an alert (kept 14 days, see alerts.services.alert_checks_delete_expired)."""

    class InvestigationStatus(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        SKIPPED = "skipped"

    class InvestigationVerdict(models.TextChoices):
        TRUE_POSITIVE = "true_positive"
        FALSE_POSITIVE = "false_positive"
        INCONCLUSIVE = "inconclusive"

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    alert_configuration = models.ForeignKey(AlertConfiguration, on_delete=models.CASCADE, related_name="checks")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    calculated_value = models.FloatField(null=True, blank=True)
    condition = models.JSONField(default=dict)
    targets_notified = models.JSONField(default=dict)
    error = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=AlertStateChoices.choices, default=AlertStateChoices.NOT_FIRING)
    anomaly_scores = models.JSONField(null=True, blank=True)
    triggered_points = models.JSONField(null=True, blank=True)
    triggered_dates = models.JSONField(null=True, blank=True)
    interval = models.CharField(max_length=10, null=True, blank=True)
    triggered_metadata = models.JSONField(null=True, blank=True)
    investigation_status = models.CharField(max_length=10, choices=InvestigationStatus.choices, null=True, blank=True)
    investigation_verdict = models.CharField(max_length=20, choices=InvestigationVerdict.choices, null=True, blank=True)
    # No notebooks in this server: the short id of an external notebook, when an investigation wrote one.
    investigation_notebook_short_id = models.CharField(max_length=12, null=True, blank=True)
    investigation_summary = models.TextField(null=True, blank=True)
    investigation_error = models.JSONField(null=True, blank=True)
    notification_sent_at = models.DateTimeField(null=True, blank=True)
    notification_suppressed_by_agent = models.BooleanField(default=False)
    # One entry per webhook posted for this check: {webhook_id, status, attempts, response_status, error, at}.
    webhook_deliveries = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["alert_configuration", "-created_at"], name="alertcheck_alert_recent")]

    def __str__(self) -> str:
        return f"{self.alert_configuration_id} {self.state} at {self.created_at}"


class AlertWebhook(models.Model):
    """A URL a firing check of the alert is posted to; `secret` (write-only in the API) signs each request."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    alert_configuration = models.ForeignKey(AlertConfiguration, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=256, blank=True, default="")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        # Never the URL (a Slack URL is itself a credential) nor the secret.
        return f"webhook {self.id} of {self.alert_configuration_id}"
