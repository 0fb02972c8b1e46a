"""/api/projects/:id/cohorts/: list, create (dynamic, or static from a CSV, person ids or a query), retrieve,
update (soft delete with `deleted: true`; DELETE answers 405), members (JSON and CSV), static member edits,
calculation history and activity."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from activity.api import ACTIVITY_PAGE_PARAMETERS, ACTIVITY_PAGE_RESPONSE, activity_page
from cohorts.csv_import import CSVImportError, persons_from_csv
from cohorts.members import cohort_members_csv, cohort_members_page
from cohorts.models import Cohort
from cohorts.selectors import behavioral_cohort_ids, cohort_calculation_history
from cohorts.serializers import CohortCalculationHistorySerializer, CohortSerializer
from cohorts.services import (
    cohort_add_persons,
    cohort_create,
    cohort_duplicate_as_static,
    cohort_remove_person,
    cohort_update,
)
from cohorts.static_edits import person_to_remove, persons_to_add
from insights_server.openapi import ErrorDocumentingAutoSchema
from insights_server.params import limit_offset_page
from insights_server.routing import ProjectScopedViewSet

ACTIVITY = ["activity_log:read"]
HISTORY_LIMIT = 100
HISTORY_MAX_LIMIT = 1000
HISTORY_RESPONSE = inline_serializer(
    "CohortCalculationHistoryPage",
    {
        "results": CohortCalculationHistorySerializer(many=True),
        "count": serializers.IntegerField(),
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
    },
)
PERSONS_RESPONSE = inline_serializer(
    "CohortPersonsPage",
    {
        "results": serializers.ListField(child=serializers.DictField()),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
    },
)
PERSONS_PARAMETERS = [
    OpenApiParameter("search", str, OpenApiParameter.QUERY, description="Email, name, person id or distinct id."),
    OpenApiParameter(
        "properties", str, OpenApiParameter.QUERY, description="JSON: person property filters (a list or a group)."
    ),
    OpenApiParameter("limit", int, OpenApiParameter.QUERY, description="Persons per page (default 100)."),
    OpenApiParameter("offset", int, OpenApiParameter.QUERY, description="Persons to skip."),
]
HISTORY_PARAMETERS = [
    OpenApiParameter("limit", int, OpenApiParameter.QUERY, description="Calculations per page (default 100)."),
    OpenApiParameter("offset", int, OpenApiParameter.QUERY, description="Calculations to skip."),
]


class CohortSchema(ErrorDocumentingAutoSchema):
    """The list-level `activity` action gets its own operation id (`..._cohorts_all_activity_...`)."""

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "all_activity":
            return operation_id.replace("_activity_", "_all_activity_")
        return operation_id


def _csv_persons(request, team):
    """The persons of an uploaded `csv` file, or None when there is none. Raises a 400 on a bad file."""
    upload = request.FILES.get("csv")
    if upload is None:
        return None
    try:
        return persons_from_csv(team, upload.read())
    except CSVImportError as error:
        raise serializers.ValidationError({"csv": [str(error)]}) from None


class CSVRenderer(BaseRenderer):
    """Lets `?format=csv` select the members' CSV (the action writes the response itself)."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return str(data).encode()


