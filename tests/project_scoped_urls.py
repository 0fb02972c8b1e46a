"""A test-only project-scoped resource, to exercise the base viewset before real resources exist."""

from django.urls import include, path
from rest_framework.decorators import action
from rest_framework.response import Response

from config.urls import urlpatterns as main_urlpatterns
from insights_server.routing import ProjectRouter, ProjectScopedViewSet


class WidgetViewSet(ProjectScopedViewSet):
    scope_object = "insight"
    sharing_enabled_actions = ("retrieve",)

    def list(self, request, *args, **kwargs):
        return Response({"team_id": self.team.id, "project_id": self.project_id})

    def create(self, request, *args, **kwargs):
        return Response({"created_in": self.team.id}, status=201)

    @action(detail=False, methods=["get"], required_scopes=["activity_log:read"])
    def activity(self, request, *args, **kwargs):
        return Response({"ok": True})

    @action(detail=False, methods=["post"])
    def undeclared(self, request, *args, **kwargs):
        return Response({"ok": True})


router = ProjectRouter()
router.register_project_resource("widgets", WidgetViewSet, "widgets")
urlpatterns = [path("api/", include(router.urls)), *main_urlpatterns]
