"""`/api/projects/:id/dashboards/`: list, create, retrieve, update and soft delete dashboards (scope `dashboard`)."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from dashboards.api.serializers import DashboardBasicSerializer, DashboardSerializer
from dashboards.models import Dashboard
from dashboards.permissions import DASHBOARD_EDIT_DENIED, can_edit_dashboard
from dashboards.services import dashboard_create, dashboard_mark_accessed, dashboard_update
from insights.api.schema import ProjectResourceSchema
from insights.models import TaggedItem
from insights_server.params import NUL_NOT_ALLOWED, text_param
from insights_server.routing import ProjectScopedViewSet

FALSE_VALUES = ("false", "0", "no", "f", "n", "off")


class CanEditDashboard(BasePermission):
    message = DASHBOARD_EDIT_DENIED

    def has_object_permission(self, request, view, dashboard) -> bool:
        return request.method in SAFE_METHODS or can_edit_dashboard(request.user, dashboard)


def _is_false(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in FALSE_VALUES)


class DashboardViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProjectScopedViewSet,
):
    scope_object = "dashboard"
    queryset = Dashboard.objects_including_soft_deleted.order_by("-pinned", "name")
    permission_classes = [*ProjectScopedViewSet.permission_classes, CanEditDashboard]
    schema = ProjectResourceSchema()
    clickhouse_backed = True  # tiles carry insight results (OpenAPI: 503 when ClickHouse is unavailable)

    def get_serializer_class(self):
        return DashboardBasicSerializer if self.action == "list" else DashboardSerializer

    def filter_project_queryset(self, queryset):
        # A dashboard is restored by PATCH {"deleted": false}: only that request may reach a deleted one.
        data = self.request.data if self.action in ("update", "partial_update") else None
        include_deleted = isinstance(data, dict) and _is_false(data.get("deleted"))
        if not include_deleted:
            queryset = queryset.exclude(deleted=True)
        if self.action == "list":
            creation_mode = text_param(self.request.query_params, "creation_mode")
            if creation_mode:
                queryset = queryset.filter(creation_mode=creation_mode)
            else:
                queryset = queryset.exclude(creation_mode=Dashboard.CreationMode.UNLISTED)
            tags = self.request.query_params.getlist("tags")
            if any("\x00" in tag for tag in tags):
                raise ValidationError({"tags": [NUL_NOT_ALLOWED]})
            if tags:
                queryset = queryset.filter(tagged_items__tag__name__in=tags).distinct()
        tagged = Prefetch("tagged_items", queryset=TaggedItem.objects.select_related("tag").order_by("id"))
        return queryset.select_related("created_by", "team").prefetch_related(tagged)

    @extend_schema(
        parameters=[
            OpenApiParameter("creation_mode", OpenApiTypes.STR, enum=["default", "template", "duplicate", "unlisted"]),
            OpenApiParameter("tags", OpenApiTypes.STR, many=True, description="Dashboards with any of these tags."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        dashboard = self.get_object()
        dashboard_mark_accessed(dashboard)
        return Response(self.get_serializer(dashboard).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for ignored in ("delete_insights", "_create_in_folder", "deleted"):
            data.pop(ignored, None)
        tags, template, source_id = (
            data.pop("tags", None),
            data.pop("use_template", None),
            data.pop("use_dashboard", None),
        )
        dashboard = dashboard_create(
            self.team, request.user, data, tags=tags, use_template=template, use_dashboard=source_id
        )
        return Response(self.get_serializer(dashboard).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        dashboard = self.get_object()
        serializer = self.get_serializer(dashboard, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tags = data.pop("tags", None)
        delete_insights = data.pop("delete_insights", False)
        for replaced_only_when_given in ("filters", "variables"):
            # As in PostHog, an empty object leaves the stored filters/variables as they are.
            if not data.get(replaced_only_when_given):
                data.pop(replaced_only_when_given, None)
        for write_only in ("use_template", "use_dashboard", "_create_in_folder"):
            data.pop(write_only, None)
        tiles = request.data.get("tiles") if isinstance(request.data, dict) else None
        if tiles is not None and not isinstance(tiles, list):
            raise ValidationError({"tiles": "Expected a list of items."})
        dashboard = dashboard_update(
            dashboard, request.user, data, tags=tags, tiles=tiles, delete_insights=delete_insights
        )
        dashboard = Dashboard.objects_including_soft_deleted.select_related("created_by", "team").get(id=dashboard.id)
        return Response(self.get_serializer(dashboard).data)

    @extend_schema(
        description='Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true',
        responses={405: OpenApiResponse(description="Hard delete is not allowed.")},
    )
    def destroy(self, request, *args, **kwargs):
        # Hard deletes are refused, as PostHog does; soft delete with PATCH {"deleted": true}.
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
