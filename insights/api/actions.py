"""The insight viewset's extra actions (spec §7): each parses input, calls one selector/service, renders.

InsightViewSet wraps these in thin @action methods: `fn(view, request, **kwargs) -> Response`.
"""

from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from activity.api import activity_page
from insights.api.inputs import BulkUpdateTagsInputSerializer, ViewedInputSerializer, validated_input
from insights.selectors import insights_my_last_viewed, insights_trending
from insights.tags import bulk_update_tags as bulk_update_tags_service
from insights.viewed import insight_viewed_record
from insights_server.api.shared import UserBasicSerializer
from insights_server.params import int_param
from queries.execution.queue import cancel_query

TRENDING_DEFAULT_DAYS = 7
TRENDING_DEFAULT_LIMIT = 10
TRENDING_MAX_LIMIT = 100
# A century: `now - timedelta(days)` overflows long before MAX_INTEGER days.
TRENDING_MAX_DAYS = 36500
TRENDING_BAD_INTEGERS = "days and limit must be valid integers"
FIELD_REQUIRED = "Field is required."


def _basic_serializer(view, instances):
    from insights.api.serializers import InsightBasicSerializer

    return InsightBasicSerializer(instances, many=True, context=view.get_serializer_context())


def bulk_update_tags(view, request, **kwargs) -> Response:
    data = validated_input(BulkUpdateTagsInputSerializer, request.data)
    return Response(bulk_update_tags_service(view.get_queryset(), request.user, **data))


def cancel(view, request, **kwargs) -> Response:
    """Stops the background calculation (and its ClickHouse statements) started under `client_query_id`."""
    client_query_id = request.data.get("client_query_id") if isinstance(request.data, dict) else None
    if not client_query_id:
        raise ValidationError({"client_query_id": [FIELD_REQUIRED]})
    cancel_query(view.team.id, str(client_query_id))
    return Response(status=status.HTTP_201_CREATED)


def my_last_viewed(view, request, **kwargs) -> Response:
    return Response(_basic_serializer(view, insights_my_last_viewed(view.team, request.user)).data)


def _trending_window(params) -> tuple[int, int]:
    """`days` (0..36500, default 7) and `limit` (default 10, at most 100: larger ones are clamped).

    Anything else, an empty value included, is one 400 with PostHog's message and no `attr`.
    """
    if "" in (params.get("days"), params.get("limit")):
        raise ValidationError(TRENDING_BAD_INTEGERS)
    try:
        days = int_param(params, "days", TRENDING_DEFAULT_DAYS, maximum=TRENDING_MAX_DAYS)
        limit = int_param(params, "limit", TRENDING_DEFAULT_LIMIT)
    except ValidationError:
        raise ValidationError(TRENDING_BAD_INTEGERS) from None
    return days, min(limit, TRENDING_MAX_LIMIT)


def trending(view, request, **kwargs) -> Response:
    days, limit = _trending_window(request.query_params)
    insights = insights_trending(view.team, request.user, days, limit)
    results = []
    for insight, rendered in zip(insights, _basic_serializer(view, insights).data, strict=True):
        # Both are set on each insight by insights_trending (an annotation and a prefetch to an attribute).
        rendered["view_count"] = insight.view_count  # type: ignore[attr-defined]
        rendered["viewers"] = UserBasicSerializer(insight.viewers, many=True).data  # type: ignore[attr-defined]
        rendered["last_modified_by"] = (
            UserBasicSerializer(insight.last_modified_by).data if insight.last_modified_by else None
        )
        results.append(rendered)
    return Response({"count": len(results), "next": None, "previous": None, "results": results})


def viewed(view, request, **kwargs) -> Response:
    data = validated_input(ViewedInputSerializer, request.data)
    insight_viewed_record(view.team, request.user, data["insight_ids"])
    return Response(status=status.HTTP_201_CREATED)


def activity(view, request, **kwargs) -> Response:
    """All insight activity of the URL's team (`GET /insights/activity/`)."""
    return activity_page(request, view.team.id, "Insight")


def insight_activity(view, request, **kwargs) -> Response:
    """One insight's activity (`GET /insights/:id/activity/`).

    A missing, foreign or soft-deleted insight is a 404 with an empty body, as PostHog answers it.
    """
    from insights.access import access_insight_by_id_or_short_id

    try:
        insight = access_insight_by_id_or_short_id(view.team, kwargs.get("pk", ""))
    except NotFound:
        return Response(status=status.HTTP_404_NOT_FOUND)
    return activity_page(request, insight.team_id, "Insight", item_id=insight.id)
