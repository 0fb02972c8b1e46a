"""Notifying about checks (spec sharing-alerts-auth-activity §2.10): the notifier registry, and the email
notifier alerts/apps.py registers (webhooks: alerts/webhooks.py).

The email notifier sends only when the setting ALERTS_EMAIL_ENABLED is true (off by
default: a server without a mail relay must not fail every firing check). A send that raises propagates, so the
check is rolled back and retried at the next tick.
"""

import html
import logging
from collections.abc import Callable
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from alerts.schema import AlertState

logger = logging.getLogger(__name__)

# Called as notifier(alert, check, breaches) for Firing and Errored checks; each returns what it delivered to, by
# kind: `{"users": [emails]}`, `{"webhooks": [ids]}`. The union becomes the check's `targets_notified`.
Notifier = Callable[..., dict[str, list]]
NOTIFIERS: list[Notifier] = []
CHART_CONTENT_ID = "insight-chart"
CHART_WIDTH, CHART_HEIGHT = 800, 420


def register_notifier(notifier: Notifier) -> None:
    if notifier not in NOTIFIERS:
        NOTIFIERS.append(notifier)


def notify(alert, check, breaches: list[str]) -> dict[str, list]:
    """Run every notifier; the targets they delivered to, by kind (kinds with no target left out)."""
    delivered: dict[str, list] = {}
    for notifier in NOTIFIERS:
        for kind, targets in (notifier(alert, check, breaches) or {}).items():
            if targets:
                delivered.setdefault(kind, []).extend(targets)
    return delivered


def firing_subject(alert_name: str) -> str:
    return f"PostHog alert {alert_name} is firing"


def insight_url(alert) -> str:
    return f"{settings.SITE_URL}/project/{alert.team_id}/insights/{alert.insight.short_id}"


def _insight_name(alert) -> str:
    return alert.insight.name or alert.insight.derived_name or alert.insight.short_id


def firing_body(alert, breaches: list[str]) -> str:
    lines = [f"The alert {alert.name} on the insight {_insight_name(alert)} is firing:", ""]
    lines += [f"- {breach}" for breach in breaches]
    lines += ["", f"Insight: {insight_url(alert)}", f"Alert: {insight_url(alert)}?alert_id={alert.id}"]
    return "\n".join(lines)


def firing_html(alert, breaches: list[str], with_chart: bool) -> str:
    """The HTML part: the same lines, and the chart as `cid:insight-chart` when there is one."""
    escape = html.escape
    url = insight_url(alert)
    items = "".join(f"<li>{escape(breach)}</li>" for breach in breaches)
    chart = (
        f'<p><a href="{escape(url)}"><img src="cid:{CHART_CONTENT_ID}" alt="{escape(_insight_name(alert))}" '
        f'width="{CHART_WIDTH}"></a></p>'
        if with_chart
        else ""
    )
    return (
        f"<p>The alert <b>{escape(alert.name)}</b> on the insight <b>{escape(_insight_name(alert))}</b> is firing:</p>"
        f"<ul>{items}</ul>{chart}"
        f'<p><a href="{escape(url)}">Open the insight</a> · '
        f'<a href="{escape(url)}?alert_id={alert.id}">Open the alert</a></p>'
    )


def chart_picture(alert) -> bytes | None:
    """A PNG of the insight (its own date range, the cached result when fresh), or None when it cannot be drawn."""
    # Imported here: the app registers the notifiers at start-up, and commands that never send (bootstrap) must
    # not load the query engine and its ClickHouse client.
    from charts.render import render_png
    from insights.results import insight_result, stored_or_converted_query

    query = stored_or_converted_query(alert.insight)
    if not query:
        return None
    try:
        result = insight_result(alert.insight, alert.team, mode="blocking", raise_exposed_errors=False)
        chart_input = {
            "results": result.get("result"),
            "columns": result.get("columns"),
            "types": result.get("types"),
            "timezone": result.get("timezone"),
            "hasMore": result.get("hasMore"),
        }
        timezone = result.get("timezone") or alert.team.timezone
        return render_png(query, chart_input, timezone=timezone, width=CHART_WIDTH, height=CHART_HEIGHT)
    except Exception:
        # The email still goes out without a picture; the failure is in the log.
        logger.exception("alert_chart_render_failed alert_id=%s", alert.id)
        return None


def firing_email(alert, breaches: list[str], recipient: str, picture: bytes | None) -> EmailMultiAlternatives:
    """A text part, and an HTML part with the chart inline (multipart/related, Content-ID `insight-chart`)."""
    message = EmailMultiAlternatives(firing_subject(alert.name), firing_body(alert, breaches), to=[recipient])
    message.attach_alternative(firing_html(alert, breaches, picture is not None), "text/html")
    if picture is not None:
        message.mixed_subtype = "related"
        image = MIMEImage(picture, "png")
        image.add_header("Content-ID", f"<{CHART_CONTENT_ID}>")
        image.add_header("Content-Disposition", "inline", filename="insight.png")
        message.attach(image)
    return message


def email_notifier(alert, check, breaches: list[str]) -> dict[str, list]:
    """Email each subscribed member (one message each) for a Firing check; returns `{"users": [addresses]}`.

    Errored checks are only logged, as PostHog does. Nothing is sent unless ALERTS_EMAIL_ENABLED.
    """
    if check.state == AlertState.ERRORED:
        logger.warning("alert_errored alert_id=%s breaches=%s", alert.id, breaches)
        return {}
    if not getattr(settings, "ALERTS_EMAIL_ENABLED", False):
        return {}
    recipients = alert.get_subscribed_users_emails()
    if not recipients:
        return {}
    picture = chart_picture(alert)
    for recipient in recipients:
        firing_email(alert, breaches, recipient, picture).send()
    logger.info("alert_notified alert_id=%s check_id=%s recipients=%s", alert.id, check.id, len(recipients))
    return {"users": recipients}
