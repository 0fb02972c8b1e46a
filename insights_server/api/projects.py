"""`/api/projects/` and `/api/environments/`: list, create, retrieve and update projects (environments)."""

from functools import cached_property

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from insights_server.access import (
    membership_level,
    request_user,
    require_team_membership,
    team_by_url_id,
    teams_visible_to,
)
from insights_server.api.project_serializers import (
    MEMBER_WRITABLE_FIELDS,
    PRIMARY_DASHBOARD_ON_CREATE,
    ProjectSerializer,
    TeamSerializer,
)
from insights_server.api.shared import TeamBasicSerializer
from insights_server.exceptions import Conflict
from insights_server.models import Organization, OrganizationMembership, Team
from insights_server.params import text_param
from insights_server.permissions import APIScopePermission
from insights_server.services.projects import project_create, project_name_taken, team_update, unique_project_name

ADMIN_NEEDED_TO_CREATE = "You need to be an organization admin or above to create new projects."
MULTIPLE_ENVIRONMENTS_GONE = (
    "Multiple environments per project are no longer available. Please contact support if you need assistance."
)
ORGANIZATION_NOT_FOUND = "Organization not found."


def admin_settings_message(fields: list[str]) -> str:
    return f"Only project admins can modify these settings: {', '.join(sorted(fields))}"


def name_conflict_message(name: str) -> str:
    return f'There is already a project called "{name}" in this organization. Choose a different name.'


class TeamViewSetBase(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Shared by projects and environments: the URL's pk is a team id or `@current`."""

    scope_object = "project"
    # Set per action by @action(required_scopes=[...]); read by APIScopePermission.
    required_scopes: list[str] | None = None
    permission_classes = [IsAuthenticated, APIScopePermission]
    queryset = Team.objects.select_related("organization", "project")
    # OpenAPI: a project name already taken in the organization is a 409 (read by ErrorDocumentingAutoSchema).
    openapi_error_codes = {"create": [409], "update": [409], "partial_update": [409]}

    @cached_property
    def url_team(self) -> Team | None:
        raw_id = self.kwargs.get("pk")
        return team_by_url_id(self.request.user, raw_id) if raw_id is not None else None

    def requested_team(self) -> Team | None:
        return self.url_team

    def requested_organization(self) -> Organization | None:
        if self.url_team is not None:
            return self.url_team.organization
        return request_user(self.request).current_organization

    def get_object(self) -> Team:
        team = self.url_team
        assert team is not None  # detail routes have a pk
        return require_team_membership(request_user(self.request), team)

    def current_organization(self) -> Organization:
        user = request_user(self.request)
        organization = user.current_organization
        if organization is None or membership_level(user, organization.id) is None:
            raise NotFound(ORGANIZATION_NOT_FOUND)
        return organization

    def get_queryset(self):
        teams = teams_visible_to(request_user(self.request)).select_related("organization", "project")
        if self.action == "list":
            teams = teams.filter(organization=self.current_organization())
            search = text_param(self.request.query_params, "search")
            if search:
                teams = teams.filter(name__icontains=search)
        return teams.order_by("id")

    def get_serializer_class(self):
        return TeamBasicSerializer if self.action == "list" else self.serializer_class

    def perform_update(self, serializer) -> None:
        team = serializer.instance
        level = membership_level(request_user(self.request), team.organization_id) or 0
        admin_fields = [field for field in self.request.data if field not in MEMBER_WRITABLE_FIELDS]
        admin_fields = [
            field for field in admin_fields if field in serializer.fields and not serializer.fields[field].read_only
        ]
        if admin_fields and level < OrganizationMembership.Level.ADMIN:
            raise PermissionDenied(admin_settings_message(admin_fields))
        name = serializer.validated_data.get("name")
        if name and project_name_taken(team.organization, name, exclude_id=team.project_id):
            raise Conflict(name_conflict_message(name))
        team_update(team, dict(serializer.validated_data))


class ProjectViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, TeamViewSetBase):
    serializer_class = ProjectSerializer

    def create(self, request, *args, **kwargs) -> Response:
        organization = self.current_organization()
        level = membership_level(request.user, organization.id) or 0
        if level < OrganizationMembership.Level.ADMIN:
            raise PermissionDenied(ADMIN_NEEDED_TO_CREATE)
        if "primary_dashboard" in request.data:
            raise ValidationError({"primary_dashboard": PRIMARY_DASHBOARD_ON_CREATE})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        project_fields = fields.pop("project", {})
        name = fields.pop("name", None) or unique_project_name(organization)
        if project_name_taken(organization, name):
            raise Conflict(name_conflict_message(name))
        _, team = project_create(organization, name, creator=request.user, **project_fields, **fields)
        return Response(self.get_serializer(team).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"], required_scopes=["project:read"])
    def environments(self, request, *args, **kwargs) -> Response:
        self.get_object()
        raise PermissionDenied(MULTIPLE_ENVIRONMENTS_GONE)


class EnvironmentViewSet(mixins.ListModelMixin, TeamViewSetBase):
    serializer_class = TeamSerializer
