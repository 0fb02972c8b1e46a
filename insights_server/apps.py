"""App config for the core: organizations, projects, users, API keys."""

from django.apps import AppConfig


class InsightsServerConfig(AppConfig):
    name = "insights_server"
    verbose_name = "insights-server core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from insights_server import openapi  # noqa: F401 - registers the schema extensions
