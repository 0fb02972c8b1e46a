"""App config for insights: registers what the lower layers (activity) ask of insights."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Activity sits below insights and may not import it: it asks through this registration instead.
        from activity.created_items import register_created_items
        from insights.selectors import insight_ids_created_by

        register_created_items("Insight", insight_ids_created_by)
