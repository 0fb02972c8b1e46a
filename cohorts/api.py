"""/api/projects/:id/cohorts/: list, create (dynamic, or static from a CSV, person ids or a query), retrieve,
update (soft delete with `deleted: true`; DELETE answers 405), members (JSON and CSV), static member edits."""

from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cohorts.csv_import import CSVImportError, persons_from_csv
from cohorts.members import cohort_members_csv, cohort_members_page
from cohorts.models import Cohort
from cohorts.selectors import behavioral_cohort_ids
from cohorts.serializers import CohortSerializer
from cohorts.services import (
    cohort_add_persons,
    cohort_create,
    cohort_duplicate_as_static,
    cohort_remove_person,
    cohort_update,
)
from cohorts.static_edits import person_to_remove, persons_to_add
from insights_server.routing import ProjectScopedViewSet


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

    @action(
        methods=["get"],
        detail=True,
        required_scopes=["cohort:read", "person:read"],
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],
    )
    def persons(self, request, *args, **kwargs):
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
