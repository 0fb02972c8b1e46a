"""`manage.py setup_demo_dashboard`: the demo dashboard with one insight of each kind (run by `make serve`)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from insights_server.models import User
from web.demo import demo_dashboard_create


class Command(BaseCommand):
    help = "Creates the demo dashboard (one insight of each kind) in the demo user's current project, once."

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(email=os.environ.get("DEMO_EMAIL", "demo@example.com")).first()
        if user is None or user.current_team is None:
            self.stdout.write("No demo user yet: run setup_demo first.")
            return
        dashboard = demo_dashboard_create(user.current_team, user)
        self.stdout.write(f"  open in a browser:  {settings.SITE_URL}/  (sign in as {user.email})")
        self.stdout.write(
            f"  demo dashboard:     {settings.SITE_URL}/project/{user.current_team_id}/dashboards/{dashboard.id}\n"
        )
