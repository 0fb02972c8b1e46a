"""Idempotent set-up of a user, organization and project (used by `manage.py bootstrap` and the demo)."""

from dataclasses import dataclass

from django.db import transaction

from insights_server.models import Organization, OrganizationMembership, Project, Team, User
from insights_server.services.organizations import organization_add_member, organization_create
from insights_server.services.projects import project_create


@dataclass
class Bootstrapped:
    user: User
    organization: Organization
    project: Project
    team: Team


@transaction.atomic
def bootstrap_workspace(email: str, password: str, organization_name: str, project_name: str) -> Bootstrapped:
    """Creates whatever of user, organization (user as owner) and project is missing; reuses what exists.

    The user's password is set only when the user is created.
    """
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, first_name=email.split("@")[0])
    organization = Organization.objects.filter(memberships__user=user, name=organization_name).first()
    if organization is None:
        organization = organization_create(organization_name, owner=user, first_project_name=None)
    else:
        organization_add_member(organization, user, OrganizationMembership.Level.OWNER)
    project = Project.objects.filter(organization=organization, name=project_name).first()
    if project is None:
        project, team = project_create(organization, project_name, creator=user)
    else:
        team = Team.objects.get(project=project)
    if user.current_team_id is None:
        user.current_organization = organization
        user.current_team = team
        user.save(update_fields=["current_organization", "current_team"])
    return Bootstrapped(user=user, organization=organization, project=project, team=team)
