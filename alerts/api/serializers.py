"""Alert and threshold serializers: validate the request (spec §2.5) and render PostHog's shapes (spec §2.3)."""

from collections.abc import Iterable
from typing import overload

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from alerts.detectors.config import parse_detector_config
from alerts.errors import DetectorConfigError
from alerts.models import AlertCheck, AlertConfiguration, Threshold
from alerts.schedule import ScheduleRestrictionError, normalize_schedule_restriction
from alerts.validation import AlertConfigError, runnable_query, supports_alerts, validate_alert_config
from alerts.webhooks import (
    MAX_URL_LENGTH,
    MAX_WEBHOOKS_PER_ALERT,
    SECRET_LENGTH,
    SECRET_MAX_LENGTH,
    SECRET_MIN_LENGTH,
    TOO_MANY_WEBHOOKS,
    UNKNOWN_WEBHOOK,
    WebhookURLError,
    resolve_webhook_url,
)
from insights.api.serializers import InsightBasicSerializer
from insights.models import Insight
from insights.results import stored_or_converted_query
from insights_server.api.shared import UserBasicSerializer
from insights_server.models import User

INSIGHT_REQUIRED = "Insight is required."
INSIGHT_NOT_IN_TEAM = "This insight does not belong to your team."
INSIGHT_WITHOUT_QUERY = "Insight has no valid query."
INSIGHT_NOT_SUPPORTED = "Alerts are not supported for this insight."
USER_NOT_IN_ORGANIZATION = "User does not belong to the same organization as the alert's team."
SNOOZE_NOT_STRING = "snoozed_until has to be passed in string format"
AGENT_NEEDS_DETECTOR = "Investigation agent is only supported for anomaly detection alerts."
GATING_NEEDS_AGENT = "Notification gating requires investigation_agent_enabled=true."
FIFTEEN_MINUTES_NOT_ALLOWED = "15-minute alert intervals require a Boost, Scale, or Enterprise platform add-on."
REAL_TIME_NOT_ALLOWED = "Real-time alert intervals require a Scale or Enterprise plan."
# PostHog's per-plan cap on enabled real-time alerts, as a setting (ALERTS_MAX_REAL_TIME_PER_TEAM; None = no cap).
DEFAULT_MAX_REAL_TIME_PER_TEAM = 50


def real_time_limit_message(limit: int) -> str:
    return f"Your team has reached the limit of {limit} real-time alerts on your plan."


_DATETIME = serializers.DateTimeField()


def _datetime(value) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


def invalid_pk_message(value) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


@overload
def render_threshold(threshold: Threshold) -> dict: ...
@overload
def render_threshold(threshold: None) -> None: ...
def render_threshold(threshold: Threshold | None) -> dict | None:
    if threshold is None:
        return None
    return {
        "id": str(threshold.id),
        "created_at": _datetime(threshold.created_at),
        "name": threshold.name,
        "configuration": threshold.configuration,
    }


def render_check(check: AlertCheck) -> dict:
    return {
        "id": str(check.id),
        "created_at": _datetime(check.created_at),
        "calculated_value": check.calculated_value,
        "state": check.state,
        "targets_notified": bool(check.targets_notified),
        "anomaly_scores": check.anomaly_scores,
        "triggered_points": check.triggered_points,
        "triggered_dates": check.triggered_dates,
        "interval": check.interval,
        "triggered_metadata": check.triggered_metadata,
        "investigation_status": check.investigation_status,
        "investigation_verdict": check.investigation_verdict,
        "investigation_summary": check.investigation_summary,
        "investigation_notebook_short_id": check.investigation_notebook_short_id,
        "notification_sent_at": _datetime(check.notification_sent_at),
        "notification_suppressed_by_agent": check.notification_suppressed_by_agent,
        "webhook_deliveries": check.webhook_deliveries or [],
    }


def render_webhook(webhook) -> dict:
    """A destination as the API shows it: never its secret, only whether it has one."""
    return {
        "id": str(webhook.id),
        "url": webhook.url,
        "enabled": webhook.enabled,
        "has_secret": bool(webhook.secret),
        "created_at": _datetime(webhook.created_at),
    }


