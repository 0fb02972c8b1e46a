"""URL map: the API routers, login, health, OpenAPI, and a JSON 404 for everything else."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from actions.api import ActionViewSet
from activity.api import ActivityLogViewSet
from alerts.api.views import AlertViewSet, ThresholdViewSet
from cohorts.api import CohortViewSet
from config.health import health_view
from dashboards.api.views import DashboardViewSet
from definitions.api.views import EventDefinitionViewSet, PropertyDefinitionViewSet
from exports.api import ExportedAssetViewSet
from ingestion.api.capture import capture_view, engage_view
from ingestion.api.events import EventViewSet
from insights.api.views import InsightViewSet
from insights_server.api.login import LoginView, LogoutView
from insights_server.api.organizations import OrganizationViewSet
from insights_server.api.personal_api_keys import PersonalAPIKeyViewSet
from insights_server.api.projects import EnvironmentViewSet, ProjectViewSet
from insights_server.api.users import UserViewSet
from insights_server.exceptions import not_found_view
from insights_server.routing import OptionalSlashRouter, ProjectRouter
from persons.api import PersonViewSet
from queries.api import QueryViewSet
from sharing.api import sharing_urls
from sharing.public import sharing_page_urls
from web.views import web_urls

router = OptionalSlashRouter()
router.register("users", UserViewSet, "users")
router.register("organizations", OrganizationViewSet, "organizations")
router.register("projects", ProjectViewSet, "projects")
router.register("environments", EnvironmentViewSet, "environments")
router.register("personal_api_keys", PersonalAPIKeyViewSet, "personal_api_keys")

# Project-scoped resources: each is served under /api/projects/:id/ and /api/environments/:id/.
project_router = ProjectRouter()
project_router.register_project_resource("events", EventViewSet, "events")
project_router.register_project_resource("persons", PersonViewSet, "persons")
project_router.register_project_resource("query", QueryViewSet, "query")
project_router.register_project_resource("actions", ActionViewSet, "actions")
project_router.register_project_resource("insights", InsightViewSet, "insights")
project_router.register_project_resource("dashboards", DashboardViewSet, "dashboards")
project_router.register_project_resource("activity_log", ActivityLogViewSet, "activity_log")
project_router.register_project_resource("exports", ExportedAssetViewSet, "exports")
project_router.register_project_resource("event_definitions", EventDefinitionViewSet, "event_definitions")
project_router.register_project_resource("property_definitions", PropertyDefinitionViewSet, "property_definitions")
project_router.register_project_resource("alerts", AlertViewSet, "alerts")
project_router.register_project_resource(r"insights/(?P<insight_id>[^/]+)/thresholds", ThresholdViewSet, "thresholds")
project_router.register_project_resource("cohorts", CohortViewSet, "cohorts")

CAPTURE_PATHS = r"^(?:batch|capture|e|i/v0/e|track)/?$"

urlpatterns = [
    re_path(r"^_health/?$", health_view, name="health"),
    re_path(CAPTURE_PATHS, capture_view, name="capture"),
    re_path(r"^engage/?$", engage_view, name="engage"),
    *sharing_urls(),
    *sharing_page_urls(),
    *web_urls(),
    re_path(r"^api/login/?$", LoginView.as_view(), name="login"),
    re_path(r"^api/logout/?$", LogoutView.as_view(), name="logout"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/schema/swagger-ui/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/", include(project_router.urls)),
    path("api/", include(router.urls)),
    re_path(r"^.*$", not_found_view),
]

handler404 = "insights_server.exceptions.not_found_view"
handler500 = "insights_server.exceptions.server_error_view"
