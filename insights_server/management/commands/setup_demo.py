"""`manage.py setup_demo`: the demo workspace `make serve` starts with (idempotent), and how to reach it."""

import json
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from insights_server.auth import personal_api_key_by_value
from insights_server.services.bootstrap import bootstrap_workspace
from insights_server.services.personal_api_keys import personal_api_key_create

DEMO_KEY_LABEL = "demo"


class Command(BaseCommand):
    help = "Creates the demo user, organization, project and API key if missing, and prints how to use them."

    def handle(self, *args, **options) -> None:
        email = os.environ.get("DEMO_EMAIL", "demo@example.com")
        password = os.environ.get("DEMO_PASSWORD", "demo-password-123")
        workspace = bootstrap_workspace(email, password, "Demo organization", "Demo project")
        key_value = self.demo_key(workspace.user)
        events = int(os.environ.get("DEMO_EVENTS", "200000"))
        if events > 0:
            # The first start fills the demo project so its charts show something; later starts keep the data.
            call_command(
                "generate_demo_data", project=workspace.team.id, events=events, if_empty=True, stdout=self.stdout
            )
        project_url = f"{settings.SITE_URL}/api/projects/{workspace.project.id}/"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"insights-server is starting on {settings.SITE_URL}",
                    f"  login:           {email} / {password}  (POST {settings.SITE_URL}/api/login/)",
                    f"  project:         {workspace.project.id} ({workspace.project.name})",
                    f"  project token:   {workspace.team.api_token}  (for capture)",
                    f"  personal API key: {key_value}",
                    f"  OpenAPI:         {settings.SITE_URL}/api/schema/swagger-ui/",
                    "",
                    f"  curl -H 'Authorization: Bearer {key_value}' {project_url}",
                    "",
                ]
            )
        )

    def demo_key(self, user) -> str:
        """The demo key kept in DATA_DIR so every run can print it again (the database only has its hash)."""
        path = settings.DATA_DIR / "demo-credentials.json"
        if path.exists():
            stored = json.loads(path.read_text()).get("personal_api_key", "")
            key = personal_api_key_by_value(stored) if stored else None
            if key is not None and key.user_id == user.id:
                return stored
        _, value = personal_api_key_create(user, DEMO_KEY_LABEL, ["*"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"personal_api_key": value}))
        path.chmod(0o600)
        return value