class AlertWebhookSerializer(serializers.Serializer):
    """A webhook destination of the alert. In `webhooks` of a create or update, the list replaces the alert's
    destinations: an item with `id` keeps that destination (and its secret, unless `secret` is given)."""

    id = serializers.UUIDField(required=False, help_text="An existing destination of this alert, to keep it.")
    url = serializers.CharField(
        max_length=MAX_URL_LENGTH,
        help_text=(
            "http(s) URL a firing check is POSTed to (JSON with alert, insight, value, breaches, links and a "
            "Slack-compatible `text`). Refused when its host resolves to a link-local or metadata address, to this "
            "server, or (unless ALERTS_WEBHOOK_ALLOW_PRIVATE) to a loopback, private or reserved address."
        ),
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        max_length=SECRET_MAX_LENGTH,
        error_messages={"max_length": SECRET_LENGTH},
        help_text=(
            "Write-only, 16-256 characters. When set, each request has `X-Insights-Timestamp: <unix seconds>` and "
            "`X-Insights-Signature: sha256=<hex HMAC-SHA256(secret, <timestamp> + '.' + raw body)>`."
        ),
    )
    enabled = serializers.BooleanField(required=False, default=True)
    has_secret = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def validate_url(self, url: str) -> str:
        try:
            resolve_webhook_url(url)
        except WebhookURLError as error:
            raise serializers.ValidationError(str(error), code="invalid_webhook_url") from None
        return url

    def validate_secret(self, secret: str) -> str:
        if secret and len(secret) < SECRET_MIN_LENGTH:
            raise serializers.ValidationError(SECRET_LENGTH)
        return secret


class ThresholdInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    configuration = serializers.JSONField()


