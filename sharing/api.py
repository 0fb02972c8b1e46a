"""`.../insights/:id/sharing` and `.../dashboards/:id/sharing`: read, enable and configure a share, rotate its token,
add and remove passwords (spec sharing §1.2). Thin: access and edit checks here, writes in sharing.services."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from dashboards.access import access_dashboard_by_id
from dashboards.permissions import can_edit_dashboard
from insights.access import access_insight_by_id_or_short_id
from insights.dashboard_hooks import dashboard_hooks
from insights_server.params import parse_id
from insights_server.routing import ProjectScopedViewSet
from sharing.models import SharingConfiguration
from sharing.serializers import (
    SharePasswordCreateSerializer,
    SharingConfigurationSerializer,
    SharingUpdateSerializer,
    created_by_email,
)
from sharing.services import (
    PASSWORD_NOT_FOUND,
    PASSWORDS_NEED_PROTECTION,
    share_password_create,
    share_password_deactivate,
    sharing_current,
    sharing_token_rotate,
    sharing_update,
)

if TYPE_CHECKING:
    from rest_framework.decorators import ViewSetAction  # drf-stubs only: as_view's action values

INSIGHT_EDIT_DENIED = "You don't have edit permissions for this insight."
DASHBOARD_EDIT_DENIED = "You don't have edit permissions for this dashboard."
DASHBOARD_NOT_FOUND = "Dashboard not found."
INSIGHT_NOT_FOUND = "Insight not found."


class SharingConfigurationViewSet(ProjectScopedViewSet):
    """One view set for both resources; `resource` ("insights" or "dashboards") comes from the URL."""

    scope_object = "sharing_configuration"
    scope_object_read_actions = ("list",)
    scope_object_write_actions = ("partial_update", "refresh", "create_password", "delete_password")
    queryset = SharingConfiguration.objects.all()
    serializer_class = SharingConfigurationSerializer
    pagination_class = None

    def shared_resource(self):
        kind, raw_id = self.kwargs["resource"], self.kwargs["resource_id"]
        try:
            if kind == "dashboards":
                return access_dashboard_by_id(self.team, raw_id)
            return access_insight_by_id_or_short_id(self.team, raw_id)
        except NotFound:
            raise NotFound(DASHBOARD_NOT_FOUND if kind == "dashboards" else INSIGHT_NOT_FOUND) from None

    def editable_config(self) -> SharingConfiguration:
        resource = self.shared_resource()
        user = self.request.user
        if self.kwargs["resource"] == "dashboards":
            if not can_edit_dashboard(user, resource):
                raise PermissionDenied(DASHBOARD_EDIT_DENIED)
        elif not dashboard_hooks().can_edit(user, resource):
            raise PermissionDenied(INSIGHT_EDIT_DENIED)
        return sharing_current(self.team, resource)

    def render(self, config: SharingConfiguration, code: int = status.HTTP_200_OK) -> Response:
        return Response(SharingConfigurationSerializer(config).data, status=code)

    @extend_schema(responses=SharingConfigurationSerializer)
    def list(self, request, *args, **kwargs) -> Response:
        return self.render(sharing_current(self.team, self.shared_resource()))

    @extend_schema(request=SharingUpdateSerializer, responses=SharingConfigurationSerializer)
    def partial_update(self, request, *args, **kwargs) -> Response:
        config = self.editable_config()
        data = SharingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.render(sharing_update(config, request.user, data.validated_data))

    @extend_schema(request=None, responses=SharingConfigurationSerializer)
    def refresh(self, request, *args, **kwargs) -> Response:
        return self.render(sharing_token_rotate(self.editable_config(), request.user))

    @extend_schema(request=SharePasswordCreateSerializer, responses={201: dict})
    def create_password(self, request, *args, **kwargs) -> Response:
        config = self.editable_config()
        if not config.password_required:
            return Response({"error": PASSWORDS_NEED_PROTECTION}, status=status.HTTP_400_BAD_REQUEST)
        data = SharePasswordCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password, raw = share_password_create(
            config, request.user, data.validated_data.get("raw_password"), data.validated_data.get("note")
        )
        body = {
            "id": password.id,
            "password": raw,
            "note": password.note,
            "created_at": password.created_at,
            "created_by_email": created_by_email(password),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete_password(self, request, *args, **kwargs) -> Response:
        config = self.editable_config()
        password_id = parse_id(kwargs["password_id"])
        password = (
            config.share_passwords.filter(pk=password_id, is_active=True).first()
            if config.pk is not None and password_id is not None
            else None
        )
        if password is None:
            raise NotFound(PASSWORD_NOT_FOUND)
        share_password_deactivate(config, request.user, password)
        return Response(status=status.HTTP_204_NO_CONTENT)


def sharing_urls() -> list:
    """Routes on both prefixes, nested under insights and dashboards, with and without the trailing slash."""
    from django.urls import re_path

    actions: list[tuple[str, dict[str, str | ViewSetAction]]] = [
        ("", {"get": "list", "patch": "partial_update"}),
        ("/refresh", {"post": "refresh"}),
        ("/passwords", {"post": "create_password"}),
        ("/passwords/(?P<password_id>[^/]+)", {"delete": "delete_password"}),
    ]
    routes = []
    for prefix in ("projects", "environments"):
        for resource in ("insights", "dashboards"):
            base = rf"^api/{prefix}/(?P<team_id>[^/]+)/{resource}/(?P<resource_id>[^/]+)/sharing"
            for suffix, methods in actions:
                view = SharingConfigurationViewSet.as_view(methods)
                routes.append(re_path(base + suffix + r"/?$", view, {"resource": resource}))
    return routes
