"""Updating a user: preferences, current organization/team, password."""

from typing import Any

from insights_server.models import User


def user_update(user: User, changes: dict[str, Any]) -> User:
    """Applies validated changes. `set_current_*` switch context; `notification_settings` merge."""
    changes.pop("current_password", None)
    password = changes.pop("password", None)
    organization = changes.pop("set_current_organization", None)
    team = changes.pop("set_current_team", None)
    notification_settings = changes.pop("notification_settings", None)
    for field, value in changes.items():
        setattr(user, field, value)
    if notification_settings is not None:
        user.notification_settings = {**(user.notification_settings or {}), **notification_settings}
    if team is not None:
        user.current_team = team
        user.current_organization_id = team.organization_id
    elif organization is not None:
        user.current_organization = organization
        user.current_team = organization.teams.order_by("id").first()
    if password:
        user.set_password(password)
    user.save()
    return user
