"""App config for queries (ClickHouse schema commands live here)."""

from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "queries"
    verbose_name = "queries and ClickHouse"

    def ready(self) -> None:
        # The async worker registers itself with the queue and as a Celery task on import.
        from queries.execution import worker  # noqa: F401
