"""App config for the core: organizations, projects, users, API keys."""

from django.apps import AppConfig


class InsightsServerConfig(AppConfig):
    name = "insights_server"
    verbose_name = "insights-server core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from insights_server import openapi  # noqa: F401 - registers the schema extensions
        from insights_server.access_cache import on_access_model_written
        from insights_server.models import Organization, OrganizationMembership, PersonalAPIKey, Project, Team, User

        # Any of these written: every process forgets the keys, users, teams and memberships it resolved.
        for model in (PersonalAPIKey, User, Organization, OrganizationMembership, Project, Team):
            for signal in (post_save, post_delete):
                signal.connect(on_access_model_written, sender=model, dispatch_uid=f"access_cache_{model.__name__}")
