"""Creating organizations and adding members."""

from django.db import transaction
from django.utils.text import slugify

from insights_server.models import Organization, OrganizationMembership, User
from insights_server.tokens import random_token


def unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "organization"
    slug = base
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{random_token(4)[:6].lower()}"
    return slug


def organization_add_member(organization: Organization, user: User, level: int) -> OrganizationMembership:
    """Adds the user at `level`; an existing membership keeps its level."""
    membership, _ = OrganizationMembership.objects.get_or_create(
        organization=organization, user=user, defaults={"level": level}
    )
    return membership


@transaction.atomic
def organization_delete(organization: Organization) -> None:
    """Deletes the organization with its projects; members whose current organization it was move to their oldest
    remaining membership (and its first team), so they are never left without one while they belong to others."""
    affected = list(User.objects.filter(current_organization=organization))
    organization.delete()
    for user in affected:
        user_move_to_remaining_organization(user)


def user_move_to_remaining_organization(user: User) -> None:
    membership = (
        OrganizationMembership.objects.filter(user=user)
        .select_related("organization")
        .order_by("joined_at", "id")
        .first()
    )
    organization = membership.organization if membership is not None else None
    user.current_organization = organization
    user.current_team = organization.teams.order_by("id").first() if organization is not None else None
    user.save(update_fields=["current_organization", "current_team"])


@transaction.atomic
def organization_create(
    name: str, owner: User | None, first_project_name: str | None = "Default project"
) -> Organization:
    """Creates an organization with `owner` as OWNER and, unless `first_project_name` is None, its first project.

    The owner's current organization (and team) switch to the new ones.
    """
    from insights_server.services.projects import project_create

    organization = Organization.objects.create(name=name, slug=unique_slug(name))
    if owner is not None:
        organization_add_member(organization, owner, OrganizationMembership.Level.OWNER)
        owner.current_organization = organization
        owner.save(update_fields=["current_organization"])
    if first_project_name is not None:
        project_create(organization, first_project_name, creator=owner)
    return organization
