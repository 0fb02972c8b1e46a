"""Fetch a dashboard of the URL's project by id, with the same 404 for missing, foreign and deleted ones."""

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from dashboards.models import Dashboard
from insights_server.models import Team
from insights_server.primary_dashboard import primary_dashboard_does_not_exist


def project_dashboards(team: Team, *, include_deleted: bool = False) -> QuerySet[Dashboard]:
    """All dashboards of the team's project (every environment); soft-deleted ones only when asked."""
    manager = Dashboard.objects_including_soft_deleted if include_deleted else Dashboard.objects
    return manager.filter(team__project_id=team.project_id)


def access_dashboard_by_id(team: Team, dashboard_id, *, include_deleted: bool = False) -> Dashboard:
    """The dashboard with this id in the team's project. Raises NotFound when missing, foreign or deleted."""
    raw = str(dashboard_id)
    dashboard = (
        project_dashboards(team, include_deleted=include_deleted).filter(pk=int(raw)).first() if raw.isdigit() else None
    )
    if dashboard is None:
        raise NotFound()
    return dashboard


PRIMARY_DASHBOARD_NOT_IN_TEAM = "Dashboard does not belong to this team."


def validate_primary_dashboard(team: Team | None, dashboard_id: int) -> int:
    """The id itself when it names a dashboard of `team`; serializer ValidationError otherwise.

    Registered with the core in DashboardsConfig.ready() (see insights_server/primary_dashboard.py).
    """
    dashboard = Dashboard.objects.filter(pk=dashboard_id).only("id", "team_id").first()
    if dashboard is None:
        raise serializers.ValidationError(primary_dashboard_does_not_exist(dashboard_id), code="does_not_exist")
    if team is not None and dashboard.team_id != team.id:
        raise serializers.ValidationError(PRIMARY_DASHBOARD_NOT_IN_TEAM)
    return dashboard_id
