"""App config for queries (ClickHouse schema commands live here)."""

from django.apps import AppConfig


def process_query(team_id: int, query_id: str, query: dict) -> None:
    """The in-process queue's handler: the async worker, loaded on the first background query so that commands
    which never run one (bootstrap, migrate) do not load the runners and the ClickHouse driver."""
    from queries.execution.worker import process_query as worker

    worker(team_id, query_id, query)


class LazyCohortEngine:
    """The cohort engine, loaded on first use (same reason as `process_query`)."""

    def __getattr__(self, name: str):
        from queries.cohorts.calculation import ClickHouseCohortEngine

        return getattr(ClickHouseCohortEngine(), name)


class QueriesConfig(AppConfig):
    name = "queries"
    verbose_name = "queries and ClickHouse"

    def ready(self) -> None:
        from queries.execution.queue import register_worker

        register_worker(process_query)

        from cohorts.engine import register_engine

        register_engine(LazyCohortEngine())
