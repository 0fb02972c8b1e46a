"""Access functions: fetch a team or organization for a user and authorize it in one step."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request

from insights_server import access_cache
from insights_server.models import Organization, OrganizationMembership, Team, User
from insights_server.params import parse_id

PROJECT_NOT_FOUND = "Project not found."
NO_PROJECT_ACCESS = "You don't have access to the project."
CURRENT_ORGANIZATION_NOT_FOUND = "Current organization not found."
CURRENT = "@current"


def request_user(request: Request) -> User:
    """The signed-in user of a request to a view whose permissions start with IsAuthenticated."""
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated has already turned anonymous requests away
    return user


def membership_level(user: User, organization_id) -> int | None:
    """The user's membership level (1 member, 8 admin, 15 owner) in the organization, or None.

    Per-process cache (access_cache): any membership write invalidates it in every process."""
    return access_cache.lookup(
        ("membership_level", user.pk, str(organization_id)),
        lambda: (
            OrganizationMembership.objects.filter(user=user, organization_id=organization_id)
            .values_list("level", flat=True)
            .first()
        ),
    )


def teams_visible_to(user: User) -> QuerySet[Team]:
    return Team.objects.filter(organization__memberships__user=user)


def organizations_of(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user)


def team_by_url_id(user: User | AnonymousUser, raw_id: str) -> Team:
    """The team a URL's project/environment id (or `@current`) names. Existence only, not membership.

    Raises NotFound("Project not found.") for a non-numeric, unknown or absent current id.
    """
    current = user.current_team_id if user.is_authenticated else None
    team_id = current if raw_id == CURRENT else parse_id(raw_id)
    team = (
        access_cache.lookup(
            ("team", team_id),
            lambda: Team.objects.select_related("organization", "project").filter(pk=team_id).first(),
        )
        if team_id
        else None
    )
    if team is None:
        raise NotFound(PROJECT_NOT_FOUND)
    return team


def require_team_membership(user: User, team: Team) -> Team:
    """The team itself if the user belongs to its organization; PermissionDenied otherwise."""
    if membership_level(user, team.organization_id) is None:
        raise PermissionDenied(NO_PROJECT_ACCESS)
    return team


def access_organization_by_url_id(user: User, raw_id: str) -> Organization:
    """An organization the user belongs to, by uuid or `@current`; the same 404 for missing and foreign."""
    if raw_id == CURRENT:
        if not user.current_organization_id:
            raise NotFound(CURRENT_ORGANIZATION_NOT_FOUND)
        raw_id = str(user.current_organization_id)
    try:
        organization_id = uuid.UUID(str(raw_id))
    except ValueError:
        raise NotFound() from None
    organization = organizations_of(user).filter(pk=organization_id).first()
    if organization is None:
        raise NotFound()
    return organization
