"""Fetch an insight of the URL's project by id or short_id, with the same 404 for missing and foreign."""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from insights.models import Insight
from insights_server.models import Team


def project_insights(team: Team, *, include_deleted: bool = False) -> QuerySet[Insight]:
    """All insights of the team's project (every environment); soft-deleted ones only when asked."""
    manager = Insight.objects_including_soft_deleted if include_deleted else Insight.objects
    return manager.filter(team__project_id=team.project_id)


def access_insight_by_id_or_short_id(
    team: Team, lookup: str | int, *, include_deleted: bool = False, queryset: QuerySet[Insight] | None = None
) -> Insight:
    """The insight named by `lookup` in the team's project (spec §5.1).

    All digits -> primary key first, then short_id; anything else -> short_id. `queryset` narrows the search
    (it must already be scoped to the project). Raises NotFound for a missing, foreign or (unless
    `include_deleted`) soft-deleted insight.
    """
    base = queryset if queryset is not None else project_insights(team, include_deleted=include_deleted)
    lookup = str(lookup)
    insight = None
    if lookup.isdigit():
        insight = base.filter(pk=int(lookup)).first()
    if insight is None and lookup:
        insight = base.filter(short_id=lookup).first()
    if insight is None:
        raise NotFound()
    return insight
