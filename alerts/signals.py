"""Alerts follow their insight: a deleted insight, or one whose query no longer supports alerts, loses its alerts
(spec sharing-alerts-auth-activity §2.4). Connected by alerts/apps.py, so insights never imports alerts."""

import logging

from alerts.models import AlertConfiguration

logger = logging.getLogger(__name__)


def delete_alerts_of_unsupported_insight(sender, instance, **kwargs) -> None:
    """post_save of Insight: delete its alerts when it is soft-deleted or its query cannot carry alerts."""
    if instance.pk is None or kwargs.get("raw"):
        return
    # Imported here: this module loads when the app is ready, and management commands such as bootstrap must not
    # pull in the query engine (it opens the embedded ClickHouse).
    from alerts.validation import supports_alerts
    from insights.results import stored_or_converted_query

    if not instance.deleted and supports_alerts(stored_or_converted_query(instance)):
        return
    deleted, _ = AlertConfiguration.objects.filter(insight_id=instance.pk).delete()
    if deleted:
        logger.info("alerts_deleted_with_insight insight_id=%s deleted=%s", instance.pk, deleted)