class AlertSerializer(serializers.Serializer):
    """Input of create/update; `to_representation` renders the alert (checks only when the context has them:
    `checks` for retrieve, `list_checks` for list)."""

    insight = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    subscribed_users = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    threshold = serializers.JSONField(required=False, allow_null=True)
    condition = serializers.JSONField(required=False)
    config = serializers.JSONField(required=False, allow_null=True)
    detector_config = serializers.JSONField(required=False, allow_null=True)
    calculation_interval = serializers.JSONField(required=False, allow_null=True)
    enabled = serializers.BooleanField(required=False)
    snoozed_until = serializers.JSONField(required=False, allow_null=True)
    skip_weekend = serializers.BooleanField(required=False, allow_null=True)
    schedule_restriction = serializers.JSONField(required=False, allow_null=True)
    investigation_agent_enabled = serializers.BooleanField(required=False)
    investigation_gates_notifications = serializers.BooleanField(required=False)
    investigation_inconclusive_action = serializers.ChoiceField(
        AlertConfiguration.InconclusiveAction.choices, required=False
    )
    webhooks = AlertWebhookSerializer(many=True, required=False)

    @property
    def team(self):
        return self.context["team"]

    def validate_insight(self, insight_id: int) -> Insight:
        insight = Insight.objects.select_related("team").filter(pk=insight_id).first()
        if insight is None:
            raise serializers.ValidationError(invalid_pk_message(insight_id), code="does_not_exist")
        if insight.team.project_id != self.team.project_id:
            raise serializers.ValidationError(INSIGHT_NOT_IN_TEAM)
        query = stored_or_converted_query(insight)
        if not query:
            raise serializers.ValidationError(INSIGHT_WITHOUT_QUERY)
        if not supports_alerts(query):
            raise serializers.ValidationError(INSIGHT_NOT_SUPPORTED)
        return insight

    def validate_subscribed_users(self, user_ids: list[int]) -> list[int]:
        members = set(
            User.objects.filter(
                id__in=user_ids, is_active=True, memberships__organization_id=self.team.organization_id
            ).values_list("id", flat=True)
        )
        if set(user_ids) - members:
            raise serializers.ValidationError(USER_NOT_IN_ORGANIZATION)
        return list(dict.fromkeys(user_ids))

    def validate_threshold(self, value) -> dict | None:
        if not value:
            return {}
        given = ThresholdInputSerializer(data=value)
        given.is_valid(raise_exception=True)
        threshold = Threshold(**given.validated_data)
        try:
            threshold.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages[0]) from None
        return dict(given.validated_data)

    def validate_snoozed_until(self, value):
        if value is not None and not isinstance(value, str):
            raise serializers.ValidationError(SNOOZE_NOT_STRING)
        return value

    def validate_webhooks(self, webhooks: list[dict]) -> list[dict]:
        if len(webhooks) > MAX_WEBHOOKS_PER_ALERT:
            raise serializers.ValidationError(TOO_MANY_WEBHOOKS)
        known = set(self.instance.webhooks.values_list("id", flat=True)) if self.instance is not None else set()
        for webhook in webhooks:
            if "id" in webhook and webhook["id"] not in known:
                raise serializers.ValidationError(UNKNOWN_WEBHOOK)
        return webhooks

    def validate_schedule_restriction(self, value):
        try:
            return normalize_schedule_restriction(value)
        except ScheduleRestrictionError as error:
            raise serializers.ValidationError(error.detail) from None

    def validate_detector_config(self, value):
        if value is None:
            return None
        try:
            parse_detector_config(value)
        except DetectorConfigError as error:
            raise serializers.ValidationError(error.detail) from None
        return value

    def validate_calculation_interval(self, value):
        if value == "every_15_minutes" and not getattr(settings, "ALERTS_ALLOW_EVERY_15_MINUTES", True):
            raise serializers.ValidationError(FIFTEEN_MINUTES_NOT_ALLOWED)
        if value == "real_time" and not getattr(settings, "ALERTS_ALLOW_REAL_TIME", True):
            raise serializers.ValidationError(REAL_TIME_NOT_ALLOWED)
        limit = getattr(settings, "ALERTS_MAX_REAL_TIME_PER_TEAM", DEFAULT_MAX_REAL_TIME_PER_TEAM)
        if value == "real_time" and limit is not None:
            others = AlertConfiguration.objects.filter(team=self.team, calculation_interval="real_time", enabled=True)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.count() >= limit:
                raise serializers.ValidationError(real_time_limit_message(limit))
        return value

    def validate(self, attrs: dict) -> dict:
        """The combined rules: insight present, the investigation flags, and the settings against the query."""
        alert: AlertConfiguration | None = self.instance

        def current(field, default=None):
            if field in attrs:
                return attrs[field]
            return getattr(alert, field) if alert is not None else default

        insight = current("insight")
        if insight is None:
            raise serializers.ValidationError({"insight": [INSIGHT_REQUIRED]})
        detector = current("detector_config")
        if current("investigation_agent_enabled", False) and not detector:
            raise serializers.ValidationError({"investigation_agent_enabled": [AGENT_NEEDS_DETECTOR]})
        if current("investigation_gates_notifications", False) and not current("investigation_agent_enabled", False):
            raise serializers.ValidationError({"investigation_gates_notifications": [GATING_NEEDS_AGENT]})
        if "threshold" in attrs:
            threshold_configuration = (attrs["threshold"] or {}).get("configuration")
        else:
            threshold = alert.threshold if alert is not None else None
            threshold_configuration = threshold.configuration if threshold is not None else None
        try:
            validate_alert_config(
                runnable_query(stored_or_converted_query(insight)),
                current("condition", {"type": "absolute_value"}),
                current("config"),
                threshold_configuration,
                current("calculation_interval", "daily"),
                detector,
            )
        except AlertConfigError as error:
            raise serializers.ValidationError(error.detail) from None
        if alert is None:
            attrs.setdefault("condition", {"type": "absolute_value"})
        return attrs

    def to_representation(self, alert: AlertConfiguration) -> dict:
        context = self.context
        users: Iterable[User]
        if hasattr(alert, "active_subscriptions"):
            users = [subscription.user for subscription in alert.active_subscriptions]
        else:
            # One filter call, so both conditions apply to the same subscription row.
            users = User.objects.filter(
                alertsubscription__alert_configuration=alert, alertsubscription__subscribed=True
            ).order_by("id")
        rendered = {
            "id": str(alert.id),
            "created_by": UserBasicSerializer(alert.created_by).data if alert.created_by else None,
            "created_at": _datetime(alert.created_at),
            "insight": InsightBasicSerializer(alert.insight, context=context).data,
            "name": alert.name,
            "subscribed_users": UserBasicSerializer(users, many=True).data,
            "threshold": render_threshold(alert.threshold),
            "condition": alert.condition,
            "state": alert.state,
            "enabled": alert.enabled,
            "last_notified_at": _datetime(alert.last_notified_at),
            "last_checked_at": _datetime(alert.last_checked_at),
            "next_check_at": _datetime(alert.next_check_at),
        }
        if "checks" in context:
            rendered["checks"] = [render_check(check) for check in context["checks"]]
            rendered["checks_total"] = context.get("checks_total")
            if rendered["checks_total"] is None:
                del rendered["checks_total"]
        elif context.get("list_checks"):
            rendered["checks"] = [render_check(check) for check in getattr(alert, "anomaly_checks", [])]
        rendered.update(
            {
                "config": alert.config,
                "detector_config": alert.detector_config,
                "calculation_interval": alert.calculation_interval,
                "snoozed_until": _datetime(alert.snoozed_until),
                "skip_weekend": alert.skip_weekend,
                "schedule_restriction": alert.schedule_restriction,
                "last_value": getattr(alert, "last_value", None),
                "investigation_agent_enabled": alert.investigation_agent_enabled,
                "investigation_gates_notifications": alert.investigation_gates_notifications,
                "investigation_inconclusive_action": alert.investigation_inconclusive_action,
                "webhooks": [render_webhook(webhook) for webhook in alert.webhooks.all()],
            }
        )
        return rendered


class ThresholdWithAlertsSerializer(serializers.Serializer):
    """A threshold with the alerts that use it (full alert objects, no checks)."""

    def to_representation(self, threshold: Threshold) -> dict:
        alerts = AlertSerializer(threshold.alerts.order_by("-created_at"), many=True, context=self.context).data
        return {**render_threshold(threshold), "alerts": alerts}


class SimulateSerializer(serializers.Serializer):
    insight = serializers.IntegerField()
    detector_config = serializers.JSONField()
    series_index = serializers.IntegerField(required=False, default=0, min_value=0)
    date_from = serializers.CharField(required=False, allow_null=True, allow_blank=True)

    def validate_detector_config(self, value):
        try:
            return parse_detector_config(value)
        except DetectorConfigError as error:
            raise serializers.ValidationError(error.detail) from None