class CohortViewSet(
    ProjectScopedViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Cohorts of the project. DELETE is not allowed (as in PostHog): PATCH `{"deleted": true}` instead."""

    scope_object = "cohort"
    schema = CohortSchema()
    queryset = Cohort.objects.select_related("created_by", "team")
    serializer_class = CohortSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def filter_project_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        queryset = queryset.filter(deleted=False)
        if params.get("type") in ("static", "dynamic"):
            queryset = queryset.filter(is_static=params["type"] == "static")
        if params.get("created_by_id", "").isdigit():
            queryset = queryset.filter(created_by_id=int(params["created_by_id"]))
        if params.get("search"):
            queryset = queryset.filter(name__icontains=params["search"])
        if params.get("hide_behavioral_cohorts") in ("true", "1"):
            queryset = queryset.exclude(pk__in=behavioral_cohort_ids(queryset))
        return queryset.order_by("-created_at", "-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        person_ids = data.pop("_create_static_person_ids", None)
        csv_persons = _csv_persons(self.request, self.team)
        serializer.instance = cohort_create(
            team=self.team, user=self.request.user, data=data, person_ids=person_ids, csv_persons=csv_persons
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("_create_static_person_ids", None)
        csv_persons = _csv_persons(self.request, self.team)
        serializer.instance = cohort_update(
            cohort=serializer.instance, user=self.request.user, data=data, csv_persons=csv_persons
        )

    @extend_schema(parameters=PERSONS_PARAMETERS, responses=PERSONS_RESPONSE)
    @action(
        methods=["get"],
        detail=True,
        required_scopes=["cohort:read", "person:read"],
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],
    )
    def persons(self, request, *args, **kwargs):
        """The cohort's current members, narrowed by `search` and person `properties`; CSV with `?format=csv`."""
        cohort = self.get_object()
        if request.query_params.get("format") == "csv" or request.query_params.get("is_csv_export") in ("1", "true"):
            return cohort_members_csv(cohort, request)
        return Response(cohort_members_page(cohort, request))

    @action(methods=["get"], detail=True, required_scopes=["cohort:write"])
    def duplicate_as_static_cohort(self, request, *args, **kwargs):
        copy = cohort_duplicate_as_static(self.get_object(), request.user)
        return Response(self.get_serializer(copy).data)

    @action(methods=["patch"], detail=True, required_scopes=["cohort:write"])
    def add_persons_to_static_cohort(self, request, *args, **kwargs):
        cohort = self.get_object()
        persons = persons_to_add(cohort, request.data)
        cohort_add_persons(cohort, persons, user=request.user, log=True)
        return Response({"success": True})

    @action(methods=["patch"], detail=True, required_scopes=["cohort:write"])
    def remove_person_from_static_cohort(self, request, *args, **kwargs):
        cohort = self.get_object()
        cohort_remove_person(cohort, person_to_remove(cohort, request.data), user=request.user)
        return Response({"success": True})

    @extend_schema(parameters=HISTORY_PARAMETERS, responses=HISTORY_RESPONSE)
    @action(methods=["get"], detail=True, required_scopes=["cohort:read"], pagination_class=None)
    def calculation_history(self, request, *args, **kwargs):
        """The cohort's calculations, newest first; `next`/`previous` are relative (`?limit=..&offset=..`)."""
        cohort = self.get_object()
        page = limit_offset_page(request.query_params, default_limit=HISTORY_LIMIT, max_limit=HISTORY_MAX_LIMIT)
        rows, total = cohort_calculation_history(cohort, page.limit, page.offset)
        following, before = page.offset + page.limit, max(0, page.offset - page.limit)
        return Response(
            {
                "results": CohortCalculationHistorySerializer(rows, many=True).data,
                "count": total,
                "next": f"?limit={page.limit}&offset={following}" if following < total else None,
                "previous": f"?limit={page.limit}&offset={before}" if page.offset > 0 else None,
            }
        )

    @extend_schema(parameters=ACTIVITY_PAGE_PARAMETERS, responses=ACTIVITY_PAGE_RESPONSE)
    @action(methods=["get"], detail=False, url_path="activity", required_scopes=ACTIVITY, pagination_class=None)
    def all_activity(self, request, *args, **kwargs):
        """Every cohort's activity in this environment, newest first."""
        return activity_page(request, self.team.id, "Cohort")

    @extend_schema(parameters=ACTIVITY_PAGE_PARAMETERS, responses=ACTIVITY_PAGE_RESPONSE)
    @action(methods=["get"], detail=True, required_scopes=ACTIVITY, pagination_class=None)
    def activity(self, request, *args, **kwargs):
        """One cohort's activity (404 for a cohort of another project or none)."""
        cohort = self.get_object()
        return activity_page(request, cohort.team_id, "Cohort", item_id=cohort.pk)
