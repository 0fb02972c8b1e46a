"""`manage.py bootstrap`: create a user, organization, project and a new personal API key; print them as JSON."""

import json

from django.core.management.base import BaseCommand

from insights_server.scopes import is_valid_scope
from insights_server.services.bootstrap import bootstrap_workspace
from insights_server.services.personal_api_keys import personal_api_key_create


class Command(BaseCommand):
    help = "Creates what is missing of user, organization and project, and a new personal API key (printed once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--organization", required=True, help="organization name")
        parser.add_argument("--project", required=True, help="project name")
        parser.add_argument("--scopes", default="*", help="comma-separated scopes, e.g. 'insight:read,query:read'")
        parser.add_argument("--label", default="bootstrap")

    def handle(self, *args, **options) -> None:
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        invalid = [scope for scope in scopes if not is_valid_scope(scope)]
        if invalid:
            self.stderr.write(f"Invalid scope: {invalid[0]}")
            raise SystemExit(2)
        workspace = bootstrap_workspace(
            options["email"], options["password"], options["organization"], options["project"]
        )
        _, value = personal_api_key_create(workspace.user, options["label"][:40], scopes)
        self.stdout.write(
            json.dumps(
                {
                    "user_id": workspace.user.id,
                    "organization_id": str(workspace.organization.id),
                    "project_id": workspace.project.id,
                    "project_api_token": workspace.team.api_token,
                    "personal_api_key": value,
                }
            )
        )
