"""App config for dashboards: registers what the lower layers (core, insights) ask of dashboards."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The core and insights sit below dashboards and may not import them: they call these hooks instead.
        from dashboards.access import validate_primary_dashboard
        from dashboards.insight_hooks import InsightDashboardHooks
        from insights import dashboard_hooks
        from insights_server.primary_dashboard import register_primary_dashboard_validator

        register_primary_dashboard_validator(validate_primary_dashboard)
        dashboard_hooks.register(InsightDashboardHooks())
