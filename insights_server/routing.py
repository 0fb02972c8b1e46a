"""Project routing: the one project-scoped base viewset, and a router that mounts it under both URL prefixes.

`/api/projects/:id/<resource>/` and `/api/environments/:id/<resource>/` resolve the same team; `@current`
names the user's current team. Every route works with and without its trailing slash.
"""

from functools import cached_property

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.routers import SimpleRouter

from insights_server.access import request_user, require_team_membership, team_by_url_id
from insights_server.models import Organization, Team
from insights_server.permissions import APIScopePermission
from insights_server.scopes import DEFAULT_READ_ACTIONS, DEFAULT_WRITE_ACTIONS

TEAM_URL_KWARG = "team_id"
URL_ID_PATTERN = r"[^/]+"


class OptionalSlashRouter(SimpleRouter):
    """A router whose routes match with or without the trailing slash, so clients are never redirected."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


class ProjectRouter(OptionalSlashRouter):
    """Registers a project-scoped viewset under `projects/:id/` and `environments/:id/`."""

    PREFIXES = ("projects", "environments")

    def register_project_resource(self, resource: str, viewset, basename: str) -> None:
        for prefix in self.PREFIXES:
            self.register(
                rf"{prefix}/(?P<{TEAM_URL_KWARG}>{URL_ID_PATTERN})/{resource}", viewset, f"{prefix}_{basename}"
            )


class TeamMemberAccessPermission(IsAuthenticated):
    """The user must belong to the organization of the team named in the URL."""

    def has_permission(self, request, view) -> bool:
        view.team  # noqa: B018 - resolving raises 404 (unknown) or 403 (not a member)
        return True


def sharing_grant(request):
    """The grant of a share token that authenticated the request (`request.auth` with `is_sharing_grant`), or None.

    The sharing app issues grants (`sharing.auth`); the core only knows their interface: `team_id`,
    `can_access(obj)` and `restrict(queryset)`, so it never imports the app that sits above it.
    """
    grant = getattr(request, "auth", None)
    return grant if getattr(grant, "is_sharing_grant", False) else None


MEMBER_PERMISSIONS = (IsAuthenticated, APIScopePermission, TeamMemberAccessPermission)


class ProjectAccessPermission(BasePermission):
    """A member of the project (session or scoped API key); or a share token, for the actions a view opens to
    shares (`sharing_enabled_actions`), in the share's own project and, per object, only what the share covers."""

    def has_permission(self, request, view) -> bool:
        grant = sharing_grant(request)
        if grant is not None:
            return view.action in view.sharing_enabled_actions and grant.team_id == view.url_team.id
        for permission_class in MEMBER_PERMISSIONS:
            permission = permission_class()
            if not permission.has_permission(request, view):
                self.message = getattr(permission, "message", None)
                return False
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        grant = sharing_grant(request)
        return grant.can_access(obj) if grant is not None else True


class ProjectScopedViewSet(viewsets.GenericViewSet):
    """Base for every resource that lives inside a project.

    Subclasses set `queryset`, `serializer_class`, `scope_object` (and optionally `team_field`, the
    path from the model to its Team, or `team_id_field` for a model that keeps a bare team id). `get_queryset`
    always filters by the URL's project; subclasses narrow it further with `filter_project_queryset`. A subclass
    that defines its own `get_queryset` is refused when the class is created: it would skip the tenancy filter.
    """

    scope_object: str
    # Set per action by @action(required_scopes=[...]); read by APIScopePermission.
    required_scopes: list[str] | None = None
    scope_object_read_actions: tuple[str, ...] = DEFAULT_READ_ACTIONS
    scope_object_write_actions: tuple[str, ...] = DEFAULT_WRITE_ACTIONS
    team_field = "team"
    team_id_field: str | None = None
    # Views that serve shared (token) access answer 403, not 401, to anonymous requests, as PostHog does.
    sharing_enabled_actions: tuple[str, ...] = ()
    permission_classes = [ProjectAccessPermission]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset, which applies the project filter: "
                "narrow the queryset in filter_project_queryset instead."
            )

    @cached_property
    def url_team(self) -> Team:
        """The team the URL names (404 when unknown); membership is not checked here."""
        return team_by_url_id(self.request.user, self.kwargs[TEAM_URL_KWARG])

    @cached_property
    def team(self) -> Team:
        """The URL's team, for a member of its organization (403 otherwise) or a share of that team."""
        if sharing_grant(self.request) is not None:
            return self.url_team  # ProjectAccessPermission checked the share's team
        return require_team_membership(request_user(self.request), self.url_team)

    @property
    def project_id(self) -> int:
        return self.team.project_id

    def requested_team(self) -> Team:
        # Existence only: membership is checked after scopes, by TeamMemberAccessPermission.
        return self.url_team

    def requested_organization(self) -> Organization:
        return self.url_team.organization

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.team_id_field is not None:
            team_ids = Team.objects.filter(project_id=self.project_id).values("id")
            queryset = queryset.filter(**{f"{self.team_id_field}__in": team_ids})
        else:
            queryset = queryset.filter(**{f"{self.team_field}__project_id": self.project_id})
        grant = sharing_grant(self.request)
        if grant is not None:
            queryset = grant.restrict(queryset)
        return self.filter_project_queryset(queryset)

    def filter_project_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if TEAM_URL_KWARG in self.kwargs and self.request.user.is_authenticated:
            context["team"] = self.team
        return context

    def get_authenticate_header(self, request) -> str | None:  # type: ignore[override]  # DRF returns None too; stubs say str
        if self.sharing_enabled_actions:
            return None
        return super().get_authenticate_header(request)

    def perform_create(self, serializer) -> None:
        serializer.save(**{self.team_field: self.team})
