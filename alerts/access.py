"""Fetch an alert or threshold of the URL's project by id, with the same 404 for missing and foreign ones."""

import uuid

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from alerts.models import AlertConfiguration, Threshold
from insights_server.models import Team


def project_alerts(team: Team) -> QuerySet[AlertConfiguration]:
    """Alerts of the team's project (every environment) on insights that are not deleted."""
    return AlertConfiguration.objects.filter(team__project_id=team.project_id, insight__deleted=False)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def access_alert_by_id(team: Team, alert_id, *, queryset: QuerySet | None = None) -> AlertConfiguration:
    """The alert with this id in the team's project. Raises NotFound when missing, foreign or malformed.

    `queryset` narrows the search (it must already be scoped to the project).
    """
    key = _uuid(alert_id)
    base = queryset if queryset is not None else project_alerts(team)
    alert = base.filter(pk=key).first() if key is not None else None
    if alert is None:
        raise NotFound()
    return alert


def access_threshold_by_id(team: Team, insight_id, threshold_id) -> Threshold:
    """The threshold with this id on this insight of the team's project. Raises NotFound otherwise."""
    key = _uuid(threshold_id)
    threshold = (
        Threshold.objects.filter(team__project_id=team.project_id, insight_id=insight_id, pk=key).first()
        if key is not None and str(insight_id).isdigit()
        else None
    )
    if threshold is None:
        raise NotFound()
    return threshold
