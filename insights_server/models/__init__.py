"""Core models: organizations, memberships, projects, teams (environments), users, personal API keys."""

from .organization import Organization, OrganizationMembership
from .personal_api_key import PersonalAPIKey
from .project import Project, Team
from .user import User

__all__ = ["Organization", "OrganizationMembership", "PersonalAPIKey", "Project", "Team", "User"]
