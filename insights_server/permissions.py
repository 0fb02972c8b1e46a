"""Permission classes: API-key scopes (data on the view, read here) and organization membership levels."""

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission

from insights_server.access import membership_level
from insights_server.auth import authenticated_key
from insights_server.models import OrganizationMembership
from insights_server.scopes import DEFAULT_READ_ACTIONS, DEFAULT_WRITE_ACTIONS, INTERNAL, scope_satisfied

ACTION_NOT_SUPPORTED = "This action does not support Personal API Key access"
SCOPED_TEAMS_NEED_PROJECT_ENDPOINT = "API keys with scoped projects are only supported on project-based endpoints."
ORGANIZATION_LEVEL_INSUFFICIENT = "Your organization access level is insufficient."


def missing_scope_message(scope: str) -> str:
    return f"API key missing required scope '{scope}'"


def team_not_in_key_message(team_id: int) -> str:
    return f"API key does not have access to the requested project: ID {team_id}."


def organization_not_in_key_message(organization_id) -> str:
    return f"API key does not have access to the requested organization: ID {organization_id}."


def organization_disallows_keys_message(name: str) -> str:
    return (
        f"Organization '{name}' does not allow using personal API keys. "
        "Contact an admin to enable personal API keys for this organization."
    )


def required_scopes_for(request, view) -> list[str]:
    """The scopes an action needs, from the view's declarations (spec: auth §4.5 step 3)."""
    declared = getattr(view, "required_scopes", None)
    if declared:
        return list(declared)
    scope_object = getattr(view, "scope_object", None)
    if scope_object is None:
        raise RuntimeError(f"{type(view).__name__} declares no scope_object")
    if scope_object == INTERNAL:
        return []
    action = getattr(view, "action", None)
    if action is None and request.method == "PATCH" and not view.kwargs.get(getattr(view, "lookup_field", "pk")):
        action = "patch"
    write_actions = getattr(view, "scope_object_write_actions", DEFAULT_WRITE_ACTIONS)
    read_actions = getattr(view, "scope_object_read_actions", DEFAULT_READ_ACTIONS)
    if action in write_actions:
        return [f"{scope_object}:write"]
    if action in read_actions or request.method == "OPTIONS":
        return [f"{scope_object}:read"]
    return []


class APIScopePermission(BasePermission):
    """Checks a personal API key's scopes, project and organization restrictions; sessions pass.

    Views may provide `requested_team()` and `requested_organization()` so keys scoped to projects or
    organizations are held to them.
    """

    def has_permission(self, request, view) -> bool:
        key = authenticated_key(request)
        if key is None:
            return True
        if not key.scopes:
            return True  # legacy keys without scopes may do everything
        required = required_scopes_for(request, view)
        if not required:
            raise PermissionDenied(ACTION_NOT_SUPPORTED)
        if getattr(view, "scope_object", None) != "user":
            self.check_team_and_organization(request, view, key)
        for scope in required:
            if not scope_satisfied(scope, key.scopes):
                raise PermissionDenied(missing_scope_message(scope))
        return True

    def check_team_and_organization(self, request, view, key) -> None:
        team = view.requested_team() if hasattr(view, "requested_team") else None
        organization = (
            team.organization
            if team is not None
            else (view.requested_organization() if hasattr(view, "requested_organization") else None)
        )
        if organization is not None and not organization.members_can_use_personal_api_keys:
            level = membership_level(request.user, organization.id) or 0
            if level < OrganizationMembership.Level.ADMIN:
                raise PermissionDenied(organization_disallows_keys_message(organization.name))
        if key.scoped_teams:
            if team is None:
                raise PermissionDenied(SCOPED_TEAMS_NEED_PROJECT_ENDPOINT)
            if team.id not in key.scoped_teams:
                raise PermissionDenied(team_not_in_key_message(team.id))
        if (
            key.scoped_organizations
            and organization is not None
            and str(organization.id) not in key.scoped_organizations
        ):
            if team is None and getattr(view, "hide_unscoped_organizations", False):
                raise NotFound()
            raise PermissionDenied(organization_not_in_key_message(organization.id))


class OrganizationAdminWritePermission(BasePermission):
    """Writes to an organization need admin; deleting it needs owner."""

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or view.action in ("create", None):
            return True  # no action: the route has no handler for the method, and DRF answers 405 next
        organization = view.requested_organization()
        level = membership_level(request.user, organization.id) or 0
        needed = (
            OrganizationMembership.Level.OWNER if request.method == "DELETE" else OrganizationMembership.Level.ADMIN
        )
        if level < needed:
            raise PermissionDenied(ORGANIZATION_LEVEL_INSUFFICIENT)
        return True
