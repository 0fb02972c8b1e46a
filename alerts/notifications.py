"""Notifying about checks (spec sharing-alerts-auth-activity §2.10): the notifier registry, and the email
notifier alerts/apps.py registers.

The email notifier sends only when the setting ALERTS_EMAIL_ENABLED is true (off by
default: a server without a mail relay must not fail every firing check). A send that raises propagates, so the
check is rolled back and retried at the next tick.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage

from alerts.schema import AlertState

logger = logging.getLogger(__name__)

# Called as notifier(alert, check, breaches) for Firing and Errored checks; each returns the addresses (or other
# targets) it delivered to. Webhooks would register here too.
Notifier = Callable[..., list[str]]
NOTIFIERS: list[Notifier] = []


def register_notifier(notifier: Notifier) -> None:
    if notifier not in NOTIFIERS:
        NOTIFIERS.append(notifier)


def notify(alert, check, breaches: list[str]) -> list[str]:
    """Run every notifier; the targets they delivered to, in order."""
    delivered: list[str] = []
    for notifier in NOTIFIERS:
        delivered += notifier(alert, check, breaches)
    return delivered


def firing_subject(alert_name: str) -> str:
    return f"PostHog alert {alert_name} is firing"


def insight_url(alert) -> str:
    return f"{settings.SITE_URL}/project/{alert.team_id}/insights/{alert.insight.short_id}"


def firing_body(alert, breaches: list[str]) -> str:
    insight_name = alert.insight.name or alert.insight.derived_name or alert.insight.short_id
    lines = [f"The alert {alert.name} on the insight {insight_name} is firing:", ""]
    lines += [f"- {breach}" for breach in breaches]
    lines += ["", f"Insight: {insight_url(alert)}", f"Alert: {insight_url(alert)}?alert_id={alert.id}"]
    return "\n".join(lines)


def email_notifier(alert, check, breaches: list[str]) -> list[str]:
    """Email each subscribed member (one message each) for a Firing check; returns the addresses sent to.

    Errored checks are only logged, as PostHog does. Nothing is sent unless ALERTS_EMAIL_ENABLED.
    """
    if check.state == AlertState.ERRORED:
        logger.warning("alert_errored alert_id=%s breaches=%s", alert.id, breaches)
        return []
    if not getattr(settings, "ALERTS_EMAIL_ENABLED", False):
        return []
    recipients = alert.get_subscribed_users_emails()
    subject, body = firing_subject(alert.name), firing_body(alert, breaches)
    for recipient in recipients:
        EmailMessage(subject, body, to=[recipient]).send()
    logger.info("alert_notified alert_id=%s check_id=%s recipients=%s", alert.id, check.id, len(recipients))
    return recipients
