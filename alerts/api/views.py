"""`/api/projects/:id/alerts/` (CRUD and simulate) and `/insights/:insight_id/thresholds/` (read), scope `alert`."""

from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.access import access_alert_by_id, access_threshold_by_id
from alerts.api.serializers import AlertSerializer, SimulateSerializer, ThresholdWithAlertsSerializer
from alerts.models import AlertConfiguration, Threshold
from alerts.selectors import alert_checks_page, alert_list_filter, with_last_value
from alerts.services import alert_create, alert_delete, alert_update
from alerts.simulation import alert_simulate
from insights.access import access_insight_by_id_or_short_id
from insights_server.routing import ProjectScopedViewSet


class AlertViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    scope_object = "alert"
    queryset = AlertConfiguration.objects.all()
    serializer_class = AlertSerializer

    def filter_project_queryset(self, queryset):
        queryset = queryset.filter(insight__deleted=False).order_by("-created_at")
        if self.action == "list":
            return alert_list_filter(queryset, self.request.query_params)
        return with_last_value(queryset)

    def get_object(self) -> AlertConfiguration:
        return access_alert_by_id(self.team, self.kwargs["pk"], queryset=self.get_queryset())

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "list_checks": self.action == "list"}

    def retrieve(self, request, *args, **kwargs):
        alert = self.get_object()
        page = alert_checks_page(alert, request.query_params)
        context = {**self.get_serializer_context(), "checks": page.checks, "checks_total": page.total}
        return Response(AlertSerializer(alert, context=context).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = alert_create(self.team, request.user, serializer.validated_data)
        return Response(self.rendered(alert), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        alert = self.get_object()
        serializer = self.get_serializer(alert, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        alert = alert_update(alert, request.user, serializer.validated_data)
        return Response(self.rendered(alert))

    def destroy(self, request, *args, **kwargs):
        alert_delete(self.get_object(), request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["post"], required_scopes=["alert:read"])
    def simulate(self, request, *args, **kwargs):
        """Backtest a detector over the insight's history; nothing is written."""
        serializer = SimulateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        insight = access_insight_by_id_or_short_id(self.team, data["insight"])
        return Response(
            alert_simulate(self.team, insight, data["detector_config"], data["series_index"], data.get("date_from"))
        )

    def rendered(self, alert: AlertConfiguration) -> dict:
        alert = with_last_value(AlertConfiguration.objects.filter(pk=alert.pk)).get()
        context = {**self.get_serializer_context(), "list_checks": False}
        return AlertSerializer(alert, context=context).data


class ThresholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """Thresholds of one insight, with the alerts that use them (read only)."""

    scope_object = "alert"
    queryset = Threshold.objects.all()
    serializer_class = ThresholdWithAlertsSerializer

    def filter_project_queryset(self, queryset):
        insight = access_insight_by_id_or_short_id(self.team, self.kwargs["insight_id"])
        return queryset.filter(insight=insight).select_related("insight").order_by("-created_at")

    def get_object(self) -> Threshold:
        insight = access_insight_by_id_or_short_id(self.team, self.kwargs["insight_id"])
        return access_threshold_by_id(self.team, insight.id, self.kwargs["pk"])
