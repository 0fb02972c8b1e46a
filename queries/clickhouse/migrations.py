"""Versioned, idempotent ClickHouse schema migrations, recorded in `insights_clickhouse_migrations`."""

import logging
from collections.abc import Callable

from django.conf import settings

from queries.clickhouse import client
from queries.clickhouse.schema import Layout, cohorts_ddl, events_ddl, persons_ddl

logger = logging.getLogger(__name__)

MIGRATIONS_TABLE = "insights_clickhouse_migrations"

# (name, statements for a layout). Append only: never edit or reorder an applied migration.
MIGRATIONS: list[tuple[str, Callable[[Layout], list[str]]]] = [
    ("0001_events", events_ddl),
    ("0002_persons", persons_ddl),
    ("0003_cohorts", cohorts_ddl),
]


def current_layout() -> Layout:
    return Layout(cluster=settings.CLICKHOUSE_CLUSTER)


def applied_migrations() -> set[str]:
    client.command(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name String, applied_at DateTime DEFAULT now()) "
        "ENGINE = ReplacingMergeTree ORDER BY name"
    )
    return {row[0] for row in client.query(f"SELECT name FROM {MIGRATIONS_TABLE} FINAL").result_rows}


def migrate(layout: Layout | None = None) -> list[str]:
    """Applies every migration not yet recorded; returns the names applied. Safe to run again."""
    layout = layout or current_layout()
    done = applied_migrations()
    applied = []
    for name, build in MIGRATIONS:
        if name in done:
            continue
        for statement in build(layout):
            client.command(statement)
        client.insert(MIGRATIONS_TABLE, [[name]], column_names=["name"])
        logger.info("clickhouse_migration_applied name=%s", name)
        applied.append(name)
    return applied
