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
