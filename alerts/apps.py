from django.apps import AppConfig
from django.db.models.signals import post_save


class AlertsConfig(AppConfig):
    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts.notifications import email_notifier, register_notifier
        from alerts.rendering import insight_alerts
        from alerts.signals import delete_alerts_of_unsupported_insight
        from alerts.webhooks import webhook_notifier
        from insights.alert_hooks import register_insight_alerts_renderer
        from insights.models import Insight

        post_save.connect(delete_alerts_of_unsupported_insight, sender=Insight, dispatch_uid="alerts_follow_insight")
        register_insight_alerts_renderer(insight_alerts)
        register_notifier(email_notifier)
        register_notifier(webhook_notifier)
