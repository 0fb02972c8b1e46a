"""Creating projects: a Project and its first environment (Team) with the same id."""

from typing import Any

from django.db import transaction

from insights_server.models import Organization, Project, Team, User


@transaction.atomic
def project_create(
    organization: Organization, name: str, creator: User | None = None, **team_fields: Any
) -> tuple[Project, Team]:
    """Creates a project and its environment; the creator's current team switches to it."""
    product_description = team_fields.pop("product_description", None)
    project = Project.objects.create(organization=organization, name=name, product_description=product_description)
    team = Team.objects.create(id=project.id, organization=organization, project=project, name=name, **team_fields)
    if creator is not None:
        creator.current_organization = organization
        creator.current_team = team
        creator.save(update_fields=["current_organization", "current_team"])
    return project, team


@transaction.atomic
def team_update(team: Team, changes: dict[str, Any]) -> Team:
    """Applies validated settings to an environment and keeps its project's name and description in step."""
    project_changes = changes.pop("project", {})
    for field, value in changes.items():
        setattr(team, field, value)
    if "name" in changes:
        project_changes["name"] = changes["name"]
    if project_changes:
        Project.objects.filter(pk=team.project_id).update(**project_changes)
        for field, value in project_changes.items():
            setattr(team.project, field, value)
    team.save()
    return team


def unique_project_name(organization: Organization, base: str = "Default project") -> str:
    taken = {name.lower() for name in Project.objects.filter(organization=organization).values_list("name", flat=True)}
    if base.lower() not in taken:
        return base
    number = 2
    while f"{base} {number}".lower() in taken:
        number += 1
    return f"{base} {number}"


def project_name_taken(organization: Organization, name: str, exclude_id: int | None = None) -> bool:
    projects = Project.objects.filter(organization=organization, name__iexact=name.strip())
    if exclude_id is not None:
        projects = projects.exclude(pk=exclude_id)
    return projects.exists()
