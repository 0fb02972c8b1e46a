"""App config for queries (ClickHouse schema commands live here)."""

from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "queries"
    verbose_name = "queries and ClickHouse"
