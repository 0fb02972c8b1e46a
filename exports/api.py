"""`/api/projects/:id/exports/`: create (generated in the request, always 201), list and retrieve the caller's own
exports, and `GET .../exports/:id/content/` (spec exports §1.2-1.8)."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from dashboards.models import Dashboard
from exports.generate import export_generate
from exports.models import FORMATS, ExportedAsset
from insights.models import Insight
from insights_server.params import bool_param
from insights_server.routing import ProjectScopedViewSet

STUCK_AFTER = timedelta(seconds=630)
STUCK_MESSAGE = (
    "Export failed without throwing an exception. Please try to rerun this export and contact support if it fails "
    "to complete multiple times."
)
NOTHING_TO_EXPORT = "Either dashboard, insight or export_context is required for an export."
NO_FORMAT = "Must provide export format"


class ExportedAssetSerializer(serializers.ModelSerializer):
    export_format = serializers.ChoiceField(choices=list(FORMATS), allow_blank=True)
    dashboard = serializers.PrimaryKeyRelatedField(
        queryset=Dashboard.objects_including_soft_deleted.all(), required=False, allow_null=True
    )
    insight = serializers.PrimaryKeyRelatedField(
        queryset=Insight.objects_including_soft_deleted.all(), required=False, allow_null=True
    )
    has_content = serializers.BooleanField(read_only=True)
    filename = serializers.CharField(read_only=True)
    expires_after = serializers.DateTimeField(read_only=True)
    exception = serializers.CharField(read_only=True)

    class Meta:
        model = ExportedAsset
        fields = [
            "id",
            "dashboard",
            "insight",
            "export_format",
            "created_at",
            "has_content",
            "export_context",
            "filename",
            "expires_after",
            "exception",
        ]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict) -> dict:
        team = self.context["team"]
        if not attrs.get("export_format"):
            raise serializers.ValidationError(NO_FORMAT)
        if not (attrs.get("dashboard") or attrs.get("insight") or attrs.get("export_context")):
            raise serializers.ValidationError(NOTHING_TO_EXPORT)
        dashboard, insight = attrs.get("dashboard"), attrs.get("insight")
        if dashboard is not None and dashboard.team.project_id != team.project_id:
            raise serializers.ValidationError({"dashboard": ["This dashboard does not belong to your team."]})
        if insight is not None and insight.team.project_id != team.project_id:
            raise serializers.ValidationError({"insight": ["This insight does not belong to your team."]})
        return attrs

    def to_representation(self, asset: ExportedAsset) -> dict:
        data = super().to_representation(asset)
        stuck = asset.created_at and timezone.now() - asset.created_at > STUCK_AFTER
        if stuck and not asset.has_content and not asset.exception:
            data["exception"] = STUCK_MESSAGE
        return data


class ExportedAssetViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet
):
    scope_object = "export"
    scope_object_read_actions = ("list", "retrieve", "content")
    queryset = ExportedAsset.objects.select_related("dashboard", "insight", "team")
    serializer_class = ExportedAssetSerializer

    def filter_project_queryset(self, queryset):
        queryset = queryset.filter(created_by=self.request.user).order_by("-created_at", "-id")
        export_format = self.request.query_params.get("export_format")
        if export_format in FORMATS:
            queryset = queryset.filter(export_format=export_format)
        path = self.request.query_params.get("context_path")
        if path:
            queryset = queryset.filter(export_context__path__icontains=path)
        return queryset

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = serializer.save(team=self.team, created_by=request.user)
        asset = export_generate(asset)
        return Response(self.get_serializer(asset).data, status=status.HTTP_201_CREATED)

    @action(methods=["get"], detail=True)
    def content(self, request, *args, **kwargs) -> HttpResponse:
        asset = self.get_object()
        if asset.content is None:
            raise NotFound()
        response = HttpResponse(bytes(asset.content), content_type=asset.export_format)
        if bool_param(request.query_params, "download"):
            response["Content-Disposition"] = f'attachment; filename="{asset.filename}"'
        if not settings.DEBUG:
            response["Cache-Control"] = "max-age=86400"
        return response
